import {
  type Incident,
  type IncidentCreate,
  type Schedule,
  type Service,
  type TimelineEntry,
  VigilApiError,
  type VigilClient,
} from '@vigil/sdk';
import { fields, instant, json, table, truncate } from './format.js';

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: Command,
  ) {
    super(message);
  }
}

/** A failure worth one clear line (`vigil: <message>`), with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's placeholder in help, e.g. `N`. */
  value?: string;
  description: string;
}

export type Values = Record<string, string | boolean | undefined>;

export interface Output {
  write(chunk: string): unknown;
}

export interface CommandContext {
  values: Values;
  positionals: string[];
  /** The arguments after the command name, untouched (serve and migrate pass them on). */
  rawArgs: string[];
  env: NodeJS.ProcessEnv;
  stdout: Output;
  stderr: Output;
  /** The API client (only for commands with `api: true`). */
  client(): VigilClient;
  baseUrl: string;
}

export interface Command {
  name: string;
  /** Positional arguments for the usage line, e.g. `<N>`. */
  args?: string;
  summary: string;
  description?: string;
  /** How many positionals it takes. */
  positionals: number;
  /** Talks to the API: takes `--url` and `--token`, needs a token. */
  api: boolean;
  options: Record<string, OptionSpec>;
  run(context: CommandContext): Promise<number>;
}

const jsonOption: OptionSpec = { type: 'boolean', description: 'Print the API response as JSON' };

const OPEN = 'triggered,acknowledged';

function limitOf(value: string | boolean | undefined, command: Command): number | undefined {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || limit < 1 || limit > 500)
    throw new UsageError(`--limit must be a whole number from 1 to 500, not ${String(value)}`, command);
  return limit;
}

