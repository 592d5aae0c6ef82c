/**
 * The ports core's use cases need. server/store implements them with Kysely on SQLite and
 * PostgreSQL; each use case receives a UnitOfWork and runs its reads and writes in one transaction.
 */
import type { Alert, AlertStatus } from './alert/alert.js';
import type { AuditEntry } from './audit/audit.js';
import type { Role } from './auth/roles.js';
import type { PasswordReset, Session } from './auth/session.js';
import type { ApiKey, Integration, Service, Team, TeamMember, User } from './directory/directory.js';
import type { Incident, IncidentStatus, Priority, TimelineEntry } from './incident/incident.js';
import type {
  ContactMethod,
  ContactType,
  Escalation,
  EscalationPolicy,
  Notification,
  NotificationRule,
} from './paging/paging.js';
import type {
  CalendarFeed,
  CalendarFeedKind,
  OverrideRecord,
  ScheduleRecord,
  ScheduleVersion,
  ShiftRequest,
  ShiftRequestStatus,
} from './schedule/schedule-record.js';
import type { Page, PageRequest } from './shared/page.js';

export interface UserRecord extends User {
  passwordHash: string | null;
}

export interface UserRepo {
  insert(user: UserRecord): Promise<void>;
  update(user: UserRecord): Promise<void>;
  get(id: string): Promise<UserRecord | null>;
  getByEmail(email: string): Promise<UserRecord | null>;
  getMany(ids: string[]): Promise<UserRecord[]>;
  list(page: PageRequest, includeDeactivated: boolean): Promise<Page<UserRecord>>;
  countActive(): Promise<number>;
  countActiveWithRole(role: Role): Promise<number>;
}

export interface ApiKeyWithOwner {
  key: ApiKey;
  user: UserRecord;
}

export interface ApiKeyRepo {
  insert(key: ApiKey, tokenHash: string): Promise<void>;
  get(id: string): Promise<ApiKey | null>;
  findByTokenHash(tokenHash: string): Promise<ApiKeyWithOwner | null>;
  list(userId: string | null, page: PageRequest): Promise<Page<ApiKey>>;
  revoke(id: string, at: string): Promise<void>;
  revokeAllOfUser(userId: string, at: string): Promise<void>;
  touch(id: string, at: string): Promise<void>;
}

export interface SessionWithUser {
  session: Session;
  user: UserRecord;
}

export interface SessionRepo {
  insert(session: Session, tokenHash: string): Promise<void>;
  get(id: string): Promise<Session | null>;
  findByTokenHash(tokenHash: string): Promise<SessionWithUser | null>;
  /** Records use: `last_seen_at` and the slid expiry. */
  touch(id: string, lastSeenAt: string, expiresAt: string): Promise<void>;
  revoke(id: string, at: string): Promise<void>;
  /** Revokes every live session of the user except `exceptId`; returns how many. */
  revokeAllOfUser(userId: string, at: string, exceptId?: string): Promise<number>;
}

export interface PasswordResetRepo {
  insert(reset: PasswordReset, tokenHash: string): Promise<void>;
  findByTokenHash(tokenHash: string): Promise<PasswordReset | null>;
  /** Marks the reset used if nobody has; false when it was used already (two tabs, a replay). */
  markUsed(tokenHash: string, at: string): Promise<boolean>;
  /** Marks every unused reset of the user used (a newer one or a password change supersedes them). */
  invalidateAllOfUser(userId: string, at: string): Promise<void>;
  /** How many resets were requested for the user since `since` (a cap on mails to one inbox). */
  countSince(userId: string, since: string): Promise<number>;
}

export interface TeamRepo {
  insert(team: Team): Promise<void>;
  update(team: Team): Promise<void>;
  delete(id: string): Promise<void>;
  get(id: string): Promise<Team | null>;
  getByName(name: string): Promise<Team | null>;
  list(page: PageRequest): Promise<Page<Team>>;
  members(teamId: string): Promise<TeamMember[]>;
  putMember(member: TeamMember): Promise<void>;
  removeMember(teamId: string, userId: string): Promise<boolean>;
}

