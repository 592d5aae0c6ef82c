import type { Urgency } from '../incident/incident.js';
import type { Instant } from '../shared/clock.js';

export const targetTypes = ['user', 'schedule', 'team'] as const;
export type TargetType = (typeof targetTypes)[number];

export interface EscalationTarget {
  type: TargetType;
  id: string;
}

export interface EscalationStep {
  /** Minutes without an acknowledgement before the next step fires. */
  delayMinutes: number;
  targets: EscalationTarget[];
}

/** Who is paged, in which order, for a service's incidents (PagerDuty's escalation policy). */
export interface EscalationPolicy {
  id: string;
  name: string;
  description: string;
  teamId: string | null;
  /** How many times the whole list runs again after the last step (0–9). */
  repeat: number;
  steps: EscalationStep[];
  version: number;
  createdAt: Instant;
  updatedAt: Instant;
}

export const contactTypes = ['email', 'sms', 'voice', 'slack', 'teams', 'push', 'webhook'] as const;
export type ContactType = (typeof contactTypes)[number];

/** Types whose address must be proven with a code before Vigil pages it. */
export const typesNeedingVerification: readonly ContactType[] = ['email', 'sms', 'voice'];

export interface ContactMethod {
  id: string;
  userId: string;
  type: ContactType;
  label: string;
  address: string;
  /** Webhook signing secret (`whsec_…`); decrypted in memory, encrypted at rest, never shown again. */
  secret: string | null;
  verified: boolean;
  createdAt: Instant;
}

export type RuleUrgency = Urgency | 'any';

/** "Page me by SMS at once and call me after 5 minutes" for high-urgency incidents. */
export interface NotificationRule {
  id: string;
  userId: string;
  contactMethodId: string;
  delayMinutes: number;
  urgency: RuleUrgency;
  createdAt: Instant;
}

export const notificationStates = ['queued', 'sending', 'sent', 'delivered', 'failed', 'suppressed'] as const;
export type NotificationState = (typeof notificationStates)[number];

/** `notice`: information that is not one incident's page (hand-offs, gaps, cover requests). */
export type NotificationKind = 'page' | 'update' | 'test' | 'verification' | 'summary' | 'notice';

/** One message to one contact method, with its delivery state and a reason a person can read. */
export interface Notification {
  id: string;
  incidentId: string | null;
  userId: string;
  contactMethodId: string;
  channel: ContactType;
  kind: NotificationKind;
  /** The escalation step that paged (0-based), when one did. */
  step: number | null;
  state: NotificationState;
  reason: string;
  sendAfter: Instant;
  attempts: number;
  providerId: string | null;
  previousProviderId: string | null;
  replyCode: number | null;
  /** Extra data for the message (a verification code's text, …). */
  payload: Record<string, unknown> | null;
  createdAt: Instant;
  updatedAt: Instant;
  sentAt: Instant | null;
  deliveredAt: Instant | null;
}

export type EscalationRunState =
  /** Waiting for its first look: the policy is read (snapshot) then. */
  | 'pending'
  /** Steps fire at `nextAt`. */
  | 'active'
  /** Acknowledged; `nextAt` is the acknowledgement timeout, if the service has one. */
  | 'acknowledged'
  /** Nothing more will fire (resolved, no policy, or the last step and repeats are done). */
  | 'done';

/** An incident's escalation: a row the engine reconciles whenever `nextAt` comes (or a change nudges it). */
export interface Escalation {
  incidentId: string;
  state: EscalationRunState;
  /** The policy as it was when the incident triggered. */
  policy: EscalationPolicy | null;
  /** The next step to fire (0-based). */
  step: number;
  /** How many times the steps have run again after the last one. */
  loop: number;
  /** When step `step` fires (null: no step is waiting). */
  stepAt: Instant | null;
  /** When the engine looks next: the step's time, an acknowledgement timeout, or now after a change. */
  nextAt: Instant | null;
  /** Users paged since the incident last triggered (reassigned assignees not in it get paged). */
  notified: string[];
  /** The incident's status when the engine last looked: a change means updates to send. */
  seenStatus: 'triggered' | 'acknowledged' | 'resolved';
  updatedAt: Instant;
}
