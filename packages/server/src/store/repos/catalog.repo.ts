import type {
  Integration,
  IntegrationRepo,
  IntegrationType,
  Service,
  ServiceRepo,
  ServiceStatus,
  TeamMemberRole,
  TeamRepo,
  Urgency,
} from '@vigil/core';
import type { Kysely, Selectable } from 'kysely';
import type { SecretBox } from '../../security/secret-box.js';
import type { StoreDialect } from '../dialect.js';
import type { Database, IntegrationsTable, ServicesTable } from '../schema.js';
import { decodeCursor, parseJson, toPage } from './paging.js';

export function createTeamRepo(db: Kysely<Database>): TeamRepo {
  return {
    async insert(team) {
      await db
        .insertInto('teams')
        .values({
          id: team.id,
          name: team.name,
          description: team.description,
          created_at: team.createdAt,
          updated_at: team.updatedAt,
        })
        .execute();
    },
    async update(team) {
      await db
        .updateTable('teams')
        .set({ name: team.name, description: team.description, updated_at: team.updatedAt })
        .where('id', '=', team.id)
        .execute();
    },
    async delete(id) {
      await db.deleteFrom('teams').where('id', '=', id).execute();
    },
    async get(id) {
      const row = await db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? teamFromRow(row) : null;
    },
    async getByName(name) {
      const row = await db.selectFrom('teams').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? teamFromRow(row) : null;
    },
    async list(page) {
      let query = db
        .selectFrom('teams')
        .selectAll()
        .orderBy('id', 'asc')
        .limit(page.limit + 1);
      if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor, 'string'));
      return toPage(await query.execute(), page.limit, (row) => row.id, teamFromRow);
    },
    async members(teamId) {
      const rows = await db
        .selectFrom('team_members')
        .selectAll()
        .where('team_id', '=', teamId)
        .orderBy('user_id')
        .execute();
      return rows.map((row) => ({
        teamId: row.team_id,
        userId: row.user_id,
        role: row.role as TeamMemberRole,
      }));
    },
    async putMember(member) {
      await db
        .insertInto('team_members')
        .values({ team_id: member.teamId, user_id: member.userId, role: member.role })
        .onConflict((oc) => oc.columns(['team_id', 'user_id']).doUpdateSet({ role: member.role }))
        .execute();
    },
    async removeMember(teamId, userId) {
      const result = await db
        .deleteFrom('team_members')
        .where('team_id', '=', teamId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

const teamFromRow = (row: Selectable<Database['teams']>) => ({
  id: row.id,
  name: row.name,
  description: row.description,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const serviceFromRow = (row: Selectable<ServicesTable>): Service => ({
  id: row.id,
  name: row.name,
  description: row.description,
  teamId: row.team_id,
  escalationPolicyId: row.escalation_policy_id,
  ackTimeoutMinutes: row.ack_timeout_minutes,
  status: row.status as ServiceStatus,
  defaultUrgency: row.default_urgency as Urgency | null,
  autoResolve: row.auto_resolve === 1,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const serviceToRow = (service: Service): Selectable<ServicesTable> => ({
  id: service.id,
  name: service.name,
  description: service.description,
  team_id: service.teamId,
  escalation_policy_id: service.escalationPolicyId,
  ack_timeout_minutes: service.ackTimeoutMinutes,
  status: service.status,
  default_urgency: service.defaultUrgency,
  auto_resolve: service.autoResolve ? 1 : 0,
  created_at: service.createdAt,
  updated_at: service.updatedAt,
});

export function createServiceRepo(db: Kysely<Database>, dialect: StoreDialect): ServiceRepo {
  return {
    async insert(service) {
      await db.insertInto('services').values(serviceToRow(service)).execute();
    },
    async update(service) {
      const { id, ...rest } = serviceToRow(service);
      await db.updateTable('services').set(rest).where('id', '=', id).execute();
    },
    async delete(id) {
      await db.deleteFrom('integrations').where('service_id', '=', id).execute();
      await db.deleteFrom('services').where('id', '=', id).execute();
    },
    async get(id, forUpdate = false) {
      const query = db.selectFrom('services').selectAll().where('id', '=', id);
      const row = await (forUpdate ? dialect.forUpdate(query) : query).executeTakeFirst();
      return row ? serviceFromRow(row) : null;
    },
    async hasHistory(id) {
      const incident = await db
        .selectFrom('incidents')
        .select('id')
        .where('service_id', '=', id)
        .limit(1)
        .executeTakeFirst();
      const alert = await db
        .selectFrom('alerts')
        .select('id')
        .where('service_id', '=', id)
        .limit(1)
        .executeTakeFirst();
      const change = await db
        .selectFrom('change_events')
        .select('id')
        .where('service_id', '=', id)
        .limit(1)
        .executeTakeFirst();
      return incident !== undefined || alert !== undefined || change !== undefined;
    },
    async getByName(name) {
      const row = await db.selectFrom('services').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? serviceFromRow(row) : null;
    },
    async list(filter, page) {
      let query = db
        .selectFrom('services')
        .selectAll()
        .orderBy('id', 'asc')
        .limit(page.limit + 1);
      if (filter.teamId) query = query.where('team_id', '=', filter.teamId);
      if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor, 'string'));
      return toPage(await query.execute(), page.limit, (row) => row.id, serviceFromRow);
    },
    async countForTeam(teamId) {
      const row = await db
        .selectFrom('services')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('team_id', '=', teamId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

/** Config values under keys ending in `_secret` (a signing secret, say) are kept sealed. */
function sealSecrets(
  config: Record<string, unknown>,
  box: SecretBox,
  how: 'seal' | 'open',
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      key.endsWith('_secret') && typeof value === 'string' && value ? box[how](value) : value,
    ]),
  );
}

export function createIntegrationRepo(db: Kysely<Database>, box: SecretBox): IntegrationRepo {
  const fromRow = (row: Selectable<IntegrationsTable>): Integration => ({
    id: row.id,
    serviceId: row.service_id,
    type: row.type as IntegrationType,
    name: row.name,
    key: box.open(row.key_encrypted),
    rateLimitPerMinute: row.rate_limit_per_minute,
    config: sealSecrets(parseJson<Record<string, unknown>>(row.config), box, 'open'),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
  return {
    async insert(integration, keyHash) {
      await db
        .insertInto('integrations')
        .values({
          id: integration.id,
          service_id: integration.serviceId,
          type: integration.type,
          name: integration.name,
          key_hash: keyHash,
          key_encrypted: box.seal(integration.key),
          rate_limit_per_minute: integration.rateLimitPerMinute,
          config: JSON.stringify(sealSecrets(integration.config, box, 'seal')),
          created_at: integration.createdAt,
          updated_at: integration.updatedAt,
          deleted_at: null,
        })
        .execute();
    },
    async update(integration) {
      await db
        .updateTable('integrations')
        .set({
          name: integration.name,
          rate_limit_per_minute: integration.rateLimitPerMinute,
          config: JSON.stringify(sealSecrets(integration.config, box, 'seal')),
          updated_at: integration.updatedAt,
        })
        .where('id', '=', integration.id)
        .execute();
    },
    async delete(id, at) {
      // Soft: alerts keep pointing at the integration; its key stops matching at once.
      await db
        .updateTable('integrations')
        .set({ deleted_at: at, key_hash: `deleted:${id}` })
        .where('id', '=', id)
        .execute();
    },
    async get(id) {
      const row = await db
        .selectFrom('integrations')
        .selectAll()
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return row ? fromRow(row) : null;
    },
    async findByKeyHash(keyHash) {
      const row = await db
        .selectFrom('integrations')
        .selectAll()
        .where('key_hash', '=', keyHash)
        .executeTakeFirst();
      return row ? fromRow(row) : null;
    },
    async listForService(serviceId, page) {
      let query = db
        .selectFrom('integrations')
        .selectAll()
        .where('service_id', '=', serviceId)
        .where('deleted_at', 'is', null)
        .orderBy('id', 'asc')
        .limit(page.limit + 1);
      if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor, 'string'));
      return toPage(await query.execute(), page.limit, (row) => row.id, fromRow);
    },
  };
}
