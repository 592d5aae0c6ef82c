/**
 * Roles, from most to least powerful (ARCHITECTURE.md §6). Each role may do everything the roles
 * below it may do; what each route needs is in server/http/route-access.ts.
 */
export const roles = ['owner', 'admin', 'manager', 'responder', 'observer', 'stakeholder'] as const;
export type Role = (typeof roles)[number];

const rank = (role: Role): number => roles.length - roles.indexOf(role);

export const isRole = (value: unknown): value is Role => roles.includes(value as Role);

/** Whether `role` is `minimum` or above it. */
export const roleAtLeast = (role: Role, minimum: Role): boolean => rank(role) >= rank(minimum);

/** The weaker of two roles: an API key never grants more than its owner has. */
export const weakerRole = (a: Role, b: Role): Role => (rank(a) <= rank(b) ? a : b);

/** The role just below `role`, or null for the lowest: used to prove a route refuses it. */
export const roleBelow = (role: Role): Role | null => roles[roles.indexOf(role) + 1] ?? null;
