import type { AddressInfo } from 'node:net';
import { type AddressObject, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { Recorder, truncate } from './recorder.js';

/**
 * A mail server on 127.0.0.1 that keeps every message instead of delivering it, for e-mail paging tests.
 * Plain SMTP only (no STARTTLS); AUTH is optional and any PLAIN/LOGIN credentials are accepted, so the
 * app's mailer works whether or not it is configured with a user.
 */

export interface CapturedMail {
  /** The address in the From header. */
  from: string;
  /** The addresses in the To header. */
  to: string[];
  /** What the client said in MAIL FROM / RCPT TO: the real recipients, Bcc included. */
  envelope: { mailFrom: string | undefined; rcptTo: string[] };
  subject: string;
  text: string;
  /** `undefined` when the mail has no HTML part. */
  html: string | undefined;
  /** Lower-case names, unfolded values as sent; repeated headers joined by "\n". */
  headers: Record<string, string>;
  /** The user the client authenticated as, if it did. */
  authUser: string | undefined;
  /** The whole message as received (RFC 5322). */
  raw: string;
  receivedAt: Date;
}

export interface SmtpRejection {
  /** 4xx: a temporary failure the sender should retry; 5xx: permanent. */
  code: number;
  message?: string;
}

export interface SmtpCapture {
  /** `smtp://127.0.0.1:<port>`. */
  url: string;
  host: '127.0.0.1';
  port: number;
  /** Mails accepted (250). */
  mails: Recorder<CapturedMail>;
  /** Mails refused by `rejectNext`, parsed all the same. */
  rejected: CapturedMail[];
  /** Refuse the next `count` messages at the end of DATA with this reply. */
  rejectNext(count: number, rejection: SmtpRejection): void;
  close(): Promise<void>;
}

export async function startSmtpCapture(): Promise<SmtpCapture> {
  const mails = new Recorder<CapturedMail>(
    'mails',
    (m) =>
      `to ${m.envelope.rcptTo.join(', ')} from ${m.from}: ${JSON.stringify(m.subject)} ${truncate(m.text, 120)}`,
  );
  const rejected: CapturedMail[] = [];
  const rejections: SmtpRejection[] = [];

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    disableReverseLookup: true,
    logger: false,
    // Connections still open at close() get a 421 this soon, so tests never wait for idle clients.
    closeTimeout: 50,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onData(stream, session, callback) {
      capture(stream, session).then(
        (mail) => {
          const rejection = rejections.shift();
          if (rejection) {
            rejected.push(mail);
            const error: Error & { responseCode?: number } = new Error(
              rejection.message ?? (rejection.code < 500 ? 'Try again later' : 'Message refused'),
            );
            error.responseCode = rejection.code;
            return callback(error);
          }
          mails.record(mail);
          callback();
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
  server.on('error', () => {
    // A client that drops the connection is not the test's failure; smtp-server reports it here.
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    mails,
    rejected,
    rejectNext(count, rejection) {
      if (rejection.code < 400 || rejection.code > 599) throw new Error('an SMTP rejection is 4xx or 5xx');
      for (let i = 0; i < count; i++) rejections.push(rejection);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function capture(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<CapturedMail> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const parsed = await simpleParser(raw);
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) {
    // `line` is the header as sent, "Name: value" possibly folded over several lines.
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    headers[key] = key in headers ? `${headers[key]}\n${value}` : value;
  }
  const mailFrom = session.envelope.mailFrom;
  return {
    from: addresses(parsed.from)[0] ?? '',
    to: addresses(parsed.to),
    envelope: {
      mailFrom: mailFrom ? mailFrom.address : undefined,
      rcptTo: session.envelope.rcptTo.map((r) => r.address),
    },
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: parsed.html === false ? undefined : parsed.html,
    headers,
    authUser: typeof session.user === 'string' ? session.user : undefined,
    raw: raw.toString('utf8'),
    receivedAt: new Date(),
  };
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects.flatMap((o) => o.value.map((a) => a.address ?? '').filter((a) => a !== ''));
}
