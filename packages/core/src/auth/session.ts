import type { Instant } from '../shared/clock.js';

/**
 * A browser session of the web UI (docs/sign-in.md): a random token in an HttpOnly cookie, stored
 * only as its SHA-256. It ends after `SESSION_IDLE_MINUTES` without a request, after
 * `SESSION_MAX_DAYS` whatever happens, when its person signs out (here or everywhere), resets their
 * password, or is deactivated.
 */
export interface Session {
  id: string;
  userId: string;
  createdAt: Instant;
  /** When a request last used it (written at most once a minute). */
  lastSeenAt: Instant;
  /** When it stops working unless used before then: the sliding idle limit, capped by the absolute one. */
  expiresAt: Instant;
  revokedAt: Instant | null;
  ip: string | null;
  userAgent: string | null;
}

/** Twelve hours without a request signs a browser out: a night away from the desk, not a weekend. */
export const SESSION_IDLE_MINUTES = 12 * 60;
/** However busy, a session is at most 30 days old; then the person signs in again. */
export const SESSION_MAX_DAYS = 30;
/** `last_seen_at` and the sliding expiry are written at most this often per session. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;

const MINUTE_MS = 60_000;

/** When a session created at `createdAt` and used at `now` expires: idle limit, capped by the absolute one. */
export function sessionExpiry(createdAt: Instant, now: Date): Date {
  const idle = now.getTime() + SESSION_IDLE_MINUTES * MINUTE_MS;
  const absolute = Date.parse(createdAt) + SESSION_MAX_DAYS * 24 * 60 * MINUTE_MS;
  return new Date(Math.min(idle, absolute));
}

/** Whether the session still authenticates at `now` (its person's deactivation is checked apart). */
export const sessionIsLive = (session: Session, now: Date): boolean =>
  session.revokedAt === null && Date.parse(session.expiresAt) > now.getTime();

/** Whether a request at `now` should write `last_seen_at` and slide the expiry. */
export const sessionNeedsTouch = (session: Session, now: Date): boolean =>
  now.getTime() - Date.parse(session.lastSeenAt) >= SESSION_TOUCH_INTERVAL_MS;

/** A password reset link is good for an hour, and for one use. */
export const PASSWORD_RESET_TTL_MINUTES = 60;

export interface PasswordReset {
  userId: string;
  createdAt: Instant;
  expiresAt: Instant;
  usedAt: Instant | null;
}
