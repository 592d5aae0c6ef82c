import type { Incident } from '@vigil/sdk/contract';
import { useEffect, useRef, useState } from 'react';

/** What the live indicator shows: the stream is open, (re)opening, or the browser has no EventSource. */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'off';

const STREAM_URL = '/api/v1/incidents/stream';

/**
 * Incidents as they change, from the server-sent events of `GET /api/v1/incidents/stream`
 * (`event: incident`, data = the incident as the API presents it; the session cookie authenticates).
 *
 * `onIncident` runs for every streamed incident. `onResync` runs whenever the stream (re)opens:
 * whatever changed while it was closed, or between the page's first fetch and the stream's first
 * message, is fetched again there, so nothing is missed. The browser reconnects by itself (with
 * Last-Event-ID); when it gives up (the server answered with an error), this hook tries again
 * with a growing delay, up to a minute.
 */
export function useIncidentStream(
  onIncident: (incident: Incident) => void,
  onResync?: () => void,
): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const handlers = useRef({ onIncident, onResync });
  useEffect(() => {
    handlers.current = { onIncident, onResync };
  });

  useEffect(() => {
    if (typeof EventSource === 'undefined') {
      setState('off');
      return;
    }
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let delay = 2_000;
    let stopped = false;

    const onMessage = (event: MessageEvent<string>) => {
      let incident: Incident;
      try {
        incident = JSON.parse(event.data) as Incident;
      } catch {
        return;
      }
      if (incident && typeof incident.id === 'string') handlers.current.onIncident(incident);
    };

    const connect = () => {
      if (stopped) return;
      const opened = new EventSource(STREAM_URL);
      source = opened;
      opened.onopen = () => {
        delay = 2_000;
        setState('live');
        handlers.current.onResync?.();
      };
      opened.addEventListener('incident', onMessage as EventListener);
      opened.onerror = () => {
        setState('reconnecting');
        if (opened.readyState === EventSource.CLOSED) {
          // The browser gave up (an error answer, not a dropped connection): try again later.
          opened.close();
          clearTimeout(retry);
          retry = setTimeout(connect, delay);
          delay = Math.min(delay * 2, 60_000);
        }
      };
    };

    connect();
    // A laptop waking up: the old connection may be dead without an error yet.
    const onOnline = () => {
      if (source?.readyState === EventSource.OPEN) return;
      source?.close();
      clearTimeout(retry);
      connect();
    };
    window.addEventListener('online', onOnline);
    return () => {
      stopped = true;
      window.removeEventListener('online', onOnline);
      clearTimeout(retry);
      source?.close();
    };
  }, []);

  return state;
}

/** Re-renders every `ms` so "3 min ago" stays true on a screen left open all night. */
export function useTick(ms = 30_000): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return tick;
}

/**
 * Calls `fn` once, `ms` after the last of a burst of calls (e.g. counts after a storm of alerts),
 * but no later than `maxMs` after the first call of the burst, so a steady stream of changes less
 * than `ms` apart still refreshes.
 */
export function useDebounced(fn: () => void, ms: number, maxMs = ms * 4): () => void {
  const latest = useRef(fn);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const burstStartedAt = useRef<number | null>(null);
  useEffect(() => {
    latest.current = fn;
  });
  useEffect(() => () => clearTimeout(timer.current), []);
  const debounced = useRef(() => {
    clearTimeout(timer.current);
    const now = Date.now();
    burstStartedAt.current ??= now;
    const wait = Math.max(0, Math.min(ms, burstStartedAt.current + maxMs - now));
    timer.current = setTimeout(() => {
      burstStartedAt.current = null;
      latest.current();
    }, wait);
  });
  return debounced.current;
}

/** The live indicator both pages show. */
export function liveText(state: LiveState): string {
  switch (state) {
    case 'live':
      return 'Live';
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return 'Reconnecting…';
    default:
      return 'Not live: reload to see changes';
  }
}
