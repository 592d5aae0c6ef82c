import { describe, expect, it } from 'vitest';
import { sessionExpiry } from './session.js';

describe('session expiry', () => {
  it('slides 12 hours past the last use, never beyond 30 days after sign-in', () => {
    const created = '2026-03-01T00:00:00.000Z';
    expect(sessionExpiry(created, new Date('2026-03-01T00:00:00Z')).toISOString()).toBe(
      '2026-03-01T12:00:00.000Z',
    );
    expect(sessionExpiry(created, new Date('2026-03-20T08:00:00Z')).toISOString()).toBe(
      '2026-03-20T20:00:00.000Z',
    );
    expect(sessionExpiry(created, new Date('2026-03-30T20:00:00Z')).toISOString()).toBe(
      '2026-03-31T00:00:00.000Z',
    );
  });
});
