import type * as core from '@vigil/core';
import { REDACTED } from '@vigil/core';
import type * as api from '@vigil/sdk/contract';
import { incidentUrl } from '../urls.js';

/** Domain objects (camelCase) to the API's snake_case shapes. Pure and small on purpose. */
export const presentUser = (user: core.User): api.User => ({
  id: user.id,
  name: user.name,
  email: user.email,
  role: user.role,
  time_zone: user.timeZone,
  quiet_hours: user.quietHours,
  has_password: user.hasPassword,
  created_at: user.createdAt,
  updated_at: user.updatedAt,
});

export const presentApiKey = (key: core.ApiKey): api.ApiKey => ({
  id: key.id,
  user_id: key.userId,
  name: key.name,
  role: key.role,
  token_prefix: key.tokenPrefix,
  created_at: key.createdAt,
  expires_at: key.expiresAt,
  last_used_at: key.lastUsedAt,
});

export const presentTeam = (team: core.Team): api.Team => ({
  id: team.id,
  name: team.name,
  description: team.description,
  created_at: team.createdAt,
  updated_at: team.updatedAt,
});

export const presentService = (service: core.Service): api.Service => ({
  id: service.id,
  name: service.name,
  description: service.description,
  team_id: service.teamId,
  escalation_policy_id: service.escalationPolicyId,
  status: service.status,
  default_urgency: service.defaultUrgency,
  auto_resolve: service.autoResolve,
  ack_timeout_minutes: service.ackTimeoutMinutes,
  created_at: service.createdAt,
  updated_at: service.updatedAt,
});

/** Where each kind of monitoring tool sends its alerts (the endpoints are in specs/api.md). */
export function integrationUrl(publicUrl: string, type: core.IntegrationType, key: string): string {
  switch (type) {
    case 'events_v2':
      return `${publicUrl}/v2/enqueue`;
    case 'opsgenie':
      return `${publicUrl}/v2/alerts`;
    case 'heartbeat':
      return `${publicUrl}/heartbeat/${key}`;
    case 'email':
      return `mailto:${key}@${new URL(publicUrl).hostname}`;
    default:
      return `${publicUrl}/integrations/${type}/${key}`;
  }
}

/** Secrets in an integration's config (keys ending in `_secret`) are never shown again. */
const redactSecrets = (config: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(config).map(([key, value]) => [key, key.endsWith('_secret') && value ? REDACTED : value]),
  );

/** A heartbeat's state from its row (none yet: created, never pinged). */
export const presentHeartbeatState = (heartbeat: core.Heartbeat | null): api.HeartbeatState => ({
  state: heartbeat?.failingSince ? 'failing' : heartbeat?.lastPingAt ? 'up' : 'waiting',
  last_ping_at: heartbeat?.lastPingAt ?? null,
  ping_due_at: heartbeat?.lastPingAt ? heartbeat.pingDueAt : null,
  failing_since: heartbeat?.failingSince ?? null,
});

/** `heartbeats`: the rows of the heartbeat integrations among those presented (absent = never pinged). */
export const presentIntegration = (
  integration: core.Integration,
  publicUrl: string,
  heartbeats: ReadonlyMap<string, core.Heartbeat> = new Map(),
): api.Integration => ({
  id: integration.id,
  service_id: integration.serviceId,
  type: integration.type,
  name: integration.name,
  key: integration.key,
  url: integrationUrl(publicUrl, integration.type, integration.key),
  rate_limit_per_minute: integration.rateLimitPerMinute,
  config: redactSecrets(integration.config),
  ...(integration.type === 'heartbeat'
    ? { heartbeat: presentHeartbeatState(heartbeats.get(integration.id) ?? null) }
    : {}),
  created_at: integration.createdAt,
  updated_at: integration.updatedAt,
});

