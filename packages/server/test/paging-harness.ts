import {
  createTestDatabase,
  type Engine,
  freePort,
  ManualClock,
  type SlackFake,
  type SmtpCapture,
  startSlackFake,
  startSmtpCapture,
  startTwilioFake,
  type TestDatabase,
  type TwilioFake,
} from '@vigil/testkit';
import { expect } from 'vitest';
import { type Runtime, startRuntime } from '../src/runtime.js';

export const TOKEN = 'vigil-paging-scenario-token-0123456789abcdef';
export const TWILIO = {
  accountSid: 'AC0000000000000000000000000000test',
  authToken: 'twilio-test-auth-token',
  from: '+15550000000',
};
export const SLACK = { botToken: 'xoxb-test-token', signingSecret: 'slack-signing-secret-for-tests' };

/**
 * Vigil listening on 127.0.0.1 with a manual clock and the engine driven by hand, its channels
 * pointed at fakes that are real servers (SMTP capture, Twilio-like, Slack-like).
 */
export interface PagingHarness {
  runtime: Runtime;
  clock: ManualClock;
  db: TestDatabase;
  smtp: SmtpCapture;
  twilio: TwilioFake;
  slack: SlackFake;
  url: string;
  api(method: string, path: string, payload?: unknown): Promise<any>;
  /** One engine cycle with every send it starts finished (what the next second of real time does). */
  cycle(): Promise<void>;
  /** Adds a contact method and proves it with the code the fake received. */
  verifiedContact(userId: string, type: 'sms' | 'email', address: string): Promise<{ id: string }>;
  /** Fails the test if any fake got a message no assertion took. */
  assertQuiet(): void;
  /** Closes Vigil and starts it again on the same database (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startPagingHarness(engine: Engine, options: { outboundTimeoutMs?: number } = {}) {
  const [smtp, twilio, slack] = await Promise.all([
    startSmtpCapture(),
    startTwilioFake(TWILIO),
    startSlackFake(SLACK),
  ]);
  const db = await createTestDatabase(engine);
  const clock = new ManualClock('2026-03-08T06:00:00Z');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const start = async () => {
    const runtime = await startRuntime(
      {
        dataDir: db.dataDir,
        databaseUrl: db.databaseUrl,
        publicUrl: url,
        secretKey: Buffer.alloc(32, 3),
        bootstrapToken: TOKEN,
        testClock: false,
        channels: {
          outboundAllow: ['127.0.0.1/32'],
          ...(options.outboundTimeoutMs ? { outboundTimeoutMs: options.outboundTimeoutMs } : {}),
          smtp: { url: smtp.url, from: 'Vigil <vigil@example.com>' },
          twilio: { ...TWILIO, baseUrl: twilio.url },
          slack: { ...SLACK, apiBaseUrl: slack.apiUrl },
        },
      },
      { clock },
    );
    await runtime.app.listen({ port, host: '127.0.0.1' });
    return runtime;
  };

  const h: PagingHarness = {
    runtime: await start(),
    clock,
    db,
    smtp,
    twilio,
    slack,
    url,
    api: (method, path, payload) => injectApi(h.runtime)(method, path, payload),
    async cycle() {
      for (let i = 0; i < 2; i++) {
        await h.runtime.paging.engine.runOnce();
        await h.runtime.paging.engine.drain();
      }
    },
    async verifiedContact(userId, type, address) {
      const method = await h.api('POST', `/api/v1/users/${userId}/contact-methods`, { type, address });
      await h.cycle();
      const text =
        type === 'email'
          ? (await smtp.mails.waitAndTake((m) => m.to.includes(address))).text
          : (await twilio.messages.waitAndTake((m) => m.to === address)).body;
      const code = /\b(\d{6})\b/.exec(text)?.[1];
      expect(code, text).toBeDefined();
      const verified = await h.api('POST', `/api/v1/users/${userId}/contact-methods/${method.id}/verify`, {
        code,
      });
      expect(verified.verified).toBe(true);
      return method;
    },
    assertQuiet() {
      smtp.mails.assertNothingElse();
      twilio.messages.assertNothingElse();
      twilio.calls.assertNothingElse();
      slack.apiCalls.assertNothingElse();
    },
    async restart() {
      await h.runtime.close();
      h.runtime = await start();
    },
    async close() {
      await h.runtime?.close();
      await db.drop();
      await Promise.all([smtp.close(), twilio.close(), slack.close()]);
    },
  };
  return h;
}

/** The API of `runtime` through inject(), as the bootstrap owner; a non-2xx answer throws. */
export function injectApi(runtime: Runtime): PagingHarness['api'] {
  return async (method, path, payload) => {
    const res = await runtime.app.inject({
      method: method as 'GET',
      url: path,
      headers: { authorization: `Bearer ${TOKEN}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${res.body}`);
    return res.body ? res.json() : null;
  };
}

/** A responder reached by a signed webhook to `<sinkUrl>/<name>`. */
export async function webhookResponder(
  api: PagingHarness['api'],
  name: string,
  sinkUrl: string,
  secret: string,
): Promise<{ id: string }> {
  const user = await api('POST', '/api/v1/users', {
    name,
    email: `${name.toLowerCase()}@example.com`,
    role: 'responder',
  });
  await api('POST', `/api/v1/users/${user.id}/contact-methods`, {
    type: 'webhook',
    address: `${sinkUrl}/${name.toLowerCase()}`,
    secret,
  });
  return user;
}

/** A service paging `userIds` (one step each, `delay` minutes apart) with an Events v2 integration. */
export async function servicePaging(h: PagingHarness, name: string, userIds: string[], delay = 5) {
  const policy = await h.api('POST', '/api/v1/escalation-policies', {
    name,
    steps: userIds.map((id) => ({ delay_minutes: delay, targets: [{ type: 'user', id }] })),
  });
  const service = await h.api('POST', '/api/v1/services', { name, escalation_policy_id: policy.id });
  const integration = await h.api('POST', `/api/v1/services/${service.id}/integrations`, {
    type: 'events_v2',
  });
  return { policy, service, routingKey: integration.key as string };
}

export async function trigger(
  h: PagingHarness,
  routingKey: string,
  dedupKey: string,
  summary: string,
  severity = 'critical',
) {
  const res = await h.runtime.app.inject({
    method: 'POST',
    url: '/v2/enqueue',
    payload: {
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: dedupKey,
      payload: { summary, source: 'test', severity },
    },
  });
  expect(res.statusCode, res.body).toBe(202);
}
