import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  type Clock,
  createApiKeyService,
  createCalendarFeedService,
  createChangeEventService,
  createContactService,
  createEscalationPolicyService,
  createIncidentService,
  createIngestService,
  createIntegrationService,
  createScheduleService,
  createServiceService,
  createSessionService,
  createSetupService,
  createShiftRequestService,
  createTeamService,
  createUserService,
  type IngestItem,
  type IngestOutcome,
  type PasswordResetMail,
  type Secrets,
  type UnitOfWork,
} from '@vigil/core';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { createPasswordResetMail } from './channels/email/password-reset-mail.js';
import { generateWebhookSecret } from './channels/standard-webhooks.js';
import type { ChannelConfig, Config } from './config.js';
import type { ActionLinks } from './engine/action-links.js';
import type { OffsetClock } from './engine/test-clock.js';
import { installAuth } from './http/auth.js';
import { installErrorHandling } from './http/errors.js';
import { installIdempotency } from './http/idempotency.js';
import { createIncidentFeed, type IncidentFeed } from './http/incident-feed.js';
import { createMetrics, installMetrics, type Metrics } from './http/metrics.js';
import { alertRoutes, auditRoutes, changeEventRoutes } from './http/routes/alerts.route.js';
import { apiKeyRoutes } from './http/routes/api-keys.route.js';
import { authRoutes } from './http/routes/auth.route.js';
import { inboundRoutes } from './http/routes/inbound.route.js';
import { incidentStreamRoutes } from './http/routes/incident-stream.route.js';
import { incidentRoutes } from './http/routes/incidents.route.js';
import { metaRoutes } from './http/routes/meta.route.js';
import { outboundRoutes } from './http/routes/outbound.route.js';
import { pagingRoutes } from './http/routes/paging.route.js';
import { scheduleRoutes } from './http/routes/schedules.route.js';
import { serviceRoutes } from './http/routes/services.route.js';
import { setupRoutes } from './http/routes/setup.route.js';
import { teamRoutes } from './http/routes/teams.route.js';
import { userRoutes } from './http/routes/users.route.js';
import { createSessionCookies, type SessionCookies } from './http/session-cookie.js';
import { installTextGuard } from './http/text-guard.js';
import type { TypedApp } from './http/typed.js';
import { defaultWebDir, webAppRoutes } from './http/web-app.js';
import { newId } from './ids.js';
import { heartbeatRoutes } from './ingest/heartbeat/heartbeat.routes.js';
import { ingestRoutes } from './ingest/ingest.routes.js';
import { createIntegrationKeyLookup, type IntegrationKeyLookup } from './ingest/integration-keys.js';
import { RateLimiter } from './ingest/rate-limiter.js';
import type { SecretBox } from './security/secret-box.js';
import type { Store } from './store/dialect.js';
import { GroupCommit } from './store/group-commit.js';

/** The body cap for every route (specs/api.md): larger bodies get 413 before they are parsed. */
export const BODY_LIMIT_BYTES = 512 * 1024;

/** Events a minute per integration when it sets no limit: 1,000× PagerDuty's 2/s per key. */
export const DEFAULT_INGEST_RATE_LIMIT_PER_MINUTE = 120_000;

export interface AppDeps {
  config: Pick<Config, 'publicUrl' | 'testClock' | 'webDir' | 'secretKey'> & {
    ingestRateLimitPerMinute?: number;
    channels?: ChannelConfig;
  };
  /** The engine's doorbell and what the paging routes need; absent in apps built without an engine. */
  paging?: { nudge(): void; links: ActionLinks; testClock: OffsetClock | null };
  store: Store;
  uow: UnitOfWork;
  clock: Clock;
  secrets: Secrets;
  box: SecretBox;
  metrics: Metrics;
  services: ReturnType<typeof createServices>;
  integrationKeys: IntegrationKeyLookup;
  /** The web UI's session cookie and CSRF tokens (docs/sign-in.md). */
  sessionCookies: SessionCookies;
  /** The live incident feed behind GET /api/v1/incidents/stream (docs/incident-board.md). */
  incidentFeed: IncidentFeed;
}

