import type { OutboundIntegration, OutboundKind, OutboundTargets, OutboundTestResult } from '@vigil/core';
import type { IncidentSummary } from '../channels/channel.js';
import { createNewRelicEventsSink } from '../channels/newrelic/newrelic-events.channel.js';
import { createOutboundHttp } from '../channels/outbound-http.js';
import { createSignl4Sink } from '../channels/signl4/signl4.channel.js';
import type { IntegrationSink } from '../channels/sink.js';
import { createSsrfGuard, OutboundRefused, parseAllowList } from '../channels/ssrf-guard.js';
import type { ChannelConfig } from '../config.js';

/** How long saving an integration waits for the guard's DNS lookup before letting the send decide. */
const CHECK_LOOKUP_MS = 3_000;

export interface OutboundSinks extends OutboundTargets {
  /** The sink of a kind (both are always there: they need only the guarded OutboundHttp). */
  sinkFor(kind: OutboundKind): IntegrationSink | undefined;
}

/**
 * The service-level integrations (channels/sink.ts) from the server's channel configuration: one
 * OutboundHttp behind the SSRF guard (VIGIL_OUTBOUND_ALLOW) for the engine's deliveries and the
 * "send a test" button, and the address check core's use case asks for when one is saved.
 */
export function createOutboundSinks(
  config: Pick<ChannelConfig, 'outboundAllow' | 'outboundTimeoutMs'>,
  options: { publicUrl: string; clock?: { now(): Date }; signl4BaseUrl?: string },
): OutboundSinks {
  const guard = createSsrfGuard({ allow: parseAllowList(config.outboundAllow.join(',')) });
  const http = createOutboundHttp({ guard, defaultTimeoutMs: config.outboundTimeoutMs ?? 10_000 });
  const shared = { http, ...(options.clock ? { clock: options.clock } : {}) };
  const sinks = new Map<OutboundKind, IntegrationSink>([
    [
      'signl4',
      createSignl4Sink({ ...shared, ...(options.signl4BaseUrl ? { baseUrl: options.signl4BaseUrl } : {}) }),
    ],
    ['newrelic-events', createNewRelicEventsSink(shared)],
  ]);
  const now = () => options.clock?.now() ?? new Date();

  return {
    sinkFor: (kind) => sinks.get(kind),

    async checkAddress(kind, address) {
      const sink = sinks.get(kind);
      if (!sink) return `no sender for ${kind}`;
      const problem = sink.checkAddress(address);
      if (problem) return problem;
      if (!/^https?:\/\//i.test(address)) return null; // a bare SIGNL4 team secret: Vigil picks the host
      // The guard again, as at every send: a refusal now saves a delivery that could never work. A
      // host that does not resolve (yet) is not refused: DNS may be down for a moment, and each
      // send checks anew.
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          guard.check(address),
          new Promise((resolve) => {
            timer = setTimeout(resolve, CHECK_LOOKUP_MS);
          }),
        ]);
        return null;
      } catch (error) {
        return error instanceof OutboundRefused ? error.reason : null;
      } finally {
        clearTimeout(timer);
      }
    },

    async sendTest(integration, serviceName) {
      const sink = sinks.get(integration.kind);
      if (!sink) return { outcome: 'permanent', reason: `no sender for ${integration.kind}` };
      const at = now();
      const id = `test-${integration.id}-${at.getTime()}`;
      const incident: IncidentSummary = {
        id,
        number: 0,
        title: 'Test from Vigil: this integration works',
        status: 'triggered',
        urgency: 'low',
        priority: null,
        severity: 'info',
        serviceName,
        htmlUrl: options.publicUrl,
        createdAt: at.toISOString(),
        changedBy: null,
      };
      const target = targetOf(integration);
      const first = await sink.send({ id, target, incident });
      const result = asTestResult(first);
      // A SIGNL4 test raises a Signl; close it again at once so nobody is left with an open alert.
      if (integration.kind !== 'signl4' || result.outcome !== 'delivered') return result;
      const resolve = await sink.send({
        id: `${id}-resolve`,
        target,
        incident: { ...incident, status: 'resolved' },
      });
      return resolve.outcome === 'sent' || resolve.outcome === 'delivered'
        ? { outcome: 'delivered', reason: `${result.reason}; the test Signl was resolved again` }
        : {
            ...asTestResult(resolve),
            reason: `the test Signl was raised, but resolving it failed: ${resolve.reason}`,
          };
    },
  };
}

/** Where a delivery goes and with what key, decrypted: only ever handed to a sink. */
export function targetOf(integration: OutboundIntegration): { address: string; secret?: string } {
  return integration.secret === null
    ? { address: integration.address }
    : { address: integration.address, secret: integration.secret };
}

function asTestResult(result: { outcome: string; reason: string }): OutboundTestResult {
  const outcome =
    result.outcome === 'sent' || result.outcome === 'delivered'
      ? 'delivered'
      : result.outcome === 'temporary'
        ? 'temporary'
        : 'permanent';
  return { outcome, reason: result.reason };
}
