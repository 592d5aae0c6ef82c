import type { IncidentSummary, OutboundMessage } from '../channel.js';
import {
  incidentLabel,
  noticeLines,
  oneLine,
  openActions,
  safeLink,
  statusLine,
  summaryIncidents,
  urgencyWord,
  utcTime,
} from '../message-text.js';

/**
 * What a page, an update, a test, a verification code, a summary and a notice look like by mail: a
 * subject, plain text, and simple HTML (inline styles, one column, links as buttons) that survives the
 * mail clients that strip <style>. Every value from an incident or a notice is escaped.
 */

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export function renderEmail(message: OutboundMessage): RenderedEmail | undefined {
  switch (message.kind) {
    case 'page':
    case 'update':
      return message.incident && renderIncident(message, message.incident);
    case 'test':
      return renderNote(
        '[Vigil] Test notification',
        'Test notification',
        `This is a test from Vigil for ${oneLine(message.recipient.name)}. E-mail notifications to this address work.`,
      );
    case 'verification':
      return message.verificationCode === undefined
        ? undefined
        : renderNote(
            `[Vigil] Verification code ${message.verificationCode}`,
            'Verify your e-mail address',
            `Your Vigil verification code is ${message.verificationCode}. Enter it in your profile to start receiving notifications at this address.`,
          );
    case 'summary':
      return renderSummary(message);
    case 'notice':
      return message.notice && renderNotice(message.notice);
  }
}

/** "[Vigil] #42 triggered: Disk full on db-1", "[Vigil] #42 acknowledged by Ana: Disk full on db-1". */
export function emailSubject(incident: IncidentSummary): string {
  const status = statusLine(incident).replace(/^\w/, (first) => first.toLowerCase());
  return `[Vigil] #${incident.number} ${status}: ${oneLine(incident.title)}`;
}

function renderIncident(message: OutboundMessage, incident: IncidentSummary): RenderedEmail {
  const actions = openActions(incident);
  const ack = actions.acknowledge ? safeLink(message.links?.acknowledge) : undefined;
  const resolve = actions.resolve ? safeLink(message.links?.resolve) : undefined;
  const open = safeLink(incident.htmlUrl);
  const facts: [string, string][] = [
    ['Status', statusLine(incident)],
    ['Service', oneLine(incident.serviceName)],
    ['Urgency', urgencyWord(incident)],
    ...(incident.priority ? [['Priority', oneLine(incident.priority)] as [string, string]] : []),
    ['Started', utcTime(incident.createdAt)],
  ];
  const lead = message.kind === 'update' ? `${statusLine(incident)}.` : undefined;

  const text = [
    ...(lead ? [lead, ''] : []),
    incidentLabel(incident),
    ...facts.map(([name, value]) => `${name}: ${value}`),
    '',
    ...(ack ? [`Acknowledge: ${ack}`] : []),
    ...(resolve ? [`Resolve: ${resolve}`] : []),
    ...(open ? [`Open the incident: ${open}`] : []),
    ...(ack || resolve
      ? ['', 'The acknowledge and resolve links ask you to confirm before anything changes.']
      : []),
  ].join('\n');

  const buttons = [
    ack && button(ack, 'Acknowledge', '#1f6feb'),
    resolve && button(resolve, 'Resolve', '#1a7f37'),
  ].filter(Boolean);
  const body = [
    lead ? `<p style="margin:0 0 12px;font-size:15px;font-weight:600">${escapeHtml(lead)}</p>` : '',
    `<p style="margin:0 0 4px;font-size:13px;color:#57606a">${escapeHtml(oneLine(incident.serviceName))}</p>`,
    `<h1 style="margin:0 0 12px;font-size:20px;line-height:1.3">${escapeHtml(incidentLabel(incident))}</h1>`,
    '<table role="presentation" style="border-collapse:collapse;font-size:14px;margin:0 0 16px">',
    ...facts.map(
      ([name, value]) =>
        `<tr><td style="padding:2px 16px 2px 0;color:#57606a">${escapeHtml(name)}</td><td style="padding:2px 0">${escapeHtml(value)}</td></tr>`,
    ),
    '</table>',
    buttons.length > 0 ? `<p style="margin:0 0 16px">${buttons.join(' ')}</p>` : '',
    open
      ? `<p style="margin:0 0 16px;font-size:14px"><a href="${escapeHtml(open)}" style="color:#0969da">Open incident #${incident.number} in Vigil</a></p>`
      : '',
    ack || resolve
      ? '<p style="margin:0;font-size:12px;color:#57606a">The acknowledge and resolve links ask you to confirm before anything changes.</p>'
      : '',
  ];
  return { subject: emailSubject(incident), text, html: page(body.join('\n')) };
}

