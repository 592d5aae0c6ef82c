import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FailureControls } from './failure-controls.js';
import { sendBody } from './failure-controls.js';
import { type AppResponse, callApp, formFields, type LoggedRequest, startHttpFake } from './http-fake.js';
import { Recorder, truncate } from './recorder.js';

/**
 * A Slack-like peer (wire-formats.md §7): incoming webhooks, the two Web API methods a living incident
 * message needs (`chat.postMessage`, `chat.update`), and helpers that play Slack calling the app — a
 * button click and a slash command, signed with the signing secret.
 */

export interface SlackFakeOptions {
  botToken: string;
  signingSecret: string;
  /** The clock the signatures' timestamps come from; pass the app's `ManualClock` when it checks freshness. */
  clock?: { now(): Date };
}

/** A POST to an incoming webhook (`/hooks/…`). */
export interface SlackWebhookPost {
  /** The path after `/hooks/`, which names the webhook. */
  hook: string;
  payload: Record<string, any>;
  receivedAt: Date;
}

/** A Web API call the fake answered `ok: true`. */
export interface SlackApiCall {
  method: 'chat.postMessage' | 'chat.update';
  channel: string;
  ts: string;
  /** The arguments as sent, without the token. */
  payload: Record<string, any>;
  receivedAt: Date;
}

/** A message as it stands in a channel: the last posted or updated version, and every version before. */
export interface SlackMessage {
  channel: string;
  ts: string;
  /** Current content: `text`, `blocks`, `attachments` … as the app sent them. */
  payload: Record<string, any>;
  /** Every version, oldest first; the last one is `payload`. */
  history: Record<string, any>[];
}

/** A POST the app made to an interaction's `response_url`. */
export interface SlackResponseUrlPost {
  channel: string;
  messageTs: string;
  payload: Record<string, any>;
  receivedAt: Date;
}

export interface ClickButtonOptions {
  /** The app's interactivity Request URL. */
  toUrl: string;
  /** The message whose button is clicked; the button must be in its blocks. */
  message: SlackMessage | SlackApiCall;
  actionId: string;
  /** Overrides the button's own `value`. */
  value?: string;
  userId: string;
  userName: string;
  /** Sign with a timestamp 10 minutes old, which the app must refuse (replay protection). */
  staleTimestamp?: boolean;
  /** Send a signature made with another secret. */
  badSignature?: boolean;
}

export interface SlashCommandOptions {
  toUrl: string;
  command: string;
  text: string;
  userId: string;
  userName?: string;
  channelId?: string;
  staleTimestamp?: boolean;
  badSignature?: boolean;
}

export interface SlackFake extends Omit<FailureControls, 'intercept'> {
  url: string;
  port: number;
  /** The Web API base the app should use, `<url>/api/` (as `https://slack.com/api/`). */
  apiUrl: string;
  /** An incoming-webhook URL on the fake (`<url>/hooks/<name>`). */
  webhookUrl(name?: string): string;
  webhooks: Recorder<SlackWebhookPost>;
  /** `chat.postMessage` and `chat.update` calls, in order. */
  apiCalls: Recorder<SlackApiCall>;
  responseUrlPosts: Recorder<SlackResponseUrlPost>;
  /** The message as it stands now; throws if there is none. */
  message(channel: string, ts: string): SlackMessage;
  /** Messages in a channel, oldest first. */
  messagesIn(channel: string): SlackMessage[];
  requestLog: LoggedRequest[];
  clickButton(options: ClickButtonOptions): Promise<AppResponse>;
  slashCommand(options: SlashCommandOptions): Promise<AppResponse>;
  close(): Promise<void>;
}

/** Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` keyed by the secret. */
export function slackSignature(signingSecret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`, 'utf8').digest('hex')}`;
}

const TEAM = { id: 'T0VIGILTEST', domain: 'vigil-test' };
const APP_ID = 'A0VIGILTEST';

