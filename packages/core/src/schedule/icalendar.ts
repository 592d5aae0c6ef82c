import type { Instant } from '../shared/clock.js';

/** One event of an iCalendar feed; times are UTC instants, `end` exclusive. */
export interface CalendarEvent {
  /** Stable across refreshes, so calendar apps update an event instead of duplicating it. */
  uid: string;
  start: Instant;
  end: Instant;
  summary: string;
  description?: string;
  url?: string;
}

export interface CalendarDocument {
  name: string;
  /** DTSTAMP of every event: when the feed was rendered. */
  generatedAt: Instant;
  events: readonly CalendarEvent[];
}

/** `2025-03-01T08:00:00.000Z` → `20250301T080000Z` (UTC form: no VTIMEZONE needed). */
export function icsUtc(instant: Instant): string {
  return `${instant.slice(0, 19).replace(/[-:]/g, '')}Z`;
}

/** TEXT escaping of RFC 5545 §3.3.11. */
export function icsText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

const encoder = new TextEncoder();

/**
 * Folds a content line at 75 octets (RFC 5545 §3.1): CRLF then one space. Cuts only between
 * code points so a multi-byte character is never split.
 */
export function foldLine(line: string): string {
  if (encoder.encode(line).length <= 75) return line;
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    // The first line holds 75 octets; continuation lines 74 after their leading space.
    const limit = parts.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/** An RFC 5545 document for a feed (the wire-formats digest, §11, lists the choices). */
export function renderCalendar(doc: CalendarDocument): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Vigil//On-call//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${icsText(doc.name)}`,
    `NAME:${icsText(doc.name)}`,
    'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
    'X-PUBLISHED-TTL:PT1H',
  ];
  const stamp = icsUtc(doc.generatedAt);
  for (const event of doc.events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${icsText(event.uid)}`,
      `DTSTAMP:${stamp}`,
      `DTSTART:${icsUtc(event.start)}`,
      `DTEND:${icsUtc(event.end)}`,
      `SUMMARY:${icsText(event.summary)}`,
    );
    if (event.description) lines.push(`DESCRIPTION:${icsText(event.description)}`);
    if (event.url) lines.push(`URL:${event.url}`);
    lines.push('TRANSP:TRANSPARENT', 'STATUS:CONFIRMED', 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
