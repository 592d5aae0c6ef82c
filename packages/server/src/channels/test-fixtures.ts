import type { ContactType, IncidentSummary, OutboundMessage } from './channel.js';
import { createOutboundHttp, type OutboundHttp } from './outbound-http.js';
import { createSsrfGuard } from './ssrf-guard.js';

/**
 * Shared by the channel tests (not used by the server): an OutboundHttp that may call the fakes on
 * loopback, and an incident and messages to render.
 */

/** The allow list the channel tests run with: the fakes listen on loopback. */
export const TEST_ALLOW = ['127.0.0.1/32', '::1'];

/** Small deadlines, so a hung fake costs a fraction of a second. */
export function testHttp(defaultTimeoutMs = 2_000): OutboundHttp {
  return createOutboundHttp({ guard: createSsrfGuard({ allow: TEST_ALLOW }), defaultTimeoutMs });
}

/** OutboundHttp with the production guard: loopback refused. */
export function strictHttp(): OutboundHttp {
  return createOutboundHttp({ guard: createSsrfGuard({ allow: [] }), defaultTimeoutMs: 2_000 });
}

export function testIncident(overrides: Partial<IncidentSummary> = {}): IncidentSummary {
  return {
    id: 'inc_01JTESTINCIDENT',
    number: 42,
    title: 'Disk full on db-1',
    status: 'triggered',
    urgency: 'high',
    priority: 'P1',
    severity: 'critical',
    serviceName: 'Checkout',
    htmlUrl: 'https://vigil.example.com/incidents/42',
    createdAt: '2026-03-08T06:00:00.000Z',
    changedBy: null,
    ...overrides,
  };
}

export const TEST_LINKS = {
  acknowledge: 'https://vigil.example.com/actions/ack-token-123',
  resolve: 'https://vigil.example.com/actions/resolve-token-456',
};

let counter = 0;

/** A page to `address`; `overrides` replace whole fields. */
export function testPage(
  type: ContactType,
  address: string,
  overrides: Partial<OutboundMessage> = {},
): OutboundMessage {
  counter += 1;
  const incident = overrides.incident ?? testIncident();
  return {
    id: `ntf_test_${counter}`,
    kind: 'page',
    contact: { type, address },
    recipient: { id: 'usr_ana', name: 'Ana' },
    incident,
    links: TEST_LINKS,
    replyCode: 3,
    text: `#${incident.number} ${incident.title}`,
    ...overrides,
  };
}

/** The update that follows a page: the incident acknowledged or resolved by `by`. */
export function testUpdate(
  page: OutboundMessage,
  status: 'acknowledged' | 'resolved',
  by = 'Ana',
  overrides: Partial<OutboundMessage> = {},
): OutboundMessage {
  counter += 1;
  const incident = { ...page.incident!, status, changedBy: by };
  return {
    ...page,
    id: `ntf_test_${counter}`,
    kind: 'update',
    incident,
    text: `#${incident.number} ${incident.title}: ${status} by ${by}`,
    ...overrides,
  };
}

export const TEST_NOTICE = {
  title: 'You are on call for Payments',
  body: 'From now until Mon 9 Mar 09:00 (Europe/London).\nBo hands over to you.',
  url: 'https://vigil.example.com/schedules/payments',
};

/** A notice (an on-call hand-off) to `address`: no incident, no links, no reply code. */
export function testNotice(
  type: ContactType,
  address: string,
  overrides: Partial<OutboundMessage> = {},
): OutboundMessage {
  counter += 1;
  const notice = overrides.notice ?? TEST_NOTICE;
  return {
    id: `ntf_test_${counter}`,
    kind: 'notice',
    contact: { type, address },
    recipient: { id: 'usr_ana', name: 'Ana' },
    notice,
    text: `${notice.title}\n${notice.body}`,
    ...overrides,
  };
}

/** A port nothing listens on (bound, read, closed). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
