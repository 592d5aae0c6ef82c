import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from './errors.js';

/** Where `npm run build` puts the web app (packages/web/dist), seen from server/dist or server/src. */
export const defaultWebDir = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** Paths that belong to the server: an unknown one is a JSON 404, never the app's index page. */
const SERVER_PREFIXES = ['/api/', '/v2/', '/integrations/', '/webhooks/', '/actions/', '/cal/', '/setup'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * The app's pages allow only their own scripts: no inline script, nothing from elsewhere. Styles
 * may be inline (React's style attributes); images may be data: URLs (icons) or any https: image
 * (the images an alert carries, hosted by the monitoring tool that sent it).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

interface WebFile {
  body: Buffer;
  gzipped: Buffer | null;
  type: string;
  /** Vite names built assets by their content hash: they never change, so caches keep them a year. */
  immutable: boolean;
}

/** Every file of the built app, read once at start (the app is small) and gzipped once. */
function loadWebFiles(dir: string): Map<string, WebFile> {
  const files = new Map<string, WebFile>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      // Dotfiles (the build stamp .built) are the build's business, not the browser's.
      if (name.startsWith('.')) continue;
      const path = join(folder, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const url = `/${relative(dir, path).split(sep).join('/')}`;
      const type = TYPES[extname(name)] ?? 'application/octet-stream';
      const body = readFileSync(path);
      const compressible =
        /^(text\/|application\/(json|manifest)|image\/svg)/.test(type) && body.length > 1024;
      files.set(url, {
        body,
        gzipped: compressible ? gzipSync(body, { level: 9 }) : null,
        type,
        immutable: url.startsWith('/assets/'),
      });
    }
  };
  walk(dir);
  return files;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Vigil</title>
<body style="font-family:system-ui;max-width:40em;margin:4em auto">
<h1>Vigil is running</h1><p>The web app is not built in this installation. Build it with
<code>npm run build</code> (or start with <code>npm start</code>, which builds what is missing), then reload.
The API is at <a href="/api/docs">/api/docs</a>.</p></body>`;

/**
 * Serves the web app (packages/web) at `/`: its files, and its index page for every other path
 * the app routes itself (`/incidents/42`), so links in pages, e-mails and pushes open the right screen.
 */
export function webAppRoutes(app: FastifyInstance, webDir: string | null) {
  const files = webDir && existsSync(join(webDir, 'index.html')) ? loadWebFiles(webDir) : null;

  function send(request: FastifyRequest, reply: FastifyReply, file: WebFile) {
    reply.header('content-type', file.type);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (file.type.startsWith('text/html')) {
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      reply.header('referrer-policy', 'same-origin');
      reply.header('x-frame-options', 'DENY');
    }
    if (file.gzipped) {
      reply.header('vary', 'accept-encoding');
      if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
        reply.header('content-encoding', 'gzip');
        return reply.send(file.gzipped);
      }
    }
    return reply.send(file.body);
  }

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = safeDecode(request.url.split('?')[0] ?? '/');
    if (SERVER_PREFIXES.some((prefix) => path.startsWith(prefix)))
      return sendProblem(reply, 'NOT_FOUND', `No route ${request.method} ${path}`);
    if (!files)
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(NOT_BUILT);
    const file = files.get(path);
    if (file) return send(request, reply, file);
    // A missing hashed asset is a real 404 (an old page asking for last release's chunk), not the app.
    if (path.startsWith('/assets/') || extname(path) !== '')
      return sendProblem(reply, 'NOT_FOUND', `No file ${path}`);
    return send(request, reply, files.get('/index.html')!);
  };
  app.get('/', handler);
  app.get('/*', handler);
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path; // a malformed escape matches no file and gets the index page or a 404 like any other
  }
}
