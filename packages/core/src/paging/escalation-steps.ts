import type { Urgency } from '../incident/incident.js';
import {
  type ContactMethod,
  type EscalationPolicy,
  type NotificationRule,
  typesNeedingVerification,
} from './paging.js';

const MINUTE_MS = 60_000;

/**
 * What fires after `step` (of run `loop`) fired at `firedAt`: the next step when its delay is up, the
 * first step again while repeats remain, or nothing (`null`): the escalation is done.
 */
export function afterStep(
  policy: Pick<EscalationPolicy, 'steps' | 'repeat'>,
  step: number,
  loop: number,
  firedAt: number,
): { step: number; loop: number; nextAt: number } | null {
  const delay = (policy.steps[step]?.delayMinutes ?? 0) * MINUTE_MS;
  if (step + 1 < policy.steps.length) return { step: step + 1, loop, nextAt: firedAt + delay };
  if (loop < policy.repeat) return { step: 0, loop: loop + 1, nextAt: firedAt + delay };
  return null;
}

/** A contact method Vigil may page: email, SMS and voice only once their address is proven. */
export const isUsable = (method: ContactMethod): boolean =>
  method.verified || !typesNeedingVerification.includes(method.type);

export interface PlannedMessage {
  method: ContactMethod;
  delayMinutes: number;
}

/**
 * How to reach one person for an incident of `urgency`: their rules for that urgency (or `any`) on
 * usable contact methods. Someone with usable methods but no rules at all is not skipped: every
 * usable method is used at once (the default a new user expects).
 */
export function planFor(
  urgency: Urgency,
  rules: readonly NotificationRule[],
  methods: readonly ContactMethod[],
): PlannedMessage[] {
  const usable = new Map(methods.filter(isUsable).map((m) => [m.id, m]));
  if (rules.length === 0) return [...usable.values()].map((method) => ({ method, delayMinutes: 0 }));
  return rules
    .filter((rule) => rule.urgency === 'any' || rule.urgency === urgency)
    .flatMap((rule) => {
      const method = usable.get(rule.contactMethodId);
      return method ? [{ method, delayMinutes: rule.delayMinutes }] : [];
    })
    .sort((a, b) => a.delayMinutes - b.delayMinutes);
}

/** Why nobody could be reached through `methods`, for the timeline. */
export function unreachableReason(methods: readonly ContactMethod[], planned: number): string {
  if (methods.length === 0) return 'has no contact method';
  if (!methods.some(isUsable)) return 'has no verified contact method';
  if (planned === 0) return 'has no notification rule for this urgency';
  return 'cannot be reached';
}

/**
 * The number a recipient replies with ("3a"), stable per incident and contact method: the one the
 * incident already has there, else the next after the latest in use (1–99, wrapping).
 */
export function nextReplyCode(existingForIncident: number | null, latestInUse: number | null): number {
  if (existingForIncident !== null) return existingForIncident;
  return latestInUse === null ? 1 : (latestInUse % 99) + 1;
}