export interface ServiceFilter {
  teamId?: string;
}

export interface ServiceRepo {
  insert(service: Service): Promise<void>;
  update(service: Service): Promise<void>;
  delete(id: string): Promise<void>;
  get(id: string, forUpdate?: boolean): Promise<Service | null>;
  getByName(name: string): Promise<Service | null>;
  list(filter: ServiceFilter, page: PageRequest): Promise<Page<Service>>;
  countForTeam(teamId: string): Promise<number>;
  /** Whether any alert or incident belongs to the service (then it keeps its history). */
  hasHistory(id: string): Promise<boolean>;
}

export interface IntegrationRepo {
  insert(integration: Integration, keyHash: string): Promise<void>;
  update(integration: Integration): Promise<void>;
  /** Soft: the row stays for its alerts' sake; its key stops matching. */
  delete(id: string, at: string): Promise<void>;
  get(id: string): Promise<Integration | null>;
  findByKeyHash(keyHash: string): Promise<Integration | null>;
  listForService(serviceId: string, page: PageRequest): Promise<Page<Integration>>;
}

export interface AlertFilter {
  status?: AlertStatus[];
  serviceId?: string;
  integrationId?: string;
  incidentId?: string;
  dedupKey?: string;
}

export interface AlertRepo {
  insert(alert: Alert): Promise<void>;
  update(alert: Alert): Promise<void>;
  get(id: string): Promise<Alert | null>;
  findOpen(integrationId: string, dedupKey: string): Promise<Alert | null>;
  list(filter: AlertFilter, page: PageRequest): Promise<Page<Alert>>;
  /** Resolves every firing alert of an incident (when a person resolves the incident); returns how many. */
  resolveAllOfIncident(incidentId: string, at: string): Promise<number>;
}

export interface IncidentFilter {
  status?: IncidentStatus[];
  serviceId?: string;
  /** Incidents of the services this team owns. */
  teamId?: string;
  priority?: Priority[];
  since?: string;
  until?: string;
  /** Case-insensitive text to look for in the title. */
  q?: string;
}

export interface IncidentRepo {
  /** The next per-installation incident number; taken inside the creating transaction. */
  nextNumber(): Promise<number>;
  insert(incident: Incident): Promise<void>;
  /** Writes the incident if its stored version is `expectedVersion`; false when someone else won. */
  update(incident: Incident, expectedVersion: number): Promise<boolean>;
  /** `forUpdate` locks the row for the transaction (PostgreSQL); reads outside one never lock. */
  get(id: string, forUpdate?: boolean): Promise<Incident | null>;
  getByNumber(number: number, forUpdate?: boolean): Promise<Incident | null>;
  findOpenByDedupKey(serviceId: string, dedupKey: string): Promise<Incident | null>;
  list(filter: IncidentFilter, page: PageRequest): Promise<Page<Incident>>;
  /** How many incidents match the filter, per status (the incident board's counts). */
  countByStatus(filter: Omit<IncidentFilter, 'status'>): Promise<IncidentCounts>;
  /**
   * Which incidents changed at or after `since` (their `updated_at`), oldest change first, after
   * the `(updatedAt, id)` position `after` when given: the live feed reads these
   * (docs/incident-board.md), then loads only the ones it has not seen.
   */
  changesSince(
    since: string,
    limit: number,
    after?: { updatedAt: string; id: string },
  ): Promise<IncidentChange[]>;
  getMany(ids: string[]): Promise<Incident[]>;
}

/** Incidents per status; with a text filter, `resolved` stops at a cap (`resolvedCapped`). */
export interface IncidentCounts extends Record<IncidentStatus, number> {
  resolvedCapped: boolean;
}

/** One change of an incident, as the live feed tracks it. */
export interface IncidentChange {
  id: string;
  version: number;
  updatedAt: string;
}

export interface TimelineRepo {
  append(entries: TimelineEntry[]): Promise<void>;
  list(incidentId: string, page: PageRequest): Promise<Page<TimelineEntry>>;
  /** The newest entry of one type (who acknowledged, who resolved), or null. */
  latestOfType(incidentId: string, type: TimelineEntry['type']): Promise<TimelineEntry | null>;
}

