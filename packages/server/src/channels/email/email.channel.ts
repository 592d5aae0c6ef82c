import { createTransport, type SendMailOptions } from 'nodemailer';
import type { Channel, SendResult } from '../channel.js';
import { redact } from '../http-send.js';
import { malformed, oneLine, requiredPart, truncate } from '../message-text.js';
import { renderEmail } from './email-render.js';

/**
 * E-mail over SMTP with nodemailer. The SMTP server is operator configuration (VIGIL_SMTP_URL), not
 * user input, so this is the one channel that does not go through the SSRF guard.
 *
 * Threading: every mail gets its own Message-ID, made from the notification id (the same across
 * retries, so a mail sent twice after an ambiguous failure is one mail to the client), and all mails
 * about one incident name the same thread root, `<incident.{id}@{domain}>`, in References (updates
 * also in In-Reply-To). Reusing one Message-ID for the page itself would thread too, but Gmail drops
 * a second mail with a Message-ID it has seen: a repeated page would silently vanish. Clients that
 * thread by References (Thunderbird, Apple Mail, Outlook) group them; Gmail also wants the same
 * subject, which changes with the status.
 */

/** The part of a nodemailer transport the channel uses (for tests or a differently built transport). */
export interface MailTransport {
  sendMail(mail: SendMailOptions): Promise<{ messageId?: string; response?: string }>;
}

export interface EmailChannelOptions {
  /** `smtp://user:pass@host:port` or `smtps://…` (implicit TLS); plain smtp upgrades with STARTTLS when offered. */
  smtpUrl: string;
  /** The sender: `pager@example.com` or `Vigil <pager@example.com>`. */
  from: string;
  /** Instead of a transport built from `smtpUrl`. */
  transport?: MailTransport;
  /** Connection, greeting and idle-socket deadline; 10 s by default (nodemailer's are minutes). */
  timeoutMs?: number;
}

export function createEmailChannel(options: EmailChannelOptions): Channel {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const transport: MailTransport =
    options.transport ??
    createTransport({
      url: options.smtpUrl,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs * 3,
      logger: false,
    });
  const domain = senderDomain(options.from);
  const secrets = smtpSecrets(options.smtpUrl);

  return {
    type: 'email',
    capabilities: { updatesInPlace: false, replies: false, deliveryReceipts: false },
    checkAddress: checkEmailAddress,
    async send(message) {
      const problem = checkEmailAddress(message.contact.address);
      if (problem) return { outcome: 'permanent', reason: `the address ${problem}` };
      const rendered = renderEmail(message);
      if (!rendered) return malformed(message, requiredPart(message));

      const messageId = `<${idPart(message.id)}@${domain}>`;
      const headers: Record<string, string> = {
        // RFC 3834: no vacation replies to a pager.
        'Auto-Submitted': 'auto-generated',
        'X-Auto-Response-Suppress': 'All',
      };
      const mail: SendMailOptions = {
        from: options.from,
        to: message.contact.address,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        messageId,
        headers,
      };
      if (message.incident) {
        const root = threadRoot(message.incident.id, domain);
        mail.references = [root];
        if (message.kind === 'update') mail.inReplyTo = root;
        headers['X-Vigil-Incident-Id'] = message.incident.id;
        if (message.kind === 'page' && message.incident.urgency === 'high') mail.priority = 'high';
      }

      try {
        const info = await transport.sendMail(mail);
        const reply = info.response ? `: ${truncate(oneLine(info.response), 200)}` : '';
        return {
          outcome: 'delivered',
          reason: redact(`SMTP server accepted the mail${reply}`, secrets),
          providerId: info.messageId ?? messageId,
        };
      } catch (error) {
        return smtpFailure(error, secrets);
      }
    },
  };
}

/** The thread every mail about an incident belongs to. */
export function threadRoot(incidentId: string, domain: string): string {
  return `<incident.${idPart(incidentId)}@${domain}>`;
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/** Errors that say the configuration or the message is wrong; anything else may pass on a retry. */
const PERMANENT_CODES = new Set(['EAUTH', 'ENOAUTH', 'ECONFIG', 'EENVELOPE', 'EMESSAGE', 'EMAXRECIPIENTS']);

function smtpFailure(error: unknown, secrets: readonly string[]): SendResult {
  const e = (error ?? {}) as SmtpError;
  if (typeof e.responseCode === 'number') {
    // `response` is the server's reply line, "550 5.1.1 <x@y>: Recipient address rejected".
    const reply = truncate(oneLine(e.response ?? e.message ?? ''), 300);
    const text = reply.startsWith(String(e.responseCode)) ? reply : `${e.responseCode} ${reply}`;
    return {
      outcome: e.responseCode >= 500 ? 'permanent' : 'temporary',
      reason: redact(`SMTP ${text}`, secrets),
    };
  }
  const detail = truncate(oneLine(e.message ?? String(error)), 300);
  if (e.code && PERMANENT_CODES.has(e.code))
    return { outcome: 'permanent', reason: redact(`SMTP: ${detail} (${e.code})`, secrets) };
  return {
    outcome: 'temporary',
    reason: redact(`could not talk to the SMTP server: ${detail}${e.code ? ` (${e.code})` : ''}`, secrets),
  };
}

/**
 * A deliberately plain check: one @, something dotted after it, no spaces, no characters that would
 * need quoting (and no CR/LF, so nothing can be smuggled into a header).
 */
export function checkEmailAddress(address: string): string | null {
  if (address.length > 254) return 'is too long for an e-mail address';
  if (!/^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/.test(address))
    return 'is not an e-mail address like name@example.com';
  return null;
}

function senderDomain(from: string): string {
  const domain = /@([A-Za-z0-9.-]+)\s*>?\s*$/.exec(from)?.[1];
  return domain ?? 'vigil.invalid';
}

/** Ids go into Message-IDs: only characters that need no quoting there. */
function idPart(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}

function smtpSecrets(smtpUrl: string): string[] {
  try {
    const url = new URL(smtpUrl);
    return [decodeURIComponent(url.password), url.password].filter((secret) => secret !== '');
  } catch {
    return [];
  }
}
