import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase, engines, type TestDatabase } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const mainJs = `${root}packages/server/dist/main.js`;
const run = promisify(execFile);

/** The README's curl walkthrough, exactly as written there. */
function walkthrough(): string {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const section = readme.split('<!-- walkthrough:start -->')[1]?.split('<!-- walkthrough:end -->')[0];
  const code = section?.match(/```sh\n([\s\S]*?)```/)?.[1];
  if (!code) throw new Error('README has no walkthrough block');
  return code;
}

interface Server {
  url: string;
  child: ChildProcess;
  output: () => string;
}

/** Starts the built server as a real process, the way `npm start` does, on a free port. */
async function startServer(env: Record<string, string>): Promise<Server> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, [mainJs, '--port', String(port)], {
    env: { ...process.env, VIGIL_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 20_000;
  while (!output.includes('Vigil is listening')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `http://127.0.0.1:${port}`, child, output: () => output };
}

async function stop(server: Server): Promise<number | null> {
  if (server.child.exitCode !== null) return server.child.exitCode;
  const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
  server.child.kill('SIGTERM');
  return exited;
}

describe.each(engines)('the README, run against the real server on %s', (engine) => {
  let db: TestDatabase;
  let token = '';
  beforeAll(async () => {
    if (!existsSync(mainJs))
      throw new Error(`${mainJs} is missing: npm test builds it first (npm run build)`);
    db = await createTestDatabase(engine);
  });
  afterAll(() => db.drop());

  const serverEnv = (): Record<string, string> => ({
    VIGIL_DATA_DIR: db.dataDir,
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl, VIGIL_SECRET_KEY: 'ab'.repeat(32) } : {}),
  });

  it('prints a setup link on first start, and the curl walkthrough works with the key it gives', async () => {
    const server = await startServer(serverEnv());
    try {
      const link = server.output().match(/http:\/\/\S+\/setup\?token=([0-9a-f]+)/);
      expect(link).not.toBeNull();
      const setup = await fetch(`${server.url}/api/v1/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: link![1], name: 'Ops Owner', email: 'owner@example.com' }),
      });
      expect(setup.status).toBe(201);
      token = ((await setup.json()) as { api_key: { token: string } }).api_key.token;

      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', walkthrough()], {
        env: { ...process.env, VIGIL_URL: server.url, VIGIL_TOKEN: token },
      });
      const lines = stdout.trim().split('\n');
      expect(stdout).toContain('"name":"Ops Owner"');
      expect(stdout).toContain(`"url": "${server.url}/v2/enqueue"`);
      expect(lines).toContain('1 triggered Checkout error rate at 12%');
      expect(lines).toContain('acknowledged');
      expect(lines).toContain('resolved');
      // The engine's note that the service has no escalation policy races the acknowledgement.
      const timeline = lines.filter(
        (line) => /^\d{4}-\d\d-\d\dT/.test(line) && !line.includes(' unreachable: '),
      );
      expect(timeline.map((line) => line.split(' ')[1])).toEqual([
        'triggered:',
        'acknowledged:',
        'resolved:',
      ]);
      expect(timeline[2]).toContain('Resolved by Ops Owner: Rolled back release 4.2.1');
    } finally {
      expect(await stop(server)).toBe(0);
    }
  });

  it('restarts on the same data with no setup link and the same incidents', async () => {
    const server = await startServer(serverEnv());
    try {
      expect(server.output()).not.toContain('/setup?token=');
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      const incident = await fetch(`${server.url}/api/v1/incidents/1`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(await incident.json()).toMatchObject({
        number: 1,
        status: 'resolved',
        title: 'Checkout error rate at 12%',
      });
    } finally {
      expect(await stop(server)).toBe(0);
    }
  });
});
