import { sql } from 'kysely';
import { Type } from 'typebox';
import type { AppDeps } from '../../app.js';
import { migrationsAreCurrent } from '../../store/migrate.js';
import { sendProblem } from '../errors.js';
import type { TypedApp } from '../typed.js';

export function metaRoutes(app: TypedApp, deps: AppDeps) {
  const Status = Type.Object({ status: Type.String() });

  app.get(
    '/healthz',
    { schema: { tags: ['operations'], summary: 'The process serves', response: { 200: Status } } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'The database answers and migrations are current',
        response: { 200: Status },
      },
    },
    async (_request, reply) => {
      try {
        await sql`select 1`.execute(deps.store.db);
        if (!(await migrationsAreCurrent(deps.store)))
          return sendProblem(reply, 'NOT_READY', 'Migrations are pending; run `vigil migrate`');
        return { status: 'ready' };
      } catch (error) {
        reply.log.warn({ err: error }, 'readiness check failed');
        return sendProblem(reply, 'NOT_READY', 'The database does not answer');
      }
    },
  );

  app.get(
    '/metrics',
    { schema: { tags: ['operations'], summary: 'Prometheus metrics', hide: false } },
    async (_request, reply) => {
      reply.type(deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    },
  );

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
