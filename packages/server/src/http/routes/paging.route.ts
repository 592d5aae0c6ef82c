import { VigilError } from '@vigil/core';
import {
  ContactMethod,
  ContactMethodCreate,
  ContactMethodCreated,
  ContactMethodUpdate,
  EscalationPolicy,
  EscalationPolicyCreate,
  EscalationPolicyUpdate,
  IdParams,
  Notification,
  NotificationRule,
  NotificationRuleCreate,
  PageOf,
  PageQuery,
  PolicyPreview,
  TestClockBody,
  VerifyBody,
} from '@vigil/sdk/contract';
import { Type } from 'typebox';
import type { AppDeps } from '../../app.js';
import { contextOf } from '../auth.js';
import {
  presentContactMethod,
  presentNotification,
  presentPage,
  presentPolicy,
  presentRule,
} from '../present.js';
import { noContent, responses, type TypedApp } from '../typed.js';

const UserItemParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  itemId: Type.String({ minLength: 1, maxLength: 64 }),
});

const stepsFromApi = (
  steps: { delay_minutes: number; targets: { type: 'user' | 'schedule' | 'team'; id: string }[] }[],
) =>
  steps.map((s) => ({
    delayMinutes: s.delay_minutes,
    targets: s.targets.map((t) => ({ type: t.type, id: t.id })),
  }));

