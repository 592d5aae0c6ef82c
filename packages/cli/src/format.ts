/** Plain-text output helpers: aligned columns, short instants, truncation. */

/** Columns separated by two spaces, padded to the widest cell; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/** `2026-03-08T07:00:00.123Z` → `2026-03-08 07:00:00Z`; null → `-`. */
export function instant(value: string | null | undefined): string {
  if (!value) return '-';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** At most `max` characters, on one line, with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** `label   value` lines, labels padded to the widest one. */
export function fields(pairs: [string, string][], indent = '  '): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}\n`).join('');
}

export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
