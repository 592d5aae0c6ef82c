import { createHash } from 'node:crypto';
import webpush, { type PushSubscription, type RequestOptions } from 'web-push';
import type { Channel, OutboundMessage } from '../channel.js';
import { type HttpChannelOptions, httpSendResult, parseJsonBody, requestOnce } from '../http-send.js';
import {
  incidentLabel,
  malformed,
  noticeLines,
  oneLine,
  openActions,
  requiredPart,
  safeLink,
  statusLine,
  summaryIncidents,
  truncate,
  urgencyWord,
} from '../message-text.js';
import { classifyHttpOutcome, OutboundError } from '../outbound-http.js';

/**
 * Web Push (RFC 8030/8291/8292) to the PWA. web-push builds the request (encrypts the payload with
 * the subscription's keys, signs the VAPID JWT), and OutboundHttp sends it, instead of web-push's own
 * https.request: the subscription's endpoint is a URL the browser handed us, so it passes the SSRF
 * guard and is connected to at the checked address, with the same deadline and outcome rules as every
 * other channel. Push services answer 201; 404 and 410 mean the subscription is gone for good.
 *
 * The payload the service worker gets (JSON): `{title, body, url, incident_id, tag, actions:
 * [{action: 'acknowledge' | 'resolve', title, url}]}`; the action URLs are the signed confirmation
 * pages. `tag` (per incident) lets an update replace the page's notification on the device.
 */

export interface PushChannelOptions extends HttpChannelOptions {
  vapidPublicKey: string;
  vapidPrivateKey: string;
  /** `mailto:ops@example.com` or an https URL: who push services contact about our traffic. */
  subject: string;
  /** How long a push service keeps an undelivered message; 1 hour (a page a day late helps no one). */
  ttlSeconds?: number;
}

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/** New VAPID keys (URL-safe base64), once per installation. */
export function generateVapidKeys(): VapidKeys {
  return webpush.generateVAPIDKeys();
}

export interface PushPayload {
  title: string;
  body: string;
  url?: string;
  incident_id?: string;
  tag?: string;
  actions: { action: 'acknowledge' | 'resolve'; title: string; url: string }[];
}

