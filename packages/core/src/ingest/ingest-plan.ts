import type { Alert } from '../alert/alert.js';
import type { Service } from '../directory/directory.js';
import { type Incident, type TimelineDraft, urgencyForSeverity } from '../incident/incident.js';
import * as lifecycle from '../incident/incident-lifecycle.js';
import type { Actor } from '../shared/actor.js';
import type { Instant } from '../shared/clock.js';
import type { IdFactory } from '../shared/ids.js';
import {
  type AlertEvent,
  defaultPriorityForSeverity,
  type IngestOutcome,
  type IngestSource,
} from './alert-event.js';

/** What the planner needs to know before deciding: the open alerts the batch touches. */
export interface IngestState {
  /** Open (firing) alerts by `integrationId + '\n' + dedupKey`, with their incidents. */
  open: Map<string, { alert: Alert; incident: Incident | null }>;
  services: Map<string, Service>;
  /** Firing alerts per incident, to know when the last one resolves. */
  firingPerIncident: Map<string, number>;
}

export interface TimelineWrite extends TimelineDraft {
  id: string;
  incidentId: string;
  at: Instant;
  actor: Actor;
}

/**
 * The writes one batch makes, decided in memory so the store can apply them with a handful of
 * multi-row statements whatever the batch size (ADR 0006).
 */
export interface IngestPlan {
  /** When the batch was decided: every write in it carries this time. */
  at: Instant;
  newIncidents: Incident[];
  newAlerts: Alert[];
  /** Existing open alerts that only absorbed repeats: alert ID → how many more events. */
  repeats: Map<string, number>;
  /** Existing alerts whose status changed (resolved), written whole. */
  changedAlerts: Alert[];
  /** Existing incidents that changed, with the version they were read at. */
  changedIncidents: { incident: Incident; expectedVersion: number }[];
  timeline: TimelineWrite[];
  outcomes: IngestOutcome[];
  /** How many incident numbers to reserve; new incidents take them in order. */
  numbersNeeded: number;
}

export const openAlertKey = (integrationId: string, dedupKey: string) => `${integrationId}\n${dedupKey}`;

const integrationActor = (source: IngestSource): Actor => ({
  type: 'integration',
  id: source.integrationId,
  name: source.integrationName,
});

/**
 * Decides what a batch of events does, in arrival order, with PagerDuty's dedup semantics:
 * - trigger with the key of an open alert on the same integration → counted on that alert;
 *   otherwise a new alert, which opens a new incident on the integration's service;
 * - acknowledge → acknowledges the alert's incident (if it is still triggered);
 * - resolve → resolves the alert; the incident resolves with its last firing alert when the
 *   service says so (auto_resolve);
 * - acknowledge or resolve for a key with no open alert → accepted and ignored.
 * A later event in the same batch sees what an earlier one did (trigger, resolve, trigger → two alerts).
 * New incidents get placeholder numbers (0); the store assigns the reserved numbers in order.
 */
