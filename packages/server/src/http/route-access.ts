import type { Role } from '@vigil/core';

/**
 * Who may call each route: the lowest role allowed, or `public` (no API key; the route protects
 * itself, as health checks and the setup link do). A route missing from this table fails the
 * server's start, and test/route-access.http.test.ts walks every route against it.
 *
 * `integration`: no API key; the handler authenticates the integration key (ingest endpoints).
 *
 * The rule of thumb: stakeholders read incidents; observers read everything operational;
 * responders act on incidents; managers shape services, integrations and teams; admins manage
 * people, keys and the audit log; owners manage owners (checked in the user use cases).
 */
export type Access = Role | 'public' | 'integration';

export const routeAccess: Record<string, Access> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  'GET /api/v1/openapi.json': 'public',
  'GET /setup': 'public',
  'POST /setup': 'public',
  'POST /api/v1/setup': 'public',

  // Browser sign-in (docs/sign-in.md). Public: these read the session cookie themselves (logout
  // checks its CSRF token); signing out everywhere needs a signed-in caller (cookie or API key).
  'POST /api/v1/auth/login': 'public',
  'GET /api/v1/auth/session': 'public',
  'POST /api/v1/auth/logout': 'public',
  'POST /api/v1/auth/logout-everywhere': 'stakeholder',
  'POST /api/v1/auth/password-reset': 'public',
  'POST /api/v1/auth/password-reset/confirm': 'public',

  'GET /api/v1/me': 'stakeholder',
  'GET /api/v1/users': 'observer',
  'POST /api/v1/users': 'admin',
  'GET /api/v1/users/:id': 'observer',
  // Everyone may edit their own profile; the use case requires admin for anyone else.
  'PATCH /api/v1/users/:id': 'stakeholder',
  'DELETE /api/v1/users/:id': 'admin',

  // Everyone manages their own keys; the use case requires admin for anyone else's.
  'GET /api/v1/api-keys': 'stakeholder',
  'POST /api/v1/api-keys': 'stakeholder',
  'DELETE /api/v1/api-keys/:id': 'stakeholder',

  'GET /api/v1/teams': 'observer',
  'POST /api/v1/teams': 'manager',
  'GET /api/v1/teams/:id': 'observer',
  'PATCH /api/v1/teams/:id': 'manager',
  'DELETE /api/v1/teams/:id': 'manager',
  'GET /api/v1/teams/:id/members': 'observer',
  'PUT /api/v1/teams/:id/members/:userId': 'manager',
  'DELETE /api/v1/teams/:id/members/:userId': 'manager',

  'GET /api/v1/services': 'observer',
  'POST /api/v1/services': 'manager',
  'GET /api/v1/services/:id': 'observer',
  'PATCH /api/v1/services/:id': 'manager',
  'DELETE /api/v1/services/:id': 'manager',

  // Integrations carry their ingest key, so reading them is for those who configure them.
  'GET /api/v1/services/:id/integrations': 'manager',
  'POST /api/v1/services/:id/integrations': 'manager',
  'GET /api/v1/integrations/:id': 'manager',
  'PATCH /api/v1/integrations/:id': 'manager',
  'DELETE /api/v1/integrations/:id': 'manager',

  'GET /api/v1/incidents': 'stakeholder',
  // The incident board (docs/incident-board.md): the live stream and the counts read like the list.
  'GET /api/v1/incidents/stream': 'stakeholder',
  'GET /api/v1/incidents/counts': 'stakeholder',
  'POST /api/v1/incidents/bulk': 'responder',
  'POST /api/v1/incidents': 'responder',
  'GET /api/v1/incidents/:id': 'stakeholder',
  'PATCH /api/v1/incidents/:id': 'responder',
  'POST /api/v1/incidents/:id/acknowledge': 'responder',
  'POST /api/v1/incidents/:id/resolve': 'responder',
  'POST /api/v1/incidents/:id/reassign': 'responder',
  'POST /api/v1/incidents/:id/notes': 'responder',
  'GET /api/v1/incidents/:id/timeline': 'stakeholder',
  'GET /api/v1/incidents/:id/alerts': 'observer',

  'GET /api/v1/alerts': 'observer',
  'GET /api/v1/alerts/:id': 'observer',

  'GET /api/v1/audit-log': 'admin',

  'GET /api/v1/change-events': 'observer',

  // Schedules: managers shape them; responders trade shifts (overrides, cover and swap requests;
  // the use cases keep responders to their own shifts); observers read.
  'GET /api/v1/schedules': 'observer',
  'POST /api/v1/schedules': 'manager',
  'POST /api/v1/schedules/import/pagerduty': 'manager',
  'GET /api/v1/schedules/:id': 'observer',
  'PATCH /api/v1/schedules/:id': 'manager',
  'DELETE /api/v1/schedules/:id': 'manager',
  'GET /api/v1/schedules/:id/versions': 'observer',
  'GET /api/v1/schedules/:id/versions/:version': 'observer',
  'POST /api/v1/schedules/:id/versions/:version/restore': 'manager',
  'GET /api/v1/schedules/:id/oncall': 'observer',
  'GET /api/v1/oncalls': 'observer',
  'GET /api/v1/schedules/:id/shifts': 'observer',
  'GET /api/v1/schedules/:id/gaps': 'observer',
  'GET /api/v1/schedules/:id/overrides': 'observer',
  'POST /api/v1/schedules/:id/overrides': 'responder',
  'DELETE /api/v1/schedules/:id/overrides/:overrideId': 'responder',
  'POST /api/v1/schedules/:id/cover-requests': 'responder',
  'POST /api/v1/schedules/:id/swap-requests': 'responder',
  'GET /api/v1/shift-requests': 'observer',
  'GET /api/v1/shift-requests/:id': 'observer',
  'POST /api/v1/shift-requests/:id/accept': 'responder',
  'POST /api/v1/shift-requests/:id/decline': 'responder',
  'POST /api/v1/shift-requests/:id/cancel': 'responder',
  'GET /api/v1/schedules/:id/calendar.ics': 'observer',
  'GET /api/v1/schedules/:id/calendar-feed': 'manager',
  'POST /api/v1/schedules/:id/calendar-feed': 'manager',
  'DELETE /api/v1/schedules/:id/calendar-feed': 'manager',
  // A person's own calendar: everyone for themselves, admins for others (checked in the use case).
  'GET /api/v1/users/:id/calendar.ics': 'observer',
  'GET /api/v1/users/:id/calendar-feed': 'stakeholder',
  'POST /api/v1/users/:id/calendar-feed': 'stakeholder',
  'DELETE /api/v1/users/:id/calendar-feed': 'stakeholder',
  'GET /cal/:token': 'public',

  // Escalation policies: managers shape them, observers read them.
  'GET /api/v1/escalation-policies': 'observer',
  'POST /api/v1/escalation-policies': 'manager',
  'GET /api/v1/escalation-policies/:id': 'observer',
  'GET /api/v1/escalation-policies/:id/preview': 'observer',
  'GET /api/v1/push/public-key': 'stakeholder',
  'PATCH /api/v1/escalation-policies/:id': 'manager',
  'DELETE /api/v1/escalation-policies/:id': 'manager',
  'POST /api/v1/incidents/:id/escalate': 'responder',
  'GET /api/v1/incidents/:id/notifications': 'observer',
  // SIGNL4 and New Relic per service: made of secrets (a SIGNL4 URL is one), so reading them is for
  // those who configure them; what was sent about an incident is operational, like notifications.
  'GET /api/v1/services/:id/outbound-integrations': 'manager',
  'POST /api/v1/services/:id/outbound-integrations': 'manager',
  'GET /api/v1/outbound-integrations/:id': 'manager',
  'PATCH /api/v1/outbound-integrations/:id': 'manager',
  'DELETE /api/v1/outbound-integrations/:id': 'manager',
  'POST /api/v1/outbound-integrations/:id/test': 'manager',
  'GET /api/v1/incidents/:id/outbound-deliveries': 'observer',
  // Contact methods and notification rules: everyone their own, admins anyone's (use case).
  // A stakeholder reads their own (their profile); another person's need observer (checked in core).
  'GET /api/v1/users/:id/contact-methods': 'stakeholder',
  'POST /api/v1/users/:id/contact-methods': 'stakeholder',
  'PATCH /api/v1/users/:id/contact-methods/:itemId': 'stakeholder',
  'DELETE /api/v1/users/:id/contact-methods/:itemId': 'stakeholder',
  'POST /api/v1/users/:id/contact-methods/:itemId/verify': 'stakeholder',
  'POST /api/v1/users/:id/contact-methods/:itemId/send-code': 'stakeholder',
  'POST /api/v1/users/:id/contact-methods/:itemId/test': 'stakeholder',
  'GET /api/v1/users/:id/notification-rules': 'stakeholder',
  'POST /api/v1/users/:id/notification-rules': 'stakeholder',
  'DELETE /api/v1/users/:id/notification-rules/:itemId': 'stakeholder',
  'POST /api/v1/test/clock': 'admin',
  // Answers from phones, Slack and links: each proves itself (Twilio or Slack signature, signed link).
  'POST /webhooks/twilio/sms': 'public',
  'POST /webhooks/twilio/voice': 'public',
  'POST /webhooks/twilio/status': 'public',
  'POST /webhooks/slack/interactions': 'public',
  'POST /webhooks/slack/commands': 'public',
  'GET /actions/:token': 'public',
  'POST /actions/:token': 'public',

  'POST /v2/enqueue': 'integration',
  'POST /v2/change/enqueue': 'integration',
  'POST /v2/alerts': 'integration',
  'POST /v2/alerts/:identifier/:action': 'integration',
  'POST /integrations/:type/:key': 'integration',
  'POST /integrations/:type': 'integration',
  'POST /heartbeat/:key': 'integration',
  'GET /heartbeat/:key': 'integration',
  'POST /heartbeat': 'integration',

  // The web app's files and pages (http/web-app.ts); the app signs in through /api/v1/auth.
  'GET /': 'public',
  'GET /*': 'public',
};

/** HEAD is answered by the GET handler, so it needs what GET needs. */
export function accessFor(method: string, url: string): Access | undefined {
  // The API reference (Swagger UI and its assets) is documentation, open like the OpenAPI document.
  if (url === '/api/docs' || url.startsWith('/api/docs/'))
    return method === 'GET' || method === 'HEAD' ? 'public' : undefined;
  return routeAccess[`${method === 'HEAD' ? 'GET' : method} ${url}`];
}
