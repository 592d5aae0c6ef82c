/**
 * The small interface every outbound channel implements (ARCHITECTURE.md §4–5). The engine's sender
 * drains the notification outbox and hands each message to the channel of its contact method; the
 * channel talks to its provider and says what happened. Channels never touch the database.
 */

export type ContactType = 'email' | 'sms' | 'voice' | 'slack' | 'teams' | 'push' | 'webhook';

/** What a channel can do, so the engine knows what to ask of it. */
export interface ChannelCapabilities {
  /** Can change a message already sent when the incident changes (Slack's chat.update). */
  updatesInPlace: boolean;
  /** The recipient can answer on the channel itself (SMS replies, Slack buttons, keypad). */
  replies: boolean;
  /** The provider reports delivery later (status callbacks). */
  deliveryReceipts: boolean;
  /** Longest text the channel takes, if it has a limit (SMS). */
  maxTextLength?: number;
}

export interface IncidentSummary {
  id: string;
  number: number;
  title: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  urgency: 'high' | 'low';
  priority: string | null;
  severity: string;
  serviceName: string;
  /** The incident in the web app. */
  htmlUrl: string;
  createdAt: string;
  /** Who acknowledged or resolved it, for update messages ("Acknowledged by Ana"). */
  changedBy: string | null;
}

export type MessageKind =
  /** Someone must act: a new or escalated incident. */
  | 'page'
  /** The incident changed (acknowledged, resolved): update or follow up on an earlier page. */
  | 'update'
  /** "Send me a test" from the profile. */
  | 'test'
  /** A code to verify the contact method. */
  | 'verification'
  /** Several pages bundled into one message by the per-contact-method throttle. */
  | 'summary'
  /**
   * Information that is not about one incident, in `notice`: an on-call hand-off ("You are on call
   * for Payments from now until …"), a gap in a schedule, a request to cover or swap a shift.
   */
  | 'notice';

export interface OutboundMessage {
  /** The notification's id: also the idempotency key sent to providers that take one. */
  id: string;
  kind: MessageKind;
  contact: {
    type: ContactType;
    /**
     * E-mail address; E.164 phone number; Slack: a channel webhook URL, or a channel/user id for the
     * app; Teams: the Workflows webhook URL; webhook: the URL; push: the JSON subscription.
     */
    address: string;
    /** Webhook signing secret (`whsec_…`), decrypted; only for `webhook`. */
    secret?: string;
  };
  /** The person being notified. */
  recipient: { id: string; name: string };
  incident?: IncidentSummary;
  /** For `summary`: the incidents bundled. */
  incidents?: IncidentSummary[];
  /** Signed, expiring, single-purpose links (GET shows a confirmation page, POST acts). */
  links?: { acknowledge: string; resolve: string };
  /** SMS: the number the recipient replies with ("Reply 3a to acknowledge, 3r to resolve"). */
  replyCode?: number;
  /** For `verification`. */
  verificationCode?: string;
  /** For `notice`. */
  notice?: {
    /** One short line: "You are on call for Payments". */
    title: string;
    /** A few lines of plain text. */
    body: string;
    /** A link into the web app. */
    url?: string;
  };
  /** For `update` on channels that update in place: the provider's id of the first message (Slack `channel:ts`). */
  previousProviderId?: string;
  /** Plain text of the whole message, for channels without their own rendering. */
  text: string;
}

export type SendOutcome =
  /** Handed to the provider; delivery may be confirmed later by a callback. */
  | 'sent'
  /** The provider says it reached the recipient (synchronous channels: SMTP 250, webhook 2xx). */
  | 'delivered'
  /** Try again later (5xx, 429, timeout, network). */
  | 'temporary'
  /** Will never work as configured (4xx, bad address, refused by the SSRF guard). */
  | 'permanent';

export interface SendResult {
  outcome: SendOutcome;
  /** For a person: "SMTP 550 mailbox unavailable", "Slack answered 429; retrying after 30 s". */
  reason: string;
  /** The provider's id of the message (Twilio SID, Slack `channel:ts`, SMTP message id). */
  providerId?: string;
  /** From `Retry-After`, when the provider said when to come back. */
  retryAfterMs?: number;
}

export interface Channel {
  readonly type: ContactType;
  readonly capabilities: ChannelCapabilities;
  /** Sends one message. Never throws for provider trouble: returns `temporary` or `permanent`. */
  send(message: OutboundMessage): Promise<SendResult>;
  /** Whether an address is well formed for this channel (checked when a contact method is added). */
  checkAddress(address: string): string | null;
}
