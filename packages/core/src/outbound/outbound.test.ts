import { describe, expect, it } from 'vitest';
import { addressHint, newRelicCollectorUrl, outboundEventsReached, secretHint } from './outbound.js';

const at = '2026-03-08T06:00:00.000Z';

describe('outboundEventsReached', () => {
  it('on the first look: the trigger, and whatever happened before the engine looked', () => {
    expect(outboundEventsReached({ status: 'triggered', acknowledgedAt: null }, null)).toEqual(['triggered']);
    expect(outboundEventsReached({ status: 'acknowledged', acknowledgedAt: at }, null)).toEqual([
      'triggered',
      'acknowledged',
    ]);
    expect(outboundEventsReached({ status: 'resolved', acknowledgedAt: null }, null)).toEqual([
      'triggered',
      'resolved',
    ]);
    expect(outboundEventsReached({ status: 'resolved', acknowledgedAt: at }, null)).toEqual([
      'triggered',
      'acknowledged',
      'resolved',
    ]);
  });

  it('afterwards: only what changed, with an acknowledgement that passed between two looks', () => {
    expect(outboundEventsReached({ status: 'triggered', acknowledgedAt: null }, 'triggered')).toEqual([]);
    expect(outboundEventsReached({ status: 'acknowledged', acknowledgedAt: at }, 'triggered')).toEqual([
      'acknowledged',
    ]);
    expect(outboundEventsReached({ status: 'resolved', acknowledgedAt: at }, 'acknowledged')).toEqual([
      'resolved',
    ]);
    expect(outboundEventsReached({ status: 'resolved', acknowledgedAt: at }, 'triggered')).toEqual([
      'acknowledged',
      'resolved',
    ]);
    expect(outboundEventsReached({ status: 'resolved', acknowledgedAt: null }, 'triggered')).toEqual([
      'resolved',
    ]);
    // Triggered again (the acknowledgement timed out): offered again; the outbox's key drops it.
    expect(outboundEventsReached({ status: 'triggered', acknowledgedAt: null }, 'acknowledged')).toEqual([
      'triggered',
    ]);
  });
});

describe('hints', () => {
  it('shows a secret only by its last characters, a URL by its origin too', () => {
    expect(secretHint('a1b2c3d4e5teamsecret')).toBe('…cret');
    expect(secretHint('https://connect.signl4.com/webhook/a1b2c3d4e5teamsecret')).toBe(
      'https://connect.signl4.com/…cret',
    );
    expect(secretHint('short')).toBe('…');
  });

  it('shows a collector URL derived from the account whole, a typed-in one as a hint', () => {
    const derived = newRelicCollectorUrl('eu', '1234567');
    expect(derived).toBe('https://insights-collector.eu01.nr-data.net/v1/accounts/1234567/events');
    const nr = { kind: 'newrelic-events' as const, region: 'eu' as const, accountId: '1234567' };
    expect(addressHint({ ...nr, address: derived })).toBe(derived);
    expect(addressHint({ ...nr, address: 'https://proxy.example.com/nr/secret-token-1234' })).toBe(
      'https://proxy.example.com/…1234',
    );
    expect(
      addressHint({ kind: 'signl4', region: null, accountId: null, address: 'a1b2c3d4e5teamsecret' }),
    ).toBe('…cret');
  });
});
