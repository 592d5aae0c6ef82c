import type { Channel, IncidentSummary, OutboundMessage } from '../channel.js';
import { malformed, oneLine, requiredPart, summaryIncidents, truncate } from '../message-text.js';
import {
  checkPhoneNumber,
  createTwilioResource,
  statusCallbackParams,
  type TwilioOptions,
} from './twilio-api.js';

/**
 * SMS through a Twilio-compatible API. A page fits one 160-character segment when it can (the title
 * is shortened, never the reply instructions; of a notice, the body before the title), in GSM-7
 * characters: one curly quote or "…" would switch the whole message to UCS-2 and 70 characters a
 * segment.
 */

export type TwilioSmsChannelOptions = TwilioOptions;

/** One GSM-7 segment. */
export const SMS_SEGMENT = 160;

export function createTwilioSmsChannel(options: TwilioSmsChannelOptions): Channel {
  return {
    type: 'sms',
    capabilities: {
      updatesInPlace: false,
      replies: true,
      deliveryReceipts: options.statusCallbackUrl !== undefined,
      maxTextLength: SMS_SEGMENT,
    },
    checkAddress: checkPhoneNumber,
    async send(message) {
      const problem = checkPhoneNumber(message.contact.address);
      if (problem) return { outcome: 'permanent', reason: `the number ${problem}` };
      const body = smsText(message);
      if (body === undefined) return malformed(message, requiredPart(message));
      const params = new URLSearchParams({ To: message.contact.address, From: options.from, Body: body });
      statusCallbackParams(options, params);
      return createTwilioResource(options, 'Messages', params, message.id);
    },
  };
}

/**
 * The text of an SMS: `Vigil #42 [P1] Disk full on db-1 (Checkout). Reply 3a to ack, 3r to resolve`.
 * Undefined when the message lacks what its kind needs.
 */
export function smsText(message: OutboundMessage): string | undefined {
  const { incident, replyCode } = message;
  switch (message.kind) {
    case 'page': {
      if (!incident) return undefined;
      const prefix = `Vigil #${incident.number} [${gsm(incident.priority ?? incident.urgency)}] `;
      const service = ` (${truncate(gsm(incident.serviceName), 30, '...')})`;
      const reply = replyCode === undefined ? '.' : `. Reply ${replyCode}a to ack, ${replyCode}r to resolve`;
      return fit(prefix, incident, `${service}${reply}`);
    }
    case 'update': {
      if (!incident) return undefined;
      const who = incident.changedBy ? ` by ${gsm(truncate(incident.changedBy, 30, '...'))}` : '';
      const prefix = `Vigil #${incident.number} ${incident.status}${who}: `;
      const reply =
        incident.status === 'acknowledged' && replyCode !== undefined
          ? `. Reply ${replyCode}r to resolve`
          : '';
      return fit(prefix, incident, reply);
    }
    case 'test':
      return 'Vigil test: SMS notifications to this number work.';
    case 'verification':
      return message.verificationCode === undefined
        ? undefined
        : `Your Vigil verification code is ${message.verificationCode}`;
    case 'summary': {
      const incidents = summaryIncidents(message);
      if (incidents.length === 0) return truncate(gsm(message.text), SMS_SEGMENT, '...');
      const list = incidents.map((i) => `#${i.number} ${gsm(i.title)}`).join('; ');
      return truncate(`Vigil: ${incidents.length} incidents need attention: ${list}`, SMS_SEGMENT, '...');
    }
    case 'notice': {
      // "Vigil: You are on call for Payments. From now until Mon 9 Mar 09:00": the title whole when
      // it fits, the body shortened to what is left of the segment (or left out if hardly any is).
      const { notice } = message;
      if (!notice) return undefined;
      const prefix = 'Vigil: ';
      const title = truncate(gsm(notice.title), SMS_SEGMENT - prefix.length - 1, '...');
      const head = `${prefix}${title}${/[.!?]$/.test(title) ? '' : '.'}`;
      const body = gsm(notice.body);
      const room = SMS_SEGMENT - head.length - 1;
      return body === '' || room < 12 ? head : `${head} ${truncate(body, room, '...')}`;
    }
  }
}

/** prefix + title + suffix in one segment, shortening only the title (to no less than 20 characters). */
function fit(prefix: string, incident: IncidentSummary, suffix: string): string {
  const room = Math.max(SMS_SEGMENT - prefix.length - suffix.length, 20);
  return `${prefix}${truncate(gsm(incident.title), room, '...')}${suffix}`;
}

const GSM_LOOKALIKES: [RegExp, string][] = [
  [/[\u2018\u2019\u201a\u201b\u2032`]/g, "'"],
  [/[\u201c\u201d\u201e\u201f\u2033]/g, '"'],
  [/[\u2010-\u2015\u2212]/g, '-'],
  [/\u2026/g, '...'],
  [/[\u00a0\u2000-\u200b\u202f]/g, ' '],
];

/** Common typographic characters replaced by their GSM-7 look-alikes; whitespace collapsed. */
export function gsm(text: string): string {
  let out = oneLine(text);
  for (const [pattern, replacement] of GSM_LOOKALIKES) out = out.replace(pattern, replacement);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Replies

/** What an SMS reply asks for. */
export interface SmsReply {
  /**
   * The reply code of the page ("3" in "3a"), which names the incident; `null` when the reply named
   * none ("ack"): the recipient's most recent page.
   */
  code: number | null;
  action: 'acknowledge' | 'resolve';
}

const REPLY_WORDS: Record<string, SmsReply['action']> = {
  a: 'acknowledge',
  ack: 'acknowledge',
  acked: 'acknowledge',
  acknowledge: 'acknowledge',
  acknowledged: 'acknowledge',
  r: 'resolve',
  res: 'resolve',
  resolve: 'resolve',
  resolved: 'resolve',
};

/**
 * Reads a reply: "3a", "3 a", "3 ACK", "3r", "3 res", "3 resolve", "ack 3", or a bare "ack" / "a" /
 * "r" (code null). Case, surrounding spaces and a trailing "." or "!" do not matter. Anything else is
 * null, so the engine can answer with the usage instead of guessing.
 */
export function parseSmsReply(body: string): SmsReply | null {
  const text = body
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/[.!]+$/, '')
    .replace(/\s+/g, ' ');
  const codeFirst = /^(\d{1,9}) ?([a-z]+)$/.exec(text);
  if (codeFirst) return reply(Number(codeFirst[1]), codeFirst[2]!);
  const wordFirst = /^([a-z]+)(?: (\d{1,9}))?$/.exec(text);
  if (wordFirst) return reply(wordFirst[2] === undefined ? null : Number(wordFirst[2]), wordFirst[1]!);
  return null;
}

function reply(code: number | null, word: string): SmsReply | null {
  const action = Object.hasOwn(REPLY_WORDS, word) ? REPLY_WORDS[word] : undefined;
  return action ? { code, action } : null;
}
