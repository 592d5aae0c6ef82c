/**
 * Row types as Kysely sees them. Instants are ISO strings on both engines (the PostgreSQL pool
 * parses timestamptz into ISO text; see database.ts), JSON columns are text on both
 * (jsonb is read back as text and parsed in the repositories), bigints are numbers.
 */
export interface CountersTable {
  name: string;
  value: number;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface UsersTable {
  id: string;
  name: string;
  email: string;
  role: string;
  time_zone: string;
  quiet_hours: string | null;
  password_hash: string | null;
  created_at: string;
  updated_at: string;
  deactivated_at: string | null;
}

export interface ApiKeysTable {
  id: string;
  user_id: string;
  name: string;
  role: string;
  token_hash: string;
  token_prefix: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface PasswordResetsTable {
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface TeamsTable {
  id: string;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
  role: string;
}

export interface ServicesTable {
  id: string;
  name: string;
  description: string;
  team_id: string | null;
  escalation_policy_id: string | null;
  ack_timeout_minutes: number | null;
  status: string;
  default_urgency: string | null;
  auto_resolve: number;
  created_at: string;
  updated_at: string;
}

export interface IntegrationsTable {
  id: string;
  service_id: string;
  type: string;
  name: string;
  key_hash: string;
  key_encrypted: string;
  rate_limit_per_minute: number | null;
  config: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface IncidentsTable {
  id: string;
  number: number;
  title: string;
  description: string;
  status: string;
  priority: string | null;
  severity: string;
  urgency: string;
  service_id: string;
  dedup_key: string | null;
  alert_count: number;
  created_at: string;
  updated_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
  version: number;
}

export interface IncidentAssigneesTable {
  incident_id: string;
  user_id: string;
  position: number;
}

export interface AlertsTable {
  id: string;
  integration_id: string;
  service_id: string;
  incident_id: string | null;
  status: string;
  dedup_key: string;
  summary: string;
  source: string;
  severity: string;
  labels: string;
  details: string;
  count: number;
  first_seen_at: string;
  last_seen_at: string;
  resolved_at: string | null;
}

export interface TimelineEntriesTable {
  id: string;
  incident_id: string;
  at: string;
  type: string;
  actor_type: string;
  actor_id: string | null;
  actor_name: string;
  message: string;
  data: string;
}

export interface AuditEntriesTable {
  id: string;
  at: string;
  actor_type: string;
  actor_id: string | null;
  actor_name: string;
  action: string;
  object_type: string;
  object_id: string;
  before: string | null;
  after: string | null;
  ip: string | null;
}

export interface IdempotencyKeysTable {
  principal: string;
  key: string;
  request_hash: string;
  status_code: number | null;
  response_body: string | null;
  created_at: string;
}

export interface ChangeEventsTable {
  id: string;
  integration_id: string;
  service_id: string;
  summary: string;
  source: string | null;
  happened_at: string;
  received_at: string;
  custom_details: string;
  links: string;
}

export interface SchedulesTable {
  id: string;
  name: string;
  description: string;
  team_id: string | null;
  time_zone: string;
  layers: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ScheduleVersionsTable {
  schedule_id: string;
  version: number;
  definition: string;
  action: string;
  restored_from: number | null;
  actor: string;
  created_at: string;
}

export interface ScheduleOverridesTable {
  id: string;
  schedule_id: string;
  user_id: string;
  start_at: string;
  end_at: string;
  source: string;
  request_id: string | null;
  created_by: string;
  created_at: string;
}

export interface ShiftRequestsTable {
  id: string;
  schedule_id: string;
  kind: string;
  requester_id: string;
  start_at: string;
  end_at: string;
  target_user_id: string | null;
  swap_start_at: string | null;
  swap_end_at: string | null;
  message: string;
  status: string;
  answered_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface CalendarFeedsTable {
  id: string;
  kind: string;
  object_id: string;
  token_hash: string;
  token_encrypted: string;
  created_at: string;
}

export interface EscalationPoliciesTable {
  id: string;
  name: string;
  description: string;
  team_id: string | null;
  repeat: number;
  steps: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ContactMethodsTable {
  id: string;
  user_id: string;
  type: string;
  label: string;
  address: string;
  secret_encrypted: string | null;
  verified_at: string | null;
  verification_code_hash: string | null;
  verification_expires_at: string | null;
  verification_attempts: number;
  created_at: string;
  deleted_at: string | null;
}

export interface NotificationRulesTable {
  id: string;
  user_id: string;
  contact_method_id: string;
  delay_minutes: number;
  urgency: string;
  created_at: string;
}

export interface EscalationsTable {
  incident_id: string;
  state: string;
  policy: string | null;
  step: number;
  loop: number;
  step_at: string | null;
  next_at: string | null;
  notified: string;
  seen_status: string;
  updated_at: string;
}

export interface NotificationsTable {
  id: string;
  incident_id: string | null;
  user_id: string;
  contact_method_id: string;
  channel: string;
  kind: string;
  step: number | null;
  state: string;
  reason: string;
  send_after: string;
  attempts: number;
  claim_token: string | null;
  claimed_until: string | null;
  provider_id: string | null;
  previous_provider_id: string | null;
  reply_code: number | null;
  payload: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  delivered_at: string | null;
}

export interface ScheduleWatchTable {
  schedule_id: string;
  handoffs_until: string;
  gaps_checked_at: string | null;
  gaps_warned: string | null;
  gaps_warned_at: string | null;
}

/** Heartbeat integrations' watch (migration 0010). */
export interface HeartbeatsTable {
  integration_id: string;
  last_ping_at: string | null;
  ping_due_at: string | null;
  failing_since: string | null;
  created_at: string;
  updated_at: string;
}

export interface OutboundIntegrationsTable {
  id: string;
  service_id: string;
  kind: string;
  name: string;
  address_encrypted: string;
  secret_encrypted: string | null;
  region: string | null;
  account_id: string | null;
  /** 0 or 1 on both engines. */
  enabled: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface OutboundDeliveriesTable {
  id: string;
  integration_id: string;
  incident_id: string;
  event: string;
  seq: number;
  state: string;
  reason: string;
  attempts: number;
  next_attempt_at: string;
  claim_token: string | null;
  claimed_until: string | null;
  provider_id: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

export interface Database {
  schedule_watch: ScheduleWatchTable;
  escalation_policies: EscalationPoliciesTable;
  contact_methods: ContactMethodsTable;
  notification_rules: NotificationRulesTable;
  escalations: EscalationsTable;
  notifications: NotificationsTable;
  schedules: SchedulesTable;
  schedule_versions: ScheduleVersionsTable;
  schedule_overrides: ScheduleOverridesTable;
  shift_requests: ShiftRequestsTable;
  calendar_feeds: CalendarFeedsTable;
  change_events: ChangeEventsTable;
  counters: CountersTable;
  settings: SettingsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  sessions: SessionsTable;
  password_resets: PasswordResetsTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  services: ServicesTable;
  integrations: IntegrationsTable;
  incidents: IncidentsTable;
  incident_assignees: IncidentAssigneesTable;
  alerts: AlertsTable;
  timeline_entries: TimelineEntriesTable;
  audit_entries: AuditEntriesTable;
  idempotency_keys: IdempotencyKeysTable;
  outbound_integrations: OutboundIntegrationsTable;
  outbound_deliveries: OutboundDeliveriesTable;
  heartbeats: HeartbeatsTable;
}
