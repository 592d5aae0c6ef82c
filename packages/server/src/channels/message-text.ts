import type { IncidentSummary, OutboundMessage, SendResult } from './channel.js';

/**
 * Wording shared by every channel, so an incident reads the same in a mail, an SMS, a Slack message
 * and a Teams card: "#42 Disk full on db-1", "Acknowledged by Ana".
 */

/** "#42 Disk full on db-1". */
export function incidentLabel(incident: IncidentSummary): string {
  return `#${incident.number} ${oneLine(incident.title)}`;
}

/** "Triggered", "Acknowledged by Ana", "Resolved" (when nobody is named). */
export function statusLine(incident: IncidentSummary): string {
  const word = STATUS_WORD[incident.status];
  return incident.changedBy && incident.status !== 'triggered'
    ? `${word} by ${oneLine(incident.changedBy)}`
    : word;
}

const STATUS_WORD = { triggered: 'Triggered', acknowledged: 'Acknowledged', resolved: 'Resolved' } as const;

/** "High", "Low". */
export function urgencyWord(incident: IncidentSummary): string {
  return incident.urgency === 'high' ? 'High' : 'Low';
}

/** What can still be done: acknowledge while triggered, resolve until resolved. */
export function openActions(incident: IncidentSummary): { acknowledge: boolean; resolve: boolean } {
  return { acknowledge: incident.status === 'triggered', resolve: incident.status !== 'resolved' };
}

/** Whitespace (newlines included) collapsed to single spaces: titles go into subjects and headers. */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  return text.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** At most `max` characters, ending in `ellipsis` when cut. */
export function truncate(text: string, max: number, ellipsis = '…'): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - ellipsis.length)).trimEnd()}${ellipsis}`;
}

/** "2026-03-08 06:00 UTC": the same in every time zone, because we do not know the reader's. */
export function utcTime(instant: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Only http(s) links are put in front of people; anything else is dropped. */
export function safeLink(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The incidents of a `summary`: the bundled list, or the one incident. */
export function summaryIncidents(message: OutboundMessage): IncidentSummary[] {
  return message.incidents ?? (message.incident ? [message.incident] : []);
}

/**
 * A message that cannot be rendered (a page without its incident) is a bug upstream, not provider
 * trouble; it will never work, so it is permanent, and the reason says what was missing.
 */
export function malformed(message: OutboundMessage, missing: string): SendResult {
  return { outcome: 'permanent', reason: `the ${message.kind} message has no ${missing}` };
}

/** What a message of its kind cannot be rendered without, for `malformed`: "code", "notice", "incident". */
export function requiredPart(message: OutboundMessage): string {
  switch (message.kind) {
    case 'verification':
      return 'code';
    case 'notice':
      return 'notice';
    default:
      return 'incident';
  }
}

/**
 * The body of a notice as lines: line breaks kept (a notice is a few lines of plain text), each line's
 * other whitespace collapsed, blank lines at either end dropped and runs of blank lines made one.
 */
export function noticeLines(body: string): string[] {
  const lines = body.split(/\r\n|\r|\n/).map(oneLine);
  const kept = lines.filter((line, i) => line !== '' || (i > 0 && lines[i - 1] !== ''));
  while (kept.length > 0 && kept.at(-1) === '') kept.pop();
  return kept;
}
