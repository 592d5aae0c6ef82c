import { SESSION_MAX_DAYS } from '@vigil/core';
import { SetupBody, SetupResult } from '@vigil/sdk/contract';
import { Type } from 'typebox';
import type { AppDeps } from '../../app.js';
import { escapeHtml, page } from '../html-page.js';
import { presentApiKey, presentUser } from '../present.js';
import { responses, type TypedApp } from '../typed.js';

/**
 * The first-start setup link (printed by `vigil serve` when no user exists). GET shows a form, POST
 * creates the owner with a password, signs this browser in (the session cookie) and shows the
 * owner's first API key once, with a link on into the web app: a redirect would lose the key.
 * `POST /api/v1/setup` does the same as JSON, without a session (docs/sign-in.md).
 */
export function setupRoutes(app: TypedApp, { services, sessionCookies, clock }: AppDeps) {
  app.post(
    '/api/v1/setup',
    {
      schema: {
        tags: ['setup'],
        summary: 'Create the first owner with the one-time setup token',
        body: SetupBody,
        response: responses(201, SetupResult),
      },
    },
    async (request, reply) => {
      const result = await services.setup.complete(request.body);
      return reply.code(201).send({
        user: presentUser(result.user),
        api_key: { ...presentApiKey(result.key), token: result.token },
      });
    },
  );

  app.get(
    '/setup',
    {
      schema: {
        hide: true,
        querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) }),
      },
    },
    async (request, reply) => {
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer');
      if (!(await services.setup.needsSetup())) {
        return page(
          'Vigil is set up',
          '<p>This installation already has an owner. Ask them for an account.</p>',
        );
      }
      const token = escapeHtml(request.query.token ?? '');
      return page(
        'Set up Vigil',
        `<p>Create the owner account. You will be signed in to the web app, and get an API key for the REST API and the <code>vigil</code> CLI.</p>
<form method="post" action="/setup"><input type="hidden" name="token" value="${token}">
<label for="name">Your name</label><input id="name" name="name" required maxlength="200" autocomplete="name">
<label for="email">E-mail</label><input id="email" name="email" type="email" required maxlength="320" autocomplete="email">
<label for="password">Password (12 characters or more)</label><input id="password" name="password" type="password" required minlength="12" maxlength="1024" autocomplete="new-password">
<button type="submit">Create owner</button></form>`,
      );
    },
  );

  app.post(
    '/setup',
    {
      schema: {
        hide: true,
        body: Type.Object({
          token: Type.String({ maxLength: 200 }),
          name: Type.String({ minLength: 1, maxLength: 200 }),
          email: Type.String({ format: 'email', maxLength: 320 }),
          password: Type.String({ minLength: 12, maxLength: 1024 }),
        }),
      },
    },
    async (request, reply) => {
      const { token, name, email, password } = request.body;
      const result = await services.setup.complete(
        { token, name, email, password },
        { signIn: { ip: request.ip, userAgent: request.headers['user-agent'] ?? null } },
      );
      if (result.session) {
        const end = Date.parse(result.session.session.createdAt) + SESSION_MAX_DAYS * 86_400_000;
        sessionCookies.set(reply, result.session.token, (end - clock.now().getTime()) / 1000);
      }
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer');
      return page(
        'Vigil is ready',
        `<p>Welcome, ${escapeHtml(result.user.name)}. You are signed in to the web app as ${escapeHtml(result.user.email)}.</p>
<p><a href="/"><strong>Continue to Vigil</strong></a></p>
<p>This is your owner API key, for the REST API and the <code>vigil</code> CLI. It is shown <strong>once</strong>; keep it somewhere safe.</p>
<p><code>${escapeHtml(result.token)}</code></p>
<p>Try it:</p><p><code>curl -H "Authorization: Bearer ${escapeHtml(result.token)}" ${escapeHtml(`${request.protocol}://${request.host}`)}/api/v1/me</code></p>`,
      );
    },
  );
}
