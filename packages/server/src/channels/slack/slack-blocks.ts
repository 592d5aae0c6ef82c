import type { IncidentSummary, OutboundMessage } from '../channel.js';
import {
  incidentLabel,
  noticeLines,
  oneLine,
  openActions,
  safeLink,
  statusLine,
  summaryIncidents,
  truncate,
  urgencyWord,
} from '../message-text.js';

/**
 * Block Kit for incident messages (wire-formats.md §7.2), pure so the tests and the engine can look
 * at what a person sees. The buttons follow the incident: Acknowledge and Resolve while triggered,
 * Resolve while acknowledged, none once resolved.
 *
 * Two kinds of buttons: the app's are interactive (Slack posts the click to our interactivity URL with
 * `action_id` vigil_ack / vigil_resolve and the incident id as `value`); an incoming webhook's are links
 * to the signed acknowledge and resolve pages, because a click on an interactive button goes to the
 * app that owns the webhook, which need not be ours.
 */

export const SLACK_ACTION_IDS = { acknowledge: 'vigil_ack', resolve: 'vigil_resolve' } as const;

export type SlackBlock = Record<string, unknown>;

export interface SlackMessageBody {
  /** The notification and fallback text. */
  text: string;
  blocks: SlackBlock[];
}

export type SlackButtons =
  | { kind: 'interactive' }
  | { kind: 'links'; links: { acknowledge: string; resolve: string } | undefined };

/** The living incident message: header, facts, buttons for what can still be done, a link to it. */
export function slackBlocks(incident: IncidentSummary, buttons: SlackButtons): SlackBlock[] {
  const fields = [
    field('Status', statusLine(incident)),
    field('Service', oneLine(incident.serviceName)),
    field('Urgency', urgencyWord(incident)),
    ...(incident.priority ? [field('Priority', oneLine(incident.priority))] : []),
  ];
  const blocks: SlackBlock[] = [
    { type: 'header', text: plain(truncate(incidentLabel(incident), 150)) },
    { type: 'section', fields },
  ];
  const elements = buttonElements(incident, buttons);
  if (elements.length > 0) blocks.push({ type: 'actions', block_id: 'vigil_actions', elements });
  blocks.push(incidentContext(incident));
  return blocks;
}

/** The fallback text of the incident message: "#42 Disk full on db-1: Triggered (Checkout)". */
export function slackText(incident: IncidentSummary): string {
  return `${incidentLabel(incident)}: ${statusLine(incident)} (${oneLine(incident.serviceName)})`;
}

/**
 * A short follow-up for an update that cannot replace the page (incoming webhooks): "#42 Disk full on
 * db-1: Acknowledged by Ana", with a Resolve link while acknowledged.
 */
export function slackFollowUp(incident: IncidentSummary, buttons: SlackButtons): SlackMessageBody {
  const open = safeLink(incident.htmlUrl);
  const label = escapeMrkdwn(truncate(incidentLabel(incident), 200));
  const blocks: SlackBlock[] = [
    {
      type: 'section',
      text: mrkdwn(
        `${open ? `*<${linkTarget(open)}|${label}>*` : `*${label}*`}: ${escapeMrkdwn(statusLine(incident))}`,
      ),
    },
  ];
  const elements = buttonElements(incident, buttons);
  if (elements.length > 0) blocks.push({ type: 'actions', block_id: 'vigil_actions', elements });
  return { text: slackText(incident), blocks };
}

/**
 * Test, verification, summary and notice messages: a section of text, the list of incidents, or the
 * notice (its title in bold, its body, and a link button into Vigil; no incident buttons).
 */
export function slackNotice(message: OutboundMessage): SlackMessageBody | undefined {
  switch (message.kind) {
    case 'test':
      return note('This is a test from Vigil. Notifications to this Slack destination work.');
    case 'verification':
      return message.verificationCode === undefined
        ? undefined
        : note(`Your Vigil verification code is *${escapeMrkdwn(message.verificationCode)}*.`);
    case 'summary': {
      const incidents = summaryIncidents(message);
      if (incidents.length === 0) return note(escapeMrkdwn(message.text));
      const heading = `${incidents.length} incidents need attention`;
      const lines = incidents.slice(0, 20).map((incident) => {
        const open = safeLink(incident.htmlUrl);
        const label = escapeMrkdwn(truncate(incidentLabel(incident), 150));
        return `• ${open ? `<${linkTarget(open)}|${label}>` : label}: ${escapeMrkdwn(statusLine(incident))} (${escapeMrkdwn(oneLine(incident.serviceName))})`;
      });
      if (incidents.length > 20) lines.push(`… and ${incidents.length - 20} more`);
      return {
        text: heading,
        blocks: [
          { type: 'header', text: plain(heading) },
          { type: 'section', text: mrkdwn(truncate(lines.join('\n'), 3000)) },
        ],
      };
    }
    case 'notice':
      return message.notice && slackNoticeBlocks(message.notice);
    default:
      return undefined;
  }
}