export async function startSlackFake(options: SlackFakeOptions): Promise<SlackFake> {
  const clock = options.clock ?? { now: () => new Date() };
  const webhooks = new Recorder<SlackWebhookPost>(
    'Slack webhook posts',
    (p) => `/hooks/${p.hook}: ${truncate(JSON.stringify(p.payload), 200)}`,
  );
  const apiCalls = new Recorder<SlackApiCall>(
    'Slack API calls',
    (c) => `${c.method} ${c.channel} ${c.ts}: ${truncate(JSON.stringify(c.payload), 200)}`,
  );
  const responseUrlPosts = new Recorder<SlackResponseUrlPost>('Slack response_url posts');
  const messages = new Map<string, SlackMessage>();
  const responseUrls = new Map<string, { channel: string; ts: string }>();
  const key = (channel: string, ts: string) => `${channel}\n${ts}`;
  let lastTs = 0;

  const http = await startHttpFake(
    (req, res, rawBody) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (req.method === 'POST' && path.startsWith('/hooks/')) return incomingWebhook(res, path, rawBody);
      if (req.method === 'POST' && path.startsWith('/response/')) return responseUrl(res, path, rawBody);
      if (req.method === 'POST' && (path === '/api/chat.postMessage' || path === '/api/chat.update')) {
        return webApi(req, res, path.slice('/api/'.length) as SlackApiCall['method'], rawBody);
      }
      sendBody(res, 404, 'not_found');
    },
    // Rate-limited and failing Web API calls carry `ok:false`; webhooks answer plain text. Both parse.
    (status) => (status === 429 ? { ok: false, error: 'ratelimited' } : { ok: false, error: 'fatal_error' }),
  );

  function incomingWebhook(res: ServerResponse, path: string, rawBody: Buffer) {
    const payload = parseJson(rawBody);
    if (!isObject(payload)) return sendBody(res, 400, 'invalid_payload');
    if (payload.text === undefined && payload.blocks === undefined && payload.attachments === undefined) {
      return sendBody(res, 400, 'missing_text_or_fallback_or_attachments');
    }
    webhooks.record({ hook: path.slice('/hooks/'.length), payload, receivedAt: new Date() });
    sendBody(res, 200, 'ok');
  }

  function webApi(
    req: IncomingMessage,
    res: ServerResponse,
    method: SlackApiCall['method'],
    rawBody: Buffer,
  ) {
    const json = (req.headers['content-type'] ?? '').startsWith('application/json');
    const args: Record<string, any> | undefined = json ? asObject(parseJson(rawBody)) : formArgs(rawBody);
    if (!args) return sendBody(res, 200, { ok: false, error: 'invalid_json' });
    // Slack takes the token from the header, or from the form body.
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
    delete args.token;
    if (token === undefined) return sendBody(res, 200, { ok: false, error: 'not_authed' });
    if (token !== options.botToken) return sendBody(res, 200, { ok: false, error: 'invalid_auth' });
    const channel = args.channel;
    if (typeof channel !== 'string' || channel === '') {
      return sendBody(res, 200, { ok: false, error: 'channel_not_found' });
    }
    if (args.text === undefined && args.blocks === undefined && args.attachments === undefined) {
      return sendBody(res, 200, { ok: false, error: 'no_text' });
    }
    const receivedAt = new Date();
    if (method === 'chat.postMessage') {
      const ts = nextTs();
      messages.set(key(channel, ts), { channel, ts, payload: args, history: [args] });
      apiCalls.record({ method, channel, ts, payload: args, receivedAt });
      return sendBody(res, 200, { ok: true, channel, ts, message: asSlackMessage(ts, args) });
    }
    const ts = String(args.ts ?? '');
    const stored = messages.get(key(channel, ts));
    if (!stored) return sendBody(res, 200, { ok: false, error: 'message_not_found' });
    replace(stored, args);
    apiCalls.record({ method, channel, ts, payload: args, receivedAt });
    sendBody(res, 200, { ok: true, channel, ts, text: args.text ?? '', message: asSlackMessage(ts, args) });
  }

  function responseUrl(res: ServerResponse, path: string, rawBody: Buffer) {
    const target = responseUrls.get(path.slice('/response/'.length));
    const payload = asObject(parseJson(rawBody));
    if (!target) return sendBody(res, 404, 'no_such_response_url');
    if (!payload) return sendBody(res, 400, 'invalid_payload');
    responseUrlPosts.record({
      channel: target.channel,
      messageTs: target.ts,
      payload,
      receivedAt: new Date(),
    });
    const stored = messages.get(key(target.channel, target.ts));
    if (stored && payload.replace_original === true) replace(stored, payload);
    if (stored && payload.delete_original === true) messages.delete(key(target.channel, target.ts));
    sendBody(res, 200, 'ok');
  }

  function replace(stored: SlackMessage, args: Record<string, any>) {
    stored.payload = args;
    stored.history.push(args);
  }

  /** Message timestamps are unique per channel and increase: "seconds.micro-ish counter". */
  function nextTs(): string {
    const micros = Math.max(Date.now() * 1000, lastTs + 1);
    lastTs = micros;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  function signedPost(
    toUrl: string,
    body: string,
    sign: { staleTimestamp?: boolean | undefined; badSignature?: boolean | undefined },
  ) {
    const timestamp = Math.floor(clock.now().getTime() / 1000) - (sign.staleTimestamp ? 600 : 0);
    const secret = sign.badSignature ? `${options.signingSecret}-wrong` : options.signingSecret;
    return callApp(toUrl, {
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': slackSignature(secret, timestamp, body),
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      },
      body,
    });
  }

  function newResponseUrl(channel: string, ts: string): string {
    const id = randomBytes(8).toString('hex');
    responseUrls.set(id, { channel, ts });
    return `${http.url}/response/${id}`;
  }

  const { intercept: _intercept, ...controls } = http.controls;
  const fake: SlackFake = {
    ...controls,
    url: http.url,
    port: http.port,
    apiUrl: `${http.url}/api/`,
    webhookUrl: (name = 'T0VIGILTEST/B0VIGILTEST/fakewebhooksecret') => `${http.url}/hooks/${name}`,
    webhooks,
    apiCalls,
    responseUrlPosts,
    message(channel, ts) {
      const stored = messages.get(key(channel, ts));
      if (!stored) throw new Error(`no Slack message ${channel} ${ts}`);
      return stored;
    },
    messagesIn: (channel) => [...messages.values()].filter((m) => m.channel === channel),
    requestLog: http.requestLog,
    async clickButton(click) {
      const { channel, ts } = click.message;
      // Click what the user sees now: the current version of the message, not the one first posted.
      const current = messages.get(key(channel, ts))?.payload ?? click.message.payload;
      const found = findButton(current, click.actionId);
      if (!found) {
        throw new Error(
          `message ${channel} ${ts} has no button "${click.actionId}"; it has: ${buttonsOf(current).join(', ') || 'none'}`,
        );
      }
      const actionTs = (clock.now().getTime() / 1000).toFixed(6);
      const payload = {
        type: 'block_actions',
        user: { id: click.userId, username: click.userName, name: click.userName, team_id: TEAM.id },
        api_app_id: APP_ID,
        token: 'deprecated-verification-token',
        container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false },
        trigger_id: `${Date.now()}.${randomBytes(6).toString('hex')}`,
        team: TEAM,
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: channel, name: channel.replace(/^#/, '') },
        message: asSlackMessage(ts, current),
        state: { values: {} },
        response_url: newResponseUrl(channel, ts),
        actions: [
          {
            type: 'button',
            action_id: click.actionId,
            block_id: found.blockId,
            text: found.button.text,
            value: click.value ?? found.button.value,
            ...(found.button.style ? { style: found.button.style } : {}),
            action_ts: actionTs,
          },
        ],
      };
      return signedPost(
        click.toUrl,
        new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
        click,
      );
    },
    async slashCommand(command) {
      const channelId = command.channelId ?? 'C0VIGILTEST';
      const body = new URLSearchParams({
        token: 'deprecated-verification-token',
        team_id: TEAM.id,
        team_domain: TEAM.domain,
        channel_id: channelId,
        channel_name: 'incidents',
        user_id: command.userId,
        user_name: command.userName ?? command.userId,
        command: command.command,
        text: command.text,
        api_app_id: APP_ID,
        response_url: newResponseUrl(channelId, ''),
        trigger_id: `${Date.now()}.${randomBytes(6).toString('hex')}`,
      }).toString();
      return signedPost(command.toUrl, body, command);
    },
    close: http.close,
  };
  return fake;
}

