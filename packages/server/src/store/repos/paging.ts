import { type Page, VigilError } from '@vigil/core';

/** Cursors are opaque to clients: base64url of the last key seen on the previous page. */
export function encodeCursor(key: string | number): string {
  return Buffer.from(JSON.stringify([key])).toString('base64url');
}

export function decodeCursor(cursor: string, kind: 'string'): string;
export function decodeCursor(cursor: string, kind: 'number'): number;
export function decodeCursor(cursor: string, kind: 'string' | 'number'): string | number {
  try {
    const [key] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof key === kind) return key as string | number;
  } catch {
    // fall through to the error below
  }
  throw new VigilError('INVALID_CURSOR', 'The cursor is not one this list handed out');
}

/** Rows were fetched with `limit + 1`: the extra row only says whether another page exists. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  keyOf: (row: R) => string | number,
  map: (row: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown[shown.length - 1];
  return { data: shown.map(map), nextCursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

export const parseJson = <T>(text: string | null): T => (text === null ? null : JSON.parse(text)) as T;
export const toJson = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);

/** Escapes LIKE wildcards so user text matches literally (with `escape '\'`). */
export const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