function slackNoticeBlocks(notice: NonNullable<OutboundMessage['notice']>): SlackMessageBody {
  const title = escapeMrkdwn(truncate(oneLine(notice.title), 200));
  const body = escapeMrkdwn(truncate(noticeLines(notice.body).join('\n'), 2500));
  const open = safeLink(notice.url);
  const blocks: SlackBlock[] = [
    { type: 'section', text: mrkdwn(body ? `*${title}*\n${body}` : `*${title}*`) },
  ];
  if (open)
    blocks.push({
      type: 'actions',
      block_id: 'vigil_notice',
      elements: [{ type: 'button', action_id: 'vigil_open_link', text: plain('Open in Vigil'), url: open }],
    });
  return { text: title, blocks };
}

function buttonElements(incident: IncidentSummary, buttons: SlackButtons): SlackBlock[] {
  const can = openActions(incident);
  if (buttons.kind === 'interactive') {
    return [
      ...(can.acknowledge
        ? [
            {
              type: 'button',
              action_id: SLACK_ACTION_IDS.acknowledge,
              text: plain('Acknowledge'),
              style: 'primary',
              value: incident.id,
            },
          ]
        : []),
      ...(can.resolve
        ? [
            {
              type: 'button',
              action_id: SLACK_ACTION_IDS.resolve,
              text: plain('Resolve'),
              style: 'danger',
              value: incident.id,
              confirm: {
                title: plain('Resolve?'),
                text: plain(truncate(`Resolve ${incidentLabel(incident)}?`, 300)),
                confirm: plain('Resolve'),
                deny: plain('Cancel'),
              },
            },
          ]
        : []),
    ];
  }
  // Link buttons open the confirmation page of the signed link; Slack still posts a click payload
  // to the webhook's app, which it may ignore.
  const ack = can.acknowledge ? safeLink(buttons.links?.acknowledge) : undefined;
  const resolve = can.resolve ? safeLink(buttons.links?.resolve) : undefined;
  return [
    ...(ack
      ? [
          {
            type: 'button',
            action_id: 'vigil_ack_link',
            text: plain('Acknowledge'),
            style: 'primary',
            url: ack,
          },
        ]
      : []),
    ...(resolve
      ? [{ type: 'button', action_id: 'vigil_resolve_link', text: plain('Resolve'), url: resolve }]
      : []),
  ];
}

function incidentContext(incident: IncidentSummary): SlackBlock {
  const open = safeLink(incident.htmlUrl);
  const started = Math.floor(new Date(incident.createdAt).getTime() / 1000);
  const parts = [
    ...(open ? [`<${linkTarget(open)}|Open #${incident.number} in Vigil>`] : []),
    // Slack shows the date in the reader's own time zone; the fallback is UTC.
    ...(Number.isFinite(started)
      ? [`started <!date^${started}^{date_short_pretty} {time}|${new Date(started * 1000).toISOString()}>`]
      : []),
  ];
  return { type: 'context', elements: [mrkdwn(parts.join(' · ') || escapeMrkdwn(incidentLabel(incident)))] };
}

function note(text: string): SlackMessageBody {
  return { text: text.replace(/\*/g, ''), blocks: [{ type: 'section', text: mrkdwn(text) }] };
}

function field(name: string, value: string) {
  return mrkdwn(`*${name}*\n${escapeMrkdwn(truncate(value, 1900))}`);
}

function plain(text: string) {
  return { type: 'plain_text', text, emoji: true };
}

function mrkdwn(text: string) {
  return { type: 'mrkdwn', text };
}

/** Slack's mrkdwn needs only &, < and > escaped (https://api.slack.com/reference/surfaces/formatting). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A URL inside `<url|label>`: `|` and `>` would end it early. */
function linkTarget(url: string): string {
  return url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C');
}
