import { VigilError } from '@vigil/core';
import type { FastifyInstance } from 'fastify';

const wellFormed = (text: string) => (text.isWellFormed() ? text : text.toWellFormed());

/**
 * Walks a parsed body (iteratively, so a body nested thousands deep cannot overflow the stack):
 * lone UTF-16 surrogates in keys and values are replaced with U+FFFD in place (PostgreSQL's jsonb
 * and text refuse them), and the path of the first string holding a NUL is returned, or null.
 */
export function cleanText(root: unknown): string | null {
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    for (const [key, child] of Object.entries(value)) {
      const childPath = `${path}/${key}`;
      if (key.includes('\u0000')) return childPath;
      const cleanKey = wellFormed(key);
      let cleanChild = child;
      if (typeof child === 'string') {
        if (child.includes('\u0000')) return childPath;
        cleanChild = wellFormed(child);
      } else {
        stack.push([child, childPath]);
      }
      if (cleanKey !== key) {
        delete (value as Record<string, unknown>)[key];
        (value as Record<string, unknown>)[cleanKey] = cleanChild;
      } else if (cleanChild !== child) {
        (value as Record<string, unknown>)[key] = cleanChild;
      }
    }
  }
  return null;
}

/**
 * PostgreSQL text cannot hold NUL (U+0000) and SQLite truncates at it, so a NUL anywhere in the
 * input is refused up front with the field named, on both engines alike, instead of failing deep
 * in a write. Broken surrogate pairs are repaired rather than refused: monitoring tools truncate
 * strings in the middle of an emoji, and that must not lose the alert.
 */
export function installTextGuard(app: FastifyInstance) {
  app.addHook('preValidation', async (request) => {
    if (typeof request.body === 'string') {
      if (request.body.includes('\u0000')) throw nulError('');
      request.body = wellFormed(request.body);
    }
    for (const [part, prefix] of [
      [request.body, ''],
      [request.query, '?'],
      [request.params, ':'],
    ] as const) {
      const path = cleanText(part);
      if (path) throw nulError(`${prefix}${path}`);
    }
  });
}

function nulError(path: string) {
  return new VigilError('VALIDATION_FAILED', `${path || '/'} must not contain NUL characters`, [
    { path: path || '/', message: 'must not contain NUL characters' },
  ]);
}
