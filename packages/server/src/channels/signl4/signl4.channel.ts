import type { IncidentSummary } from '../channel.js';
import {
  checkHttpUrl,
  type HttpChannelOptions,
  httpSendResult,
  parseJsonBody,
  requestOnce,
  urlSecrets,
} from '../http-send.js';
import { incidentLabel, oneLine, statusLine, truncate, urgencyWord } from '../message-text.js';
import { classifyHttpOutcome, OutboundError } from '../outbound-http.js';
import type { IntegrationSink } from '../sink.js';

/**
 * SIGNL4 team webhook (wire-formats.md §6): an incident triggers a Signl, its resolve closes it,
 * matched by `X-S4-ExternalID` = our incident id. The address is the team's webhook URL
 * (`https://connect.signl4.com/webhook/{teamSecret}`) or the bare team secret; either way it is the
 * only credential and never appears in a reason. SIGNL4 has no "acknowledged" to receive (an
 * X-S4-Status other than new/resolved discards the event), so an acknowledgement sends nothing.
 */

export interface Signl4SinkOptions extends HttpChannelOptions {
  /** For a bare team secret: `https://connect.signl4.com` by default. */
  baseUrl?: string;
}

export function createSignl4Sink(options: Signl4SinkOptions): IntegrationSink {
  const clock = options.clock ?? { now: () => new Date() };
  const base = (options.baseUrl ?? 'https://connect.signl4.com').replace(/\/+$/, '');
  const webhookUrl = (address: string) =>
    TEAM_SECRET.test(address) ? `${base}/webhook/${encodeURIComponent(address)}` : address;

  return {
    kind: 'signl4',
    checkAddress: checkSignl4Address,
    async send({ target, incident }) {
      const problem = checkSignl4Address(target.address);
      if (problem) return { outcome: 'permanent', reason: `the SIGNL4 address ${problem}` };
      if (incident.status === 'acknowledged')
        return { outcome: 'delivered', reason: 'nothing sent: SIGNL4 takes only new and resolved events' };
      const url = webhookUrl(target.address);
      const result = await requestOnce(options.http, {
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(signl4Event(incident)),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
      const outcome = classifyHttpOutcome(result, clock.now());
      const reply =
        result instanceof OutboundError ? undefined : (parseJsonBody(result.body) as { eventId?: unknown });
      const eventId = typeof reply?.eventId === 'string' ? reply.eventId : undefined;
      return httpSendResult('SIGNL4', result, outcome, {
        success: 'delivered',
        providerId: eventId,
        secrets: [...urlSecrets(url), target.address],
      });
    },
  };
}

/** The JSON body: shown fields (Title, Message, …) plus SIGNL4's control fields. Pure. */
export function signl4Event(incident: IncidentSummary): Record<string, string> {
  return {
    Title: truncate(incidentLabel(incident), 250),
    Message: truncate(
      [
        `${statusLine(incident)} · ${oneLine(incident.serviceName)} · ${urgencyWord(incident)} urgency${incident.priority ? ` · ${oneLine(incident.priority)}` : ''}`,
        incident.htmlUrl,
      ].join('\n'),
      2000,
    ),
    Severity: incident.severity,
    Link: incident.htmlUrl,
    'X-S4-Service': oneLine(incident.serviceName),
    'X-S4-ExternalID': incident.id,
    'X-S4-Status': incident.status === 'resolved' ? 'resolved' : 'new',
    'X-S4-SourceSystem': 'Vigil',
  };
}

/** A team secret as SIGNL4 issues them: letters and digits. */
const TEAM_SECRET = /^[A-Za-z0-9_-]{6,128}$/;

function checkSignl4Address(address: string): string | null {
  if (TEAM_SECRET.test(address)) return null;
  return checkHttpUrl(address) && 'must be the SIGNL4 webhook URL or the team secret';
}
