import type { Clock } from '@vigil/core';
import type { EscalationModule } from './escalation.module.js';
import type { HeartbeatModule } from './heartbeat.module.js';
import type { OutboundSender } from './outbound-sender.js';
import type { ScheduleModule } from './schedule.module.js';
import type { Sender } from './sender.js';

export interface EngineDeps {
  clock: Clock;
  escalation: EscalationModule;
  sender: Sender;
  /** SIGNL4 and New Relic deliveries: started after the pages, in slots of their own. */
  outbound?: OutboundSender;
  /** Hand-off notices and gap warnings (runs once a minute of engine time). */
  schedules?: ScheduleModule;
  /** Heartbeats whose pings stopped: opens their alerts (before escalations, which then page). */
  heartbeats?: HeartbeatModule;
  /** A cycle runs at least this often; a nudge runs one at once. */
  intervalMs?: number;
  onCycle?(seconds: number): void;
  onError?(error: unknown): void;
}

const BATCH = 100;
/** How soon to look again at due escalations another instance held (see `skippedLocked`). */
const RECHECK_LOCKED_MS = 200;

/**
 * The background cycle (ARCHITECTURE.md §4): reconcile due escalations, then start due sends. It
 * runs every second and at once when nudged after a write, so a page leaves within milliseconds
 * of the alert that caused it; the rows, not this loop, hold the state, so a restart loses nothing.
 */
export function createEngine(deps: EngineDeps) {
  const intervalMs = deps.intervalMs ?? 1000;
  let stopped = true;
  let again = false;
  let wake: (() => void) | null = null;
  let loop: Promise<void> | null = null;
  let sending: Promise<void> | null = null;
  let sendAgain = false;

  /**
   * One round of claiming and starting due messages, one round at a time: asked meanwhile, it runs
   * one more round right after the running one (which the caller that started it does not wait for).
   */
  function send(): Promise<void> {
    if (sending) {
      sendAgain = true;
      return sending;
    }
    sending = deps.sender
      .run(deps.clock.now())
      .then(() => undefined)
      .finally(() => {
        sending = null;
        if (sendAgain) {
          sendAgain = false;
          send().catch((error) => deps.onError?.(error));
        }
      });
    return sending;
  }

  /** Waits for the claim rounds running or asked for (shutdown, tests). */
  async function sent(): Promise<void> {
    while (sending) await sending.catch(() => {});
  }

  async function cycle(): Promise<void> {
    const started = performance.now();
    await deps.heartbeats?.run(deps.clock.now());
    // Escalations first, in batches until none is due, so their messages go out in this cycle.
    while ((await deps.escalation.run(deps.clock.now(), BATCH)) === BATCH) {}
    await deps.schedules?.run(deps.clock.now());
    // A refill claiming meanwhile takes one more round for these; the cycle does not wait for it
    // (a stream of refills must not hold back the next escalations).
    if (sending) sendAgain = true;
    else await send();
    await deps.outbound?.run(deps.clock.now());
    deps.onCycle?.((performance.now() - started) / 1000);
  }

  async function forever() {
    while (!stopped) {
      again = false;
      try {
        await cycle();
      } catch (error) {
        deps.onError?.(error);
      }
      if (stopped) break;
      if (again) continue;
      // Due escalations another instance held may be free again soon (it finished, or died and
      // its locks went with its connection): look again well before the next interval.
      const wait = deps.escalation.skippedLocked?.() ? Math.min(intervalMs, RECHECK_LOCKED_MS) : intervalMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      loop = forever();
    },
    /** Something changed: run a cycle now (or right after the one running). */
    nudge() {
      again = true;
      wake?.();
    },
    /**
     * Sender slots came free: claim more messages now, without waiting for the escalations of a
     * whole cycle (a burst keeps the providers busy while the engine escalates the next incidents).
     */
    refill() {
      if (stopped) return;
      send().catch((error) => deps.onError?.(error));
    },
    /** One cycle, awaited (tests with a manual clock). */
    async runOnce() {
      await cycle();
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      await sent(); // a refill's claims, so that their sends are drained below
      await deps.sender.drain();
      await deps.outbound?.drain();
    },
    drain: async () => {
      await sent();
      await deps.sender.drain();
      await deps.outbound?.drain();
    },
  };
}

export type Engine = ReturnType<typeof createEngine>;
