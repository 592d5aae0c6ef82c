import type { Priority, Severity } from '../incident/incident.js';

export const alertEventActions = ['trigger', 'acknowledge', 'resolve'] as const;
export type AlertEventAction = (typeof alertEventActions)[number];

/**
 * One event from a monitoring tool, after its adapter translated the vendor's format. Every
 * adapter (PagerDuty, Opsgenie, Alertmanager, Grafana, New Relic, generic) produces these; one
 * planner decides what they do, so the dedup rules are the same whatever the source.
 */
export interface AlertEvent {
  action: AlertEventAction;
  /** The peer's correlation key, verbatim: PagerDuty dedup_key, Opsgenie alias, Alertmanager fingerprint… */
  dedupKey: string;
  summary: string;
  source: string;
  severity: Severity;
  /** Set when the source states a priority (Opsgenie P1–P5, New Relic CRITICAL…). */
  priority?: Priority | null;
  labels: Record<string, string>;
  details: Record<string, unknown>;
}

/** Which integration sent the event, and what its service says about defaults. */
export interface IngestSource {
  integrationId: string;
  integrationName: string;
  integrationType: string;
  serviceId: string;
}

/** What happened to one event, for the caller's answer (and the timeline). */
export interface IngestOutcome {
  dedupKey: string;
  /** created: new alert (and incident); deduplicated: counted on the open alert; the rest change state. */
  result: 'created' | 'deduplicated' | 'acknowledged' | 'resolved' | 'ignored';
  alertId: string | null;
  incidentId: string | null;
  /** Why an event was ignored, in words (e.g. "no open alert has this dedup key"). */
  reason?: string;
}

/** Severity to priority when the source says nothing and the service sets nothing (PagerDuty-like). */
export const defaultPriorityForSeverity: Record<Severity, Priority> = {
  critical: 'P1',
  error: 'P2',
  warning: 'P3',
  info: 'P4',
};

/**
 * Maps the many ways tools spell severity onto Vigil's four. Unknown words fall back to `error`:
 * a page that is louder than needed beats a silent one.
 */
export function normaliseSeverity(value: unknown, fallback: Severity = 'error'): Severity {
  if (typeof value !== 'string') return fallback;
  switch (value.trim().toLowerCase()) {
    case 'critical':
    case 'crit':
    case 'fatal':
    case 'emergency':
    case 'page':
    case 'disaster':
    case 'p1':
      return 'critical';
    case 'error':
    case 'err':
    case 'high':
    case 'major':
    case 'p2':
      return 'error';
    case 'warning':
    case 'warn':
    case 'medium':
    case 'minor':
    case 'average':
    case 'p3':
      return 'warning';
    case 'info':
    case 'information':
    case 'informational':
    case 'low':
    case 'ok':
    case 'none':
    case 'debug':
    case 'p4':
    case 'p5':
      return 'info';
    default:
      return fallback;
  }
}