export function createServices(deps: {
  uow: UnitOfWork;
  clock: Clock;
  secrets: Secrets;
  passwordResetMail?: PasswordResetMail | null;
}) {
  const useCaseDeps = { ...deps, newId: () => newId(deps.clock.now().getTime()) };
  return {
    users: createUserService(useCaseDeps),
    apiKeys: createApiKeyService(useCaseDeps),
    teams: createTeamService(useCaseDeps),
    services: createServiceService(useCaseDeps),
    integrations: createIntegrationService(useCaseDeps),
    incidents: createIncidentService(useCaseDeps),
    setup: createSetupService(useCaseDeps),
    sessions: createSessionService(useCaseDeps),
    ingest: createIngestService(useCaseDeps),
    changeEvents: createChangeEventService(useCaseDeps),
    schedules: createScheduleService(useCaseDeps),
    shiftRequests: createShiftRequestService(useCaseDeps),
    calendarFeeds: createCalendarFeedService(useCaseDeps),
    policies: createEscalationPolicyService(useCaseDeps),
    contacts: createContactService({ ...useCaseDeps, newWebhookSecret: generateWebhookSecret }),
  };
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Two validators: bodies are checked exactly as sent (no type coercion, unknown fields refused), so
 * `"5"` is not a number; query strings and path params are text by nature and are coerced.
 */
function createValidators() {
  const common = { allErrors: true, strict: false, useDefaults: true, removeAdditional: false } as const;
  return {
    body: addFormats(new Ajv({ ...common, coerceTypes: false })),
    text: addFormats(new Ajv({ ...common, coerceTypes: 'array' })),
  };
}

/** Builds the whole HTTP app without listening (STYLE.md §2): tests use inject(), main.ts listens. */
export async function buildApp(
  deps: Omit<AppDeps, 'services' | 'metrics' | 'integrationKeys' | 'sessionCookies' | 'incidentFeed'> & {
    metrics?: Metrics;
    incidentFeed?: IncidentFeed;
  },
  options: { logger?: FastifyServerOptions['logger'] } = {},
): Promise<FastifyInstance> {
  const logger: { current?: FastifyInstance['log'] } = {};
  const smtp = deps.config.channels?.smtp;
  const passwordResetMail = smtp
    ? createPasswordResetMail({
        smtp,
        publicUrl: deps.config.publicUrl,
        ...(deps.config.channels?.outboundTimeoutMs
          ? { timeoutMs: deps.config.channels.outboundTimeoutMs }
          : {}),
        log: (error, message) => logger.current?.warn({ err: error }, message),
      })
    : null;
  const full: AppDeps = {
    ...deps,
    metrics: deps.metrics ?? createMetrics({ processMetrics: false }),
    services: createServices({ ...deps, passwordResetMail }),
    sessionCookies: createSessionCookies(deps.config),
    integrationKeys: createIntegrationKeyLookup(deps),
    incidentFeed:
      deps.incidentFeed ??
      createIncidentFeed({
        incidents: deps.uow.read.incidents,
        users: deps.uow.read.users,
        publicUrl: deps.config.publicUrl,
        clock: deps.clock,
        onError: (error) => logger.current?.warn({ err: error }, 'incident feed: read failed; retrying'),
      }),
  };
  // One queue item is one request's events, so a request is written all or nothing.
  const ingestQueue = new GroupCommit<IngestItem[], IngestOutcome[]>(
    async (requests) => {
      const outcomes = await full.services.ingest.applyBatch(requests.flat());
      let offset = 0;
      return requests.map((request) => {
        const mine = outcomes.slice(offset, offset + request.length);
        offset += request.length;
        return mine;
      });
    },
    1_000,
    (size, ms) => {
      full.metrics.ingestBatchSize.observe(size);
      full.metrics.ingestBatchSeconds.observe(ms / 1000);
    },
    (request) => request.length,
  );
  full.metrics.watchIngestQueue(() => ingestQueue.pending);
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT_BYTES,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();
  logger.current = app.log;

  const validators = createValidators();
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? validators.body : validators.text).compile(schema as object),
  );
  // HTML forms post here only (the setup page); the JSON API refuses form bodies with 415.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (request, body, done) => {
      if (request.routeOptions.url !== '/setup') {
        const error = Object.assign(new Error('Send JSON (application/json)'), {
          statusCode: 415,
          code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
        });
        return done(error);
      }
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  installErrorHandling(app, deps.store.dialect);
  installAuth(app, full);
  installTextGuard(app);
  installIdempotency(app, full);
  installMetrics(app, full.metrics);
  // A write may have made paging work due (an incident opened, acknowledged, a test message): the
  // engine looks at once instead of at its next tick.
  if (deps.paging) {
    const nudge = deps.paging.nudge;
    app.addHook('onResponse', async (request, reply) => {
      if (request.method !== 'GET' && reply.statusCode < 300 && !request.changedNothing) nudge();
    });
  }
  // A write may have changed incidents (with or without an engine): open boards read them now,
  // here and, through the feed's announcement, on every instance.
  app.addHook('onResponse', async (request, reply) => {
    if (request.method !== 'GET' && reply.statusCode < 300 && !request.changedNothing)
      full.incidentFeed.changed();
  });
  // Streams never end by themselves: end them before the server waits for its connections.
  app.addHook('preClose', async () => full.incidentFeed.close());

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Vigil API',
        version: '1',
        description:
          'Incident management and on-call. Authenticate with `Authorization: Bearer <API key>`. Errors are RFC 9457 problem details with a stable `code`.',
      },
      servers: [{ url: deps.config.publicUrl }],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'A Vigil API key (vgl_…)' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'vigil_session',
            description:
              'The web UI’s session cookie from POST /api/v1/auth/login; writes also need the X-CSRF-Token header (docs/sign-in.md)',
          },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });

  const typed = app as unknown as TypedApp;
  metaRoutes(typed, full);
  setupRoutes(typed, full);
  authRoutes(typed, full);
  userRoutes(typed, full);
  apiKeyRoutes(typed, full);
  teamRoutes(typed, full);
  serviceRoutes(typed, full);
  incidentRoutes(typed, full);
  incidentStreamRoutes(typed, full);
  alertRoutes(typed, full);
  auditRoutes(typed, full);
  changeEventRoutes(typed, full);
  scheduleRoutes(typed, full);
  pagingRoutes(typed, full);
  outboundRoutes(typed, full);
  await app.register(inboundRoutes, { app: full });
  await app.register(ingestRoutes, {
    app: full,
    queue: ingestQueue,
    keys: full.integrationKeys,
    limiter: new RateLimiter(),
    defaultRateLimitPerMinute: deps.config.ingestRateLimitPerMinute ?? DEFAULT_INGEST_RATE_LIMIT_PER_MINUTE,
  });
  await app.register(heartbeatRoutes, {
    app: full,
    defaultRateLimitPerMinute: deps.config.ingestRateLimitPerMinute ?? DEFAULT_INGEST_RATE_LIMIT_PER_MINUTE,
  });
  webAppRoutes(
    app as unknown as FastifyInstance,
    deps.config.webDir === undefined ? defaultWebDir : deps.config.webDir,
  );
  // Requests in flight finish before close returns (Fastify waits for them); this covers any batch still writing.
  app.addHook('onClose', async () => ingestQueue.drained());

  await app.ready();
  return app as unknown as FastifyInstance;
}
