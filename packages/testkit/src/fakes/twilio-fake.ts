import { createHmac, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FailureControls } from './failure-controls.js';
import { sendBody } from './failure-controls.js';
import { type AppResponse, callApp, formFields, type LoggedRequest, startHttpFake } from './http-fake.js';
import { Recorder } from './recorder.js';

/**
 * A Twilio-like REST API (wire-formats.md §9) for SMS and voice paging, plus helpers that play the phone
 * network calling back into the app: an inbound SMS reply, keys pressed during a call, status callbacks,
 * each signed with `X-Twilio-Signature` as Twilio signs them.
 */

const API_VERSION = '2010-04-01';

export interface TwilioFakeOptions {
  accountSid: string;
  authToken: string;
  /** Our side of inbound SMS when the app never sent to that number; Twilio's magic test number by default. */
  phoneNumber?: string;
}

export interface TwilioMessage {
  sid: string;
  accountSid: string;
  to: string;
  /** `null` when sent through a Messaging Service (`MessagingServiceSid`). */
  from: string | null;
  body: string;
  statusCallback: string | undefined;
  /** All form fields as sent (for a repeated name, the last value). */
  params: Record<string, string>;
  receivedAt: Date;
}

export interface TwilioCall {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  /** Inline TwiML, when the app sent `Twiml`. */
  twiml: string | undefined;
  /** Where Twilio would fetch the TwiML, when the app sent `Url`. */
  url: string | undefined;
  statusCallback: string | undefined;
  params: Record<string, string>;
  receivedAt: Date;
}

export interface TwilioFake extends Omit<FailureControls, 'intercept'> {
  url: string;
  port: number;
  /** Messages the API accepted (201); failed attempts are only in `requestLog`. */
  messages: Recorder<TwilioMessage>;
  calls: Recorder<TwilioCall>;
  requestLog: LoggedRequest[];
  /** The phone of `from` texts `body` to the app's inbound-SMS webhook at `toUrl`. */
  replySms(from: string, body: string, toUrl: string, options?: { to?: string }): Promise<AppResponse>;
  /** The callee presses `digits` during call `callSid`; posts the Gather result to `toUrl` (its `action`). */
  pressKeys(callSid: string, digits: string, toUrl: string): Promise<AppResponse>;
  /**
   * A status callback for a message (`SM…`: MessageStatus) or call (`CA…`: CallStatus) the fake accepted;
   * `toUrl` defaults to the StatusCallback the app gave.
   */
  sendStatus(
    sid: string,
    status: string,
    toUrl?: string,
    extra?: Record<string, string>,
  ): Promise<AppResponse>;
  close(): Promise<void>;
}

/**
 * Twilio's request signature: HMAC-SHA1 keyed by the auth token over the full URL followed by every POST
 * parameter sorted by name as name+value (values of a repeated name sorted too, as Twilio's own
 * validators do), base64.
 */
