import { engines } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PagingHarness, startPagingHarness } from './paging-harness.js';

const PHONE = '+15550000042';
const MINUTE = 60_000;

/**
 * A dead-man's switch, end to end: a cron job pings its heartbeat URL over real HTTP (as `curl`
 * does); while it does, nobody hears anything. It stops: after interval + grace the on-call person
 * gets one SMS, however many engine cycles run. It pings again: the incident resolves and paging
 * stops. Any message the test did not expect fails it.
 */
describe.each(engines)('heartbeats page when pings stop, on %s', (engine) => {
  let h: PagingHarness;
  beforeAll(async () => {
    h = await startPagingHarness(engine);
  });
  afterAll(() => h?.close());

  it('stays quiet while pings come, pages once when they stop, resolves when they resume', async () => {
    const { api, cycle, assertQuiet, twilio, clock, url } = h;
    const ops = await api('POST', '/api/v1/users', {
      name: 'Oli',
      email: 'oli@example.com',
      role: 'responder',
    });
    await h.verifiedContact(ops.id, 'sms', PHONE);
    const policy = await api('POST', '/api/v1/escalation-policies', {
      name: 'Batch',
      steps: [{ delay_minutes: 10, targets: [{ type: 'user', id: ops.id }] }],
    });
    const service = await api('POST', '/api/v1/services', {
      name: 'Batch jobs',
      escalation_policy_id: policy.id,
    });
    const heartbeat = await api('POST', `/api/v1/services/${service.id}/integrations`, {
      type: 'heartbeat',
      name: 'Nightly export',
      config: { interval_seconds: 600, grace_seconds: 120 },
    });
    expect(heartbeat.url).toBe(`${url}/heartbeat/${heartbeat.key}`);
    const curl = async () => {
      const res = await fetch(heartbeat.url);
      expect(res.status).toBe(202);
      return (await res.json()) as { status: string; recovered: boolean };
    };

    // The job pings every 10 minutes for an hour: nothing is sent.
    for (let i = 0; i < 6; i++) {
      expect(await curl()).toMatchObject({ status: 'ok', recovered: false });
      clock.advance(10 * MINUTE);
      await cycle();
    }
    assertQuiet();

    // It stops. Within the grace period, still nothing.
    clock.advance(2 * MINUTE - 1_000);
    await cycle();
    assertQuiet();
    // Past interval + grace: one page, even over several cycles and a long silence.
    clock.advance(1_000);
    await cycle();
    const sms = await twilio.messages.waitAndTake((m) => m.to === PHONE);
    expect(sms.body).toContain('No heartbeat from Nightly export for 12 minutes');
    for (let i = 0; i < 3; i++) {
      clock.advance(MINUTE);
      await cycle();
    }
    assertQuiet();
    const incidents = await api('GET', `/api/v1/incidents?service_id=${service.id}`);
    expect(incidents.data).toHaveLength(1);
    expect(incidents.data[0]).toMatchObject({ status: 'triggered', severity: 'critical' });

    // The job runs again: the incident resolves and the next escalation step never fires.
    expect(await curl()).toMatchObject({ status: 'ok', recovered: true });
    await cycle();
    const incident = await api('GET', `/api/v1/incidents/${incidents.data[0].id}`);
    expect(incident.status).toBe('resolved');
    await cycle();
    assertQuiet();
    const timeline = await api('GET', `/api/v1/incidents/${incident.id}/timeline`);
    expect(timeline.data.map((e: { type: string }) => e.type)).toEqual(['triggered', 'paged', 'resolved']);
    expect(timeline.data[2].message).toBe(
      'Resolved by Nightly export: a heartbeat arrived again after 15 minutes without one',
    );
    // And the job's pings carry on quietly, past the step the policy would have repeated.
    for (let i = 0; i < 6; i++) {
      clock.advance(10 * MINUTE);
      expect(await curl()).toMatchObject({ recovered: false });
      await cycle();
    }
    assertQuiet();
    expect((await api('GET', `/api/v1/incidents?service_id=${service.id}`)).data).toHaveLength(1);
  });
});
