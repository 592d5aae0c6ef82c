import type {
  Alert,
  AlertListQuery,
  ApiKey,
  ApiKeyCreate,
  ApiKeyCreated,
  AuditEntry,
  AuditListQuery,
  Incident,
  IncidentCreate,
  IncidentListQuery,
  IncidentUpdate,
  Integration,
  IntegrationCreate,
  IntegrationUpdate,
  LoginBody,
  OnCall,
  OnCalls,
  Override,
  Page,
  Problem,
  Schedule,
  ScheduleCreate,
  SchedulePreview,
  ScheduleUpdate,
  ScheduleVersion,
  Service,
  ServiceCreate,
  ServiceUpdate,
  SessionInfo,
  Shift,
  Team,
  TeamCreate,
  TeamMember,
  TeamUpdate,
  TimelineEntry,
  User,
  UserCreate,
  UserUpdate,
} from './contract/index.js';

export interface VigilClientOptions {
  /** Where Vigil runs, e.g. `http://127.0.0.1:8080` (without `/api/v1`). */
  baseUrl: string;
  /** An API key; sent as `Authorization: Bearer <token>`. Leave it out in a browser signed in with a session. */
  token?: string;
  /** Another fetch (tests, proxies, instrumentation); Node's global fetch by default. */
  fetch?: typeof globalThis.fetch;
  /**
   * Whether fetch sends cookies: `'same-origin'` (the default of browsers) or `'include'` lets the
   * session cookie of `auth.login` authenticate (docs/sign-in.md).
   */
  credentials?: 'omit' | 'same-origin' | 'include';
  /**
   * The session's CSRF token (`csrf_token` of `auth.login` / `auth.session`), sent as `X-CSRF-Token`
   * on every request that is not a GET; a function is asked before each request.
   */
  csrfToken?: string | (() => string | undefined);
}

/** `limit` (1–500, default 50) and the `next_cursor` of the previous page. */
export interface PageParams {
  limit?: number;
  cursor?: string;
}

/** Options of a create: a replayed `Idempotency-Key` returns the first response (within 24 h). */
export interface CreateOptions {
  idempotencyKey?: string;
}

export type FieldError = NonNullable<Problem['errors']>[number];

/** A non-2xx answer, with the RFC 9457 problem details the API sent. */
export class VigilApiError extends Error {
  override readonly name = 'VigilApiError';
  /** The HTTP status. */
  readonly status: number;
  /** Vigil's stable code, e.g. `VALIDATION_FAILED`, `NOT_FOUND`, `UNAUTHENTICATED`. */
  readonly code: string;
  /** What went wrong, for a person. */
  readonly detail: string;
  /** Field errors of a `VALIDATION_FAILED`; empty otherwise. */
  readonly errors: FieldError[];
  /** The problem document when the body was one, else null. */
  readonly problem: Problem | null;
  readonly method: string;
  readonly url: string;

  constructor(init: {
    status: number;
    code: string;
    detail: string;
    errors?: FieldError[];
    problem?: Problem | null;
    method: string;
    url: string;
  }) {
    super(`${init.detail} (${init.code})`);
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.errors = init.errors ?? [];
    this.problem = init.problem ?? null;
    this.method = init.method;
    this.url = init.url;
  }
}

/** The request never got an answer: the server is down, the URL is wrong, the connection broke. */
export class VigilNetworkError extends Error {
  override readonly name = 'VigilNetworkError';
  readonly method: string;
  readonly url: string;

  constructor(method: string, url: string, cause: unknown) {
    const reason = describeCause(cause);
    super(`Could not reach ${url}${reason ? `: ${reason}` : ''}`, { cause });
    this.method = method;
    this.url = url;
  }
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause ?? '');
  // undici reports "fetch failed" and keeps the useful part (ECONNREFUSED, ENOTFOUND…) in `cause`.
  const inner = (cause as Error & { cause?: unknown }).cause;
  if (inner instanceof Error) {
    const code = (inner as Error & { code?: string }).code;
    return code && !inner.message.includes(code) ? `${code} ${inner.message}` : inner.message;
  }
  return cause.message;
}

