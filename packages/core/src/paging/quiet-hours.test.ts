import { describe, expect, it } from 'vitest';
import { quietUntil } from './quiet-hours.js';

describe('quietUntil', () => {
  const night = { start: '22:00', end: '07:00' };

  it('holds until the end of a window that crosses midnight, in the person’s zone', () => {
    // 23:30 in Berlin (CET, UTC+1) → 07:00 the next morning = 06:00Z.
    expect(quietUntil(night, 'Europe/Berlin', '2026-01-10T22:30:00Z')).toBe('2026-01-11T06:00:00.000Z');
    // 03:00 in Berlin → 07:00 the same morning.
    expect(quietUntil(night, 'Europe/Berlin', '2026-01-11T02:00:00Z')).toBe('2026-01-11T06:00:00.000Z');
    // 12:00 in Berlin: not quiet.
    expect(quietUntil(night, 'Europe/Berlin', '2026-01-11T11:00:00Z')).toBeNull();
  });

  it('keeps 07:00 local across the spring-forward night', () => {
    // New York, 2026-03-08: 02:00 EST → 03:00 EDT. 23:00 EST on the 7th → 07:00 EDT = 11:00Z.
    expect(quietUntil(night, 'America/New_York', '2026-03-08T04:00:00Z')).toBe('2026-03-08T11:00:00.000Z');
  });

  it('handles a daytime window and no window', () => {
    expect(quietUntil({ start: '12:00', end: '13:00' }, 'UTC', '2026-01-11T12:30:00Z')).toBe(
      '2026-01-11T13:00:00.000Z',
    );
    expect(quietUntil(null, 'UTC', '2026-01-11T12:30:00Z')).toBeNull();
    expect(quietUntil({ start: '09:00', end: '09:00' }, 'UTC', '2026-01-11T09:30:00Z')).toBeNull();
  });
});
