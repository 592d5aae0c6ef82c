import type { Role } from '../auth/roles.js';
import type { Urgency } from '../incident/incident.js';
import type { Instant } from '../shared/clock.js';

export interface QuietHours {
  start: string;
  end: string;
}

export interface User {
  id: string;
  name: string;
  email: string;
  role: Role;
  timeZone: string;
  /** Low-urgency pages wait until these local hours end (`22:00`–`07:00` crosses midnight). */
  quietHours: QuietHours | null;
  hasPassword: boolean;
  createdAt: Instant;
  updatedAt: Instant;
  deactivatedAt: Instant | null;
}

export interface ApiKey {
  id: string;
  userId: string;
  name: string;
  role: Role;
  /** The first characters of the token, to recognise a key in a list without revealing it. */
  tokenPrefix: string;
  createdAt: Instant;
  expiresAt: Instant | null;
  lastUsedAt: Instant | null;
  revokedAt: Instant | null;
}

export const teamMemberRoles = ['manager', 'responder', 'observer'] as const;
export type TeamMemberRole = (typeof teamMemberRoles)[number];

export interface Team {
  id: string;
  name: string;
  description: string;
  createdAt: Instant;
  updatedAt: Instant;
}

export interface TeamMember {
  teamId: string;
  userId: string;
  role: TeamMemberRole;
}

export const serviceStatuses = ['active', 'disabled'] as const;
export type ServiceStatus = (typeof serviceStatuses)[number];

export interface Service {
  id: string;
  name: string;
  description: string;
  teamId: string | null;
  escalationPolicyId: string | null;
  /** Minutes an acknowledgement holds before the incident triggers again and pages again; null: forever. */
  ackTimeoutMinutes: number | null;
  status: ServiceStatus;
  defaultUrgency: Urgency | null;
  /** Resolve the incident once all its alerts have resolved (the ingest issue acts on it). */
  autoResolve: boolean;
  createdAt: Instant;
  updatedAt: Instant;
}

export const integrationTypes = [
  'events_v2',
  'opsgenie',
  'alertmanager',
  'grafana',
  'newrelic',
  'generic',
  'email',
  'heartbeat',
] as const;
export type IntegrationType = (typeof integrationTypes)[number];

export interface Integration {
  id: string;
  serviceId: string;
  type: IntegrationType;
  name: string;
  /** The ingest secret. Kept encrypted at rest; looked up by its hash. */
  key: string;
  rateLimitPerMinute: number | null;
  config: Record<string, unknown>;
  createdAt: Instant;
  updatedAt: Instant;
}