/** Codes for answers that carry no problem document (a proxy's HTML page, an empty body). */
const codeForStatus: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  500: 'INTERNAL',
  503: 'NOT_READY',
};

type QueryValue = string | number | boolean | readonly string[] | null | undefined;
type Query = Record<string, QueryValue>;

interface RequestInit {
  query?: Query | undefined;
  body?: unknown;
  idempotencyKey?: string | undefined;
}

const id = (value: string | number) => encodeURIComponent(String(value));

/**
 * A small typed client for the Vigil HTTP API (`/api/v1`).
 *
 * ```ts
 * const vigil = new VigilClient({ baseUrl: 'http://127.0.0.1:8080', token: process.env.VIGIL_TOKEN! });
 * const incident = await vigil.incidents.create({ service_id, title: 'Disk full on db-1' });
 * for await (const open of vigil.paginate((cursor) => vigil.incidents.list({ status: 'triggered', cursor })))
 *   console.log(open.number, open.title);
 * ```
 */
export class VigilClient {
  readonly baseUrl: string;
  readonly #token: string | undefined;
  readonly #fetch: typeof globalThis.fetch;
  readonly #credentials: VigilClientOptions['credentials'];
  readonly #csrfToken: (() => string | undefined) | undefined;

  constructor(options: VigilClientOptions) {
    if (!options.baseUrl) throw new TypeError('VigilClient needs a baseUrl');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#credentials = options.credentials;
    const csrf = options.csrfToken;
    this.#csrfToken = typeof csrf === 'function' ? csrf : csrf === undefined ? undefined : () => csrf;
  }