interface Button {
  text: unknown;
  value?: string;
  style?: string;
}

function findButton(
  payload: Record<string, any>,
  actionId: string,
): { button: Button; blockId: string } | undefined {
  for (const block of arrayOf(payload.blocks)) {
    const elements = [...arrayOf(block.elements), ...(block.accessory ? [block.accessory] : [])];
    const button = elements.find((e) => e?.type === 'button' && e.action_id === actionId);
    // Slack fills in a block_id when the app gave none.
    if (button) return { button, blockId: block.block_id ?? 'auto-block-id' };
  }
  return undefined;
}

function buttonsOf(payload: Record<string, any>): string[] {
  return arrayOf(payload.blocks).flatMap((block) =>
    [...arrayOf(block.elements), ...(block.accessory ? [block.accessory] : [])]
      .filter((e) => e?.type === 'button')
      .map((e) => String(e.action_id)),
  );
}

/** The message as Slack hands it back: what the app sent plus type and ts. */
function asSlackMessage(ts: string, args: Record<string, any>) {
  return {
    type: 'message',
    subtype: 'bot_message',
    bot_id: 'B0VIGILTEST',
    app_id: APP_ID,
    ts,
    text: args.text ?? '',
    ...(args.blocks ? { blocks: args.blocks } : {}),
    ...(args.attachments ? { attachments: args.attachments } : {}),
  };
}

/** Form-encoded Web API arguments; `blocks` and `attachments` then arrive as JSON strings. */
function formArgs(rawBody: Buffer): Record<string, any> {
  const args: Record<string, any> = formFields(rawBody);
  for (const name of ['blocks', 'attachments']) {
    if (typeof args[name] === 'string') args[name] = parseJson(Buffer.from(args[name]));
  }
  return args;
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): Record<string, any> | undefined {
  return isObject(value) ? value : undefined;
}

function arrayOf(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}
