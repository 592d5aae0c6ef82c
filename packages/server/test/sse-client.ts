import http from 'node:http';

export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
  /** performance.now() when the event's last line arrived. */
  at: number;
}

export interface SseStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Every event so far, in order (comments are counted in `comments`). */
  events: SseEvent[];
  comments: string[];
  /** The first event (from the start of the stream) that matches, waiting up to `timeoutMs`. */
  next(match: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/**
 * A real HTTP client reading a server-sent event stream as a browser's EventSource would: over a
 * socket, parsing `event:`, `id:`, `data:` and comment lines as they arrive.
 */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      const events: SseEvent[] = [];
      const comments: string[] = [];
      const waiters = new Set<() => void>();
      let buffer = '';
      let current: { event?: string; id?: string; data: string[] } = { data: [] };
      let resolveEnded: () => void = () => {};
      const ended = new Promise<void>((done) => {
        resolveEnded = done;
      });
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline).replace(/\r$/, '');
          buffer = buffer.slice(newline + 1);
          if (line === '') {
            if (current.data.length > 0 || current.event) {
              events.push({
                event: current.event ?? 'message',
                id: current.id,
                data: current.data.join('\n'),
                at: performance.now(),
              });
            }
            current = { data: [] };
          } else if (line.startsWith(':')) {
            comments.push(line.slice(1).trim());
          } else {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') current.event = value;
            else if (field === 'id') current.id = value;
            else if (field === 'data') current.data.push(value);
          }
          newline = buffer.indexOf('\n');
        }
        for (const wake of waiters) wake();
      });
      let done = false;
      const finish = () => {
        done = true;
        resolveEnded();
        for (const wake of waiters) wake();
      };
      response.on('end', finish);
      response.on('close', finish);
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        events,
        comments,
        ended,
        next(match, timeoutMs = 5_000) {
          return new Promise((found, fail) => {
            const check = () => {
              const event = events.find(match);
              if (event) {
                cleanup();
                found(event);
              } else if (done) {
                cleanup();
                fail(new Error(`the stream ended; events: ${events.map((e) => e.event).join(', ')}`));
              }
            };
            const timer = setTimeout(() => {
              cleanup();
              fail(new Error(`no matching event in ${timeoutMs} ms; got ${events.length} events`));
            }, timeoutMs);
            const cleanup = () => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          });
        },
        close() {
          request.destroy();
        },
      });
    });
    request.on('error', reject);
  });
}

/** The parsed JSON of an event's data. */
export const dataOf = <T = Record<string, unknown>>(event: SseEvent): T => JSON.parse(event.data) as T;