const str = (value: string | boolean | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** The one incident argument: its number (`3`) or its ID. */
function incidentRef(context: CommandContext, command: Command): string {
  const ref = context.positionals[0]?.replace(/^#/, '');
  if (!ref) throw new UsageError(`${command.name} needs an incident number`, command);
  return ref;
}

/**
 * An object named by ID, or else by its exact name: `kind` is for messages ("service"), `get`
 * fetches by ID, `all` walks the list.
 */
async function resolveNamed<T extends { id: string; name: string }>(
  kind: string,
  value: string,
  get: (id: string) => Promise<T>,
  all: () => AsyncGenerator<T, void>,
): Promise<T> {
  try {
    return await get(value);
  } catch (error) {
    // 404: no such ID; 400: not even shaped like an ID (too long). Either way, try it as a name.
    if (!(error instanceof VigilApiError) || (error.status !== 404 && error.status !== 400)) throw error;
  }
  const matches: T[] = [];
  for await (const item of all()) if (item.name === value) matches.push(item);
  const [only] = matches;
  if (only && matches.length === 1) return only;
  if (matches.length > 1)
    throw new CliError(
      `${matches.length} ${kind}s are named ${JSON.stringify(value)}; use an ID: ${matches.map((m) => m.id).join(', ')}`,
    );
  throw new CliError(`No ${kind} has the ID or name ${JSON.stringify(value)}; see \`vigil ${kind}s\``);
}

export const resolveService = (client: VigilClient, value: string): Promise<Service> =>
  resolveNamed('service', value, client.services.get, () =>
    client.paginate((cursor) => client.services.list({ limit: 500, cursor })),
  );

export const resolveSchedule = (client: VigilClient, value: string): Promise<Schedule> =>
  resolveNamed('schedule', value, client.schedules.get, () =>
    client.paginate((cursor) => client.schedules.list({ limit: 500, cursor })),
  );

function incidentTable(incidents: Incident[]): string {
  return table(
    ['#', 'STATUS', 'PRIORITY', 'URGENCY', 'TITLE', 'CREATED'],
    incidents.map((incident) => [
      String(incident.number),
      incident.status,
      incident.priority ?? '-',
      incident.urgency,
      truncate(incident.title, 60),
      instant(incident.created_at),
    ]),
  );
}

function timelineText(entries: TimelineEntry[]): string {
  if (entries.length === 0) return '  (empty)\n';
  const width = Math.max(...entries.map((entry) => entry.type.length));
  return entries
    .map((entry) => `  ${instant(entry.at)}  ${entry.type.padEnd(width)}  ${truncate(entry.message, 200)}\n`)
    .join('');
}

const incidents: Command = {
  name: 'incidents',
  summary: 'List incidents (the open ones unless --status says otherwise)',
  positionals: 0,
  api: true,
  options: {
    status: {
      type: 'string',
      value: 'LIST',
      description: `Comma list of triggered, acknowledged, resolved, or "all" (default ${OPEN})`,
    },
    service: { type: 'string', value: 'ID', description: 'Only incidents of this service (ID or name)' },
    priority: { type: 'string', value: 'LIST', description: 'Comma list of P1, P2, P3, P4' },
    limit: { type: 'string', value: 'N', description: 'How many, newest first (1–500, default 50)' },
    json: jsonOption,
  },
  async run(context) {
    const { values } = context;
    const client = context.client();
    const status = str(values.status)?.trim() ?? OPEN;
    const limit = limitOf(values.limit, this);
    const service = str(values.service);
    const page = await client.incidents.list({
      ...(status === 'all' ? {} : { status: status === 'open' ? OPEN : status }),
      ...(service ? { service_id: (await resolveService(client, service)).id } : {}),
      ...(str(values.priority) ? { priority: str(values.priority)!.toUpperCase() } : {}),
      ...(limit ? { limit } : {}),
    });
    if (values.json) {
      context.stdout.write(json(page.data));
      return 0;
    }
    if (page.data.length === 0) {
      context.stdout.write(status === OPEN || status === 'open' ? 'No open incidents\n' : 'No incidents\n');
      return 0;
    }
    context.stdout.write(incidentTable(page.data));
    if (page.next_cursor)
      context.stdout.write(`(showing the newest ${page.data.length}; raise --limit to see more)\n`);
    return 0;
  },
};

const incident: Command = {
  name: 'incident',
  args: '<N>',
  summary: 'Show an incident and its timeline',
  positionals: 1,
  api: true,
  options: { json: jsonOption },
  async run(context) {
    const client = context.client();
    const ref = incidentRef(context, this);
    const found = await client.incidents.get(ref);
    const [timeline, service] = await Promise.all([
      (async () => {
        const entries: TimelineEntry[] = [];
        for await (const entry of client.paginate((cursor) =>
          client.incidents.timeline(found.id, { limit: 500, cursor }),
        ))
          entries.push(entry);
        return entries;
      })(),
      client.services.get(found.service_id).catch(() => null),
    ]);
    if (context.values.json) {
      context.stdout.write(json({ incident: found, timeline }));
      return 0;
    }
    const rows: [string, string][] = [
      ['status', found.status],
      ['priority', found.priority ?? '-'],
      ['severity', found.severity],
      ['urgency', found.urgency],
      ['service', service ? `${service.name} (${found.service_id})` : found.service_id],
      ['assignees', found.assignees.map((assignee) => assignee.name).join(', ') || '-'],
      ['alerts', String(found.alert_count)],
      ['created', instant(found.created_at)],
      ['acknowledged', instant(found.acknowledged_at)],
      ['resolved', instant(found.resolved_at)],
    ];
    if (found.dedup_key) rows.push(['dedup key', found.dedup_key]);
    rows.push(['url', found.html_url]);
    let text = `Incident ${found.number}: ${found.title}\n${fields(rows)}`;
    if (found.description.trim())
      text += `\n${found.description
        .trim()
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n')}\n`;
    text += `\nTimeline\n${timelineText(timeline)}`;
    context.stdout.write(text);
    return 0;
  },
};

const ack: Command = {
  name: 'ack',
  args: '<N>',
  summary: 'Acknowledge an incident',
  positionals: 1,
  api: true,
  options: { json: jsonOption },
  async run(context) {
    const updated = await context.client().incidents.acknowledge(incidentRef(context, this));
    context.stdout.write(
      context.values.json ? json(updated) : `Incident ${updated.number} ${updated.status}\n`,
    );
    return 0;
  },
};

const resolve: Command = {
  name: 'resolve',
  args: '<N>',
  summary: 'Resolve an incident',
  positionals: 1,
  api: true,
  options: {
    note: { type: 'string', value: 'TEXT', description: 'How it was resolved (kept on the timeline)' },
    json: jsonOption,
  },
  async run(context) {
    const note = str(context.values.note);
    const updated = await context
      .client()
      .incidents.resolve(incidentRef(context, this), note === undefined ? {} : { resolution: note });
    context.stdout.write(
      context.values.json ? json(updated) : `Incident ${updated.number} ${updated.status}\n`,
    );
    return 0;
  },
};

const trigger: Command = {
  name: 'trigger',
  summary: 'Open an incident on a service',
  positionals: 0,
  api: true,
  options: {
    service: { type: 'string', value: 'ID|NAME', description: 'The service (required)' },
    summary: { type: 'string', value: 'TEXT', description: 'The incident title (required)' },
    severity: { type: 'string', value: 'S', description: 'critical, error (default), warning or info' },
    urgency: {
      type: 'string',
      value: 'U',
      description: "high or low (default: from the service's settings)",
    },
    priority: { type: 'string', value: 'P', description: 'P1, P2, P3 or P4' },
    'dedup-key': {
      type: 'string',
      value: 'KEY',
      description: 'Refuse a second open incident with the same key on the service',
    },
    description: { type: 'string', value: 'TEXT', description: 'Longer description' },
    json: jsonOption,
  },
  async run(context) {
    const { values } = context;
    const serviceRef = str(values.service);
    const title = str(values.summary);
    if (!serviceRef) throw new UsageError('trigger needs --service', this);
    if (!title) throw new UsageError('trigger needs --summary', this);
    const client = context.client();
    const service = await resolveService(client, serviceRef);
    const body: IncidentCreate = { service_id: service.id, title };
    const severity = str(values.severity);
    const urgency = str(values.urgency);
    const priority = str(values.priority);
    const dedupKey = str(values['dedup-key']);
    const description = str(values.description);
    if (severity !== undefined) body.severity = severity.toLowerCase() as IncidentCreate['severity'];
    if (urgency !== undefined) body.urgency = urgency.toLowerCase() as IncidentCreate['urgency'];
    if (priority !== undefined) body.priority = priority.toUpperCase() as IncidentCreate['priority'];
    if (dedupKey !== undefined) body.dedup_key = dedupKey;
    if (description !== undefined) body.description = description;
    const created = await client.incidents.create(body);
    context.stdout.write(
      values.json ? json(created) : `Incident ${created.number} triggered: ${created.html_url}\n`,
    );
    return 0;
  },
};

const services: Command = {
  name: 'services',
  summary: 'List services',
  positionals: 0,
  api: true,
  options: { json: jsonOption },
  async run(context) {
    const client = context.client();
    const all: Service[] = [];
    for await (const service of client.paginate((cursor) => client.services.list({ limit: 500, cursor })))
      all.push(service);
    if (context.values.json) {
      context.stdout.write(json(all));
      return 0;
    }
    if (all.length === 0) {
      context.stdout.write('No services yet\n');
      return 0;
    }
    context.stdout.write(
      table(
        ['ID', 'NAME', 'STATUS', 'URGENCY', 'DESCRIPTION'],
        all.map((service) => [
          service.id,
          truncate(service.name, 40),
          service.status,
          service.default_urgency ?? '-',
          truncate(service.description, 50),
        ]),
      ),
    );
    return 0;
  },
};

/** When a shift ends (UTC, like every time the CLI prints). */
const untilText = (until: string | null) =>
  until ? `until ${instant(until)}` : 'for the next two weeks at least';

const oncall: Command = {
  name: 'oncall',
  args: '[schedule]',
  summary: 'Who is on call now (or --at), on every schedule or on one',
  description:
    'Without a schedule: one line per schedule. With a schedule (ID or exact name): who is on call and the shifts of the next 7 days.',
  positionals: 1,
  api: true,
  options: {
    at: {
      type: 'string',
      value: 'TIME',
      description: 'An instant instead of now, e.g. 2026-12-24T20:00:00Z',
    },
    json: jsonOption,
  },
  async run(context) {
    const client = context.client();
    const at = str(context.values.at);
    const ref = context.positionals[0];
    if (!ref) {
      const answer = await client.schedules.onCalls(at);
      const schedules: Schedule[] = [];
      for await (const s of client.paginate((cursor) => client.schedules.list({ limit: 500, cursor })))
        schedules.push(s);
      if (context.values.json) {
        context.stdout.write(json(answer));
        return 0;
      }
      if (schedules.length === 0) {
        context.stdout.write('No schedules yet\n');
        return 0;
      }
      const bySchedule = new Map(answer.users.map((u) => [u.schedule_id, u]));
      context.stdout.write(
        table(
          ['SCHEDULE', 'ON CALL', 'LAYER'],
          schedules.map((s) => {
            const who = bySchedule.get(s.id);
            return [truncate(s.name, 40), who ? who.name : 'nobody', who ? (who.layer ?? 'override') : '-'];
          }),
        ),
      );
      return 0;
    }
    const schedule = await resolveSchedule(client, ref);
    const now = await client.schedules.onCall(schedule.id, at);
    const shifts = await client.schedules.shifts(schedule.id, { since: now.at });
    if (context.values.json) {
      context.stdout.write(json({ ...now, shifts: shifts.data }));
      return 0;
    }
    const [who] = now.users;
    context.stdout.write(
      who
        ? `${who.name} is on call for ${schedule.name} (${who.layer ?? 'override'}) ${untilText(who.until)}\n`
        : `Nobody is on call for ${schedule.name} at ${instant(now.at)}\n`,
    );
    if (shifts.data.length > 0) {
      context.stdout.write(`\nNext 7 days (${schedule.time_zone} schedule, times in UTC):\n`);
      context.stdout.write(
        table(
          ['FROM', 'TO', 'WHO', 'LAYER'],
          shifts.data.map((s) => [instant(s.start), instant(s.end), s.user_name, s.layer ?? 'override']),
        ),
      );
    }
    return 0;
  },
};

const whoami: Command = {
  name: 'whoami',
  summary: 'Show the user behind the API token',
  positionals: 0,
  api: true,
  options: { json: jsonOption },
  async run(context) {
    const me = await context.client().me();
    context.stdout.write(
      context.values.json ? json(me) : `${me.name} <${me.email}>, role ${me.role}, on ${context.baseUrl}\n`,
    );
    return 0;
  },
};

/**
 * `serve` and `migrate` need the server program. The CLI depends on the SDK only (ARCHITECTURE.md
 * §2); @vigil/server is an optional dependency installed alongside, loaded here on demand — the one
 * place the CLI touches the server.
 */
async function loadServer(): Promise<typeof import('@vigil/server')> {
  try {
    return await import('@vigil/server');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && /'@vigil\/server'/.test(String((error as Error).message)))
      throw new CliError(
        'this command needs the Vigil server (@vigil/server), which is not installed; `npm install @vigil/server` next to the CLI',
      );
    throw error;
  }
}

/** The server's configuration mistakes (bad port, missing secret key) read like usage errors. */
async function withServer<T>(action: (server: typeof import('@vigil/server')) => Promise<T>): Promise<T> {
  const server = await loadServer();
  try {
    return await action(server);
  } catch (error) {
    if (error instanceof server.ConfigError) throw new CliError(error.message, 2);
    throw error;
  }
}

const storeOptions: Record<string, OptionSpec> = {
  'data-dir': {
    type: 'string',
    value: 'DIR',
    description: 'SQLite data directory (env VIGIL_DATA_DIR, ./data)',
  },
  'database-url': {
    type: 'string',
    value: 'URL',
    description: 'postgres://… to use PostgreSQL (env DATABASE_URL)',
  },
};

const serve: Command = {
  name: 'serve',
  summary: 'Run the Vigil server',
  description: 'Settings not given as flags come from the environment (PORT, HOST, VIGIL_DATA_DIR, …).',
  positionals: 0,
  api: false,
  options: {
    port: { type: 'string', value: 'N', description: 'HTTP port (env PORT, default 8080)' },
    host: { type: 'string', value: 'H', description: 'Listen address (env HOST, default 127.0.0.1)' },
    ...storeOptions,
    'public-url': { type: 'string', value: 'URL', description: 'Base for links (env VIGIL_PUBLIC_URL)' },
    roles: { type: 'string', value: 'LIST', description: 'api,engine (default both; env VIGIL_ROLES)' },
  },
  async run(context) {
    // The server parses its own flags; they were only checked here, so pass them on unchanged.
    await withServer((server) => server.serve(context.rawArgs, context.env));
    return 0;
  },
};

const migrate: Command = {
  name: 'migrate',
  summary: 'Apply pending database migrations',
  positionals: 0,
  api: false,
  options: { ...storeOptions },
  async run(context) {
    const applied = await withServer((server) => server.migrate(context.rawArgs, context.env));
    context.stdout.write(
      applied.length === 0 ? 'Database is up to date\n' : applied.map((name) => `Applied ${name}\n`).join(''),
    );
    return 0;
  },
};

export const commands: Command[] = [
  incidents,
  incident,
  ack,
  resolve,
  trigger,
  services,
  oncall,
  whoami,
  serve,
  migrate,
];