export function createPushChannel(options: PushChannelOptions): Channel {
  const clock = options.clock ?? { now: () => new Date() };
  const vapidDetails = {
    subject: options.subject,
    publicKey: options.vapidPublicKey,
    privateKey: options.vapidPrivateKey,
  };
  return {
    type: 'push',
    capabilities: { updatesInPlace: false, replies: false, deliveryReceipts: false },
    checkAddress: (address) => {
      const parsed = parseSubscription(address);
      return typeof parsed === 'string' ? parsed : null;
    },
    async send(message) {
      const subscription = parseSubscription(message.contact.address);
      if (typeof subscription === 'string')
        return { outcome: 'permanent', reason: `the push subscription ${subscription}` };
      const payload = pushPayload(message);
      if (!payload) return malformed(message, requiredPart(message));

      const requestOptions: RequestOptions = {
        vapidDetails,
        TTL: options.ttlSeconds ?? 3600,
        contentEncoding: 'aes128gcm',
        urgency: message.kind === 'page' ? 'high' : 'normal',
        ...(message.incident ? { topic: pushTopic(message.incident.id) } : {}),
      };
      let details: ReturnType<typeof webpush.generateRequestDetails>;
      try {
        details = webpush.generateRequestDetails(subscription, JSON.stringify(payload), requestOptions);
      } catch (error) {
        // Bad subscription keys or VAPID settings: retrying cannot help.
        return { outcome: 'permanent', reason: `web push: ${(error as Error).message}` };
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(details.headers)) {
        // OutboundHttp sets Content-Length from the body itself.
        if (name.toLowerCase() !== 'content-length') headers[name.toLowerCase()] = String(value);
      }
      const result = await requestOnce(options.http, {
        method: 'POST',
        url: details.endpoint,
        headers,
        ...(details.body ? { body: details.body } : {}),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
      const outcome = classifyHttpOutcome(result, clock.now());
      // The endpoint is a capability URL: like a token, it stays out of reasons.
      const secrets = [subscription.endpoint, subscription.keys.auth];
      if (!(result instanceof OutboundError) && (result.status === 404 || result.status === 410)) {
        return {
          outcome: 'permanent',
          reason: `the push subscription has expired or was unsubscribed (HTTP ${result.status})`,
        };
      }
      return httpSendResult('the push service', result, outcome, {
        success: 'sent',
        providerId: result instanceof OutboundError ? undefined : result.headers.location,
        secrets,
      });
    },
  };
}

/** What the service worker shows; undefined when the message lacks what its kind needs. Pure. */
export function pushPayload(message: OutboundMessage): PushPayload | undefined {
  const { incident } = message;
  switch (message.kind) {
    case 'page':
    case 'update': {
      if (!incident) return undefined;
      const can = openActions(incident);
      const ack = can.acknowledge ? safeLink(message.links?.acknowledge) : undefined;
      const resolve = can.resolve ? safeLink(message.links?.resolve) : undefined;
      const facts = [
        oneLine(incident.serviceName),
        `${urgencyWord(incident).toLowerCase()} urgency`,
        ...(incident.priority ? [oneLine(incident.priority)] : []),
      ].join(' · ');
      const url = safeLink(incident.htmlUrl);
      return {
        title: truncate(
          message.kind === 'page' ? incidentLabel(incident) : `#${incident.number} ${statusLine(incident)}`,
          200,
        ),
        body: truncate(
          message.kind === 'page' ? `${statusLine(incident)} · ${facts}` : oneLine(incident.title),
          500,
        ),
        ...(url ? { url } : {}),
        incident_id: incident.id,
        tag: `incident-${incident.id}`,
        actions: [
          ...(ack ? [{ action: 'acknowledge' as const, title: 'Acknowledge', url: ack }] : []),
          ...(resolve ? [{ action: 'resolve' as const, title: 'Resolve', url: resolve }] : []),
        ],
      };
    }
    case 'test':
      return { title: 'Vigil test', body: 'Push notifications to this device work.', actions: [] };
    case 'verification':
      return message.verificationCode === undefined
        ? undefined
        : { title: 'Vigil verification code', body: message.verificationCode, actions: [] };
    case 'summary': {
      const incidents = summaryIncidents(message);
      return {
        title: `${incidents.length} incidents need attention`,
        // Push payloads are limited to about 4 KB once encrypted.
        body: truncate(incidents.map((i) => incidentLabel(i)).join('\n') || message.text, 1000),
        actions: [],
      };
    }
    case 'notice': {
      const { notice } = message;
      if (!notice) return undefined;
      const url = safeLink(notice.url);
      return {
        title: truncate(oneLine(notice.title), 200),
        body: truncate(noticeLines(notice.body).join('\n'), 1000),
        ...(url ? { url } : {}),
        actions: [],
      };
    }
  }
}

/**
 * A push service keeps only the latest undelivered message per topic: one topic per incident, so a
 * phone that was offline gets "resolved" instead of the page and then the resolve. At most 32
 * URL-safe base64 characters (RFC 8030 §5.4), hence a hash.
 */
function pushTopic(incidentId: string): string {
  return createHash('sha256').update(incidentId).digest('base64url').slice(0, 32);
}

/** The subscription (`PushSubscription.toJSON()`), or why it is not one. */
export function parseSubscription(address: string): PushSubscription | string {
  const json = parseJsonBody(address) as
    | { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } }
    | undefined;
  if (typeof json !== 'object' || json === null) return 'is not the JSON of a browser push subscription';
  if (typeof json.endpoint !== 'string') return 'has no endpoint';
  try {
    const { protocol } = new URL(json.endpoint);
    if (protocol !== 'https:' && protocol !== 'http:') return 'endpoint is not an http(s) URL';
  } catch {
    return 'endpoint is not a URL';
  }
  const { p256dh, auth } = json.keys ?? {};
  const base64url = /^[A-Za-z0-9_-]+={0,2}$/;
  if (typeof p256dh !== 'string' || !base64url.test(p256dh) || Buffer.from(p256dh, 'base64url').length !== 65)
    return 'has no valid p256dh key';
  if (typeof auth !== 'string' || !base64url.test(auth) || Buffer.from(auth, 'base64url').length < 16)
    return 'has no valid auth secret';
  return { endpoint: json.endpoint, keys: { p256dh, auth } };
}
