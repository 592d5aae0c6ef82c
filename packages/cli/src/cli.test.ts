import { type AddressInfo, createServer } from 'node:net';
import { Writable } from 'node:stream';
import { VigilClient } from '@vigil/sdk';
import { type Runtime, startRuntime } from '@vigil/server';
import { createTestDatabase, type TestDatabase } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './index.js';

const TOKEN = 'x'.repeat(40);

/** A stream that keeps what was written. */
class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void) {
    this.text += chunk.toString();
    callback();
  }
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** A port nothing listens on: taken from the OS, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let db: TestDatabase;
let runtime: Runtime;
let url: string;
let client: VigilClient;

async function vigil(argv: string[], env: NodeJS.ProcessEnv = { VIGIL_URL: url, VIGIL_TOKEN: TOKEN }) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await run(argv, env, stdout, stderr);
  return { code, stdout: stdout.text, stderr: stderr.text } satisfies Result;
}

beforeAll(async () => {
  db = await createTestDatabase('sqlite');
  runtime = await startRuntime({
    dataDir: db.dataDir,
    databaseUrl: undefined,
    publicUrl: 'http://127.0.0.1:0',
    secretKey: Buffer.alloc(32, 7),
    bootstrapToken: TOKEN,
    testClock: false,
  });
  await runtime.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(runtime.app.server.address() as AddressInfo).port}`;
  client = new VigilClient({ baseUrl: url, token: TOKEN });
});

afterAll(async () => {
  await runtime?.close();
  await db?.drop();
});

describe('vigil against a running server', () => {
  it('triggers, lists, acknowledges and resolves an incident, and shows its timeline', async () => {
    const service = await client.services.create({ name: 'Checkout API' });

    // By name: the value is not an ID, so the CLI finds the service in the list.
    const triggered = await vigil([
      'trigger',
      '--service',
      'Checkout API',
      '--summary',
      'Payments failing',
      '--severity',
      'critical',
      '--priority',
      'p1',
      '--dedup-key',
      'payments',
    ]);
    expect(triggered).toMatchObject({ code: 0, stderr: '' });
    const match = /^Incident (\d+) triggered: (\S+)\n$/.exec(triggered.stdout);
    expect(match).not.toBeNull();
    const number = match![1]!;
    expect(match![2]).toContain(`/incidents/`);

    const created = await client.incidents.get(number);
    expect(created).toMatchObject({
      service_id: service.id,
      title: 'Payments failing',
      severity: 'critical',
      priority: 'P1',
      dedup_key: 'payments',
      status: 'triggered',
    });

    // By ID, too.
    const second = await vigil(['trigger', '--service', service.id, '--summary', 'Slow checkout']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^Incident \d+ triggered: /);

    const open = await vigil(['incidents']);
    expect(open.code).toBe(0);
    const lines = open.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^#\s+STATUS\s+PRIORITY\s+URGENCY\s+TITLE\s+CREATED$/);
    const row = lines.find((line) => line.startsWith(`${number} `));
    expect(row).toMatch(/triggered\s+P1\s+high\s+Payments failing\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(open.stdout).toContain('Slow checkout');

    const asJson = await vigil(['incidents', '--json', '--limit', '1']);
    expect(asJson.code).toBe(0);
    const data = JSON.parse(asJson.stdout) as { title: string }[];
    expect(data).toHaveLength(1);
    expect(data[0]!.title).toBe('Slow checkout');

    expect(await vigil(['ack', number])).toEqual({
      code: 0,
      stdout: `Incident ${number} acknowledged\n`,
      stderr: '',
    });
    expect(await vigil(['resolve', number, '--note', 'Rolled back the deploy'])).toEqual({
      code: 0,
      stdout: `Incident ${number} resolved\n`,
      stderr: '',
    });

    const stillOpen = await vigil(['incidents']);
    expect(stillOpen.stdout).not.toContain('Payments failing');
    const all = await vigil(['incidents', '--status', 'all']);
    expect(all.stdout).toMatch(/resolved\s+P1\s+high\s+Payments failing/);
    const resolvedOnly = await vigil(['incidents', '--status', 'resolved', '--service', 'Checkout API']);
    expect(resolvedOnly.stdout).toContain('Payments failing');
    expect(resolvedOnly.stdout).not.toContain('Slow checkout');

    const shown = await vigil(['incident', number]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^Incident ${number}: Payments failing\\n`));
    expect(shown.stdout).toMatch(/status\s+resolved/);
    expect(shown.stdout).toContain('Checkout API');
    const timeline = shown.stdout.slice(shown.stdout.indexOf('\nTimeline\n'));
    const types = [...timeline.matchAll(/^ {2}\S+ \S+Z {2}(\w+)/gm)].map((found) => found[1]);
    expect(types).toEqual(['triggered', 'acknowledged', 'resolved']);
    expect(timeline).toContain('Rolled back the deploy');
  });

  it('shows who the token belongs to, and lists services', async () => {
    const me = await vigil(['whoami']);
    expect(me.code).toBe(0);
    expect(me.stdout).toMatch(/role owner/);
    expect(me.stdout).toContain(url);

    await client.services.create({ name: 'Search', description: 'Finds things' });
    const services = await vigil(['services']);
    expect(services.code).toBe(0);
    expect(services.stdout).toMatch(/^ID\s+NAME\s+STATUS/);
    expect(services.stdout).toMatch(/Search\s+active\s+-\s+Finds things/);
  });

  it('says who is on call, on every schedule and on one', async () => {
    const me = await client.me();
    const schedule = await client.schedules.create({
      name: 'Platform',
      time_zone: 'Europe/Berlin',
      layers: [
        {
          name: 'primary',
          users: [me.id],
          rotation: { type: 'weekly', shift_length: 1, handoff_at: '2026-01-05T09:00' },
        },
      ],
    });
    await client.schedules.create({ name: 'Empty', time_zone: 'UTC', layers: [] });
    const all = await vigil(['oncall']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/^SCHEDULE\s+ON CALL\s+LAYER/);
    expect(all.stdout).toMatch(/Empty\s+nobody\s+-/);
    expect(all.stdout).toMatch(/Platform\s+admin\s+primary/);

    const one = await vigil(['oncall', 'Platform', '--at', '2026-01-06T12:00:00Z']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^admin is on call for Platform \(primary\) for the next two weeks at least/);
    expect(one.stdout).toContain('2026-01-06 12:00:00Z  2026-01-13 12:00:00Z  admin');
    const byId = await vigil(['oncall', schedule.id, '--json']);
    expect(JSON.parse(byId.stdout).users[0].name).toBe('admin');
    const missing = await vigil(['oncall', 'Nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No schedule has the ID or name "Nope"/);
  });

  it('takes --url and --token as flags, before or after the command', async () => {
    expect((await vigil(['--url', url, '--token', TOKEN, 'whoami'], {})).code).toBe(0);
    expect((await vigil(['whoami', `--url=${url}`, `--token=${TOKEN}`], {})).code).toBe(0);
  });

  it('explains a missing token and exits 2', async () => {
    const result = await vigil(['incidents'], { VIGIL_URL: url });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^vigil: no API token: set VIGIL_TOKEN/);
  });

  it('reports API errors with their code and exits 1', async () => {
    const wrong = await vigil(['whoami'], { VIGIL_URL: url, VIGIL_TOKEN: 'y'.repeat(40) });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^vigil: .+ \(UNAUTHENTICATED\)\n$/);

    const missing = await vigil(['ack', '999999']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/\(NOT_FOUND\)\n$/);

    const noService = await vigil(['trigger', '--service', 'Nope', '--summary', 'x']);
    expect(noService.code).toBe(1);
    expect(noService.stderr).toMatch(/No service has the ID or name "Nope"/);

    const badSeverity = await vigil([
      'trigger',
      '--service',
      'Search',
      '--summary',
      'x',
      '--severity',
      'bad',
    ]);
    expect(badSeverity.code).toBe(1);
    expect(badSeverity.stderr).toMatch(/\(VALIDATION_FAILED\)/);
  });

  it('says so when the server cannot be reached', async () => {
    const port = await closedPort();
    const result = await vigil(['whoami'], { VIGIL_URL: `http://127.0.0.1:${port}`, VIGIL_TOKEN: TOKEN });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `vigil: Could not reach http://127.0.0.1:${port}/api/v1/me: connect ECONNREFUSED 127.0.0.1:${port}; is Vigil running?\n`,
    );
  });
});

