import { type AlertEvent, normaliseSeverity } from '@vigil/core';
import { clip, InvalidEvent, isObject } from '../invalid-event.js';

/**
 * Generic JSON webhook: each integration maps JSON paths in the sender's payload to the fields of
 * an alert (`config.mapping`). Paths are dotted with optional indexes: `$.alert.labels.host`,
 * `data.items[0].id`. Without a mapping, common names are tried (summary/title/message, …).
 */
export interface GenericMapping {
  summary?: string;
  source?: string;
  severity?: string;
  dedup_key?: string;
  status?: string;
  /** Sender values meaning resolved / acknowledged (case-insensitive); anything else triggers. */
  resolved_values?: string[];
  acknowledged_values?: string[];
}

const defaults: Required<Omit<GenericMapping, 'resolved_values' | 'acknowledged_values'>> = {
  summary: 'summary|title|message|name',
  source: 'source|host|hostname|service',
  severity: 'severity|level|priority',
  dedup_key: 'dedup_key|id|fingerprint|alias|key',
  status: 'status|state|event_action|action',
};

const RESOLVED = ['resolved', 'resolve', 'ok', 'closed', 'close', 'recovered', 'normal', 'inactive'];
const ACKNOWLEDGED = ['acknowledged', 'acknowledge', 'ack'];

/** Reads one path (or the first of several separated by `|`) from a JSON value. */
export function readPath(root: unknown, paths: string): unknown {
  for (const path of paths.split('|')) {
    const steps = path
      .trim()
      .replace(/^\$\.?/, '')
      .split(/\.|\[(\d+)\]/)
      .filter((step) => step !== undefined && step !== '');
    let value: unknown = root;
    for (const step of steps) {
      if (Array.isArray(value) && /^\d+$/.test(step)) value = value[Number(step)];
      else if (isObject(value) && Object.hasOwn(value, step)) value = value[step];
      else {
        value = undefined;
        break;
      }
    }
    if (value !== undefined && value !== null && value !== '') return value;
  }
  return undefined;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : undefined;

export function parseGeneric(body: unknown, mapping: GenericMapping = {}): AlertEvent {
  if (!isObject(body)) throw new InvalidEvent(['The body must be a JSON object']);
  const summary = text(readPath(body, mapping.summary ?? defaults.summary));
  const dedupKey = text(readPath(body, mapping.dedup_key ?? defaults.dedup_key));
  const errors: string[] = [];
  if (!summary) errors.push(`no summary at ${mapping.summary ?? defaults.summary}`);
  if (!dedupKey) errors.push(`no dedup key at ${mapping.dedup_key ?? defaults.dedup_key}`);
  if (errors.length > 0) throw new InvalidEvent(errors);
  const status = text(readPath(body, mapping.status ?? defaults.status))?.toLowerCase();
  const resolved = (mapping.resolved_values ?? RESOLVED).map((value) => value.toLowerCase());
  const acknowledged = (mapping.acknowledged_values ?? ACKNOWLEDGED).map((value) => value.toLowerCase());
  return {
    action:
      status && resolved.includes(status)
        ? 'resolve'
        : status && acknowledged.includes(status)
          ? 'acknowledge'
          : 'trigger',
    dedupKey: clip(dedupKey!, 255),
    summary: clip(summary!, 1024),
    source: clip(text(readPath(body, mapping.source ?? defaults.source)) ?? 'webhook', 255),
    severity: normaliseSeverity(text(readPath(body, mapping.severity ?? defaults.severity))),
    labels: {},
    details: body,
  };
}
