import type { Repos, UnitOfWork } from '@vigil/core';
import type { Kysely } from 'kysely';
import type { SecretBox } from '../security/secret-box.js';
import type { Store } from './dialect.js';
import { createIntegrationRepo, createServiceRepo, createTeamRepo } from './repos/catalog.repo.js';
import { createChangeEventRepo } from './repos/change-event.repo.js';
import { createHeartbeatRepo } from './repos/heartbeat.repo.js';
import {
  createAlertRepo,
  createAuditRepo,
  createIncidentRepo,
  createTimelineRepo,
} from './repos/incident.repo.js';
import { createIngestRepo } from './repos/ingest.repo.js';
import { createOutboundRepo } from './repos/outbound.repo.js';
import {
  createContactMethodRepo,
  createEscalationPolicyRepo,
  createEscalationRepo,
  createNotificationRepo,
  createNotificationRuleRepo,
} from './repos/paging.repo.js';
import {
  createCalendarFeedRepo,
  createOverrideRepo,
  createScheduleRepo,
  createShiftRequestRepo,
} from './repos/schedule.repo.js';
import { createPasswordResetRepo, createSessionRepo } from './repos/session.repo.js';
import { createSettingsRepo } from './repos/settings.repo.js';
import { createApiKeyRepo, createUserRepo } from './repos/user.repo.js';
import type { Database } from './schema.js';

export function reposFor(db: Kysely<Database>, store: Store, box: SecretBox): Repos {
  return {
    policies: createEscalationPolicyRepo(db),
    contactMethods: createContactMethodRepo(db, box),
    notificationRules: createNotificationRuleRepo(db),
    notifications: createNotificationRepo(db),
    escalations: createEscalationRepo(db, store.dialect),
    schedules: createScheduleRepo(db),
    overrides: createOverrideRepo(db),
    shiftRequests: createShiftRequestRepo(db),
    calendarFeeds: createCalendarFeedRepo(db, box),
    changeEvents: createChangeEventRepo(db),
    ingest: createIngestRepo(db, store.dialect),
    settings: createSettingsRepo(db),
    users: createUserRepo(db),
    apiKeys: createApiKeyRepo(db),
    sessions: createSessionRepo(db),
    passwordResets: createPasswordResetRepo(db),
    teams: createTeamRepo(db),
    services: createServiceRepo(db, store.dialect),
    integrations: createIntegrationRepo(db, box),
    alerts: createAlertRepo(db),
    incidents: createIncidentRepo(db, store.dialect),
    timeline: createTimelineRepo(db),
    audit: createAuditRepo(db),
    outbound: createOutboundRepo(db, box),
    heartbeats: createHeartbeatRepo(db, store.dialect),
  };
}

/** Core's UnitOfWork over Kysely: a transaction hands every repository the same connection. */
export function createUnitOfWork(store: Store, box: SecretBox): UnitOfWork {
  return {
    read: reposFor(store.db, store, box),
    transaction: (work) => store.db.transaction().execute((trx) => work(reposFor(trx, store, box))),
  };
}
