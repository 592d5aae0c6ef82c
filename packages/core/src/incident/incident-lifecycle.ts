import type { Actor } from '../shared/actor.js';
import type { Instant } from '../shared/clock.js';
import { VigilError } from '../shared/errors.js';
import type { Incident, Priority, Severity, TimelineDraft, Urgency } from './incident.js';

/**
 * The incident state machine, as pure functions. Each returns the incident after the change and the
 * timeline entries that explain it, or throws INVALID_TRANSITION. A change that changes nothing
 * (acknowledging an acknowledged incident) returns no entries, so retries are harmless.
 *
 *   triggered ──acknowledge──► acknowledged ──resolve──► resolved (final)
 *       ▲                           │
 *       └──── unacknowledge ────────┘   (ack timeout, a new trigger event, or a reassignment)
 *
 * Resolved is final: a new problem opens a new incident, as in PagerDuty, so the history and the
 * metrics of the first one stay true.
 */
export interface Transition {
  incident: Incident;
  entries: TimelineDraft[];
}

const unchanged = (incident: Incident): Transition => ({ incident, entries: [] });

function changed(
  incident: Incident,
  patch: Partial<Incident>,
  now: Instant,
  entries: TimelineDraft[],
): Transition {
  return { incident: { ...incident, ...patch, updatedAt: now, version: incident.version + 1 }, entries };
}

function refuseWhenResolved(incident: Incident, action: string): void {
  if (incident.status === 'resolved') {
    throw new VigilError(
      'INVALID_TRANSITION',
      `Incident ${incident.number} is resolved and cannot be ${action}; a new problem opens a new incident`,
    );
  }
}

export function acknowledge(incident: Incident, actor: Actor, now: Instant): Transition {
  refuseWhenResolved(incident, 'acknowledged');
  if (incident.status === 'acknowledged') return unchanged(incident);
  return changed(incident, { status: 'acknowledged', acknowledgedAt: now }, now, [
    { type: 'acknowledged', message: `Acknowledged by ${actor.name}`, data: {} },
  ]);
}

/** Back to triggered: escalation starts again. `reason` says why, for the timeline. */
export function unacknowledge(incident: Incident, reason: string, now: Instant): Transition {
  refuseWhenResolved(incident, 'triggered again');
  if (incident.status === 'triggered') return unchanged(incident);
  return changed(incident, { status: 'triggered', acknowledgedAt: null }, now, [
    { type: 'unacknowledged', message: `Triggered again: ${reason}`, data: { reason } },
  ]);
}

export function resolve(incident: Incident, actor: Actor, now: Instant, resolution?: string): Transition {
  if (incident.status === 'resolved') return unchanged(incident);
  const message = resolution ? `Resolved by ${actor.name}: ${resolution}` : `Resolved by ${actor.name}`;
  return changed(incident, { status: 'resolved', resolvedAt: now }, now, [
    { type: 'resolved', message, data: resolution ? { resolution } : {} },
  ]);
}

/**
 * Hands the incident to other people. As in PagerDuty, an acknowledged incident goes back to
 * triggered, so the new assignees are paged rather than inheriting someone else's acknowledgement.
 */
export function reassign(
  incident: Incident,
  assigneeIds: string[],
  assigneeNames: string[],
  actor: Actor,
  now: Instant,
): Transition {
  refuseWhenResolved(incident, 'reassigned');
  const next = [...new Set(assigneeIds)];
  const same =
    next.length === incident.assigneeIds.length && next.every((id) => incident.assigneeIds.includes(id));
  if (same) return unchanged(incident);
  const entries: TimelineDraft[] = [
    {
      type: 'reassigned',
      message: `Reassigned by ${actor.name} to ${assigneeNames.join(', ') || 'nobody'}`,
      data: { from: incident.assigneeIds, to: next },
    },
  ];
  let patch: Partial<Incident> = { assigneeIds: next };
  if (incident.status === 'acknowledged') {
    patch = { ...patch, status: 'triggered', acknowledgedAt: null };
    entries.push({
      type: 'unacknowledged',
      message: 'Triggered again: reassigned, so the new assignees are paged',
      data: { reason: 'reassigned' },
    });
  }
  return changed(incident, patch, now, entries);
}

export interface IncidentEdit {
  title?: string;
  description?: string;
  priority?: Priority | null;
  severity?: Severity;
  urgency?: Urgency;
}

/** Edits fields people triage by; each change gets its own timeline entry with before and after. */
export function edit(incident: Incident, changes: IncidentEdit, actor: Actor, now: Instant): Transition {
  refuseWhenResolved(incident, 'edited');
  const entries: TimelineDraft[] = [];
  const patch: Partial<Incident> = {};
  const note = <K extends keyof IncidentEdit>(field: K, type: TimelineDraft['type'], label: string) => {
    const value = changes[field];
    if (value === undefined || value === incident[field]) return;
    (patch as Record<string, unknown>)[field] = value;
    const shown = field === 'description' ? '' : ` from ${incident[field] ?? 'none'} to ${value ?? 'none'}`;
    entries.push({
      type,
      message: `${label} changed by ${actor.name}${shown}`,
      data: { from: incident[field], to: value },
    });
  };
  note('title', 'title_changed', 'Title');
  note('description', 'description_changed', 'Description');
  note('priority', 'priority_changed', 'Priority');
  note('severity', 'severity_changed', 'Severity');
  note('urgency', 'urgency_changed', 'Urgency');
  return entries.length === 0 ? unchanged(incident) : changed(incident, patch, now, entries);
}

export function note(body: string, actor: Actor): TimelineDraft {
  return { type: 'note', message: body, data: { author: actor.name } };
}
