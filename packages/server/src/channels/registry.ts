import type { Channel, ContactType } from './channel.js';
import { createEmailChannel, type MailTransport } from './email/email.channel.js';
import { createNewRelicEventsSink } from './newrelic/newrelic-events.channel.js';
import type { OutboundHttp } from './outbound-http.js';
import { createPushChannel } from './push/push.channel.js';
import { createSignl4Sink } from './signl4/signl4.channel.js';
import type { IntegrationKind, IntegrationSink } from './sink.js';
import {
  createSlackAppChannel,
  createSlackChannel,
  createSlackWebhookChannel,
  isSlackWebhookAddress,
} from './slack/slack.channel.js';
import { createTeamsChannel } from './teams/teams.channel.js';
import { createTwilioSmsChannel } from './twilio/sms.channel.js';
import { createTwilioVoiceChannel } from './twilio/voice.channel.js';
import { createWebhookChannel } from './webhook/webhook.channel.js';

/**
 * The composition of the channels from server configuration. Slack (webhook), Teams and webhooks need
 * nothing but the shared OutboundHttp and are always there; e-mail, SMS, voice, the Slack app and
 * push only when their provider is configured. A missing type in `channels` is for the engine to
 * report ("no SMS provider configured"). `ChannelsConfig` takes the server's `ChannelConfig` as it
 * is, plus the OutboundHttp built from its allow list and the public URL:
 *
 *   const set = createChannels({ ...config.channels, http, publicUrl });
 *   channelFor: (contact) => set.channelFor(contact) ?? missingProvider[contact.type]
 */

export interface ChannelsConfig {
  /** The one OutboundHttp (SSRF guard, deadlines) every HTTP channel uses. */
  http: OutboundHttp;
  clock?: { now(): Date };
  /** VIGIL_PUBLIC_URL: the base of Twilio's callback URLs unless they are given. */
  publicUrl?: string;
  /** VIGIL_SMTP_URL and VIGIL_SMTP_FROM. */
  smtp?: { url: string; from: string; transport?: MailTransport };
  /** VIGIL_TWILIO_*: SMS and voice. */
  twilio?: {
    accountSid: string;
    authToken: string;
    from: string;
    baseUrl?: string;
    /** Default `{publicUrl}/webhooks/twilio/status`. */
    statusCallbackUrl?: string;
    /** Default `{publicUrl}/webhooks/twilio/voice`; without either, no voice channel. */
    voiceGatherUrl?: string;
  };
  /** The Slack app's bot token: ids as addresses, buttons, messages updated in place. */
  slack?: { botToken?: string; apiBaseUrl?: string };
  /** Web push. */
  vapid?: { publicKey: string; privateKey: string; subject: string };
}

export interface Channels {
  /** The channel of each configured contact type. */
  channels: Map<ContactType, Channel>;
  /**
   * The channel for one contact method, or undefined when its type is not configured. For Slack the
   * exact one for the address (webhook URL → webhook, id → app), so its capabilities are accurate.
   */
  channelFor(contact: { type: ContactType; address: string }): Channel | undefined;
  /** Service-level integrations; they need only OutboundHttp, so both are always there. */
  sinks: Map<IntegrationKind, IntegrationSink>;
}

export function createChannels(config: ChannelsConfig): Channels {
  const shared = { http: config.http, ...(config.clock ? { clock: config.clock } : {}) };
  const publicUrl = config.publicUrl?.replace(/\/+$/, '');
  const channels = new Map<ContactType, Channel>();

  if (config.smtp)
    channels.set(
      'email',
      createEmailChannel({
        smtpUrl: config.smtp.url,
        from: config.smtp.from,
        ...(config.smtp.transport ? { transport: config.smtp.transport } : {}),
      }),
    );

  if (config.twilio) {
    const { voiceGatherUrl: gather, statusCallbackUrl: status, ...twilio } = config.twilio;
    const statusCallbackUrl = status ?? (publicUrl && `${publicUrl}/webhooks/twilio/status`);
    const voiceGatherUrl = gather ?? (publicUrl && `${publicUrl}/webhooks/twilio/voice`);
    const options = { ...shared, ...twilio, ...(statusCallbackUrl ? { statusCallbackUrl } : {}) };
    channels.set('sms', createTwilioSmsChannel(options));
    if (voiceGatherUrl) channels.set('voice', createTwilioVoiceChannel({ ...options, voiceGatherUrl }));
  }

  const slackWebhook = createSlackWebhookChannel(shared);
  const slack = {
    ...shared,
    ...(config.slack?.botToken ? { botToken: config.slack.botToken } : {}),
    ...(config.slack?.apiBaseUrl ? { apiBaseUrl: config.slack.apiBaseUrl } : {}),
  };
  const slackApp = slack.botToken ? createSlackAppChannel({ ...slack, botToken: slack.botToken }) : undefined;
  channels.set('slack', createSlackChannel(slack));
  channels.set('teams', createTeamsChannel(shared));
  channels.set('webhook', createWebhookChannel(shared));

  if (config.vapid)
    channels.set(
      'push',
      createPushChannel({
        ...shared,
        vapidPublicKey: config.vapid.publicKey,
        vapidPrivateKey: config.vapid.privateKey,
        subject: config.vapid.subject,
      }),
    );

  const sinks = new Map<IntegrationKind, IntegrationSink>([
    ['signl4', createSignl4Sink(shared)],
    ['newrelic-events', createNewRelicEventsSink(shared)],
  ]);

  return {
    channels,
    sinks,
    channelFor(contact) {
      if (contact.type !== 'slack') return channels.get(contact.type);
      // An id without the app goes to the combined channel, which refuses it with the reason.
      if (isSlackWebhookAddress(contact.address)) return slackWebhook;
      return slackApp ?? channels.get('slack');
    },
  };
}