export interface AuditFilter {
  objectType?: string;
  objectId?: string;
  actorId?: string;
}

export interface AuditRepo {
  append(entry: AuditEntry): Promise<void>;
  list(filter: AuditFilter, page: PageRequest): Promise<Page<AuditEntry>>;
}

/** Bulk reads and writes for a batch of alert events (see ingest/ingest-plan.ts). */
export interface IngestRepo {
  loadState(
    items: {
      source: import('./ingest/alert-event.js').IngestSource;
      event: import('./ingest/alert-event.js').AlertEvent;
    }[],
  ): Promise<import('./ingest/ingest-plan.js').IngestState>;
  /** Writes the plan; throws IngestConflict when an incident changed since loadState. */
  apply(plan: import('./ingest/ingest-plan.js').IngestPlan): Promise<void>;
}

export interface ChangeEventRepo {
  insert(change: import('./change/change-event.js').ChangeEvent): Promise<void>;
  list(
    filter: { serviceId?: string },
    page: PageRequest,
  ): Promise<Page<import('./change/change-event.js').ChangeEvent>>;
}

/** Small installation-wide values (the one-time setup token's hash, …). */
export interface SettingsRepo {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, at: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface ScheduleRepo {
  insert(schedule: ScheduleRecord): Promise<void>;
  /** Writes the schedule if its stored version is `expectedVersion`; false when someone else won. */
  update(schedule: ScheduleRecord, expectedVersion: number): Promise<boolean>;
  /** Removes the schedule with its versions, overrides, requests and feeds. */
  delete(id: string): Promise<void>;
  get(id: string): Promise<ScheduleRecord | null>;
  getByName(name: string): Promise<ScheduleRecord | null>;
  list(page: PageRequest): Promise<Page<ScheduleRecord>>;
  /** Every schedule (who-is-on-call across schedules, a user's calendar). */
  all(): Promise<ScheduleRecord[]>;
  insertVersion(version: ScheduleVersion): Promise<void>;
  getVersion(scheduleId: string, version: number): Promise<ScheduleVersion | null>;
  /** Newest first. */
  listVersions(scheduleId: string, page: PageRequest): Promise<Page<ScheduleVersion>>;
}

export interface OverrideRepo {
  insert(override: OverrideRecord): Promise<void>;
  get(id: string): Promise<OverrideRecord | null>;
  delete(id: string): Promise<void>;
  /** Overrides of these schedules that overlap `[since, until)`, oldest first (a later one wins). */
  overlapping(scheduleIds: string[], since: string, until: string): Promise<OverrideRecord[]>;
}

export interface ShiftRequestRepo {
  insert(request: ShiftRequest): Promise<void>;
  /** Writes the request if it is still open; false when someone else answered first. */
  answer(request: ShiftRequest): Promise<boolean>;
  get(id: string): Promise<ShiftRequest | null>;
  list(
    filter: { scheduleId?: string; status?: ShiftRequestStatus },
    page: PageRequest,
  ): Promise<Page<ShiftRequest>>;
}

export interface CalendarFeedRepo {
  /** Replaces the object's feed (the old URL stops working). */
  put(feed: CalendarFeed, tokenHash: string): Promise<void>;
  get(kind: CalendarFeedKind, objectId: string): Promise<CalendarFeed | null>;
  findByTokenHash(tokenHash: string): Promise<CalendarFeed | null>;
  delete(kind: CalendarFeedKind, objectId: string): Promise<boolean>;
}

export interface EscalationPolicyRepo {
  insert(policy: EscalationPolicy): Promise<void>;
  /** Writes the policy if its stored version is `expectedVersion`; false when someone else won. */
  update(policy: EscalationPolicy, expectedVersion: number): Promise<boolean>;
  delete(id: string): Promise<void>;
  get(id: string): Promise<EscalationPolicy | null>;
  getByName(name: string): Promise<EscalationPolicy | null>;
  list(page: PageRequest): Promise<Page<EscalationPolicy>>;
  /** How many services page through it (it cannot be deleted while any do). */
  serviceCount(id: string): Promise<number>;
  /** Policies with a step that targets this object (a schedule or team about to be deleted). */
  usingTarget(type: 'user' | 'schedule' | 'team', id: string): Promise<EscalationPolicy[]>;
}

export interface ContactVerification {
  codeHash: string | null;
  expiresAt: string | null;
  attempts: number;
}

export interface ContactMethodRepo {
  insert(method: ContactMethod): Promise<void>;
  updateLabel(id: string, label: string): Promise<void>;
  /** Soft: notifications keep pointing at it; it stops being paged. */
  delete(id: string, at: string): Promise<void>;
  get(id: string): Promise<ContactMethod | null>;
  listForUser(userId: string): Promise<ContactMethod[]>;
  forUsers(userIds: string[]): Promise<ContactMethod[]>;
  /** The verified method of this type and address (who sent this SMS?), newest first. */
  findVerifiedByAddress(type: ContactType, address: string): Promise<ContactMethod | null>;
  getVerification(id: string): Promise<ContactVerification | null>;
  setVerification(id: string, verification: ContactVerification): Promise<void>;
  markVerified(id: string, at: string): Promise<void>;
}

export interface NotificationRuleRepo {
  insert(rule: NotificationRule): Promise<void>;
  delete(id: string): Promise<void>;
  get(id: string): Promise<NotificationRule | null>;
  listForUser(userId: string): Promise<NotificationRule[]>;
  forUsers(userIds: string[]): Promise<NotificationRule[]>;
  deleteForMethod(contactMethodId: string): Promise<void>;
}

export interface NotificationRepo {
  insert(notifications: Notification[]): Promise<void>;
  listForIncident(incidentId: string, page: PageRequest): Promise<Page<Notification>>;
  /** Pages already sent to this contact method for this incident, and the latest reply code in use. */
  replyCodes(
    contactMethodId: string,
    incidentId: string,
  ): Promise<{ forIncident: number | null; latest: number | null }>;
  /** The latest page to this contact method that carried `replyCode` (null: the latest page at all). */
  findByReplyCode(contactMethodId: string, replyCode: number | null): Promise<Notification | null>;
  get(id: string): Promise<Notification | null>;
}

export interface EscalationRepo {
  get(incidentId: string, forUpdate?: boolean): Promise<Escalation | null>;
  /** Asks the engine to look at the incident's escalation now (after any change to the incident). */
  nudge(incidentIds: string[], at: string): Promise<void>;
  /** Moves the escalation to fire `step` now (a person escalated by hand). */
  escalateTo(incidentId: string, step: number, loop: number, at: string): Promise<void>;
}

export interface Repos {
  policies: EscalationPolicyRepo;
  contactMethods: ContactMethodRepo;
  notificationRules: NotificationRuleRepo;
  notifications: NotificationRepo;
  escalations: EscalationRepo;
  schedules: ScheduleRepo;
  overrides: OverrideRepo;
  shiftRequests: ShiftRequestRepo;
  calendarFeeds: CalendarFeedRepo;
  changeEvents: ChangeEventRepo;
  ingest: IngestRepo;
  settings: SettingsRepo;
  users: UserRepo;
  apiKeys: ApiKeyRepo;
  sessions: SessionRepo;
  passwordResets: PasswordResetRepo;
  teams: TeamRepo;
  services: ServiceRepo;
  integrations: IntegrationRepo;
  alerts: AlertRepo;
  incidents: IncidentRepo;
  timeline: TimelineRepo;
  audit: AuditRepo;
  /** SIGNL4 and New Relic integrations of services, and their deliveries. */
  outbound: import('./outbound/outbound.service.js').OutboundRepo;
  /** Heartbeat integrations' last pings and due times. */
  heartbeats: import('./ingest/heartbeat.js').HeartbeatRepo;
}

export interface UnitOfWork {
  /** Runs `work` in one transaction: all of its writes commit together or none do. */
  transaction<T>(work: (repos: Repos) => Promise<T>): Promise<T>;
  /** Reads outside a transaction (a consistent snapshot is not needed). */
  readonly read: Repos;
}