export function planIngest(
  batch: { source: IngestSource; event: AlertEvent }[],
  state: IngestState,
  now: Instant,
  newId: IdFactory,
): IngestPlan {
  const plan: IngestPlan = {
    at: now,
    newIncidents: [],
    newAlerts: [],
    repeats: new Map(),
    changedAlerts: [],
    changedIncidents: [],
    timeline: [],
    outcomes: [],
    numbersNeeded: 0,
  };
  const open = new Map(state.open);
  const firing = new Map(state.firingPerIncident);
  const readVersions = new Map<string, number>();
  const incidents = new Map<string, Incident>();
  const changedIncidentIds = new Set<string>();
  const newAlertIds = new Set<string>();

  const track = (incident: Incident) => {
    if (!readVersions.has(incident.id)) readVersions.set(incident.id, incident.version);
    incidents.set(incident.id, incident);
  };
  const note = (incidentId: string, actor: Actor, entries: TimelineDraft[]) => {
    for (const entry of entries) plan.timeline.push({ ...entry, id: newId(), incidentId, at: now, actor });
  };

  for (const { source, event } of batch) {
    const key = openAlertKey(source.integrationId, event.dedupKey);
    const existing = open.get(key);
    const actor = integrationActor(source);
    const cause = { integration_id: source.integrationId, event: event.action, dedup_key: event.dedupKey };
    /** Keeps an incident transition this event caused, with timeline entries naming the event. */
    const record = (transition: lifecycle.Transition, message: (original: string) => string) => {
      incidents.set(transition.incident.id, transition.incident);
      changedIncidentIds.add(transition.incident.id);
      note(
        transition.incident.id,
        actor,
        transition.entries.map((entry) => ({ ...entry, message: message(entry.message), data: cause })),
      );
    };

    if (event.action === 'trigger') {
      if (existing) {
        if (newAlertIds.has(existing.alert.id)) existing.alert.count++;
        else plan.repeats.set(existing.alert.id, (plan.repeats.get(existing.alert.id) ?? 0) + 1);
        existing.alert.lastSeenAt = now;
        plan.outcomes.push({
          dedupKey: event.dedupKey,
          result: 'deduplicated',
          alertId: existing.alert.id,
          incidentId: existing.alert.incidentId,
        });
        continue;
      }
      const service = state.services.get(source.serviceId);
      const priority = event.priority ?? defaultPriorityForSeverity[event.severity];
      const incident: Incident = {
        id: newId(),
        number: 0,
        title: event.summary,
        description: '',
        status: 'triggered',
        priority,
        severity: event.severity,
        urgency: service?.defaultUrgency ?? urgencyForSeverity(event.severity),
        serviceId: source.serviceId,
        dedupKey: event.dedupKey,
        alertCount: 1,
        assigneeIds: [],
        createdAt: now,
        updatedAt: now,
        acknowledgedAt: null,
        resolvedAt: null,
        version: 1,
      };
      const alert: Alert = {
        id: newId(),
        integrationId: source.integrationId,
        serviceId: source.serviceId,
        incidentId: incident.id,
        status: 'firing',
        dedupKey: event.dedupKey,
        summary: event.summary,
        source: event.source,
        severity: event.severity,
        labels: event.labels,
        details: event.details,
        count: 1,
        firstSeenAt: now,
        lastSeenAt: now,
        resolvedAt: null,
      };
      plan.numbersNeeded++;
      plan.newIncidents.push(incident);
      plan.newAlerts.push(alert);
      newAlertIds.add(alert.id);
      incidents.set(incident.id, incident);
      open.set(key, { alert, incident });
      firing.set(incident.id, 1);
      note(incident.id, actor, [
        {
          type: 'triggered',
          message: `Triggered by ${source.integrationName}: ${event.summary}`,
          data: { ...cause, alert_id: alert.id, severity: event.severity, source: event.source },
        },
      ]);
      plan.outcomes.push({
        dedupKey: event.dedupKey,
        result: 'created',
        alertId: alert.id,
        incidentId: incident.id,
      });
      continue;
    }

    if (!existing) {
      plan.outcomes.push({
        dedupKey: event.dedupKey,
        result: 'ignored',
        alertId: null,
        incidentId: null,
        reason: 'no open alert has this dedup key',
      });
      continue;
    }

    const current = existing.alert.incidentId
      ? (incidents.get(existing.alert.incidentId) ?? existing.incident)
      : null;
    if (current) track(current);

    if (event.action === 'acknowledge') {
      if (current && current.status === 'triggered') {
        record(
          lifecycle.acknowledge(current, actor, now),
          (message) => `${message} (acknowledge event for ${event.dedupKey})`,
        );
      }
      plan.outcomes.push({
        dedupKey: event.dedupKey,
        result: 'acknowledged',
        alertId: existing.alert.id,
        incidentId: existing.alert.incidentId,
      });
      continue;
    }

    // resolve
    const resolvedAlert: Alert = { ...existing.alert, status: 'resolved', resolvedAt: now, lastSeenAt: now };
    if (newAlertIds.has(resolvedAlert.id)) {
      plan.newAlerts[plan.newAlerts.findIndex((alert) => alert.id === resolvedAlert.id)] = resolvedAlert;
    } else {
      plan.changedAlerts = plan.changedAlerts.filter((alert) => alert.id !== resolvedAlert.id);
      plan.changedAlerts.push(resolvedAlert);
    }
    open.delete(key);
    if (current && current.status !== 'resolved') {
      const left = Math.max(0, (firing.get(current.id) ?? 1) - 1);
      firing.set(current.id, left);
      const service = state.services.get(current.serviceId);
      if (left === 0 && (service?.autoResolve ?? true)) {
        record(
          lifecycle.resolve(current, actor, now),
          () => `Resolved by ${source.integrationName}: the alert ${event.dedupKey} resolved`,
        );
      } else {
        const why =
          left > 0 ? `${left} alert(s) still firing` : 'the service does not resolve incidents automatically';
        note(current.id, actor, [
          {
            type: 'note',
            message: `Alert ${event.dedupKey} resolved; the incident stays open: ${why}`,
            data: cause,
          },
        ]);
      }
    }
    plan.outcomes.push({
      dedupKey: event.dedupKey,
      result: 'resolved',
      alertId: existing.alert.id,
      incidentId: existing.alert.incidentId,
    });
  }

  for (const id of changedIncidentIds) {
    const incident = incidents.get(id)!;
    const isNew = plan.newIncidents.findIndex((candidate) => candidate.id === id);
    if (isNew >= 0) plan.newIncidents[isNew] = incident;
    else plan.changedIncidents.push({ incident, expectedVersion: readVersions.get(id)! });
  }
  return plan;
}
