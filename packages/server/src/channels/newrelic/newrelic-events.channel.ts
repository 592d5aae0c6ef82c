import type { IncidentSummary } from '../channel.js';
import {
  checkHttpUrl,
  type HttpChannelOptions,
  httpSendResult,
  parseJsonBody,
  requestOnce,
} from '../http-send.js';
import { truncate } from '../message-text.js';
import { classifyHttpOutcome, OutboundError } from '../outbound-http.js';
import type { IntegrationSink } from '../sink.js';

/**
 * New Relic Event API (wire-formats.md §5.2): each change of an incident becomes one custom event
 * `VigilIncident`, to chart and alert on in New Relic. The address is the account's collector URL
 * (`https://insights-collector.newrelic.com/v1/accounts/{accountId}/events`, or the EU host) and the
 * secret is the license / ingest key (`Api-Key`). New Relic answers 200 even for events it later
 * fails to parse (those become NrIntegrationError events on its side).
 */

export type NewRelicEventsSinkOptions = HttpChannelOptions;

export const NEW_RELIC_EVENT_TYPE = 'VigilIncident';

export function createNewRelicEventsSink(options: NewRelicEventsSinkOptions): IntegrationSink {
  const clock = options.clock ?? { now: () => new Date() };
  return {
    kind: 'newrelic-events',
    checkAddress: checkHttpUrl,
    async send({ target, incident }) {
      const problem = checkHttpUrl(target.address);
      if (problem) return { outcome: 'permanent', reason: `the New Relic collector URL ${problem}` };
      if (!target.secret) return { outcome: 'permanent', reason: 'the New Relic integration has no API key' };
      const now = clock.now();
      const result = await requestOnce(options.http, {
        method: 'POST',
        url: target.address,
        headers: { 'content-type': 'application/json', 'api-key': target.secret },
        body: JSON.stringify([newRelicEvent(incident, now)]),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
      const outcome = classifyHttpOutcome(result, now);
      if (!(result instanceof OutboundError) && result.status === 403)
        outcome.reason = 'HTTP 403 (the API key was refused)';
      const reply =
        result instanceof OutboundError ? undefined : (parseJsonBody(result.body) as { uuid?: unknown });
      return httpSendResult('New Relic', result, outcome, {
        success: 'delivered',
        providerId: typeof reply?.uuid === 'string' ? reply.uuid : undefined,
        secrets: [target.secret],
      });
    },
  };
}

/** One flat event: strings and numbers only, as the Event API requires. Pure. */
export function newRelicEvent(incident: IncidentSummary, now: Date): Record<string, string | number> {
  const event: Record<string, string | number> = {
    eventType: NEW_RELIC_EVENT_TYPE,
    timestamp: Math.floor(now.getTime() / 1000),
    incidentId: incident.id,
    number: incident.number,
    title: truncate(incident.title, 4096),
    status: incident.status,
    urgency: incident.urgency,
    severity: incident.severity,
    service: incident.serviceName,
    url: incident.htmlUrl,
    createdAt: new Date(incident.createdAt).getTime(),
  };
  // Absent rather than null: the Event API takes only strings and numbers.
  if (incident.priority) event.priority = incident.priority;
  if (incident.changedBy) event.changedBy = incident.changedBy;
  return event;
}
