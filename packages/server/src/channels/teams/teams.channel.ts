import type { Channel, IncidentSummary, OutboundMessage } from '../channel.js';
import {
  checkHttpUrl,
  classifiedResult,
  type HttpChannelOptions,
  requestOnce,
  urlSecrets,
} from '../http-send.js';
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
  utcTime,
} from '../message-text.js';

/**
 * Microsoft Teams through a Workflows webhook ("post to a channel when a webhook request is
 * received", wire-formats.md §8) with an Adaptive Card 1.4. The URL carries its own `sig` secret and
 * is never put in a reason. Cards posted by a Workflow cannot call us back, so the buttons are
 * Action.OpenUrl to the signed acknowledge / resolve pages. The webhook answers 202 before the flow
 * runs: a card the flow then fails to post is only visible in the flow's run history.
 */

export type TeamsChannelOptions = HttpChannelOptions;

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export function createTeamsChannel(options: TeamsChannelOptions): Channel {
  const clock = options.clock ?? { now: () => new Date() };
  return {
    type: 'teams',
    capabilities: { updatesInPlace: false, replies: false, deliveryReceipts: false },
    checkAddress: checkHttpUrl,
    async send(message) {
      const address = message.contact.address;
      const problem = checkHttpUrl(address);
      if (problem) return { outcome: 'permanent', reason: `the Teams workflow URL ${problem}` };
      const card = teamsCard(message);
      if (!card) return malformed(message, requiredPart(message));
      const result = await requestOnce(options.http, {
        method: 'POST',
        url: address,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(teamsMessage(card)),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
      return classifiedResult('Teams', result, clock.now(), {
        success: 'delivered',
        secrets: urlSecrets(address),
      });
    },
  };
}

/** The webhook body: one Adaptive Card attachment. */
export function teamsMessage(card: AdaptiveCard) {
  return {
    type: 'message',
    attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: card }],
  };
}

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.4';
  msteams: { width: 'Full' };
  body: Record<string, unknown>[];
  actions: Record<string, unknown>[];
}

/** The card a message becomes; undefined when the message lacks what its kind needs. Pure. */
export function teamsCard(message: OutboundMessage): AdaptiveCard | undefined {
  switch (message.kind) {
    case 'page':
    case 'update':
      return message.incident && incidentCard(message, message.incident);
    case 'test':
      return card([heading('Vigil test'), text('Notifications to this Teams channel work.')], []);
    case 'verification':
      return message.verificationCode === undefined
        ? undefined
        : card(
            [
              heading('Vigil verification code'),
              text(message.verificationCode, { size: 'ExtraLarge', weight: 'Bolder' }),
            ],
            [],
          );
    case 'summary': {
      const incidents = summaryIncidents(message);
      if (incidents.length === 0) return card([heading('Vigil'), text(truncate(message.text, 2000))], []);
      // 28 KB is Teams' limit for a message; twenty lines stay far below it.
      const shown = incidents.slice(0, 20);
      return card(
        [
          heading(`${incidents.length} incidents need attention`),
          {
            type: 'FactSet',
            facts: shown.map((incident) => ({
              title: `#${incident.number}`,
              value: `${truncate(oneLine(incident.title), 200)} (${oneLine(incident.serviceName)}, ${statusLine(incident)})`,
            })),
          },
          ...(incidents.length > shown.length ? [text(`… and ${incidents.length - shown.length} more`)] : []),
        ],
        [],
      );
    }
    case 'notice':
      return message.notice && noticeCard(message.notice);
  }
}

/** The title, the body line by line (a blank line starts a paragraph), and a button into Vigil. */
function noticeCard(notice: NonNullable<OutboundMessage['notice']>): AdaptiveCard {
  const lines = noticeLines(truncate(notice.body, 4000));
  const paragraphs = lines.flatMap((line, i) =>
    line === '' ? [] : [text(line, i > 0 && lines[i - 1] !== '' ? { spacing: 'None' } : {})],
  );
  const open = safeLink(notice.url);
  return card(
    [heading(truncate(oneLine(notice.title), 300)), ...paragraphs],
    open ? [openUrl('Open in Vigil', open)] : [],
  );
}

const STATUS_COLOR = { triggered: 'Attention', acknowledged: 'Warning', resolved: 'Good' } as const;

function incidentCard(message: OutboundMessage, incident: IncidentSummary): AdaptiveCard {
  const can = openActions(incident);
  const ack = can.acknowledge ? safeLink(message.links?.acknowledge) : undefined;
  const resolve = can.resolve ? safeLink(message.links?.resolve) : undefined;
  const open = safeLink(incident.htmlUrl);
  const facts = [
    { title: 'Service', value: oneLine(incident.serviceName) },
    { title: 'Urgency', value: urgencyWord(incident) },
    ...(incident.priority ? [{ title: 'Priority', value: oneLine(incident.priority) }] : []),
    { title: 'Started', value: utcTime(incident.createdAt) },
  ];
  return card(
    [
      heading(truncate(incidentLabel(incident), 300)),
      text(statusLine(incident), { weight: 'Bolder', color: STATUS_COLOR[incident.status], spacing: 'None' }),
      { type: 'FactSet', facts },
    ],
    [
      ...(ack ? [openUrl('Acknowledge', ack, 'positive')] : []),
      ...(resolve ? [openUrl('Resolve', resolve)] : []),
      ...(open ? [openUrl('Open incident', open)] : []),
    ],
  );
}

function card(body: Record<string, unknown>[], actions: Record<string, unknown>[]): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.4',
    msteams: { width: 'Full' },
    body,
    actions,
  };
}

function heading(value: string) {
  return text(value, { size: 'Large', weight: 'Bolder' });
}

function text(value: string, style: Record<string, string> = {}) {
  return { type: 'TextBlock', text: value, wrap: true, ...style };
}

function openUrl(title: string, url: string, style?: 'positive' | 'destructive') {
  return { type: 'Action.OpenUrl', title, url, ...(style ? { style } : {}) };
}
