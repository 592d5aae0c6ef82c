// Helpers every benchmark runner shares: child processes, ports and psql.
import { execFileSync } from 'node:child_process';
import net from 'node:net';

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
export async function stopChild(child, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs one SQL command with psql against `<serverUrl>/<database>`; returns its output, trimmed. */
export function psql(serverUrl, sql, { database = 'postgres', timeout = 120_000 } = {}) {
  return execFileSync('psql', [`${serverUrl}/${database}`, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], {
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout,
  })
    .toString()
    .trim();
}