export const presentIncident = (
  incident: core.Incident,
  names: Map<string, string>,
  publicUrl: string,
): api.Incident => ({
  id: incident.id,
  number: incident.number,
  title: incident.title,
  description: incident.description,
  status: incident.status,
  priority: incident.priority,
  severity: incident.severity,
  urgency: incident.urgency,
  service_id: incident.serviceId,
  dedup_key: incident.dedupKey,
  alert_count: incident.alertCount,
  assignees: incident.assigneeIds.map((id) => ({ id, name: names.get(id) ?? 'unknown' })),
  created_at: incident.createdAt,
  updated_at: incident.updatedAt,
  acknowledged_at: incident.acknowledgedAt,
  resolved_at: incident.resolvedAt,
  html_url: incidentUrl(publicUrl, incident.number),
  version: incident.version,
});

export const presentTimelineEntry = (entry: core.TimelineEntry): api.TimelineEntry => ({
  id: entry.id,
  at: entry.at,
  type: entry.type,
  actor: entry.actor,
  message: entry.message,
  data: entry.data,
});

export const presentAlert = (alert: core.Alert): api.Alert => ({
  id: alert.id,
  status: alert.status,
  dedup_key: alert.dedupKey,
  summary: alert.summary,
  source: alert.source,
  severity: alert.severity,
  labels: alert.labels,
  details: alert.details,
  incident_id: alert.incidentId,
  integration_id: alert.integrationId,
  service_id: alert.serviceId,
  count: alert.count,
  first_seen_at: alert.firstSeenAt,
  last_seen_at: alert.lastSeenAt,
  resolved_at: alert.resolvedAt,
});

export const presentAuditEntry = (entry: core.AuditEntry): api.AuditEntry => ({
  id: entry.id,
  at: entry.at,
  actor: entry.actor,
  action: entry.action,
  object_type: entry.objectType,
  object_id: entry.objectId,
  before: entry.before,
  after: entry.after,
  ip: entry.ip,
});

export const presentPage = <T, R>(page: core.Page<T>, map: (item: T) => R): api.Page<R> => ({
  data: page.data.map(map),
  next_cursor: page.nextCursor,
});

export const presentChangeEvent = (change: core.ChangeEvent): api.ChangeEvent => ({
  id: change.id,
  integration_id: change.integrationId,
  service_id: change.serviceId,
  summary: change.summary,
  source: change.source,
  happened_at: change.happenedAt,
  received_at: change.receivedAt,
  custom_details: change.customDetails,
  links: change.links,
});

export const presentPolicy = (p: core.EscalationPolicy): api.EscalationPolicy => ({
  id: p.id,
  name: p.name,
  description: p.description,
  team_id: p.teamId,
  repeat: p.repeat,
  steps: p.steps.map((s) => ({ delay_minutes: s.delayMinutes, targets: s.targets.map((t) => ({ ...t })) })),
  version: p.version,
  created_at: p.createdAt,
  updated_at: p.updatedAt,
});

export const presentContactMethod = (m: core.ContactMethod): api.ContactMethod => ({
  id: m.id,
  user_id: m.userId,
  type: m.type,
  label: m.label,
  address: m.address,
  verified: m.verified,
  created_at: m.createdAt,
});

export const presentRule = (r: core.NotificationRule): api.NotificationRule => ({
  id: r.id,
  user_id: r.userId,
  contact_method_id: r.contactMethodId,
  delay_minutes: r.delayMinutes,
  urgency: r.urgency,
  created_at: r.createdAt,
});

export const presentNotification = (n: core.Notification): api.Notification => ({
  id: n.id,
  incident_id: n.incidentId,
  user_id: n.userId,
  contact_method_id: n.contactMethodId,
  channel: n.channel,
  kind: n.kind,
  step: n.step,
  state: n.state,
  reason: n.reason,
  attempts: n.attempts,
  send_after: n.sendAfter,
  created_at: n.createdAt,
  updated_at: n.updatedAt,
  sent_at: n.sentAt,
  delivered_at: n.deliveredAt,
});
