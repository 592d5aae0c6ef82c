import type { AlertEvent, Priority, Severity } from '@vigil/core';
import { clip, firstString, InvalidEvent, isObject } from '../invalid-event.js';

const byPriority: Record<string, { severity: Severity; priority: Priority }> = {
  CRITICAL: { severity: 'critical', priority: 'P1' },
  HIGH: { severity: 'error', priority: 'P2' },
  MEDIUM: { severity: 'warning', priority: 'P3' },
  LOW: { severity: 'info', priority: 'P4' },
};

const byState: Record<string, AlertEvent['action']> = {
  CREATED: 'trigger',
  ACTIVATED: 'trigger',
  ACKNOWLEDGED: 'acknowledge',
  CLOSED: 'resolve',
};

/**
 * New Relic workflow webhook, default template (specs/wire-formats.md §5.1). Users edit the
 * template, so only `id` (the issue) and `state` are required; everything else is used when there.
 */
export function parseNewRelic(body: unknown): AlertEvent {
  if (!isObject(body)) throw new InvalidEvent(['The body must be a JSON object']);
  const errors: string[] = [];
  const id = typeof body.id === 'number' ? String(body.id) : body.id;
  if (typeof id !== 'string' || id === '') errors.push("'id' (the issue id) is required");
  const state = typeof body.state === 'string' ? body.state.toUpperCase() : undefined;
  if (!state || !(state in byState))
    errors.push("'state' must be one of CREATED, ACTIVATED, ACKNOWLEDGED, CLOSED");
  if (errors.length > 0) throw new InvalidEvent(errors);
  const mapped =
    byPriority[typeof body.priority === 'string' ? body.priority.toUpperCase() : ''] ?? byPriority.HIGH!;
  const entities = Array.isArray(body.impactedEntities)
    ? body.impactedEntities.filter((entity) => typeof entity === 'string')
    : [];
  const labels: Record<string, string> = {};
  for (const field of ['workflowName', 'trigger'] as const)
    if (typeof body[field] === 'string') labels[field] = body[field] as string;
  const { id: _id, state: _state, title: _title, ...rest } = body;
  return {
    action: byState[state!]!,
    dedupKey: clip(id as string, 255),
    summary: clip(firstString(body.title, body.issueTitle) ?? `New Relic issue ${id}`, 1024),
    source: clip(
      firstString(entities[0], ...(Array.isArray(body.sources) ? body.sources : [])) ?? 'New Relic',
      255,
    ),
    severity: mapped.severity,
    priority: mapped.priority,
    labels,
    details: rest,
  };
}