  /** Sends one request to `/api/v1{path}`; resolves with the parsed JSON body (undefined for 204). */
  async request<T>(method: string, path: string, init: RequestInit = {}): Promise<T> {
    const url = `${this.baseUrl}/api/v1${path}${queryString(init.query)}`;
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    const hasBody = method === 'POST' || method === 'PATCH' || method === 'PUT';
    if (hasBody) headers['content-type'] = 'application/json';
    if (init.idempotencyKey !== undefined) headers['idempotency-key'] = init.idempotencyKey;
    if (method !== 'GET' && method !== 'HEAD') {
      const csrf = this.#csrfToken?.();
      if (csrf) headers['x-csrf-token'] = csrf;
    }

    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        ...(this.#credentials ? { credentials: this.#credentials } : {}),
        ...(hasBody ? { body: JSON.stringify(init.body ?? {}) } : {}),
      });
    } catch (error) {
      throw new VigilNetworkError(method, url, error);
    }

    const text = await response.text();
    if (!response.ok) throw errorFrom(response, text, method, url);
    if (response.status === 204 || text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new VigilApiError({
        status: response.status,
        code: 'INVALID_RESPONSE',
        detail: `Expected JSON from ${method} ${url}, got ${describeBody(response, text)}`,
        method,
        url,
      });
    }
  }

  /**
   * Every item of a list, page after page, following `next_cursor`:
   * `for await (const team of client.paginate((cursor) => client.teams.list({ cursor })))`.
   */
  async *paginate<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T, void> {
    let cursor: string | undefined;
    const seen = new Set<string>();
    for (;;) {
      const page = await fetchPage(cursor);
      yield* page.data;
      if (!page.next_cursor || seen.has(page.next_cursor)) return;
      seen.add(page.next_cursor);
      cursor = page.next_cursor;
    }
  }

  /** The user behind this API key (or this browser's session). */
  me(): Promise<User> {
    return this.request('GET', '/me');
  }

  /**
   * Browser sign-in (docs/sign-in.md). The server keeps the session in an HttpOnly cookie the
   * browser sends by itself (see `credentials`); pass the `csrf_token` of `login`/`session` back as
   * the `csrfToken` option, which every write then carries.
   */
  readonly auth = {
    /** Signs in and sets the session cookie; a wrong e-mail or password is 401 INVALID_CREDENTIALS. */
    login: (body: LoginBody) => this.request<SessionInfo>('POST', '/auth/login', { body }),
    /** This browser's session, or 401 UNAUTHENTICATED when it is not signed in. */
    session: () => this.request<SessionInfo>('GET', '/auth/session'),
    /** Signs this browser out and clears the cookie. */
    logout: () => this.request<void>('POST', '/auth/logout', { body: {} }),
    /** Ends every session of the caller on every browser (API keys stay). */
    logoutEverywhere: () => this.request<void>('POST', '/auth/logout-everywhere', { body: {} }),
    /** Mails a one-hour link to set a new password when the address has an account; always accepted. */
    requestPasswordReset: (email: string) =>
      this.request<{ status: 'accepted'; message: string }>('POST', '/auth/password-reset', {
        body: { email },
      }),
    /** Sets the new password with the link's token; 400 PASSWORD_RESET_INVALID when used or expired. */
    confirmPasswordReset: (token: string, password: string) =>
      this.request<void>('POST', '/auth/password-reset/confirm', { body: { token, password } }),
  };

  readonly users = {
    list: (params: PageParams = {}) => this.request<Page<User>>('GET', '/users', { query: { ...params } }),
    create: (body: UserCreate, options: CreateOptions = {}) =>
      this.request<User>('POST', '/users', { body, idempotencyKey: options.idempotencyKey }),
    get: (userId: string) => this.request<User>('GET', `/users/${id(userId)}`),
    update: (userId: string, body: UserUpdate) =>
      this.request<User>('PATCH', `/users/${id(userId)}`, { body }),
    /** Deactivates the user and revokes their API keys. */
    deactivate: (userId: string) => this.request<void>('DELETE', `/users/${id(userId)}`),
  };

  readonly apiKeys = {
    /** Your own keys; an admin sees everyone's, or one user's with `user_id`. */
    list: (params: PageParams & { user_id?: string } = {}) =>
      this.request<Page<ApiKey>>('GET', '/api-keys', { query: { ...params } }),
    /** The answer carries the `token`, shown this once. */
    create: (body: ApiKeyCreate, options: CreateOptions = {}) =>
      this.request<ApiKeyCreated>('POST', '/api-keys', { body, idempotencyKey: options.idempotencyKey }),
    revoke: (keyId: string) => this.request<void>('DELETE', `/api-keys/${id(keyId)}`),
  };

  readonly teams = {
    list: (params: PageParams = {}) => this.request<Page<Team>>('GET', '/teams', { query: { ...params } }),
    create: (body: TeamCreate, options: CreateOptions = {}) =>
      this.request<Team>('POST', '/teams', { body, idempotencyKey: options.idempotencyKey }),
    get: (teamId: string) => this.request<Team>('GET', `/teams/${id(teamId)}`),
    update: (teamId: string, body: TeamUpdate) =>
      this.request<Team>('PATCH', `/teams/${id(teamId)}`, { body }),
    delete: (teamId: string) => this.request<void>('DELETE', `/teams/${id(teamId)}`),
    members: (teamId: string) => this.request<{ data: TeamMember[] }>('GET', `/teams/${id(teamId)}/members`),
    /** Adds the user to the team, or changes their role in it. */
    putMember: (teamId: string, userId: string, role: TeamMember['role']) =>
      this.request<TeamMember>('PUT', `/teams/${id(teamId)}/members/${id(userId)}`, { body: { role } }),
    removeMember: (teamId: string, userId: string) =>
      this.request<void>('DELETE', `/teams/${id(teamId)}/members/${id(userId)}`),
  };

  readonly services = {
    list: (params: PageParams & { team_id?: string } = {}) =>
      this.request<Page<Service>>('GET', '/services', { query: { ...params } }),
    create: (body: ServiceCreate, options: CreateOptions = {}) =>
      this.request<Service>('POST', '/services', { body, idempotencyKey: options.idempotencyKey }),
    get: (serviceId: string) => this.request<Service>('GET', `/services/${id(serviceId)}`),
    update: (serviceId: string, body: ServiceUpdate) =>
      this.request<Service>('PATCH', `/services/${id(serviceId)}`, { body }),
    /** Only a service that never had incidents can be deleted. */
    delete: (serviceId: string) => this.request<void>('DELETE', `/services/${id(serviceId)}`),
  };

  readonly integrations = {
    list: (serviceId: string, params: PageParams = {}) =>
      this.request<Page<Integration>>('GET', `/services/${id(serviceId)}/integrations`, {
        query: { ...params },
      }),
    /** The answer carries the integration `key` and the `url` to paste into the monitoring tool. */
    create: (serviceId: string, body: IntegrationCreate, options: CreateOptions = {}) =>
      this.request<Integration>('POST', `/services/${id(serviceId)}/integrations`, {
        body,
        idempotencyKey: options.idempotencyKey,
      }),
    get: (integrationId: string) => this.request<Integration>('GET', `/integrations/${id(integrationId)}`),
    update: (integrationId: string, body: IntegrationUpdate) =>
      this.request<Integration>('PATCH', `/integrations/${id(integrationId)}`, { body }),
    delete: (integrationId: string) => this.request<void>('DELETE', `/integrations/${id(integrationId)}`),
  };

  /** Incidents; wherever an incident is named, its ID or its number will do. */
  readonly incidents = {
    /** Newest first. `status` and `priority` are comma lists (`'triggered,acknowledged'`). */
    list: (query: IncidentListQuery = {}) =>
      this.request<Page<Incident>>('GET', '/incidents', { query: { ...query } }),
    create: (body: IncidentCreate, options: CreateOptions = {}) =>
      this.request<Incident>('POST', '/incidents', { body, idempotencyKey: options.idempotencyKey }),
    get: (idOrNumber: string | number) => this.request<Incident>('GET', `/incidents/${id(idOrNumber)}`),
    update: (idOrNumber: string | number, body: IncidentUpdate) =>
      this.request<Incident>('PATCH', `/incidents/${id(idOrNumber)}`, { body }),
    acknowledge: (idOrNumber: string | number) =>
      this.request<Incident>('POST', `/incidents/${id(idOrNumber)}/acknowledge`, { body: {} }),
    resolve: (idOrNumber: string | number, options: { resolution?: string } = {}) =>
      this.request<Incident>('POST', `/incidents/${id(idOrNumber)}/resolve`, {
        body: options.resolution === undefined ? {} : { resolution: options.resolution },
      }),
    /** Hands the incident to other people (it triggers again if it was acknowledged). */
    reassign: (idOrNumber: string | number, assigneeIds: string[]) =>
      this.request<Incident>('POST', `/incidents/${id(idOrNumber)}/reassign`, {
        body: { assignee_ids: assigneeIds },
      }),
    addNote: (idOrNumber: string | number, body: string, options: CreateOptions = {}) =>
      this.request<TimelineEntry>('POST', `/incidents/${id(idOrNumber)}/notes`, {
        body: { body },
        idempotencyKey: options.idempotencyKey,
      }),
    /** Oldest first. */
    timeline: (idOrNumber: string | number, page: PageParams = {}) =>
      this.request<Page<TimelineEntry>>('GET', `/incidents/${id(idOrNumber)}/timeline`, {
        query: { ...page },
      }),
    alerts: (idOrNumber: string | number, page: PageParams = {}) =>
      this.request<Page<Alert>>('GET', `/incidents/${id(idOrNumber)}/alerts`, { query: { ...page } }),
  };

  /** On-call schedules (docs/schedules.md). Instants are RFC 3339 strings with an offset. */
  readonly schedules = {
    list: (params: PageParams = {}) =>
      this.request<Page<Schedule>>('GET', '/schedules', { query: { ...params } }),
    create: (body: ScheduleCreate, options: CreateOptions = {}) =>
      this.request<Schedule>('POST', '/schedules', { body, idempotencyKey: options.idempotencyKey }),
    /** What creating would put on the calendar over the next 30 days, without saving. */
    previewCreate: (body: ScheduleCreate) =>
      this.request<SchedulePreview>('POST', '/schedules', { body, query: { dry_run: true } }),
    get: (scheduleId: string) => this.request<Schedule>('GET', `/schedules/${id(scheduleId)}`),
    /** Saves a new version; pass `version` to refuse (409) if someone saved in between. */
    update: (scheduleId: string, body: ScheduleUpdate) =>
      this.request<Schedule>('PATCH', `/schedules/${id(scheduleId)}`, { body }),
    /** The shifts the change would remove and add over the next 30 days, without saving. */
    previewUpdate: (scheduleId: string, body: ScheduleUpdate) =>
      this.request<SchedulePreview>('PATCH', `/schedules/${id(scheduleId)}`, {
        body,
        query: { dry_run: true },
      }),
    delete: (scheduleId: string) => this.request<void>('DELETE', `/schedules/${id(scheduleId)}`),
    /** Newest first. */
    versions: (scheduleId: string, page: PageParams = {}) =>
      this.request<Page<ScheduleVersion>>('GET', `/schedules/${id(scheduleId)}/versions`, {
        query: { ...page },
      }),
    restore: (scheduleId: string, version: number) =>
      this.request<Schedule>('POST', `/schedules/${id(scheduleId)}/versions/${version}/restore`),
    onCall: (scheduleId: string, at?: string) =>
      this.request<OnCall>('GET', `/schedules/${id(scheduleId)}/oncall`, { query: at ? { at } : {} }),
    /** Who is on call on every schedule. */
    onCalls: (at?: string) => this.request<OnCalls>('GET', '/oncalls', { query: at ? { at } : {} }),
    /** The final schedule; by default the next 7 days. */
    shifts: (scheduleId: string, range: { since?: string; until?: string } = {}) =>
      this.request<{ data: Shift[] }>('GET', `/schedules/${id(scheduleId)}/shifts`, { query: { ...range } }),
    overrides: (scheduleId: string, range: { since?: string; until?: string } = {}) =>
      this.request<{ data: Override[] }>('GET', `/schedules/${id(scheduleId)}/overrides`, {
        query: { ...range },
      }),
    addOverride: (scheduleId: string, body: { user_id: string; start: string; end: string }) =>
      this.request<Override>('POST', `/schedules/${id(scheduleId)}/overrides`, { body }),
    removeOverride: (scheduleId: string, overrideId: string) =>
      this.request<void>('DELETE', `/schedules/${id(scheduleId)}/overrides/${id(overrideId)}`),
  };

  readonly alerts = {
    /** Newest first. */
    list: (query: AlertListQuery = {}) =>
      this.request<Page<Alert>>('GET', '/alerts', { query: { ...query } }),
    get: (alertId: string) => this.request<Alert>('GET', `/alerts/${id(alertId)}`),
  };

  readonly auditLog = {
    /** Newest first. */
    list: (query: AuditListQuery = {}) =>
      this.request<Page<AuditEntry>>('GET', '/audit-log', { query: { ...query } }),
  };
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    params.append(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function describeBody(response: Response, text: string): string {
  const type = response.headers.get('content-type')?.split(';')[0]?.trim();
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  if (!snippet) return 'an empty body';
  return `${type ?? 'a body'}: ${snippet}`;
}

function isProblem(value: unknown): value is Partial<Problem> & Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorFrom(response: Response, text: string, method: string, url: string): VigilApiError {
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const fallbackCode = codeForStatus[response.status] ?? `HTTP_${response.status}`;
  const statusLine = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (isProblem(body)) {
    const errors = Array.isArray(body.errors)
      ? body.errors.filter(
          (error): error is FieldError =>
            typeof error === 'object' &&
            error !== null &&
            typeof error.path === 'string' &&
            typeof error.message === 'string',
        )
      : [];
    const detail =
      (typeof body.detail === 'string' && body.detail) ||
      (typeof body.title === 'string' && body.title) ||
      (typeof body.message === 'string' && body.message) ||
      `${method} ${url} answered ${statusLine}`;
    return new VigilApiError({
      status: response.status,
      code: typeof body.code === 'string' && body.code ? body.code : fallbackCode,
      detail,
      errors,
      problem: typeof body.code === 'string' ? (body as Problem) : null,
      method,
      url,
    });
  }
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return new VigilApiError({
    status: response.status,
    code: fallbackCode,
    detail: `${method} ${url} answered ${statusLine}${snippet ? `: ${snippet}` : ''}`,
    method,
    url,
  });
}
