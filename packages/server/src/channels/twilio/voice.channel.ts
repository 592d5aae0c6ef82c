import type { Channel, OutboundMessage } from '../channel.js';
import { malformed, oneLine, requiredPart, summaryIncidents, truncate } from '../message-text.js';
import {
  checkPhoneNumber,
  createTwilioResource,
  statusCallbackParams,
  type TwilioOptions,
} from './twilio-api.js';

/**
 * Phone calls through a Twilio-compatible API, with the TwiML inline (`Twiml`, ≤ 4000 characters), so
 * Twilio need not call back to fetch it. A page reads the incident and gathers one key: 4 to
 * acknowledge, 6 to resolve; Twilio POSTs the key to `voiceGatherUrl?n={notification id}`.
 */

export interface TwilioVoiceChannelOptions extends TwilioOptions {
  /** Our keypad webhook (`/webhooks/twilio/voice`); `n` (the notification id) is added to its query. */
  voiceGatherUrl: string;
}

export const VOICE_KEYS = { acknowledge: '4', resolve: '6' } as const;

export function createTwilioVoiceChannel(options: TwilioVoiceChannelOptions): Channel {
  return {
    type: 'voice',
    capabilities: {
      updatesInPlace: false,
      replies: true,
      deliveryReceipts: options.statusCallbackUrl !== undefined,
    },
    checkAddress: checkPhoneNumber,
    async send(message) {
      const problem = checkPhoneNumber(message.contact.address);
      if (problem) return { outcome: 'permanent', reason: `the number ${problem}` };
      const twiml = voiceTwiml(message, options.voiceGatherUrl);
      if (twiml === undefined) return malformed(message, requiredPart(message));
      const params = new URLSearchParams({ To: message.contact.address, From: options.from, Twiml: twiml });
      statusCallbackParams(options, params);
      if (options.statusCallbackUrl)
        for (const event of ['initiated', 'ringing', 'answered', 'completed'])
          params.append('StatusCallbackEvent', event);
      return createTwilioResource(options, 'Calls', params, message.id);
    },
  };
}

/**
 * The TwiML of a call. A page:
 * `<Response><Gather numDigits="1" action="{gatherUrl}?n={id}" method="POST"><Say>…incident…</Say>
 * <Say>Press 4 to acknowledge, 6 to resolve.</Say></Gather><Say>No key was pressed. Goodbye.</Say></Response>`.
 * Undefined when the message lacks what its kind needs. Pure; every value is XML-escaped.
 */
export function voiceTwiml(message: OutboundMessage, gatherUrl: string): string | undefined {
  const { incident } = message;
  switch (message.kind) {
    case 'page': {
      if (!incident) return undefined;
      const action = new URL(gatherUrl);
      action.searchParams.set('n', message.id);
      const about = [
        `This is Vigil. Incident ${incident.number}, ${incident.urgency} urgency`,
        incident.priority ? `, priority ${speakable(incident.priority, 20)}` : '',
        `, on ${speakable(incident.serviceName, 80)}: ${speakable(incident.title, 300)}.`,
      ].join('');
      const prompt =
        incident.status === 'triggered'
          ? `Press ${VOICE_KEYS.acknowledge} to acknowledge, ${VOICE_KEYS.resolve} to resolve.`
          : `Press ${VOICE_KEYS.resolve} to resolve.`;
      return response(
        `<Gather numDigits="1" action="${xml(action.toString())}" method="POST" timeout="8">` +
          `${say(about)}${say(prompt)}${say(`Again: ${prompt}`)}</Gather>` +
          say('No key was pressed. Goodbye.'),
      );
    }
    case 'update': {
      if (!incident) return undefined;
      const who = incident.changedBy ? ` by ${speakable(incident.changedBy, 60)}` : '';
      return response(
        say(
          `This is Vigil. Incident ${incident.number}, ${speakable(incident.title, 300)}, was ${incident.status}${who}. Goodbye.`,
        ),
      );
    }
    case 'test':
      return response(say('This is a test call from Vigil. Calls to this number work. Goodbye.'));
    case 'verification': {
      const code = message.verificationCode;
      if (code === undefined) return undefined;
      // Digit by digit, twice: "4, 8, 2, 9, 1, 3".
      const spoken = code.split('').join(', ');
      return response(say(`Your Vigil verification code is ${spoken}. Again: ${spoken}. Goodbye.`));
    }
    case 'summary': {
      const incidents = summaryIncidents(message);
      const list = incidents
        .slice(0, 5)
        .map((i) => `Incident ${i.number}: ${speakable(i.title, 120)}.`)
        .join(' ');
      return response(
        say(
          `This is Vigil. ${incidents.length} incidents need attention. ${list} Open Vigil to respond. Goodbye.`,
        ),
      );
    }
    case 'notice': {
      // Nothing to press: the title and the body are read, and the call ends. The lengths keep the
      // TwiML under Twilio's 4000 characters even if every character needs escaping.
      const { notice } = message;
      if (!notice) return undefined;
      const body = speakable(notice.body, 450);
      return response(
        say(`This is Vigil. ${sentence(speakable(notice.title, 150))}`) +
          (body ? say(sentence(body)) : '') +
          say('Goodbye.'),
      );
    }
  }
}

/** Text read as a sentence: ends in a full stop unless it already ends in one, "?" or "!". */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function response(inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${inner}</Response>`;
}

function say(text: string): string {
  return `<Say>${xml(text)}</Say>`;
}

function speakable(text: string, max: number): string {
  return truncate(oneLine(text), max, '');
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function xml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ESCAPES[char]!);
}
