import type { RequestContext } from '../shared/actor.js';
import { toInstant } from '../shared/clock.js';
import { notFound } from '../shared/errors.js';
import { recordAudit, type UseCaseDeps } from '../shared/use-case.js';
import type { Integration, IntegrationType } from './directory.js';
import { checkIntegrationConfig } from './integration-config.js';
import { definedOnly } from './team.service.js';

export interface IntegrationInput {
  type: IntegrationType;
  name?: string;
  rateLimitPerMinute?: number | null;
  config?: Record<string, unknown>;
}

const defaultNames: Record<IntegrationType, string> = {
  events_v2: 'Events API v2',
  opsgenie: 'Opsgenie-compatible',
  alertmanager: 'Prometheus Alertmanager',
  grafana: 'Grafana',
  newrelic: 'New Relic',
  generic: 'Generic webhook',
  email: 'E-mail',
  heartbeat: 'Heartbeat',
};

/** What the API shows instead of a secret; sending it back means "leave the secret as it is". */
export const REDACTED = '********';

function keepRedactedSecrets(
  next: Record<string, unknown>,
  previous: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(next).map(([key, value]) => [
      key,
      key.endsWith('_secret') && value === REDACTED ? previous[key] : value,
    ]),
  );
}

/** Audit entries never carry the key itself. */
const withoutKey = ({ key: _secret, ...rest }: Integration) => ({
  ...rest,
  config: Object.fromEntries(
    Object.entries(rest.config).map(([key, value]) => [key, key.endsWith('_secret') ? REDACTED : value]),
  ),
});

export function createIntegrationService(deps: UseCaseDeps) {
  const { uow, clock, newId, secrets } = deps;

  return {
    async create(ctx: RequestContext, serviceId: string, input: IntegrationInput): Promise<Integration> {
      return uow.transaction(async (repos) => {
        if (!(await repos.services.get(serviceId))) throw notFound('Service', serviceId);
        checkIntegrationConfig(input.type, input.config ?? {});
        const now = toInstant(clock.now());
        const key = secrets.newIntegrationKey();
        const integration: Integration = {
          id: newId(),
          serviceId,
          type: input.type,
          name: input.name ?? defaultNames[input.type],
          key,
          rateLimitPerMinute: input.rateLimitPerMinute ?? null,
          config: input.config ?? {},
          createdAt: now,
          updatedAt: now,
        };
        await repos.integrations.insert(integration, secrets.hashToken(key));
        await recordAudit(repos, deps, ctx, now, {
          action: 'integration.create',
          objectType: 'integration',
          objectId: integration.id,
          after: withoutKey(integration),
        });
        return integration;
      });
    },

    async update(
      ctx: RequestContext,
      id: string,
      input: Omit<Partial<IntegrationInput>, 'type'>,
    ): Promise<Integration> {
      return uow.transaction(async (repos) => {
        const before = await repos.integrations.get(id);
        if (!before) throw notFound('Integration', id);
        const now = toInstant(clock.now());
        const changes = definedOnly(input);
        if (changes.config) {
          changes.config = keepRedactedSecrets(changes.config, before.config);
          checkIntegrationConfig(before.type, changes.config);
        }
        const after: Integration = { ...before, ...changes, updatedAt: now };
        await repos.integrations.update(after);
        await recordAudit(repos, deps, ctx, now, {
          action: 'integration.update',
          objectType: 'integration',
          objectId: id,
          before: withoutKey(before),
          after: withoutKey(after),
        });
        return after;
      });
    },

    async delete(ctx: RequestContext, id: string): Promise<void> {
      await uow.transaction(async (repos) => {
        const before = await repos.integrations.get(id);
        if (!before) throw notFound('Integration', id);
        await repos.integrations.delete(id, toInstant(clock.now()));
        await recordAudit(repos, deps, ctx, toInstant(clock.now()), {
          action: 'integration.delete',
          objectType: 'integration',
          objectId: id,
          before: withoutKey(before),
        });
      });
    },

    async get(id: string): Promise<Integration> {
      const integration = await uow.read.integrations.get(id);
      if (!integration) throw notFound('Integration', id);
      return integration;
    },
  };
}

export type IntegrationService = ReturnType<typeof createIntegrationService>;
