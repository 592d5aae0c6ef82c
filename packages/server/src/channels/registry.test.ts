import { describe, expect, it } from 'vitest';
import { loadChannelConfig } from '../config.js';
import { generateVapidKeys } from './push/push.channel.js';
import { createChannels } from './registry.js';
import { testHttp } from './test-fixtures.js';

const twilio = { accountSid: 'AC123', authToken: 'token-123456', from: '+15005550006' };

describe('createChannels', () => {
  it('has only the channels that need no provider when nothing is configured', () => {
    const { channels, sinks } = createChannels({ http: testHttp() });
    expect([...channels.keys()].sort()).toEqual(['slack', 'teams', 'webhook']);
    expect([...sinks.keys()].sort()).toEqual(['newrelic-events', 'signl4']);
  });

  it('adds e-mail, SMS, voice, the Slack app and push when configured', () => {
    const vapid = generateVapidKeys();
    const { channels } = createChannels({
      http: testHttp(),
      publicUrl: 'https://vigil.example.com/',
      smtp: { url: 'smtp://127.0.0.1:2525', from: 'pager@vigil.example.com' },
      twilio,
      slack: { botToken: 'xoxb-123' },
      vapid: { ...vapid, subject: 'mailto:ops@vigil.example.com' },
    });
    expect([...channels.keys()].sort()).toEqual([
      'email',
      'push',
      'slack',
      'sms',
      'teams',
      'voice',
      'webhook',
    ]);
    for (const [type, channel] of channels) expect(channel.type).toBe(type);
    expect(channels.get('sms')!.capabilities.deliveryReceipts).toBe(true);
  });

  it('has no voice channel without a URL for the keypad', () => {
    const { channels } = createChannels({ http: testHttp(), twilio });
    expect(channels.has('sms')).toBe(true);
    expect(channels.has('voice')).toBe(false);
    expect(channels.get('sms')!.capabilities.deliveryReceipts).toBe(false);
  });

  it('picks the Slack webhook or the app by the shape of the address', () => {
    const withApp = createChannels({ http: testHttp(), slack: { botToken: 'xoxb-123' } });
    const webhook = withApp.channelFor({ type: 'slack', address: 'https://hooks.slack.com/services/T/B/x' })!;
    const app = withApp.channelFor({ type: 'slack', address: 'C0INCIDENTS' })!;
    expect(webhook.capabilities.updatesInPlace).toBe(false);
    expect(app.capabilities.updatesInPlace).toBe(true);
    expect(app.checkAddress('C0INCIDENTS')).toBeNull();

    const withoutApp = createChannels({ http: testHttp() });
    const refused = withoutApp.channelFor({ type: 'slack', address: 'C0INCIDENTS' })!;
    expect(refused.checkAddress('C0INCIDENTS')).toMatch(/needs the Slack app/);
    expect(withoutApp.channelFor({ type: 'sms', address: '+4915112345678' })).toBeUndefined();
  });

  it("takes the server's channel configuration as it is", () => {
    const config = loadChannelConfig({
      VIGIL_SMTP_URL: 'smtp://127.0.0.1:2525',
      VIGIL_TWILIO_ACCOUNT_SID: 'AC123',
      VIGIL_TWILIO_AUTH_TOKEN: 'token-123456',
      VIGIL_TWILIO_FROM: '+15005550006',
      VIGIL_SLACK_SIGNING_SECRET: 'signing-only',
    });
    const { channels, channelFor } = createChannels({
      ...config,
      http: testHttp(),
      publicUrl: 'https://vigil.example.com',
    });
    expect([...channels.keys()].sort()).toEqual(['email', 'slack', 'sms', 'teams', 'voice', 'webhook']);
    // A signing secret without a bot token is no Slack app.
    expect(channelFor({ type: 'slack', address: 'C0INCIDENTS' })!.checkAddress('C0INCIDENTS')).toMatch(
      /needs the Slack app/,
    );
  });
});
