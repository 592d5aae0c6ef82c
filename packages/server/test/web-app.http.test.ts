import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createTestDatabase, ManualClock, type TestDatabase } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../src/runtime.js';

/** The server serves the built web app at / (http/web-app.ts); here a stand-in build in a temp dir. */
describe('the web app at /', () => {
  let db: TestDatabase;
  let runtime: Runtime;
  let webDir: string;
  const script = `console.log(${JSON.stringify('x'.repeat(5000))});`;

  beforeAll(async () => {
    webDir = mkdtempSync(join(tmpdir(), 'vigil-web-'));
    mkdirSync(join(webDir, 'assets'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Vigil app</title><div id="root"></div>');
    writeFileSync(join(webDir, 'assets', 'index-abc123.js'), script);
    writeFileSync(join(webDir, 'sw.js'), 'self.addEventListener("push", () => {});');
    db = await createTestDatabase('sqlite');
    runtime = await startRuntime(
      {
        dataDir: db.dataDir,
        databaseUrl: db.databaseUrl,
        publicUrl: 'http://vigil.test',
        secretKey: Buffer.alloc(32, 9),
        bootstrapToken: undefined,
        testClock: false,
        webDir,
      },
      { clock: new ManualClock('2026-03-08T06:00:00Z') },
    );
  });
  afterAll(async () => {
    await runtime.close();
    await db.drop();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('serves the index page with a strict content security policy, never cached stale', async () => {
    const response = await runtime.app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('Vigil app');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('answers the app’s own routes with the index page, so links from e-mails and pushes open it', async () => {
    for (const url of ['/incidents/42', '/schedules/abc?view=week', '/login', '/reset-password?token=x']) {
      const response = await runtime.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toContain('Vigil app');
    }
  });

  it('serves hashed assets gzipped and cached for a year', async () => {
    const response = await runtime.app.inject({
      method: 'GET',
      url: '/assets/index-abc123.js',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/javascript/);
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers['cache-control']).toContain('immutable');
    expect(gunzipSync(response.rawPayload).toString()).toBe(script);
    const plain = await runtime.app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(script);
  });

  it('gives a 404 for a missing asset and a JSON 404 for an unknown API path, not the app', async () => {
    const asset = await runtime.app.inject({ method: 'GET', url: '/assets/old-chunk.js' });
    expect(asset.statusCode).toBe(404);
    for (const url of ['/api/v1/nothing-here', '/v2/nothing', '/webhooks/none']) {
      const response = await runtime.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type'], url).toMatch(/problem\+json/);
      expect(response.json().code).toBe('NOT_FOUND');
    }
    // A broken escape is the router's 400, never a 500.
    const malformed = await runtime.app.inject({ method: 'GET', url: '/%E0%A4%A' });
    expect(malformed.statusCode).toBe(400);
  });

  it('serves the service worker uncached so a new release takes over', async () => {
    const response = await runtime.app.inject({ method: 'GET', url: '/sw.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-cache');
  });
});

describe('without a built web app', () => {
  it('says how to build it instead of failing', async () => {
    const db = await createTestDatabase('sqlite');
    const runtime = await startRuntime({
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      publicUrl: 'http://vigil.test',
      secretKey: Buffer.alloc(32, 9),
      bootstrapToken: undefined,
      testClock: false,
      webDir: join(tmpdir(), 'vigil-no-such-dir'),
    });
    try {
      const response = await runtime.app.inject({ method: 'GET', url: '/incidents/1' });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('npm run build');
    } finally {
      await runtime.close();
      await db.drop();
    }
  });
});
