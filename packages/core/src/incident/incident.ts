import type { Instant } from '../shared/clock.js';

export const incidentStatuses = ['triggered', 'acknowledged', 'resolved'] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];

export const urgencies = ['high', 'low'] as const;
export type Urgency = (typeof urgencies)[number];

export const severities = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof severities)[number];

export const priorities = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof priorities)[number];

/** What people are paged for and work on (docs/glossary.md). */
export interface Incident {
  id: string;
  /** Per-installation, starting at 1: what people say out loud ("incident 42"). */
  number: number;
  title: string;
  description: string;
  status: IncidentStatus;
  priority: Priority | null;
  severity: Severity;
  urgency: Urgency;
  serviceId: string;
  dedupKey: string | null;
  alertCount: number;
  assigneeIds: string[];
  createdAt: Instant;
  updatedAt: Instant;
  acknowledgedAt: Instant | null;
  resolvedAt: Instant | null;
  /** Bumped on every change; writes compare it so two racing changes cannot both win. */
  version: number;
}

export const timelineEntryTypes = [
  'triggered',
  'acknowledged',
  'unacknowledged',
  'resolved',
  'reassigned',
  'note',
  'priority_changed',
  'urgency_changed',
  'severity_changed',
  'title_changed',
  'description_changed',
  'change',
  'escalated',
  'paged',
  'unreachable',
] as const;
export type TimelineEntryType = (typeof timelineEntryTypes)[number];

/** What a transition says happened; the service adds who and when. */
export interface TimelineDraft {
  type: TimelineEntryType;
  message: string;
  data: Record<string, unknown>;
}

export interface TimelineEntry extends TimelineDraft {
  id: string;
  incidentId: string;
  at: Instant;
  actor: import('../shared/actor.js').Actor;
}

/** Severity to urgency when nobody said otherwise: critical and error wake people up. */
export const urgencyForSeverity = (severity: Severity): Urgency =>
  severity === 'critical' || severity === 'error' ? 'high' : 'low';
