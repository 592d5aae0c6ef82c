import { findIncident } from '../incident/incident.service.js';
import type { Repos } from '../ports.js';
import type { RequestContext } from '../shared/actor.js';
import { toInstant } from '../shared/clock.js';
import { invalidField, notFound, VigilError } from '../shared/errors.js';
import type { Page, PageRequest } from '../shared/page.js';
import { recordAudit, type UseCaseDeps } from '../shared/use-case.js';
import {
  addressHint,
  type NewRelicRegion,
  newRelicCollectorUrl,
  type OutboundDelivery,
  type OutboundIntegration,
  type OutboundKind,
  secretHint,
} from './outbound.js';

/** The repository of outbound integrations and their deliveries (store/repos/outbound.repo.ts). */
export interface OutboundRepo {
  insert(integration: OutboundIntegration): Promise<void>;
  update(integration: OutboundIntegration): Promise<void>;
  /** Soft: its deliveries keep pointing at it; nothing more is queued, and queued ones are not sent. */
  delete(id: string, at: string): Promise<void>;
  get(id: string): Promise<OutboundIntegration | null>;
  listForService(serviceId: string, page: PageRequest): Promise<Page<OutboundIntegration>>;
  /** Oldest first. */
  deliveriesForIncident(incidentId: string, page: PageRequest): Promise<Page<OutboundDelivery>>;
}

export interface OutboundTestResult {
  outcome: 'delivered' | 'temporary' | 'permanent';
  reason: string;
}

/** What only the server can do: the vendors' address rules, the SSRF guard, a real send. */
export interface OutboundTargets {
  /** Why this typed-in address cannot be used for this kind (its form, or the SSRF rules), or null. */
  checkAddress(kind: OutboundKind, address: string): Promise<string | null>;
  /** Sends a test event now; never throws for provider trouble. */
  sendTest(integration: OutboundIntegration, serviceName: string): Promise<OutboundTestResult>;
}

export interface OutboundIntegrationInput {
  kind: OutboundKind;
  name?: string;
  enabled?: boolean;
  /** SIGNL4: the webhook URL or team secret. New Relic: a collector URL; null: derived from the account. */
  address?: string | null;
  /** New Relic: the license or insert key. */
  apiKey?: string;
  accountId?: string;
  region?: NewRelicRegion;
}

export type OutboundIntegrationChange = Omit<Partial<OutboundIntegrationInput>, 'kind'>;

const defaultNames: Record<OutboundKind, string> = { signl4: 'SIGNL4', 'newrelic-events': 'New Relic' };

/** Audit entries and API answers never carry the address or the key, only hints. */
export const withoutSecrets = (integration: OutboundIntegration) => ({
  ...integration,
  address: addressHint(integration),
  secret: integration.secret === null ? null : secretHint(integration.secret),
});

/** Fields that belong to the other kind are refused by name, not silently ignored. */
function refuseForeignFields(kind: OutboundKind, input: OutboundIntegrationChange) {
  if (kind !== 'signl4') return;
  for (const [field, path] of [
    ['apiKey', '/api_key'],
    ['accountId', '/account_id'],
    ['region', '/region'],
  ] as const) {
    if (input[field] !== undefined) throw invalidField(path, 'is not used by SIGNL4');
  }
}

