import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_HEAP_GROWTH_PERCENT } from './heap-growth.js';
import { parseSecretKey } from './security/secret-box.js';
import { isPostgresUrl } from './store/database.js';

/** Everything the server reads from its environment and flags (specs/api.md, "Running"). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  publicUrl: string;
  secretKey: Buffer;
  bootstrapToken: string | undefined;
  testClock: boolean;
  /** Which parts this instance runs: `api`, `engine` (the engine arrives with the paging issue). */
  roles: Set<'api' | 'engine'>;
  logLevel: string;
  /** Events a minute per integration when the integration sets no limit of its own. */
  ingestRateLimitPerMinute: number;
  channels: ChannelConfig;
  /** How often the engine cycles when nothing nudges it (VIGIL_ENGINE_INTERVAL_MS, default 1000). */
  engineIntervalMs: number;
  /** The built web app (VIGIL_WEB_DIR; default packages/web/dist); null serves no web app. */
  webDir?: string | null;
  /** How far the JavaScript heap may grow past its live size between full collections, in % (heap-growth.ts). */
  heapGrowthPercent: number;
}

/** Providers of the outbound channels; a channel whose provider is missing is simply not offered. */
export interface ChannelConfig {
  /** Hosts and CIDRs user-configured URLs may reach although private (VIGIL_OUTBOUND_ALLOW). */
  outboundAllow: string[];
  /** How long one provider call may take before it counts as a temporary failure (default 10 s). */
  outboundTimeoutMs?: number;
  smtp?: { url: string; from: string };
  twilio?: { accountSid: string; authToken: string; from: string; baseUrl: string };
  slack?: { botToken?: string; signingSecret?: string; apiBaseUrl?: string };
  vapid?: { publicKey: string; privateKey: string; subject: string };
}

export const noChannels: ChannelConfig = { outboundAllow: [] };

/** Reads the channel providers from the environment; half a provider's settings is an error. */
export function loadChannelConfig(env: NodeJS.ProcessEnv): ChannelConfig {
  const config: ChannelConfig = {
    outboundAllow: (env.VIGIL_OUTBOUND_ALLOW ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== ''),
    outboundTimeoutMs: positiveInteger(env.VIGIL_OUTBOUND_TIMEOUT_MS, 'VIGIL_OUTBOUND_TIMEOUT_MS', 10_000),
  };
  if (env.VIGIL_SMTP_URL) {
    if (!/^smtps?:\/\//.test(env.VIGIL_SMTP_URL))
      throw new ConfigError('VIGIL_SMTP_URL must start with smtp:// or smtps://');
    config.smtp = { url: env.VIGIL_SMTP_URL, from: env.VIGIL_SMTP_FROM ?? 'Vigil <vigil@localhost>' };
  }
  const twilio = ['VIGIL_TWILIO_ACCOUNT_SID', 'VIGIL_TWILIO_AUTH_TOKEN', 'VIGIL_TWILIO_FROM'] as const;
  const present = twilio.filter((name) => env[name]);
  if (present.length > 0 && present.length < twilio.length) {
    throw new ConfigError(
      `SMS and voice need all of ${twilio.join(', ')}; missing ${twilio.filter((n) => !env[n]).join(', ')}`,
    );
  }
  if (present.length === twilio.length) {
    config.twilio = {
      accountSid: env.VIGIL_TWILIO_ACCOUNT_SID!,
      authToken: env.VIGIL_TWILIO_AUTH_TOKEN!,
      from: env.VIGIL_TWILIO_FROM!,
      baseUrl: (env.VIGIL_TWILIO_BASE_URL ?? 'https://api.twilio.com').replace(/\/+$/, ''),
    };
  }
  if (env.VIGIL_SLACK_BOT_TOKEN || env.VIGIL_SLACK_SIGNING_SECRET) {
    config.slack = {
      ...(env.VIGIL_SLACK_BOT_TOKEN ? { botToken: env.VIGIL_SLACK_BOT_TOKEN } : {}),
      ...(env.VIGIL_SLACK_SIGNING_SECRET ? { signingSecret: env.VIGIL_SLACK_SIGNING_SECRET } : {}),
      ...(env.VIGIL_SLACK_API_URL ? { apiBaseUrl: env.VIGIL_SLACK_API_URL.replace(/\/+$/, '') } : {}),
    };
  }
  if (env.VIGIL_VAPID_PUBLIC_KEY && env.VIGIL_VAPID_PRIVATE_KEY) {
    config.vapid = {
      publicKey: env.VIGIL_VAPID_PUBLIC_KEY,
      privateKey: env.VIGIL_VAPID_PRIVATE_KEY,
      subject: env.VIGIL_VAPID_SUBJECT ?? 'mailto:vigil@localhost',
    };
  }
  return config;
}

export class ConfigError extends Error {}

export type Flags = Partial<
  Record<'port' | 'host' | 'data-dir' | 'database-url' | 'roles' | 'public-url', string>
>;

/** Reads `--name value` and `--name=value` pairs; anything else is an error worth showing. */
export function parseFlags(argv: string[]): Flags {
  const flags: Record<string, string> = {};
  const known = new Set(['port', 'host', 'data-dir', 'database-url', 'roles', 'public-url']);
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || !known.has(match[1]!)) throw new ConfigError(`Unknown argument ${arg}`);
    const value = match[2] ?? argv[++index];
    if (value === undefined) throw new ConfigError(`--${match[1]} needs a value`);
    flags[match[1]!] = value;
  }
  return flags as Flags;
}