export function pagingRoutes(app: TypedApp, { services, paging, config }: AppDeps) {
  const policies = services.policies;
  const contacts = services.contacts;

  // ── escalation policies ──────────────────────────────────────────────────────────────────────
  const tags = ['escalation policies'];
  app.get(
    '/api/v1/escalation-policies',
    { schema: { tags, querystring: PageQuery, response: responses(200, PageOf(EscalationPolicy)) } },
    async (request) =>
      presentPage(
        await policies.list({ limit: request.query.limit ?? 50, cursor: request.query.cursor ?? null }),
        presentPolicy,
      ),
  );
  app.post(
    '/api/v1/escalation-policies',
    {
      config: { idempotent: true },
      schema: { tags, body: EscalationPolicyCreate, response: responses(201, EscalationPolicy) },
    },
    async (request, reply) => {
      const { name, description, team_id, repeat, steps } = request.body;
      const policy = await policies.create(contextOf(request), {
        name,
        ...(description !== undefined ? { description } : {}),
        ...(team_id !== undefined ? { teamId: team_id } : {}),
        ...(repeat !== undefined ? { repeat } : {}),
        steps: stepsFromApi(steps),
      });
      return reply.code(201).send(presentPolicy(policy));
    },
  );
  app.get(
    '/api/v1/escalation-policies/:id',
    { schema: { tags, params: IdParams, response: responses(200, EscalationPolicy) } },
    async (request) => presentPolicy(await policies.get(request.params.id)),
  );
  app.get(
    '/api/v1/escalation-policies/:id/preview',
    { schema: { tags, params: IdParams, response: responses(200, PolicyPreview) } },
    async (request) => {
      const preview = await policies.preview(request.params.id);
      return {
        at: preview.at,
        steps: preview.steps.map(({ index, delayMinutes, targets }) => ({
          index,
          delay_minutes: delayMinutes,
          targets,
        })),
      };
    },
  );
  app.patch(
    '/api/v1/escalation-policies/:id',
    {
      schema: {
        tags,
        params: IdParams,
        body: EscalationPolicyUpdate,
        response: responses(200, EscalationPolicy),
      },
    },
    async (request) => {
      const { name, description, team_id, repeat, steps, version } = request.body;
      return presentPolicy(
        await policies.update(contextOf(request), request.params.id, {
          ...(version !== undefined ? { version } : {}),
          ...(name !== undefined ? { name } : {}),
          ...(description !== undefined ? { description } : {}),
          ...(team_id !== undefined ? { teamId: team_id } : {}),
          ...(repeat !== undefined ? { repeat } : {}),
          ...(steps !== undefined ? { steps: stepsFromApi(steps) } : {}),
        }),
      );
    },
  );
  app.delete(
    '/api/v1/escalation-policies/:id',
    { schema: { tags, params: IdParams, response: noContent } },
    async (request, reply) => {
      await policies.delete(contextOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  // The web app subscribes a device for push with this key (VIGIL_VAPID_PUBLIC_KEY); null: push is off.
  app.get(
    '/api/v1/push/public-key',
    {
      schema: {
        tags: ['contact methods'],
        response: responses(200, Type.Object({ public_key: Type.Union([Type.String(), Type.Null()]) })),
      },
    },
    async () => ({ public_key: config.channels?.vapid?.publicKey ?? null }),
  );

  // ── contact methods and notification rules ───────────────────────────────────────────────────
  const people = ['contact methods'];
  app.get(
    '/api/v1/users/:id/contact-methods',
    {
      schema: {
        tags: people,
        params: IdParams,
        response: responses(200, Type.Object({ data: Type.Array(ContactMethod) })),
      },
    },
    async (request) => ({
      data: (await contacts.list(contextOf(request), request.params.id)).map(presentContactMethod),
    }),
  );
  app.post(
    '/api/v1/users/:id/contact-methods',
    {
      config: { idempotent: true },
      schema: {
        tags: people,
        summary: 'Add a contact method; e-mail, SMS and voice get a verification code',
        params: IdParams,
        body: ContactMethodCreate,
        response: responses(201, ContactMethodCreated),
      },
    },
    async (request, reply) => {
      const { type, address, label, secret } = request.body;
      const method = await contacts.add(contextOf(request), request.params.id, {
        type,
        address,
        ...(label !== undefined ? { label } : {}),
        ...(secret !== undefined ? { secret } : {}),
      });
      return reply
        .code(201)
        .send({ ...presentContactMethod(method), ...(method.secret ? { secret: method.secret } : {}) });
    },
  );
  app.patch(
    '/api/v1/users/:id/contact-methods/:itemId',
    {
      schema: {
        tags: people,
        params: UserItemParams,
        body: ContactMethodUpdate,
        response: responses(200, ContactMethod),
      },
    },
    async (request) =>
      presentContactMethod(
        await contacts.rename(
          contextOf(request),
          request.params.id,
          request.params.itemId,
          request.body.label,
        ),
      ),
  );
  app.delete(
    '/api/v1/users/:id/contact-methods/:itemId',
    { schema: { tags: people, params: UserItemParams, response: noContent } },
    async (request, reply) => {
      await contacts.remove(contextOf(request), request.params.id, request.params.itemId);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/api/v1/users/:id/contact-methods/:itemId/verify',
    {
      schema: {
        tags: people,
        params: UserItemParams,
        body: VerifyBody,
        response: responses(200, ContactMethod),
      },
    },
    async (request) =>
      presentContactMethod(
        await contacts.verify(
          contextOf(request),
          request.params.id,
          request.params.itemId,
          request.body.code,
        ),
      ),
  );
  app.post(
    '/api/v1/users/:id/contact-methods/:itemId/send-code',
    {
      schema: {
        tags: people,
        summary: 'Send a new verification code',
        params: UserItemParams,
        response: noContent,
      },
    },
    async (request, reply) => {
      await contacts.resendCode(contextOf(request), request.params.id, request.params.itemId);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/api/v1/users/:id/contact-methods/:itemId/test',
    {
      schema: {
        tags: people,
        summary: 'Send a test message; follow it in the answer’s notification',
        params: UserItemParams,
        response: responses(202, Notification),
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(
          presentNotification(
            await contacts.sendTest(contextOf(request), request.params.id, request.params.itemId),
          ),
        ),
  );
  app.get(
    '/api/v1/users/:id/notification-rules',
    {
      schema: {
        tags: people,
        params: IdParams,
        response: responses(200, Type.Object({ data: Type.Array(NotificationRule) })),
      },
    },
    async (request) => ({
      data: (await contacts.listRules(contextOf(request), request.params.id)).map(presentRule),
    }),
  );
  app.post(
    '/api/v1/users/:id/notification-rules',
    {
      schema: {
        tags: people,
        params: IdParams,
        body: NotificationRuleCreate,
        response: responses(201, NotificationRule),
      },
    },
    async (request, reply) => {
      const rule = await contacts.addRule(contextOf(request), request.params.id, {
        contactMethodId: request.body.contact_method_id,
        delayMinutes: request.body.delay_minutes,
        urgency: request.body.urgency ?? 'any',
      });
      return reply.code(201).send(presentRule(rule));
    },
  );
  app.delete(
    '/api/v1/users/:id/notification-rules/:itemId',
    { schema: { tags: people, params: UserItemParams, response: noContent } },
    async (request, reply) => {
      await contacts.removeRule(contextOf(request), request.params.id, request.params.itemId);
      return reply.code(204).send(null);
    },
  );

  // ── the test clock: a 404 unless VIGIL_TEST_CLOCK=1 ───────────────────────────────────────────
  app.post(
    '/api/v1/test/clock',
    {
      schema: {
        tags: ['testing'],
        summary: 'Move the engine clock forward (VIGIL_TEST_CLOCK=1 only; otherwise 404)',
        body: TestClockBody,
        response: responses(200, Type.Object({ now: Type.String(), offset_seconds: Type.Number() })),
      },
    },
    async (request) => {
      const testClock = paging?.testClock;
      if (!testClock)
        throw new VigilError('NOT_FOUND', 'The test clock is off (VIGIL_TEST_CLOCK=1 turns it on)');
      const { advance_seconds, offset_seconds } = request.body;
      if ((advance_seconds === undefined) === (offset_seconds === undefined))
        throw new VigilError('VALIDATION_FAILED', 'Give one of advance_seconds and offset_seconds');
      const now =
        advance_seconds !== undefined
          ? testClock.advance(advance_seconds * 1000)
          : testClock.offsetAtLeast((offset_seconds ?? 0) * 1000);
      paging?.nudge();
      return { now: now.toISOString(), offset_seconds: testClock.offsetSeconds };
    },
  );
}
