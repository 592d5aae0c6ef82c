import type { Channel, IncidentSummary, OutboundMessage } from '../channel.js';
import { checkHttpUrl, classifiedResult, type HttpChannelOptions, requestOnce } from '../http-send.js';
import { malformed, requiredPart, summaryIncidents } from '../message-text.js';
import { WebhookSecretError, webhookHeaders } from '../standard-webhooks.js';

/**
 * A person's own webhook: JSON signed per Standard Webhooks (wire-formats.md §13), so any of the
 * reference libraries verifies it. `webhook-id` is the notification id, the same on every retry, so
 * the receiver can drop a delivery it has already processed; `webhook-timestamp` is the time of this
 * attempt. 2xx is delivered; a redirect is a permanent failure (never followed, it could point past
 * the SSRF guard); the rest as classifyHttpOutcome says (429 and 5xx temporary, other 4xx permanent).
 */

export type WebhookChannelOptions = HttpChannelOptions;

export type WebhookEventType =
  | 'incident.triggered'
  | 'incident.acknowledged'
  | 'incident.resolved'
  /** Several pages bundled by the throttle: `data.incidents`. */
  | 'incident.summary'
  | 'test'
  /** The code that verifies the webhook: `data.code`. */
  | 'verification'
  /** Not about one incident (an on-call hand-off, a gap, a cover request): `data.{title, body, url}`. */
  | 'notice';

export interface WebhookPayload {
  type: WebhookEventType;
  /** RFC 3339, when the event was sent. */
  timestamp: string;
  data: Record<string, unknown>;
}

export function createWebhookChannel(options: WebhookChannelOptions): Channel {
  const clock = options.clock ?? { now: () => new Date() };
  return {
    type: 'webhook',
    capabilities: { updatesInPlace: false, replies: false, deliveryReceipts: false },
    checkAddress: checkHttpUrl,
    async send(message) {
      const address = message.contact.address;
      const problem = checkHttpUrl(address);
      if (problem) return { outcome: 'permanent', reason: `the webhook URL ${problem}` };
      const secret = message.contact.secret;
      if (!secret) return { outcome: 'permanent', reason: 'the webhook has no signing secret' };

      const now = clock.now();
      const payload = webhookPayload(message, now);
      if (!payload) return malformed(message, requiredPart(message));
      const body = JSON.stringify(payload);
      let signature: Record<string, string>;
      try {
        signature = { ...webhookHeaders(secret, message.id, Math.floor(now.getTime() / 1000), body) };
      } catch (error) {
        if (error instanceof WebhookSecretError) return { outcome: 'permanent', reason: error.message };
        throw error;
      }
      const result = await requestOnce(options.http, {
        method: 'POST',
        url: address,
        headers: { 'content-type': 'application/json', ...signature },
        body,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
      return classifiedResult('the webhook', result, now, { success: 'delivered', secrets: [secret] });
    },
  };
}

/** The JSON a message becomes; undefined when the message lacks what its kind needs. Pure. */
export function webhookPayload(message: OutboundMessage, now: Date): WebhookPayload | undefined {
  const timestamp = now.toISOString();
  const links = message.links ? { links: { ...message.links } } : {};
  switch (message.kind) {
    case 'page':
    case 'update':
      if (!message.incident) return undefined;
      return {
        type: `incident.${message.incident.status}`,
        timestamp,
        data: { incident: incidentData(message.incident), ...links },
      };
    case 'summary':
      return {
        type: 'incident.summary',
        timestamp,
        data: { incidents: summaryIncidents(message).map(incidentData), text: message.text },
      };
    case 'test':
      return { type: 'test', timestamp, data: { message: 'This is a test from Vigil.' } };
    case 'verification':
      return message.verificationCode === undefined
        ? undefined
        : { type: 'verification', timestamp, data: { code: message.verificationCode } };
    case 'notice': {
      const { notice } = message;
      if (!notice) return undefined;
      return {
        type: 'notice',
        timestamp,
        data: { title: notice.title, body: notice.body, url: notice.url ?? null },
      };
    }
  }
}

/** Snake case, like the REST API (api.md). */
function incidentData(incident: IncidentSummary) {
  return {
    id: incident.id,
    number: incident.number,
    title: incident.title,
    status: incident.status,
    urgency: incident.urgency,
    priority: incident.priority,
    severity: incident.severity,
    service_name: incident.serviceName,
    html_url: incident.htmlUrl,
    created_at: incident.createdAt,
    changed_by: incident.changedBy,
  };
}
