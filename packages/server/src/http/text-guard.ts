import { VigilError } from '@vigil/core';
import type { FastifyInstance } from 'fastify';

/**
 * The path of the first string (key or value) holding a NUL character, or null. Iterative, so a
 * body nested thousands deep cannot overflow the stack.
 */
export function findNul(root: unknown): string | null {
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path || '/';
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const childPath = `${path}/${key}`;
        if (key.includes('\u0000')) return childPath;
        stack.push([child, childPath]);
      }
    }
  }
  return null;
}

/**
 * PostgreSQL text cannot hold NUL (U+0000) and SQLite truncates at it, so a NUL anywhere in the
 * input is refused up front with the field named, on both engines alike, instead of failing deep
 * in a write.
 */
export function installTextGuard(app: FastifyInstance) {
  app.addHook('preValidation', async (request) => {
    for (const [part, prefix] of [
      [request.body, ''],
      [request.query, '?'],
      [request.params, ':'],
    ] as const) {
      const path = findNul(part);
      if (path) {
        throw new VigilError('VALIDATION_FAILED', `${prefix}${path} must not contain NUL characters`, [
          { path: `${prefix}${path}`, message: 'must not contain NUL characters' },
        ]);
      }
    }
  });
}
