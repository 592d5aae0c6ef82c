import type { Channel, OutboundMessage, SendResult } from '../channel.js';
import {
  checkHttpUrl,
  classifiedResult,
  type HttpChannelOptions,
  httpSendResult,
  parseJsonBody,
  redact,
  requestOnce,
  urlSecrets,
} from '../http-send.js';
import { malformed, requiredPart } from '../message-text.js';
import { classifyHttpOutcome, OutboundError, parseRetryAfterMs } from '../outbound-http.js';
import { type SlackMessageBody, slackBlocks, slackFollowUp, slackNotice, slackText } from './slack-blocks.js';

/**
 * Slack, two ways (wire-formats.md §7):
 *
 * - **Incoming webhook**: the address is the webhook URL (`https://hooks.slack.com/services/…`; any
 *   URL the SSRF guard allows). Needs no configuration, but a webhook message cannot be edited, so an
 *   update is posted as a short follow-up, and its buttons are links to the signed pages.
 * - **App**: the address is a channel or user id (`C…`, `G…`, `D…`, `U…`, `W…`) and the bot token is
 *   server configuration. A page is `chat.postMessage` with interactive buttons; an update with the
 *   page's `channel:ts` replaces it with `chat.update`.
 *
 * Which one is decided by the address: `createSlackChannel` does that (and is the engine's `slack`
 * channel); `isSlackWebhookAddress` says the same for whoever needs to know beforehand, for instance to
 * read the right capabilities (`channelFor` in the registry).
 */

export function isSlackWebhookAddress(address: string): boolean {
  return /^https?:\/\//i.test(address);
}

// ---------------------------------------------------------------------------------------------
// Incoming webhook

export type SlackWebhookChannelOptions = HttpChannelOptions;

export function createSlackWebhookChannel(options: SlackWebhookChannelOptions): Channel {
  const clock = options.clock ?? { now: () => new Date() };
  return {
    type: 'slack',
    capabilities: { updatesInPlace: false, replies: false, deliveryReceipts: false },
    checkAddress: checkWebhookAddress,
    async send(message) {
      const address = message.contact.address;
      const problem = checkWebhookAddress(address);
      if (problem) return { outcome: 'permanent', reason: `the Slack webhook URL ${problem}` };
      const body = webhookBody(message);
      if (!body) return malformed(message, requiredPart(message));
      const result = await requestOnce(options.http, {
        method: 'POST',
        url: address,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ ...body, unfurl_links: false, unfurl_media: false }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
      // Slack answers 200 "ok", or a status with a plain-text error ("channel_not_found").
      return classifiedResult('Slack', result, clock.now(), {
        success: 'delivered',
        secrets: urlSecrets(address),
      });
    },
  };
}

function checkWebhookAddress(address: string): string | null {
  return checkHttpUrl(address);
}

function webhookBody(message: OutboundMessage): SlackMessageBody | undefined {
  const { incident } = message;
  const buttons = { kind: 'links', links: message.links } as const;
  if (message.kind === 'page')
    return incident && { text: slackText(incident), blocks: slackBlocks(incident, buttons) };
  if (message.kind === 'update') return incident && slackFollowUp(incident, buttons);
  return slackNotice(message);
}

// ---------------------------------------------------------------------------------------------
// App (bot token, Web API)

export interface SlackAppChannelOptions extends HttpChannelOptions {
  /** `xoxb-…`. */
  botToken: string;
  /** `https://slack.com/api` by default. */
  apiBaseUrl?: string;
}

/** Slack ids: channels C…/G…, DMs D…, users U…/W…. */
const SLACK_ID = /^[CDGUW][A-Z0-9]{2,}$/;

/** Errors worth trying again; every other `ok:false` will fail the same way next time. */
const TEMPORARY_ERRORS = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/** chat.update failed because the original cannot be edited any more: post the update anew. */
const REPOST_ERRORS = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);

type ApiAnswer =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; error?: string; result: SendResult };

