import type { Severity } from '../incident/incident.js';
import type { Instant } from '../shared/clock.js';

export const alertStatuses = ['firing', 'resolved'] as const;
export type AlertStatus = (typeof alertStatuses)[number];

/** A deduplicated signal from a monitoring source (docs/glossary.md). */
export interface Alert {
  id: string;
  integrationId: string;
  serviceId: string;
  incidentId: string | null;
  status: AlertStatus;
  dedupKey: string;
  summary: string;
  source: string;
  severity: Severity;
  labels: Record<string, string>;
  details: Record<string, unknown>;
  /** How many events this alert has absorbed through its dedup key. */
  count: number;
  firstSeenAt: Instant;
  lastSeenAt: Instant;
  resolvedAt: Instant | null;
}