describe('vigil usage', () => {
  it('prints help and the version', async () => {
    const help = await vigil(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: vigil <command>/);
    for (const name of [
      'incidents',
      'incident <N>',
      'ack <N>',
      'resolve <N>',
      'trigger',
      'services',
      'whoami',
    ])
      expect(help.stdout).toContain(`  ${name} `);

    const commandHelp = await vigil(['trigger', '--help'], {});
    expect(commandHelp.code).toBe(0);
    expect(commandHelp.stdout).toMatch(/^Usage: vigil trigger/);
    expect(commandHelp.stdout).toContain('--dedup-key KEY');

    expect((await vigil(['help', 'resolve'], {})).stdout).toContain('--note TEXT');

    const version = await vigil(['--version'], {});
    expect(version).toEqual({ code: 0, stdout: 'vigil 0.1.0\n', stderr: '' });
  });

  it('refuses unknown commands, unknown flags and missing arguments with exit 2', async () => {
    const unknown = await vigil(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^vigil: unknown command frobnicate\n\nUsage: vigil <command>/);

    const flag = await vigil(['incidents', '--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^vigil: unknown option '--bogus'\n\nUsage: vigil incidents/);

    expect((await vigil([])).code).toBe(2);
    expect((await vigil(['--nope'])).code).toBe(2);
    expect((await vigil(['ack'])).code).toBe(2);
    expect((await vigil(['ack', '1', '2'])).code).toBe(2);
    expect((await vigil(['trigger', '--service', 'Search'])).stderr).toMatch(
      /^vigil: trigger needs --summary/,
    );
    expect((await vigil(['incidents', '--limit', 'lots'])).code).toBe(2);
    expect((await vigil(['serve', '--bogus'], {})).code).toBe(2);
  });
});

describe('vigil migrate', () => {
  it('applies the migrations once, then says the database is up to date', async () => {
    const fresh = await createTestDatabase('sqlite');
    try {
      const first = await vigil(['migrate', '--data-dir', fresh.dataDir], {});
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^Applied 0001-initial\n/);
      expect(await vigil(['migrate', `--data-dir=${fresh.dataDir}`], {})).toEqual({
        code: 0,
        stdout: 'Database is up to date\n',
        stderr: '',
      });
    } finally {
      await fresh.drop();
    }
  });
});
