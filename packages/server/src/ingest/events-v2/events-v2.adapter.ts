import { randomUUID } from 'node:crypto';
import { type AlertEvent, severities } from '@vigil/core';
import { clip, InvalidEvent, isObject } from '../invalid-event.js';

/**
 * PagerDuty Events API v2 (specs/wire-formats.md §1.1): one event per request, routing_key in the
 * body. Validation follows PagerDuty's: an invalid event is refused whole with the reasons.
 */
export interface EventsV2Request {
  routingKey: string;
  event: AlertEvent;
}

const ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;

export function parseEventsV2(body: unknown): EventsV2Request {
  if (!isObject(body)) throw new InvalidEvent(['Event object must be a JSON object']);
  const errors: string[] = [];
  const routingKey = body.routing_key;
  if (typeof routingKey !== 'string' || routingKey === '') errors.push("'routing_key' is missing or blank");
  const action = body.event_action;
  if (typeof action !== 'string' || !ACTIONS.includes(action as (typeof ACTIONS)[number])) {
    errors.push("'event_action' must be one of trigger, acknowledge, resolve");
  }
  const dedupKey = body.dedup_key;
  if (
    dedupKey !== undefined &&
    dedupKey !== null &&
    (typeof dedupKey !== 'string' || dedupKey.length > 255)
  ) {
    errors.push("'dedup_key' must be a string of at most 255 characters");
  }
  if (
    (action === 'acknowledge' || action === 'resolve') &&
    (typeof dedupKey !== 'string' || dedupKey === '')
  ) {
    errors.push(`'dedup_key' is required for ${action} events`);
  }
  const payload = body.payload;
  if (action === 'trigger') {
    if (!isObject(payload)) errors.push("'payload' is required for trigger events");
    else {
      if (typeof payload.summary !== 'string' || payload.summary.trim() === '')
        errors.push("'payload.summary' is missing or blank");
      if (typeof payload.source !== 'string' || payload.source.trim() === '')
        errors.push("'payload.source' is missing or blank");
      if (typeof payload.severity !== 'string' || !severities.includes(payload.severity as never)) {
        errors.push("'payload.severity' must be one of critical, error, warning, info");
      }
      if (
        payload.custom_details !== undefined &&
        payload.custom_details !== null &&
        typeof payload.custom_details !== 'object'
      ) {
        errors.push("'payload.custom_details' must be an object");
      }
    }
  }
  for (const [field, required] of [
    ['links', 'href'],
    ['images', 'src'],
  ] as const) {
    const list = body[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list) || list.some((item) => !isObject(item) || typeof item[required] !== 'string')) {
      errors.push(`'${field}' must be a list of objects with '${required}'`);
    }
  }
  if (errors.length > 0) throw new InvalidEvent(errors);

  const p = (isObject(payload) ? payload : {}) as Record<string, unknown>;
  const details: Record<string, unknown> = {};
  for (const field of ['custom_details', 'component', 'group', 'class', 'timestamp'] as const) {
    if (p[field] !== undefined && p[field] !== null) details[field] = p[field];
  }
  for (const field of ['links', 'images', 'client', 'client_url'] as const) {
    if (body[field] !== undefined && body[field] !== null) details[field] = body[field];
  }
  return {
    routingKey: routingKey as string,
    event: {
      action: action as AlertEvent['action'],
      // PagerDuty makes up a key when a trigger has none, and returns it so the sender can resolve.
      dedupKey: typeof dedupKey === 'string' && dedupKey !== '' ? dedupKey : randomUUID(),
      summary: clip(typeof p.summary === 'string' ? p.summary : '', 1024),
      source: clip(typeof p.source === 'string' ? p.source : '', 255),
      severity: (typeof p.severity === 'string' && severities.includes(p.severity as never)
        ? p.severity
        : 'error') as AlertEvent['severity'],
      labels: Object.fromEntries(
        (['component', 'group', 'class'] as const)
          .filter((field) => typeof p[field] === 'string')
          .map((field) => [field, p[field] as string]),
      ),
      details,
    },
  };
}

export interface ChangeEventInput {
  routingKey: string;
  summary: string;
  source: string | null;
  timestamp: string | null;
  customDetails: Record<string, unknown>;
  links: { href: string; text?: string }[];
}

/** PagerDuty change events (§1.2): they never page; they show on the service and open incidents. */
export function parseChangeEvent(body: unknown): ChangeEventInput {
  if (!isObject(body)) throw new InvalidEvent(['Event object must be a JSON object']);
  const errors: string[] = [];
  if (typeof body.routing_key !== 'string' || body.routing_key === '')
    errors.push("'routing_key' is missing or blank");
  const payload = body.payload;
  if (!isObject(payload) || typeof payload.summary !== 'string' || payload.summary.trim() === '') {
    errors.push("'payload.summary' is missing or blank");
  }
  const links = body.links;
  if (
    links !== undefined &&
    links !== null &&
    (!Array.isArray(links) || links.some((link) => !isObject(link) || typeof link.href !== 'string'))
  ) {
    errors.push("'links' must be a list of objects with 'href'");
  }
  const p = (isObject(payload) ? payload : {}) as Record<string, unknown>;
  const timestamp =
    typeof p.timestamp === 'string' && !Number.isNaN(Date.parse(p.timestamp))
      ? new Date(p.timestamp).toISOString()
      : null;
  if (p.timestamp !== undefined && timestamp === null)
    errors.push("'payload.timestamp' must be an ISO 8601 date-time");
  if (errors.length > 0) throw new InvalidEvent(errors);
  return {
    routingKey: body.routing_key as string,
    summary: clip(p.summary as string, 1024),
    source: typeof p.source === 'string' ? clip(p.source, 255) : null,
    timestamp,
    customDetails: isObject(p.custom_details) ? p.custom_details : {},
    links: ((links as { href: string; text?: unknown }[] | undefined) ?? []).map((link) => ({
      href: link.href,
      ...(typeof link.text === 'string' ? { text: link.text } : {}),
    })),
  };
}
