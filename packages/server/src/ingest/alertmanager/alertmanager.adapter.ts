import { type AlertEvent, normaliseSeverity } from '@vigil/core';
import { clip, firstString, InvalidEvent, isObject, stringMap } from '../invalid-event.js';

/**
 * Prometheus Alertmanager webhook (version 4) and Grafana's webhook, which is the same shape with
 * extra fields (specs/wire-formats.md §2.1, §3). Each alert is its own event, keyed by its
 * fingerprint; a firing alert triggers and a resolved one resolves, even in one payload. Parsing is
 * lenient: Alertmanager 0.25 to current and Grafana add and drop fields between versions.
 */
export interface WebhookBatch {
  events: AlertEvent[];
  truncatedAlerts: number;
}

export function parseAlertmanagerWebhook(body: unknown, flavour: 'alertmanager' | 'grafana'): WebhookBatch {
  if (!isObject(body)) throw new InvalidEvent(['The body must be a JSON object']);
  if (!Array.isArray(body.alerts)) throw new InvalidEvent(["'alerts' must be a list"]);
  const common = {
    receiver: body.receiver,
    groupKey: body.groupKey,
    externalURL: body.externalURL,
    groupLabels: body.groupLabels,
  };
  const events = body.alerts.map((alert, index): AlertEvent => {
    if (!isObject(alert)) throw new InvalidEvent([`alerts[${index}] must be an object`]);
    const labels = stringMap(alert.labels);
    const annotations = stringMap(alert.annotations);
    const status = alert.status === 'resolved' ? 'resolve' : alert.status === 'firing' ? 'trigger' : null;
    if (!status) throw new InvalidEvent([`alerts[${index}].status must be firing or resolved`]);
    const fingerprint = firstString(alert.fingerprint) ?? fingerprintOf(labels);
    const details: Record<string, unknown> = { annotations, ...common };
    for (const field of [
      'startsAt',
      'endsAt',
      'generatorURL',
      'silenceURL',
      'dashboardURL',
      'panelURL',
      'values',
      'imageURL',
    ] as const) {
      if (alert[field] !== undefined && alert[field] !== '') details[field] = alert[field];
    }
    return {
      action: status,
      dedupKey: clip(fingerprint, 255),
      summary: clip(
        firstString(
          annotations.summary,
          annotations.title,
          annotations.description,
          annotations.message,
          labels.alertname,
        ) ?? `${flavour === 'grafana' ? 'Grafana' : 'Alertmanager'} alert`,
        1024,
      ),
      source: clip(
        firstString(labels.instance, labels.job, labels.service, body.externalURL) ?? flavour,
        255,
      ),
      severity: normaliseSeverity(labels.severity ?? labels.priority ?? labels.level),
      labels,
      details,
    };
  });
  return { events, truncatedAlerts: typeof body.truncatedAlerts === 'number' ? body.truncatedAlerts : 0 };
}

/**
 * A stable key for an alert that came without a fingerprint (a hand-written payload): its sorted
 * label set, as Alertmanager's own fingerprint is a hash of the labels.
 */
function fingerprintOf(labels: Record<string, string>): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) throw new InvalidEvent(['an alert needs a fingerprint or labels']);
  return entries.map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(',');
}
