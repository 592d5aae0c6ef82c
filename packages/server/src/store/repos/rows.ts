import type {
  Alert,
  AlertStatus,
  Incident,
  IncidentStatus,
  Priority,
  Severity,
  TimelineEntry,
  Urgency,
} from '@vigil/core';
import type { Selectable } from 'kysely';
import type { AlertsTable, IncidentsTable } from '../schema.js';
import { parseJson } from './paging.js';

/** Row ↔ domain mappers shared by the repositories that read the same tables. */
export const incidentFromRow = (row: Selectable<IncidentsTable>, assigneeIds: string[]): Incident => ({
  id: row.id,
  number: Number(row.number),
  title: row.title,
  description: row.description,
  status: row.status as IncidentStatus,
  priority: row.priority as Priority | null,
  severity: row.severity as Severity,
  urgency: row.urgency as Urgency,
  serviceId: row.service_id,
  dedupKey: row.dedup_key,
  alertCount: row.alert_count,
  assigneeIds,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  acknowledgedAt: row.acknowledged_at,
  resolvedAt: row.resolved_at,
  version: row.version,
});

export const incidentToRow = (incident: Incident): Selectable<IncidentsTable> => ({
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
  created_at: incident.createdAt,
  updated_at: incident.updatedAt,
  acknowledged_at: incident.acknowledgedAt,
  resolved_at: incident.resolvedAt,
  version: incident.version,
});

export const alertFromRow = (row: Selectable<AlertsTable>): Alert => ({
  id: row.id,
  integrationId: row.integration_id,
  serviceId: row.service_id,
  incidentId: row.incident_id,
  status: row.status as AlertStatus,
  dedupKey: row.dedup_key,
  summary: row.summary,
  source: row.source,
  severity: row.severity as Severity,
  labels: parseJson(row.labels),
  details: parseJson(row.details),
  count: row.count,
  firstSeenAt: row.first_seen_at,
  lastSeenAt: row.last_seen_at,
  resolvedAt: row.resolved_at,
});

export const alertToRow = (alert: Alert): Selectable<AlertsTable> => ({
  id: alert.id,
  integration_id: alert.integrationId,
  service_id: alert.serviceId,
  incident_id: alert.incidentId,
  status: alert.status,
  dedup_key: alert.dedupKey,
  summary: alert.summary,
  source: alert.source,
  severity: alert.severity,
  labels: JSON.stringify(alert.labels),
  details: JSON.stringify(alert.details),
  count: alert.count,
  first_seen_at: alert.firstSeenAt,
  last_seen_at: alert.lastSeenAt,
  resolved_at: alert.resolvedAt,
});

export const timelineEntryToRow = (entry: TimelineEntry) => ({
  id: entry.id,
  incident_id: entry.incidentId,
  at: entry.at,
  type: entry.type,
  actor_type: entry.actor.type,
  actor_id: entry.actor.id,
  actor_name: entry.actor.name,
  message: entry.message,
  data: JSON.stringify(entry.data),
});
