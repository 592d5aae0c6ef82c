import { readFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { VigilApiError, VigilClient, VigilNetworkError } from '@vigil/sdk';
import {
  CliError,
  type Command,
  type CommandContext,
  commands,
  type OptionSpec,
  type Output,
  UsageError,
  type Values,
} from './commands.js';

export { type Command, commands, type Output, resolveService } from './commands.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

const apiOptions: Record<string, OptionSpec> = {
  url: {
    type: 'string',
    value: 'URL',
    description: `Vigil's address (env VIGIL_URL, default ${DEFAULT_URL})`,
  },
  token: { type: 'string', value: 'TOKEN', description: 'API key (env VIGIL_TOKEN)' },
};
const helpOption: OptionSpec = { type: 'boolean', short: 'h', description: 'Show this help' };

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function optionLines(options: Record<string, OptionSpec>): string {
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return [flag, spec.description] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}\n`).join('');
}

function mainHelp(): string {
  const names = commands.map((command) => `${command.name}${command.args ? ` ${command.args}` : ''}`);
  const width = Math.max(...names.map((name) => name.length));
  return [
    'Usage: vigil <command> [options]\n',
    '\nCommands:\n',
    ...commands.map((command, index) => `  ${names[index]!.padEnd(width)}  ${command.summary}\n`),
    '\nOptions:\n',
    optionLines({
      ...apiOptions,
      help: { ...helpOption, description: 'Show help (also `vigil <command> --help`)' },
      version: { type: 'boolean', short: 'V', description: 'Show the version' },
    }),
  ].join('');
}

function commandHelp(command: Command): string {
  const options = { ...command.options, ...(command.api ? apiOptions : {}), help: helpOption };
  return [
    `Usage: vigil ${command.name}${command.args ? ` ${command.args}` : ''} [options]\n`,
    `\n${command.summary}.\n`,
    command.description ? `${command.description}\n` : '',
    '\nOptions:\n',
    optionLines(options),
  ].join('');
}

function parseConfig(options: Record<string, OptionSpec>): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    Object.entries(options).map(([name, spec]) => [
      name,
      spec.short ? { type: spec.type, short: spec.short } : { type: spec.type },
    ]),
  );
}

/** Node's parseArgs messages, without the advice about `--` that does not help here. */
const parseMessage = (error: Error) =>
  error.message.split('. ')[0]!.replace(/^Unknown option/, 'unknown option');

/**
 * Runs one `vigil` invocation and resolves with its exit code: 0 done, 1 the API or the server
 * refused or could not be reached, 2 a usage mistake. Never exits the process (tests call it).
 */
export async function run(
  argv: string[],
  env: NodeJS.ProcessEnv,
  stdout: Output,
  stderr: Output,
): Promise<number> {
  try {
    return await dispatch(argv, env, stdout, stderr);
  } catch (error) {
    return report(error, stderr, env);
  }
}

async function dispatch(argv: string[], env: NodeJS.ProcessEnv, stdout: Output, stderr: Output) {
  // Options before the command: --help, --version, and --url/--token for the command to use.
  const leading: string[] = [];
  let index = 0;
  for (; index < argv.length; index++) {
    const arg = argv[index]!;
    if (!arg.startsWith('-')) break;
    if (arg === '--help' || arg === '-h') {
      stdout.write(mainHelp());
      return 0;
    }
    if (arg === '--version' || arg === '-V') {
      stdout.write(`vigil ${version()}\n`);
      return 0;
    }
    if (/^--(url|token)=/.test(arg)) leading.push(arg);
    else if (arg === '--url' || arg === '--token') {
      const value = argv[++index];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      leading.push(arg, value);
    } else throw new UsageError(`unknown option ${arg}`);
  }

  const name = argv[index];
  if (name === undefined) throw new UsageError('no command given');
  const rest = argv.slice(index + 1);
  if (name === 'help') {
    const topic = rest[0] && commands.find((command) => command.name === rest[0]);
    if (rest[0] && !topic) throw new UsageError(`unknown command ${rest[0]}`);
    stdout.write(topic ? commandHelp(topic) : mainHelp());
    return 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) throw new UsageError(`unknown command ${name}`);
  if (!command.api && leading.length > 0)
    throw new UsageError(`--url and --token do not apply to ${command.name}`, command);

  const options = { ...command.options, ...(command.api ? apiOptions : {}), help: helpOption };
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...leading, ...rest],
      options: parseConfig(options),
      allowPositionals: true,
      strict: true,
    }) as { values: Values; positionals: string[] };
  } catch (error) {
    throw new UsageError(parseMessage(error as Error), command);
  }
  if (parsed.values.help) {
    stdout.write(commandHelp(command));
    return 0;
  }
  const extra = parsed.positionals[command.positionals];
  if (extra !== undefined) throw new UsageError(`unexpected argument ${extra}`, command);

  const baseUrl = (
    (typeof parsed.values.url === 'string' ? parsed.values.url : undefined) ||
    env.VIGIL_URL ||
    DEFAULT_URL
  ).replace(/\/+$/, '');
  let client: VigilClient | undefined;
  if (command.api) {
    if (!/^https?:\/\/[^/]/.test(baseUrl) || !URL.canParse(baseUrl))
      throw new CliError(`${baseUrl} is not an http:// or https:// URL (VIGIL_URL or --url)`, 2);
    const token =
      (typeof parsed.values.token === 'string' ? parsed.values.token : undefined) || env.VIGIL_TOKEN;
    if (!token)
      throw new CliError(
        'no API token: set VIGIL_TOKEN or pass --token (create an API key in the web UI, or with POST /api/v1/api-keys)',
        2,
      );
    client = new VigilClient({ baseUrl, token });
  }

  const context: CommandContext = {
    values: parsed.values,
    positionals: parsed.positionals,
    rawArgs: rest,
    env,
    stdout,
    stderr,
    baseUrl,
    client() {
      if (!client) throw new Error(`${command.name} does not talk to the API`);
      return client;
    },
  };
  return command.run(context);
}

function report(error: unknown, stderr: Output, env: NodeJS.ProcessEnv): number {
  if (error instanceof UsageError) {
    stderr.write(`vigil: ${error.message}\n\n${error.command ? commandHelp(error.command) : mainHelp()}`);
    return 2;
  }
  if (error instanceof CliError) {
    stderr.write(`vigil: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof VigilApiError) {
    let text = `vigil: ${error.detail} (${error.code})\n`;
    if (error.errors.length > 1)
      text += error.errors.map((field) => `  ${field.path} ${field.message}\n`).join('');
    stderr.write(text);
    return 1;
  }
  if (error instanceof VigilNetworkError) {
    const hint = env.VIGIL_URL ? '' : ` (set VIGIL_URL if Vigil runs elsewhere than ${DEFAULT_URL})`;
    stderr.write(`vigil: ${error.message}; is Vigil running?${hint}\n`);
    return 1;
  }
  stderr.write(`vigil: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
