import { randomUUID } from 'node:crypto';
import type { AlertEvent, Priority, Severity } from '@vigil/core';
import { clip, InvalidEvent, isObject, stringMap } from '../invalid-event.js';

/** Opsgenie priorities to Vigil severity and priority (P5 has no match: it becomes P4, info). */
const byPriority: Record<string, { severity: Severity; priority: Priority }> = {
  P1: { severity: 'critical', priority: 'P1' },
  P2: { severity: 'error', priority: 'P2' },
  P3: { severity: 'warning', priority: 'P3' },
  P4: { severity: 'info', priority: 'P4' },
  P5: { severity: 'info', priority: 'P4' },
};

/** `POST /v2/alerts` (specs/wire-formats.md §4): create, with `alias` as the dedup key. */
export function parseOpsgenieCreate(body: unknown): AlertEvent {
  if (!isObject(body)) throw new InvalidEvent(['Request body must be a JSON object']);
  const errors: string[] = [];
  if (typeof body.message !== 'string' || body.message.trim() === '')
    errors.push('message: Message can not be empty.');
  if (body.alias !== undefined && (typeof body.alias !== 'string' || body.alias.length > 512))
    errors.push('alias: must be a string of at most 512 characters');
  if (body.priority !== undefined && (typeof body.priority !== 'string' || !(body.priority in byPriority))) {
    errors.push('priority: must be one of P1, P2, P3, P4, P5');
  }
  if (
    body.tags !== undefined &&
    (!Array.isArray(body.tags) || body.tags.some((tag) => typeof tag !== 'string'))
  )
    errors.push('tags: must be a list of strings');
  if (body.details !== undefined && !isObject(body.details)) errors.push('details: must be an object');
  if (errors.length > 0) throw new InvalidEvent(errors);
  const mapped = byPriority[(body.priority as string | undefined) ?? 'P3']!;
  const labels: Record<string, string> = {};
  for (const tag of (body.tags as string[] | undefined) ?? []) labels[`tag:${tag}`] = 'true';
  if (typeof body.entity === 'string') labels.entity = body.entity;
  const details: Record<string, unknown> = { details: stringMap(body.details) };
  for (const field of [
    'description',
    'responders',
    'visibleTo',
    'actions',
    'tags',
    'entity',
    'user',
    'note',
  ] as const) {
    if (body[field] !== undefined) details[field] = body[field];
  }
  return {
    action: 'trigger',
    dedupKey: typeof body.alias === 'string' && body.alias !== '' ? body.alias : randomUUID(),
    summary: clip(body.message as string, 1024),
    source: clip(typeof body.source === 'string' ? body.source : 'Opsgenie API', 255),
    severity: mapped.severity,
    priority: mapped.priority,
    labels,
    details,
  };
}

/** `POST /v2/alerts/{identifier}/close|acknowledge`: only the identifier matters; the body is optional. */
export function opsgenieAction(action: 'close' | 'acknowledge', identifier: string): AlertEvent {
  return {
    action: action === 'close' ? 'resolve' : 'acknowledge',
    dedupKey: identifier,
    summary: '',
    source: '',
    severity: 'info',
    labels: {},
    details: {},
  };
}
