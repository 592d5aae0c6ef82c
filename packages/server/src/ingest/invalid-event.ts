/** A payload an adapter cannot turn into events; `errors` are short sentences naming the field. */
export class InvalidEvent extends Error {
  constructor(readonly errors: string[]) {
    super(errors.join('; '));
    this.name = 'InvalidEvent';
  }
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keeps string values only: labels are a flat map of strings in every format we accept. */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(value)) return out;
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string') out[key] = item;
    else if (typeof item === 'number' || typeof item === 'boolean') out[key] = String(item);
  }
  return out;
}

/** Cuts a string to `max` characters (by code point, so no half surrogate pairs remain). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return Array.from(text).slice(0, max).join('');
}

export const firstString = (...values: unknown[]): string | undefined =>
  values.find((value): value is string => typeof value === 'string' && value.trim() !== '');
