import {
  eventOrder,
  eventsOfKind,
  type Incident,
  type NewRelicRegion,
  type OutboundDelivery,
  type OutboundDeliveryState,
  type OutboundEvent,
  type OutboundIntegration,
  type OutboundKind,
  type OutboundRepo,
} from '@vigil/core';
import type { Kysely, Selectable } from 'kysely';
import type { SecretBox } from '../../security/secret-box.js';
import type { Database, OutboundDeliveriesTable, OutboundIntegrationsTable } from '../schema.js';
import { decodeCursor, toPage } from './paging.js';

export function outboundDeliveryFromRow(row: Selectable<OutboundDeliveriesTable>): OutboundDelivery {
  return {
    id: row.id,
    integrationId: row.integration_id,
    incidentId: row.incident_id,
    event: row.event as OutboundEvent,
    state: row.state as OutboundDeliveryState,
    reason: row.reason,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    providerId: row.provider_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sentAt: row.sent_at,
  };
}

export function createOutboundRepo(db: Kysely<Database>, box: SecretBox): OutboundRepo {
  const fromRow = (row: Selectable<OutboundIntegrationsTable>): OutboundIntegration => ({
    id: row.id,
    serviceId: row.service_id,
    kind: row.kind as OutboundKind,
    name: row.name,
    address: box.open(row.address_encrypted),
    secret: row.secret_encrypted === null ? null : box.open(row.secret_encrypted),
    region: row.region as NewRelicRegion | null,
    accountId: row.account_id,
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
  const sealed = (integration: OutboundIntegration) => ({
    name: integration.name,
    address_encrypted: box.seal(integration.address),
    secret_encrypted: integration.secret === null ? null : box.seal(integration.secret),
    region: integration.region,
    account_id: integration.accountId,
    enabled: integration.enabled ? 1 : 0,
    updated_at: integration.updatedAt,
  });

  return {
    async insert(integration) {
      await db
        .insertInto('outbound_integrations')
        .values({
          id: integration.id,
          service_id: integration.serviceId,
          kind: integration.kind,
          created_at: integration.createdAt,
          deleted_at: null,
          ...sealed(integration),
        })
        .execute();
    },
    async update(integration) {
      await db
        .updateTable('outbound_integrations')
        .set(sealed(integration))
        .where('id', '=', integration.id)
        .execute();
    },
    async delete(id, at) {
      await db
        .updateTable('outbound_integrations')
        .set({ deleted_at: at, updated_at: at })
        .where('id', '=', id)
        .execute();
    },
    async get(id) {
      const row = await db
        .selectFrom('outbound_integrations')
        .selectAll()
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return row ? fromRow(row) : null;
    },
    async listForService(serviceId, page) {
      let query = db
        .selectFrom('outbound_integrations')
        .selectAll()
        .where('service_id', '=', serviceId)
        .where('deleted_at', 'is', null)
        .orderBy('id', 'asc')
        .limit(page.limit + 1);
      if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor, 'string'));
      return toPage(await query.execute(), page.limit, (row) => row.id, fromRow);
    },
    async deliveriesForIncident(incidentId, page) {
      let query = db
        .selectFrom('outbound_deliveries')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .orderBy('id', 'asc')
        .limit(page.limit + 1);
      if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor, 'string'));
      return toPage(await query.execute(), page.limit, (row) => row.id, outboundDeliveryFromRow);
    },
  };
}

/** A service's enabled outbound integrations (SIGNL4, New Relic), in a stable order. */
export function outboundIntegrationsOf(db: Kysely<Database>, serviceId: string) {
  return db
    .selectFrom('outbound_integrations')
    .select(['id', 'kind'])
    .where('service_id', '=', serviceId)
    .where('enabled', '=', 1)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .execute();
}

/**
 * The outbox write (ARCHITECTURE.md §4): one delivery per enabled integration of the incident's
 * service and event, in the caller's transaction (the escalation module's, which is the one that
 * sees the incident change). The unique key (integration, incident, event) drops an event already
 * queued, so offering it again is harmless.
 *
 * A SIGNL4 team is not paged for what is already over: when the incident resolved before its
 * trigger left (both seen at once, or the trigger still waiting, never tried), neither is sent and
 * both rows say why. A trigger that was tried may have arrived (a timeout after the receiver took
 * it), so then the resolve follows it to close the Signl.
 */
export async function queueOutboundDeliveries(
  trx: Kysely<Database>,
  incident: Pick<Incident, 'id' | 'number' | 'serviceId'>,
  events: readonly OutboundEvent[],
  at: string,
  newId: () => string,
  /** Where the service's integrations come from (the engine reads them once per cycle). */
  integrationsOf: (serviceId: string) => Promise<{ id: string; kind: string }[]> = (serviceId) =>
    outboundIntegrationsOf(trx, serviceId),
): Promise<void> {
  if (events.length === 0) return;
  const integrations = await integrationsOf(incident.serviceId);
  const rows: OutboundDeliveriesTable[] = [];
  const row = (integrationId: string, event: OutboundEvent, state: string, reason: string) =>
    rows.push({
      id: newId(),
      integration_id: integrationId,
      incident_id: incident.id,
      event,
      seq: eventOrder[event],
      state,
      reason,
      attempts: 0,
      next_attempt_at: at,
      claim_token: null,
      claimed_until: null,
      provider_id: null,
      created_at: at,
      updated_at: at,
      sent_at: null,
    });
  for (const integration of integrations) {
    const mine = events.filter((event) => eventsOfKind[integration.kind as OutboundKind]?.includes(event));
    let suppressed: string | null = null;
    if (integration.kind === 'signl4' && mine.includes('resolved')) {
      if (mine.includes('triggered')) {
        suppressed = `Incident #${incident.number} was resolved before SIGNL4 was told; nothing to send`;
      } else {
        const untried = await trx
          .updateTable('outbound_deliveries')
          .set({
            state: 'suppressed',
            reason: `Incident #${incident.number} was resolved before this was sent`,
            updated_at: at,
          })
          .where('integration_id', '=', integration.id)
          .where('incident_id', '=', incident.id)
          .where('event', '=', 'triggered')
          .where('state', '=', 'queued')
          .where('attempts', '=', 0)
          .executeTakeFirst();
        if (Number(untried.numUpdatedRows) > 0)
          suppressed = 'nothing to close: the trigger was never sent to SIGNL4';
      }
    }
    for (const event of mine) {
      if (suppressed) row(integration.id, event, 'suppressed', suppressed);
      else row(integration.id, event, 'queued', 'waiting to be sent');
    }
  }
  if (rows.length === 0) return;
  await trx
    .insertInto('outbound_deliveries')
    .values(rows)
    .onConflict((oc) => oc.columns(['integration_id', 'incident_id', 'event']).doNothing())
    .execute();
}