export function twilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string | string[]> | URLSearchParams = {},
): string {
  const byName = new Map<string, string[]>();
  const entries = params instanceof URLSearchParams ? [...params] : Object.entries(params);
  for (const [name, value] of entries) {
    byName.set(name, [...(byName.get(name) ?? []), ...(Array.isArray(value) ? value : [value])]);
  }
  let data = url;
  for (const name of [...byName.keys()].sort()) {
    for (const value of byName.get(name)!.sort()) data += name + value;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** E.164 (`+` and up to 15 digits), optionally behind a channel prefix such as `whatsapp:`. */
const PHONE = /^(?:[a-z]+:)?\+[1-9]\d{1,14}$/;

export async function startTwilioFake(options: TwilioFakeOptions): Promise<TwilioFake> {
  const { accountSid, authToken } = options;
  const ourNumber = options.phoneNumber ?? '+15005550006';
  const messages = new Recorder<TwilioMessage>(
    'Twilio messages',
    (m) => `${m.sid} to ${m.to} from ${m.from}: ${JSON.stringify(m.body)}`,
  );
  const calls = new Recorder<TwilioCall>('Twilio calls', (c) => `${c.sid} to ${c.to} from ${c.from}`);
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;

  const http = await startHttpFake(
    (req, res, rawBody) => {
      const match = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(
        new URL(req.url ?? '/', 'http://x').pathname,
      );
      if (req.method !== 'POST' || !match) {
        return twilioError(res, 404, 20404, `The requested resource ${req.url} was not found`);
      }
      if (req.headers.authorization !== expectedAuth) {
        return twilioError(res, 401, 20003, 'Authenticate');
      }
      if (match[1] !== accountSid) {
        return twilioError(res, 404, 20404, `The requested resource ${req.url} was not found`);
      }
      const params = formFields(rawBody);
      if (match[2] === 'Messages') createMessage(res, params);
      else createCall(res, params);
    },
    (status) => twilioErrorBody(status, status === 429 ? 20429 : status, statusText(status)),
  );

  function createMessage(res: ServerResponse, params: Record<string, string>) {
    const { To: to, From: from, Body: body = '', MessagingServiceSid: service } = params;
    if (!to) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
    if (!PHONE.test(to)) return twilioError(res, 400, 21211, `Invalid 'To' Phone Number: ${to}`);
    if (!from && !service) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
    if (from && !PHONE.test(from) && !/^[A-Za-z0-9 ]{1,11}$/.test(from)) {
      // Alphanumeric sender ids (≤ 11 characters) are allowed as well as numbers.
      return twilioError(res, 400, 21212, `Invalid From Number (caller ID): ${from}`);
    }
    if (!body && !params.MediaUrl && !params.ContentSid) {
      return twilioError(res, 400, 21602, 'Message body is required.');
    }
    if (body.length > 1600) {
      return twilioError(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    }
    const message: TwilioMessage = {
      sid: newSid('SM'),
      accountSid,
      to,
      from: from ?? null,
      body,
      statusCallback: params.StatusCallback,
      params,
      receivedAt: new Date(),
    };
    const created = rfc2822(message.receivedAt);
    sendBody(res, 201, {
      account_sid: accountSid,
      api_version: API_VERSION,
      body,
      date_created: created,
      date_sent: null,
      date_updated: created,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: message.from,
      messaging_service_sid: service ?? null,
      num_media: '0',
      // GSM-7 fits 160 characters in one segment, 153 each when split.
      num_segments: String(body.length <= 160 ? 1 : Math.ceil(body.length / 153)),
      price: null,
      price_unit: 'USD',
      sid: message.sid,
      // Through a Messaging Service Twilio first "accepts", then queues.
      status: from ? 'queued' : 'accepted',
      subresource_uris: {
        media: `/${API_VERSION}/Accounts/${accountSid}/Messages/${message.sid}/Media.json`,
      },
      to,
      uri: `/${API_VERSION}/Accounts/${accountSid}/Messages/${message.sid}.json`,
    });
    messages.record(message);
  }

  function createCall(res: ServerResponse, params: Record<string, string>) {
    const { To: to, From: from, Url: url, Twiml: twiml, ApplicationSid: application } = params;
    if (!to || !from) return twilioError(res, 400, 21200, "Both 'To' and 'From' are required.");
    if (!PHONE.test(to)) return twilioError(res, 400, 21211, `Invalid 'To' Phone Number: ${to}`);
    if (!PHONE.test(from)) return twilioError(res, 400, 21212, `Invalid 'From' Phone Number: ${from}`);
    const instructions = [url, twiml, application].filter((value) => value !== undefined);
    if (instructions.length !== 1) {
      return twilioError(res, 400, 21200, 'Exactly one of Url, Twiml or ApplicationSid is required.');
    }
    if (url !== undefined && !/^https?:\/\/[^/]+/.test(url)) {
      return twilioError(res, 400, 21205, `Url is not a valid URL: ${url}`);
    }
    if (twiml !== undefined && twiml.length > 4000) {
      return twilioError(res, 400, 21200, 'Twiml exceeds the 4000 character limit.');
    }
    const call: TwilioCall = {
      sid: newSid('CA'),
      accountSid,
      to,
      from,
      twiml,
      url,
      statusCallback: params.StatusCallback,
      params,
      receivedAt: new Date(),
    };
    const created = rfc2822(call.receivedAt);
    sendBody(res, 201, {
      account_sid: accountSid,
      answered_by: null,
      api_version: API_VERSION,
      caller_name: null,
      date_created: created,
      date_updated: created,
      direction: 'outbound-api',
      duration: null,
      end_time: null,
      from,
      from_formatted: from,
      parent_call_sid: null,
      phone_number_sid: null,
      price: null,
      price_unit: 'USD',
      sid: call.sid,
      start_time: null,
      status: 'queued',
      to,
      to_formatted: to,
      uri: `/${API_VERSION}/Accounts/${accountSid}/Calls/${call.sid}.json`,
    });
    calls.record(call);
  }

  /** POSTs signed form fields to the app, as Twilio's webhooks do. */
  function callback(toUrl: string, fields: Record<string, string>): Promise<AppResponse> {
    return callApp(toUrl, {
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(authToken, toUrl, fields),
        'user-agent': 'TwilioProxy/1.1',
      },
      body: new URLSearchParams(fields).toString(),
    });
  }

  function findCall(callSid: string): TwilioCall {
    const call = calls.all.find((c) => c.sid === callSid);
    if (!call)
      throw new Error(`the Twilio fake placed no call ${callSid}; calls: ${calls.all.map((c) => c.sid)}`);
    return call;
  }

  const { intercept: _intercept, ...controls } = http.controls;
  return {
    ...controls,
    url: http.url,
    port: http.port,
    messages,
    calls,
    requestLog: http.requestLog,
    async replySms(from, body, toUrl, replyOptions = {}) {
      // Reply to the number that paged this phone last, as a person answering the page would.
      const paged = messages.all.findLast((m) => m.to === from && m.from !== null);
      return callback(toUrl, {
        AccountSid: accountSid,
        ApiVersion: API_VERSION,
        Body: body,
        From: from,
        MessageSid: newSid('SM'),
        NumMedia: '0',
        NumSegments: '1',
        SmsMessageSid: newSid('SM'),
        SmsStatus: 'received',
        To: replyOptions.to ?? paged?.from ?? ourNumber,
      });
    },
    async pressKeys(callSid, digits, toUrl) {
      const call = findCall(callSid);
      return callback(toUrl, {
        AccountSid: accountSid,
        ApiVersion: API_VERSION,
        CallSid: call.sid,
        CallStatus: 'in-progress',
        Digits: digits,
        Direction: 'outbound-api',
        FinishedOnKey: '',
        From: call.from,
        To: call.to,
        msg: 'Gather End',
      });
    },
    async sendStatus(sid, status, toUrl, extra = {}) {
      if (sid.startsWith('SM')) {
        const message = messages.all.find((m) => m.sid === sid);
        if (!message) throw new Error(`the Twilio fake accepted no message ${sid}`);
        const url = toUrl ?? message.statusCallback;
        if (!url) throw new Error(`message ${sid} had no StatusCallback and no toUrl was given`);
        const failed = status === 'failed' || status === 'undelivered';
        return callback(url, {
          AccountSid: accountSid,
          ApiVersion: API_VERSION,
          From: message.from ?? ourNumber,
          MessageSid: sid,
          MessageStatus: status,
          SmsSid: sid,
          SmsStatus: status,
          To: message.to,
          // 30003: "Unreachable destination handset", a typical reason.
          ...(failed ? { ErrorCode: '30003' } : {}),
          ...extra,
        });
      }
      const call = findCall(sid);
      const url = toUrl ?? call.statusCallback;
      if (!url) throw new Error(`call ${sid} had no StatusCallback and no toUrl was given`);
      return callback(url, {
        AccountSid: accountSid,
        ApiVersion: API_VERSION,
        CallSid: sid,
        CallStatus: status,
        Direction: 'outbound-api',
        From: call.from,
        To: call.to,
        ...(status === 'completed' ? { CallDuration: '12' } : {}),
        ...extra,
      });
    },
    close: http.close,
  };
}

function newSid(prefix: 'SM' | 'CA'): string {
  return prefix + randomBytes(16).toString('hex');
}

function twilioErrorBody(status: number, code: number, message: string) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

function twilioError(res: ServerResponse, status: number, code: number, message: string): void {
  sendBody(res, status, twilioErrorBody(status, code, message));
}

function statusText(status: number): string {
  return status === 429 ? 'Too Many Requests' : status >= 500 ? 'Service Unavailable' : `HTTP ${status}`;
}

/** Twilio's date format: "Thu, 30 Jul 2015 20:12:31 +0000". */
function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}