export function createSlackAppChannel(options: SlackAppChannelOptions): Channel {
  const clock = options.clock ?? { now: () => new Date() };
  const base = (options.apiBaseUrl ?? 'https://slack.com/api').replace(/\/+$/, '');
  const secrets = [options.botToken];

  async function call(
    method: 'chat.postMessage' | 'chat.update',
    args: Record<string, unknown>,
  ): Promise<ApiAnswer> {
    const result = await requestOnce(options.http, {
      method: 'POST',
      url: `${base}/${method}`,
      headers: {
        authorization: `Bearer ${options.botToken}`,
        'content-type': 'application/json; charset=utf-8',
      },
      body: JSON.stringify(args),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    const now = clock.now();
    const outcome = classifyHttpOutcome(result, now);
    if (result instanceof OutboundError || outcome.outcome !== 'success')
      return {
        ok: false,
        result: httpSendResult('Slack', result, outcome, { success: 'delivered', secrets }),
      };

    // The Web API answers HTTP 200 for its own errors: {"ok":false,"error":"channel_not_found"}.
    const body = parseJsonBody(result.body);
    if (typeof body !== 'object' || body === null)
      return {
        ok: false,
        result: {
          outcome: 'temporary',
          reason: `Slack answered HTTP ${result.status} with a body that is not JSON`,
        },
      };
    const answer = body as Record<string, unknown>;
    if (answer.ok === true) return { ok: true, body: answer };
    const error = typeof answer.error === 'string' ? answer.error : 'unknown_error';
    const needed = typeof answer.needed === 'string' ? ` (needs the ${answer.needed} scope)` : '';
    const reason = redact(`Slack refused ${method}: ${error}${needed}`, secrets);
    if (!TEMPORARY_ERRORS.has(error)) return { ok: false, error, result: { outcome: 'permanent', reason } };
    const retryAfterMs = parseRetryAfterMs(result.headers['retry-after'], now);
    return {
      ok: false,
      error,
      result:
        retryAfterMs === undefined
          ? { outcome: 'temporary', reason }
          : { outcome: 'temporary', reason, retryAfterMs },
    };
  }

  async function post(channel: string, body: SlackMessageBody): Promise<SendResult> {
    const answer = await call('chat.postMessage', {
      channel,
      ...body,
      unfurl_links: false,
      unfurl_media: false,
    });
    if (!answer.ok) return answer.result;
    // A user id (U…) posts to the DM channel (D…): that is the id chat.update needs later.
    const postedIn = typeof answer.body.channel === 'string' ? answer.body.channel : channel;
    const ts = typeof answer.body.ts === 'string' ? answer.body.ts : undefined;
    return ts === undefined
      ? { outcome: 'delivered', reason: 'Slack posted the message' }
      : { outcome: 'delivered', reason: 'Slack posted the message', providerId: `${postedIn}:${ts}` };
  }

  return {
    type: 'slack',
    capabilities: { updatesInPlace: true, replies: true, deliveryReceipts: false },
    checkAddress: checkSlackId,
    async send(message) {
      const address = message.contact.address;
      const problem = checkSlackId(address);
      if (problem) return { outcome: 'permanent', reason: `the Slack address ${problem}` };
      const { incident } = message;
      const buttons = { kind: 'interactive' } as const;

      if (message.kind === 'page') {
        if (!incident) return malformed(message, 'incident');
        return post(address, { text: slackText(incident), blocks: slackBlocks(incident, buttons) });
      }
      if (message.kind === 'update') {
        if (!incident) return malformed(message, 'incident');
        const original = parseProviderId(message.previousProviderId);
        if (original) {
          const answer = await call('chat.update', {
            channel: original.channel,
            ts: original.ts,
            text: slackText(incident),
            blocks: slackBlocks(incident, buttons),
          });
          if (answer.ok)
            return {
              outcome: 'delivered',
              reason: 'Slack updated the message',
              providerId: message.previousProviderId!,
            };
          if (!answer.error || !REPOST_ERRORS.has(answer.error)) return answer.result;
        }
        return post(address, slackFollowUp(incident, buttons));
      }
      const notice = slackNotice(message);
      if (!notice) return malformed(message, requiredPart(message));
      return post(address, notice);
    },
  };
}

function checkSlackId(address: string): string | null {
  if (SLACK_ID.test(address)) return null;
  return 'must be a Slack channel or user id (C…, G…, D…, U…, W…) or an incoming-webhook URL';
}

/** `channel:ts`, as `post` builds it. */
export function parseProviderId(providerId: string | undefined): { channel: string; ts: string } | undefined {
  const match = providerId === undefined ? null : /^([A-Z0-9]+):(\d+\.\d+)$/.exec(providerId);
  return match ? { channel: match[1]!, ts: match[2]! } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Both, by address

export interface SlackChannelOptions extends HttpChannelOptions {
  /** Without it only webhook addresses work. */
  botToken?: string;
  apiBaseUrl?: string;
}

/**
 * The `slack` channel: webhook URLs go to the webhook channel, ids to the app channel. Its
 * capabilities are the app's when a bot token is configured; `channelFor` in the registry hands out
 * the exact one per address.
 */
export function createSlackChannel(options: SlackChannelOptions): Channel {
  const webhook = createSlackWebhookChannel(options);
  const app = options.botToken
    ? createSlackAppChannel({ ...options, botToken: options.botToken })
    : undefined;
  const noApp =
    'is a Slack id, which needs the Slack app (no bot token is configured); use an incoming-webhook URL';
  return {
    type: 'slack',
    capabilities: (app ?? webhook).capabilities,
    checkAddress(address) {
      if (isSlackWebhookAddress(address)) return webhook.checkAddress(address);
      if (app) return app.checkAddress(address);
      return checkSlackId(address) === null ? noApp : checkSlackId(address);
    },
    async send(message) {
      if (isSlackWebhookAddress(message.contact.address)) return webhook.send(message);
      if (app) return app.send(message);
      return { outcome: 'permanent', reason: `the Slack address ${noApp}` };
    },
  };
}
