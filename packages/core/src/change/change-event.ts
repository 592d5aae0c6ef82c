import type { Instant } from '../shared/clock.js';

/** A change to a system (a deploy, a config push): context for responders, never a page. */
export interface ChangeEvent {
  id: string;
  integrationId: string;
  serviceId: string;
  summary: string;
  source: string | null;
  happenedAt: Instant;
  receivedAt: Instant;
  customDetails: Record<string, unknown>;
  links: { href: string; text?: string }[];
}