function renderSummary(message: OutboundMessage): RenderedEmail {
  const incidents = summaryIncidents(message);
  if (incidents.length === 0) {
    return renderNote('[Vigil] Notifications', 'Notifications', message.text);
  }
  const heading =
    incidents.length === 1 ? '1 incident needs attention' : `${incidents.length} incidents need attention`;
  const line = (incident: IncidentSummary) =>
    `${incidentLabel(incident)} (${oneLine(incident.serviceName)}, ${statusLine(incident)})`;
  const text = [
    heading,
    '',
    ...incidents.flatMap((incident) => {
      const open = safeLink(incident.htmlUrl);
      return [line(incident), ...(open ? [`  ${open}`] : [])];
    }),
  ].join('\n');
  const items = incidents.map((incident) => {
    const open = safeLink(incident.htmlUrl);
    const label = escapeHtml(line(incident));
    return `<li style="margin:0 0 6px">${open ? `<a href="${escapeHtml(open)}" style="color:#0969da">${label}</a>` : label}</li>`;
  });
  const html = page(
    [
      `<h1 style="margin:0 0 12px;font-size:20px">${escapeHtml(heading)}</h1>`,
      `<ul style="margin:0;padding-left:20px;font-size:14px">${items.join('')}</ul>`,
    ].join('\n'),
  );
  return { subject: `[Vigil] ${heading}`, text, html };
}

/** "[Vigil] You are on call for Payments": the title, the body as written, a link into the app. */
function renderNotice(notice: NonNullable<OutboundMessage['notice']>): RenderedEmail {
  const title = oneLine(notice.title);
  const lines = noticeLines(notice.body);
  const open = safeLink(notice.url);
  const text = [
    title,
    ...(lines.length > 0 ? ['', ...lines] : []),
    ...(open ? ['', `Open in Vigil: ${open}`] : []),
  ].join('\n');
  const html = page(
    [
      `<h1 style="margin:0 0 12px;font-size:20px;line-height:1.3">${escapeHtml(title)}</h1>`,
      lines.length > 0
        ? `<p style="margin:0 0 16px;font-size:14px;white-space:pre-wrap">${escapeHtml(lines.join('\n'))}</p>`
        : '',
      open ? `<p style="margin:0">${button(open, 'Open in Vigil', '#1f6feb')}</p>` : '',
    ].join('\n'),
  );
  return { subject: `[Vigil] ${title}`, text, html };
}

function renderNote(subject: string, heading: string, text: string): RenderedEmail {
  const html = page(
    [
      `<h1 style="margin:0 0 12px;font-size:20px">${escapeHtml(heading)}</h1>`,
      `<p style="margin:0;font-size:14px;white-space:pre-wrap">${escapeHtml(text)}</p>`,
    ].join('\n'),
  );
  return { subject, text, html };
}

function button(href: string, label: string, color: string): string {
  return `<a href="${escapeHtml(href)}" style="display:inline-block;padding:8px 16px;margin:0 8px 8px 0;background:${color};color:#ffffff;text-decoration:none;border-radius:6px;font-weight:600;font-size:14px">${escapeHtml(label)}</a>`;
}

function page(content: string): string {
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>',
    '<body style="margin:0;padding:16px;background:#f6f8fa;font-family:-apple-system,\'Segoe UI\',Helvetica,Arial,sans-serif;color:#1f2328">',
    '<div style="max-width:560px;margin:0 auto;background:#ffffff;border:1px solid #d0d7de;border-radius:6px;padding:20px">',
    content,
    '</div>',
    '<p style="max-width:560px;margin:12px auto 0;font-size:12px;color:#57606a">Sent by Vigil.</p>',
    '</body></html>',
  ].join('\n');
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text and attribute values: the five characters that matter in HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}
