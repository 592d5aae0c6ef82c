import { createOutboundHttp } from '../channels/outbound-http.js';
import { createChannels } from '../channels/registry.js';
import { createSsrfGuard, parseAllowList } from '../channels/ssrf-guard.js';
import type { ChannelConfig } from '../config.js';
import type { ChannelSet } from './sender.js';

/** Why a contact method's channel cannot send, in the words the notification list shows. */
export const missingProvider: Record<string, string> = {
  email: 'no mail server is configured (set VIGIL_SMTP_URL)',
  sms: 'no SMS provider is configured (set VIGIL_TWILIO_ACCOUNT_SID, _AUTH_TOKEN and _FROM)',
  voice: 'no voice provider is configured (set VIGIL_TWILIO_ACCOUNT_SID, _AUTH_TOKEN and _FROM)',
  slack: 'no Slack app is configured (set VIGIL_SLACK_BOT_TOKEN), and the address is not a webhook URL',
  push: 'web push is not configured (set VIGIL_VAPID_PUBLIC_KEY and VIGIL_VAPID_PRIVATE_KEY)',
};

/** The channels the configuration provides, all sending through one SSRF-guarded HTTP client. */
export function createChannelSet(config: ChannelConfig, publicUrl: string): ChannelSet {
  const http = createOutboundHttp({
    guard: createSsrfGuard({ allow: parseAllowList(config.outboundAllow.join(',')) }),
    defaultTimeoutMs: config.outboundTimeoutMs ?? 10_000,
  });
  const channels = createChannels({
    http,
    publicUrl,
    ...(config.smtp ? { smtp: config.smtp } : {}),
    ...(config.twilio ? { twilio: config.twilio } : {}),
    ...(config.slack?.botToken
      ? {
          slack: {
            botToken: config.slack.botToken,
            ...(config.slack.apiBaseUrl ? { apiBaseUrl: config.slack.apiBaseUrl } : {}),
          },
        }
      : {}),
    ...(config.vapid ? { vapid: config.vapid } : {}),
  });
  return {
    channelFor: (contact) =>
      channels.channelFor(contact) ?? missingProvider[contact.type] ?? `no channel for ${contact.type}`,
  };
}