export function createOutboundIntegrationService(deps: UseCaseDeps & { targets: OutboundTargets }) {
  const { uow, clock, newId, targets } = deps;

  async function mustGet(repos: Repos, id: string): Promise<OutboundIntegration> {
    const integration = await repos.outbound.get(id);
    if (!integration) throw notFound('Outbound integration', id);
    return integration;
  }

  /** Checked before the transaction: the SSRF guard may resolve a host name, which takes time. */
  async function checkAddress(kind: OutboundKind, address: string) {
    const problem = await targets.checkAddress(kind, address);
    if (problem) throw invalidField('/address', problem);
  }

  return {
    async create(ctx: RequestContext, serviceId: string, input: OutboundIntegrationInput) {
      refuseForeignFields(input.kind, input);
      let address: string;
      if (input.kind === 'signl4') {
        if (!input.address)
          throw invalidField('/address', "is required: the SIGNL4 team's webhook URL or team secret");
        address = input.address;
        await checkAddress(input.kind, address);
      } else {
        if (input.accountId === undefined)
          throw invalidField('/account_id', 'is required: the New Relic account the events go to');
        if (input.apiKey === undefined)
          throw invalidField('/api_key', 'is required: a New Relic license or insert key');
        if (input.address) await checkAddress(input.kind, input.address);
        address = input.address || newRelicCollectorUrl(input.region ?? 'us', input.accountId);
      }
      return uow.transaction(async (repos) => {
        if (!(await repos.services.get(serviceId))) throw notFound('Service', serviceId);
        const now = toInstant(clock.now());
        const newRelic = input.kind === 'newrelic-events';
        const integration: OutboundIntegration = {
          id: newId(),
          serviceId,
          kind: input.kind,
          name: input.name ?? defaultNames[input.kind],
          address,
          secret: newRelic ? (input.apiKey ?? null) : null,
          region: newRelic ? (input.region ?? 'us') : null,
          accountId: newRelic ? (input.accountId ?? null) : null,
          enabled: input.enabled ?? true,
          createdAt: now,
          updatedAt: now,
        };
        await repos.outbound.insert(integration);
        await recordAudit(repos, deps, ctx, now, {
          action: 'outbound_integration.create',
          objectType: 'outbound_integration',
          objectId: integration.id,
          after: withoutSecrets(integration),
        });
        return integration;
      });
    },

    async update(ctx: RequestContext, id: string, input: OutboundIntegrationChange) {
      const current = await mustGet(uow.read, id);
      refuseForeignFields(current.kind, input);
      if (current.kind === 'signl4' && input.address === null)
        throw invalidField('/address', 'cannot be removed from a SIGNL4 integration');
      if (input.address) await checkAddress(current.kind, input.address);
      return uow.transaction(async (repos) => {
        const before = await mustGet(repos, id);
        const now = toInstant(clock.now());
        const after: OutboundIntegration = {
          ...before,
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
          ...(input.apiKey !== undefined ? { secret: input.apiKey } : {}),
          ...(input.accountId !== undefined ? { accountId: input.accountId } : {}),
          ...(input.region !== undefined ? { region: input.region } : {}),
          updatedAt: now,
        };
        if (before.kind === 'signl4') {
          if (input.address) after.address = input.address;
        } else {
          // A derived collector URL follows the account and region; a typed-in one stays until
          // replaced, or removed with `address: null`.
          const derived = (i: OutboundIntegration) =>
            newRelicCollectorUrl(i.region ?? 'us', i.accountId ?? '');
          const wasDerived = before.address === derived(before);
          if (input.address) after.address = input.address;
          else if (input.address === null || wasDerived) after.address = derived(after);
        }
        await repos.outbound.update(after);
        await recordAudit(repos, deps, ctx, now, {
          action: 'outbound_integration.update',
          objectType: 'outbound_integration',
          objectId: id,
          before: withoutSecrets(before),
          after: withoutSecrets(after),
        });
        return after;
      });
    },

    async delete(ctx: RequestContext, id: string): Promise<void> {
      await uow.transaction(async (repos) => {
        const before = await mustGet(repos, id);
        const now = toInstant(clock.now());
        await repos.outbound.delete(id, now);
        await recordAudit(repos, deps, ctx, now, {
          action: 'outbound_integration.delete',
          objectType: 'outbound_integration',
          objectId: id,
          before: withoutSecrets(before),
        });
      });
    },

    get: (id: string) => mustGet(uow.read, id),

    async listForService(serviceId: string, page: PageRequest) {
      if (!(await uow.read.services.get(serviceId))) throw notFound('Service', serviceId);
      return uow.read.outbound.listForService(serviceId, page);
    },

    /** Sends a test event now and says what the provider answered (a failure is an answer, not an error). */
    async test(id: string): Promise<OutboundTestResult> {
      const integration = await mustGet(uow.read, id);
      const service = await uow.read.services.get(integration.serviceId);
      if (!service) throw new VigilError('CONFLICT', 'The integration’s service no longer exists');
      return targets.sendTest(integration, service.name);
    },

    async deliveries(incidentRef: string, page: PageRequest) {
      const incident = await findIncident(uow.read, incidentRef);
      return uow.read.outbound.deliveriesForIncident(incident.id, page);
    },
  };
}

export type OutboundIntegrationService = ReturnType<typeof createOutboundIntegrationService>;