/**
 * On SQLite, a missing VIGIL_SECRET_KEY is generated once into the data directory (mode 0600) so
 * `npm start` needs no set-up. With PostgreSQL several instances must share the key, so it is required.
 */
function loadSecretKey(env: NodeJS.ProcessEnv, dataDir: string, postgres: boolean): Buffer {
  if (env.VIGIL_SECRET_KEY) {
    try {
      return parseSecretKey(env.VIGIL_SECRET_KEY);
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
  }
  if (postgres)
    throw new ConfigError(
      'VIGIL_SECRET_KEY is required with PostgreSQL (64 hex characters; try `openssl rand -hex 32`)',
    );
  const file = join(dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  return parseSecretKey(readFileSync(file, 'utf8'));
}

export function loadConfig(env: NodeJS.ProcessEnv, flags: Flags = {}): Config {
  const port = Number(flags.port ?? env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`PORT must be a port number, not ${flags.port ?? env.PORT}`);
  const host = flags.host ?? env.HOST ?? '127.0.0.1';
  const dataDir = resolve(flags['data-dir'] ?? env.VIGIL_DATA_DIR ?? './data');
  const databaseUrl = flags['database-url'] ?? env.DATABASE_URL;
  if (databaseUrl && !isPostgresUrl(databaseUrl))
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const publicUrl = (flags['public-url'] ?? env.VIGIL_PUBLIC_URL ?? `http://${shownHost}:${port}`).replace(
    /\/+$/,
    '',
  );
  const roleNames = (flags.roles ?? env.VIGIL_ROLES ?? 'api,engine').split(',').map((role) => role.trim());
  for (const role of roleNames)
    if (role !== 'api' && role !== 'engine') throw new ConfigError(`Unknown role ${role}; use api, engine`);
  const bootstrapToken = env.VIGIL_BOOTSTRAP_TOKEN || undefined;
  if (bootstrapToken !== undefined && bootstrapToken.length < 32)
    throw new ConfigError('VIGIL_BOOTSTRAP_TOKEN must be at least 32 characters');
  return {
    port,
    host,
    dataDir,
    databaseUrl,
    publicUrl,
    secretKey: loadSecretKey(env, dataDir, isPostgresUrl(databaseUrl)),
    bootstrapToken,
    testClock: env.VIGIL_TEST_CLOCK === '1',
    roles: new Set(roleNames as ('api' | 'engine')[]),
    logLevel: env.VIGIL_LOG_LEVEL ?? 'info',
    ingestRateLimitPerMinute: positiveInteger(
      env.VIGIL_INGEST_RATE_LIMIT_PER_MINUTE,
      'VIGIL_INGEST_RATE_LIMIT_PER_MINUTE',
      120_000,
    ),
    channels: loadChannelConfig(env),
    engineIntervalMs: positiveInteger(env.VIGIL_ENGINE_INTERVAL_MS, 'VIGIL_ENGINE_INTERVAL_MS', 1_000),
    ...(env.VIGIL_WEB_DIR ? { webDir: resolve(env.VIGIL_WEB_DIR) } : {}),
    // 0 leaves V8's own choice; 300 (4×) is the most V8 itself allows.
    heapGrowthPercent: wholeNumber(
      env.VIGIL_HEAP_GROWTH_PERCENT,
      'VIGIL_HEAP_GROWTH_PERCENT',
      DEFAULT_HEAP_GROWTH_PERCENT,
      0,
      300,
    ),
  };
}

function positiveInteger(text: string | undefined, name: string, fallback: number): number {
  return wholeNumber(text, name, fallback, 1);
}

/** A whole-number setting from `min` to `max`; unset or empty gives `fallback`, anything else stops the start. */
function wholeNumber(
  text: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max = Number.POSITIVE_INFINITY,
): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ConfigError(
      max === Number.POSITIVE_INFINITY
        ? `${name} must be a whole number above ${min - 1}`
        : `${name} must be a whole number from ${min} to ${max}`,
    );
  return value;
}
