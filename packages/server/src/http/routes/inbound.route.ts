import type { Incident, RequestContext, UserRecord } from '@vigil/core';
import { isRole, roleAtLeast, VigilError } from '@vigil/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app.js';
import { parseSmsReply } from '../../channels/twilio/sms.channel.js';
import { xml } from '../../channels/twilio/voice.channel.js';
import type { LinkAction } from '../../engine/action-links.js';
import { escapeHtml, page } from '../html-page.js';
import { verifySlackSignature, verifyTwilioSignature } from '../inbound-signatures.js';

type Act = 'acknowledge' | 'resolve';

/**
 * What people answer from outside the app: SMS replies and keypad presses (Twilio), Slack buttons
 * and `/vigil` commands, and the signed links in e-mail, Teams and push. Every request proves where
 * it comes from (Twilio or Slack signature, or the link's own signature) before anything happens.
 */
export async function inboundRoutes(scope: FastifyInstance, { app }: { app: AppDeps }) {
  const { services, uow, clock, config } = app;
  const channels = config.channels ?? { outboundAllow: [] };

  // Twilio and Slack post forms; the signatures need the body exactly as sent. (The app's own form
  // parser serves only the setup page.)
  scope.removeContentTypeParser('application/x-www-form-urlencoded');
  scope.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (request, body, done) => {
      request.rawBody = body as string;
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  const contextFor = (user: UserRecord, request: FastifyRequest): RequestContext => ({
    actor: { type: 'user', id: user.id, name: user.name },
    userId: user.id,
    role: isRole(user.role) ? user.role : null,
    ip: request.ip,
  });

  /** Acknowledges or resolves as `user`; the answer is one line for a phone or a chat. */
  async function act(
    user: UserRecord,
    incidentId: string,
    action: Act,
    request: FastifyRequest,
  ): Promise<string> {
    if (!roleAtLeast(user.role, 'responder')) return `Your role (${user.role}) cannot ${action} incidents`;
    let incident: Incident;
    try {
      const ctx = contextFor(user, request);
      incident =
        action === 'acknowledge'
          ? await services.incidents.acknowledge(ctx, incidentId)
          : await services.incidents.resolve(ctx, incidentId);
    } catch (error) {
      if (error instanceof VigilError) return error.message;
      throw error;
    }
    return `${action === 'acknowledge' ? 'Acknowledged' : 'Resolved'} #${incident.number}: ${incident.title}`;
  }

  const fields = (request: FastifyRequest) => (request.body ?? {}) as Record<string, string>;
  const twiml = (reply: FastifyReply, inner: string) =>
    reply.type('text/xml').send(`<?xml version="1.0" encoding="UTF-8"?><Response>${inner}</Response>`);

  function twilioVerified(request: FastifyRequest): boolean {
    const twilio = channels.twilio;
    if (!twilio) return false;
    const url = `${config.publicUrl}${request.url}`;
    return verifyTwilioSignature(
      twilio.authToken,
      url,
      fields(request),
      request.headers['x-twilio-signature'] as string | undefined,
    );
  }

  const hidden = { schema: { hide: true } };

  scope.post('/webhooks/twilio/sms', hidden, async (request, reply) => {
    if (!twilioVerified(request)) return reply.code(403).send('bad signature');
    const { From: from = '', Body: body = '' } = fields(request);
    const method = await uow.read.contactMethods.findVerifiedByAddress('sms', from);
    const [user] = method ? await uow.read.users.getMany([method.userId]) : [];
    if (!method || !user || user.deactivatedAt) {
      return twiml(reply, `<Message>This number is not a verified Vigil contact method.</Message>`);
    }
    const parsed = parseSmsReply(body);
    if (!parsed) {
      return twiml(
        reply,
        '<Message>Reply with the number of the page and a to acknowledge or r to resolve, e.g. 3a</Message>',
      );
    }
    const notification = await uow.read.notifications.findByReplyCode(method.id, parsed.code);
    if (!notification?.incidentId) {
      return twiml(reply, `<Message>No page ${parsed.code ?? ''} found for this number.</Message>`);
    }
    return twiml(
      reply,
      `<Message>${xml(await act(user, notification.incidentId, parsed.action, request))}</Message>`,
    );
  });

  scope.post('/webhooks/twilio/voice', hidden, async (request, reply) => {
    if (!twilioVerified(request)) return reply.code(403).send('bad signature');
    const id = (request.query as Record<string, string>).n ?? '';
    const notification = id ? await uow.read.notifications.get(id) : null;
    const [user] = notification ? await uow.read.users.getMany([notification.userId]) : [];
    const digits = fields(request).Digits;
    const action: Act | null = digits === '4' ? 'acknowledge' : digits === '6' ? 'resolve' : null;
    if (!notification?.incidentId || !user || !action) {
      return twiml(reply, '<Say>Sorry, that key does nothing. Goodbye.</Say>');
    }
    return twiml(
      reply,
      `<Say>${xml(await act(user, notification.incidentId, action, request))}. Goodbye.</Say>`,
    );
  });

  scope.post('/webhooks/twilio/status', hidden, async (request, reply) => {
    if (!twilioVerified(request)) return reply.code(403).send('bad signature');
    const f = fields(request);
    const sid = f.MessageSid ?? f.CallSid;
    const status = f.MessageStatus ?? f.CallStatus;
    if (sid && status) {
      const at = clock.now().toISOString();
      const failed = ['failed', 'undelivered', 'busy', 'no-answer', 'canceled'].includes(status);
      const delivered = status === 'delivered' || status === 'completed';
      if (failed || delivered) {
        await app.store.db
          .updateTable('notifications')
          .set(
            delivered
              ? {
                  state: 'delivered',
                  delivered_at: at,
                  reason: `the provider reports ${status}`,
                  updated_at: at,
                }
              : {
                  state: 'failed',
                  reason: `the provider reports ${status}${f.ErrorCode ? ` (error ${f.ErrorCode})` : ''}`,
                  updated_at: at,
                },
          )
          .where('provider_id', '=', sid)
          .where('state', 'in', ['sent', 'delivered'])
          .execute();
      }
    }
    return reply.code(204).send();
  });

  // ── Slack ────────────────────────────────────────────────────────────────────────────────────
  function slackVerified(request: FastifyRequest, reply: FastifyReply): boolean {
    const secret = channels.slack?.signingSecret;
    const verdict = secret
      ? verifySlackSignature(
          secret,
          request.headers['x-slack-request-timestamp'] as string | undefined,
          request.rawBody ?? '',
          request.headers['x-slack-signature'] as string | undefined,
          Math.floor(Date.now() / 1000),
        )
      : 'invalid';
    if (verdict !== 'ok') reply.code(401).send(verdict === 'stale' ? 'stale request' : 'bad signature');
    return verdict === 'ok';
  }

  /** The Vigil user behind a Slack member: the one with that member ID as a Slack contact method. */
  async function slackUser(slackUserId: string | undefined) {
    if (!slackUserId) return null;
    const method = await uow.read.contactMethods.findVerifiedByAddress('slack', slackUserId);
    const [user] = method ? await uow.read.users.getMany([method.userId]) : [];
    return user && !user.deactivatedAt ? user : null;
  }

  scope.post('/webhooks/slack/interactions', hidden, async (request, reply) => {
    if (!slackVerified(request, reply)) return reply;
    let payload: { user?: { id?: string }; actions?: { action_id?: string; value?: string }[] };
    try {
      payload = JSON.parse(fields(request).payload ?? '{}');
    } catch {
      return reply.code(400).send('payload is not JSON');
    }
    const button = payload.actions?.[0];
    const action: Act | null =
      button?.action_id === 'vigil_ack'
        ? 'acknowledge'
        : button?.action_id === 'vigil_resolve'
          ? 'resolve'
          : null;
    const user = await slackUser(payload.user?.id);
    if (!action || !button?.value) return reply.code(200).send();
    if (!user) {
      request.log.warn(
        { slackUser: payload.user?.id },
        'Slack button from a member no Vigil user has as contact method',
      );
      return reply.code(200).send();
    }
    // The message itself changes when the engine sees the incident change (chat.update).
    await act(user, button.value, action, request);
    return reply.code(200).send();
  });

  scope.post('/webhooks/slack/commands', hidden, async (request, reply) => {
    if (!slackVerified(request, reply)) return reply;
    const { text = '' } = fields(request);
    const [sub, ...rest] = text.trim().split(/\s+/);
    if (sub !== 'oncall') {
      return { response_type: 'ephemeral', text: 'Try `/vigil oncall` or `/vigil oncall <schedule>`' };
    }
    const name = rest.join(' ');
    const answer = await services.schedules.onCallEverywhere();
    const lines = answer.entries
      .filter((e) => !name || e.schedule.name.toLowerCase() === name.toLowerCase())
      .map((e) => `• *${e.schedule.name}*: ${e.name}${e.layer ? ` (${e.layer})` : ' (override)'}`);
    return {
      response_type: 'ephemeral',
      text:
        lines.length > 0
          ? `On call now:\n${lines.join('\n')}`
          : `Nobody is on call${name ? ` for ${name}` : ''}.`,
    };
  });

  // ── signed action links ──────────────────────────────────────────────────────────────────────
  const verb = (action: LinkAction) => (action === 'acknowledge' ? 'Acknowledge' : 'Resolve');

  async function claimOf(request: FastifyRequest, reply: FastifyReply) {
    const token = (request.params as { token: string }).token;
    const claim = app.paging?.links.verify(token, Math.floor(clock.now().getTime() / 1000)) ?? 'invalid';
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer');
    if (claim === 'invalid') {
      reply
        .code(404)
        .send(
          page(
            'Link not valid',
            '<p>This link is not one Vigil made. Open the incident in Vigil instead.</p>',
          ),
        );
      return null;
    }
    if (claim === 'expired') {
      reply
        .code(410)
        .send(page('Link expired', '<p>This link has expired. Open the incident in Vigil instead.</p>'));
      return null;
    }
    const incident = await uow.read.incidents.get(claim.incidentId);
    const [user] = await uow.read.users.getMany([claim.userId]);
    if (!incident || !user || user.deactivatedAt) {
      reply
        .code(404)
        .send(page('Link not valid', '<p>The incident or the person this link was for is gone.</p>'));
      return null;
    }
    return { claim, incident, user };
  }

  // GET only asks: mail scanners fetch links, they do not press buttons.
  scope.get('/actions/:token', hidden, async (request, reply) => {
    const found = await claimOf(request, reply);
    if (!found) return reply;
    const { claim, incident, user } = found;
    const title = `${verb(claim.action)} incident #${incident.number}?`;
    return reply.send(
      page(
        title,
        `<p><strong>${escapeHtml(incident.title)}</strong><br>Status: ${incident.status}</p>
<p>You act as ${escapeHtml(user.name)}.</p>
<form method="post"><button type="submit">${verb(claim.action)}</button></form>`,
      ),
    );
  });

  scope.post('/actions/:token', hidden, async (request, reply) => {
    const found = await claimOf(request, reply);
    if (!found) return reply;
    const message = await act(found.user, found.incident.id, found.claim.action, request);
    return reply.send(page(message, `<p>${escapeHtml(message)}</p>`));
  });
}
