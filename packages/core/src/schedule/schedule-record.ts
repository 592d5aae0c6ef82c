import type { Actor } from '../shared/actor.js';
import type { Instant } from '../shared/clock.js';
import type { ScheduleLayer } from './schedule.js';

/** What a version of a schedule fixes: everything but its id and history. */
export interface ScheduleDefinition {
  name: string;
  description: string;
  teamId: string | null;
  timeZone: string;
  layers: ScheduleLayer[];
}

/** A stored schedule: the current definition and the number of the version it is. */
export interface ScheduleRecord extends ScheduleDefinition {
  id: string;
  version: number;
  createdAt: Instant;
  updatedAt: Instant;
}

export type ScheduleVersionAction = 'create' | 'update' | 'restore';

/** One saved state of a schedule's definition, with who saved it and how. */
export interface ScheduleVersion {
  scheduleId: string;
  version: number;
  definition: ScheduleDefinition;
  action: ScheduleVersionAction;
  /** For `restore`: the version brought back. */
  restoredFrom: number | null;
  actor: Actor;
  createdAt: Instant;
}

export type OverrideSource = 'manual' | 'cover' | 'swap';

/** Someone on call over every layer for a while (see ScheduleOverride for the calculators). */
export interface OverrideRecord {
  id: string;
  scheduleId: string;
  userId: string;
  start: Instant;
  end: Instant;
  source: OverrideSource;
  /** The cover or swap request that created it, if any. */
  requestId: string | null;
  createdBy: Actor;
  createdAt: Instant;
}

export type ShiftRequestKind = 'cover' | 'swap';
export type ShiftRequestStatus = 'open' | 'accepted' | 'declined' | 'cancelled';

/**
 * A cover request ("who can take my Saturday?"), open to everyone on the schedule or aimed at one
 * person, or a swap ("you take my Saturday, I take your Sunday") aimed at one person.
 */
export interface ShiftRequest {
  id: string;
  scheduleId: string;
  kind: ShiftRequestKind;
  requesterId: string;
  /** The requester's time that someone else takes. */
  start: Instant;
  end: Instant;
  /** Only this user may accept (always set for a swap). */
  targetUserId: string | null;
  /** For a swap: the target's time that the requester takes in return. */
  swapStart: Instant | null;
  swapEnd: Instant | null;
  message: string;
  status: ShiftRequestStatus;
  /** Who accepted or declined. */
  answeredBy: string | null;
  createdAt: Instant;
  updatedAt: Instant;
}

export type CalendarFeedKind = 'schedule' | 'user';

/** A secret, revocable URL that calendar apps subscribe to (they cannot send headers). */
export interface CalendarFeed {
  id: string;
  kind: CalendarFeedKind;
  objectId: string;
  /** The secret in the URL, kept encrypted at rest so its owner can copy the link again. */
  token: string;
  createdAt: Instant;
}
