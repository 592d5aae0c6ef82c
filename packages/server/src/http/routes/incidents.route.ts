import {
  type Incident as DomainIncident,
  findIncident,
  type IncidentStatus,
  type Priority,
} from '@vigil/core';
import {
  AcknowledgeBody,
  Alert,
  BulkIncidentAction,
  BulkIncidentResults,
  EscalateBody,
  Incident,
  IncidentCounts,
  IncidentCountsQuery,
  IncidentCreate,
  IncidentListQuery,
  IncidentRef,
  IncidentUpdate,
  NoteBody,
  Notification,
  PageOf,
  PageQuery,
  ReassignBody,
  ResolveBody,
  TimelineEntry,
} from '@vigil/sdk/contract';
import type { AppDeps } from '../../app.js';
import { contextOf } from '../auth.js';
import {
  presentAlert,
  presentIncident,
  presentNotification,
  presentPage,
  presentTimelineEntry,
} from '../present.js';
import { responses, type TypedApp } from '../typed.js';

const list = <T extends string>(text: string | undefined) => (text ? (text.split(',') as T[]) : undefined);

/** `curl -X POST …/acknowledge` with no body is fine: a missing body counts as `{}`. */
const emptyBodyIsEmptyObject = async (request: { body: unknown }) => {
  if (request.body === undefined || request.body === null) request.body = {};
};

export function incidentRoutes(app: TypedApp, { services, uow, config, metrics }: AppDeps) {
  const tags = ['incidents'];

  /** Presents incidents with their assignees' names, looked up in one query per page. */
  async function present(incidents: DomainIncident[]) {
    const ids = [...new Set(incidents.flatMap((incident) => incident.assigneeIds))];
    const users = await uow.read.users.getMany(ids);
    const names = new Map(users.map((user) => [user.id, user.name]));
    return incidents.map((incident) => presentIncident(incident, names, config.publicUrl));
  }
  const presentOne = async (incident: DomainIncident) => (await present([incident]))[0]!;

  app.get(
    '/api/v1/incidents',
    {
      schema: {
        tags,
        summary: 'Incidents, newest first',
        querystring: IncidentListQuery,
        response: responses(200, PageOf(Incident)),
      },
    },
    async (request) => {
      const query = request.query;
      const page = await uow.read.incidents.list(
        {
          status: list<IncidentStatus>(query.status),
          priority: list<Priority>(query.priority),
          serviceId: query.service_id,
          teamId: query.team_id,
          since: query.since ? new Date(query.since).toISOString() : undefined,
          until: query.until ? new Date(query.until).toISOString() : undefined,
          q: query.q,
        },
        { limit: query.limit ?? 50, cursor: query.cursor ?? null },
      );
      return { data: await present(page.data), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/api/v1/incidents/counts',
    {
      schema: {
        tags,
        summary: 'How many incidents there are per status, with the list’s filters (the board’s tabs)',
        querystring: IncidentCountsQuery,
        response: responses(200, IncidentCounts),
      },
    },
    async (request) => {
      const counts = await uow.read.incidents.countByStatus({
        serviceId: request.query.service_id,
        teamId: request.query.team_id,
        priority: list<Priority>(request.query.priority),
        q: request.query.q,
      });
      return {
        triggered: counts.triggered,
        acknowledged: counts.acknowledged,
        resolved: counts.resolved,
        resolved_capped: counts.resolvedCapped,
      };
    },
  );

  app.post(
    '/api/v1/incidents/bulk',
    {
      schema: {
        tags,
        summary: 'Acknowledge or resolve up to 100 incidents; each succeeds or fails on its own',
        body: BulkIncidentAction,
        response: responses(200, BulkIncidentResults),
      },
    },
    async (request) => {
      const outcomes = await services.incidents.bulk(
        contextOf(request),
        request.body.action,
        request.body.incident_ids,
      );
      const done = await present(outcomes.flatMap((outcome) => (outcome.ok ? [outcome.incident] : [])));
      let next = 0;
      const results = outcomes.map((outcome) =>
        outcome.ok
          ? { id: outcome.ref, ok: true, incident: done[next++]! }
          : {
              id: outcome.ref,
              ok: false,
              error: {
                code: outcome.error.code,
                status: outcome.error.status,
                detail: outcome.error.message,
              },
            },
      );
      const succeeded = outcomes.filter((outcome) => outcome.ok).length;
      return { results, succeeded, failed: outcomes.length - succeeded };
    },
  );

  app.post(
    '/api/v1/incidents',
    {
      config: { idempotent: true },
      schema: {
        tags,
        summary: 'Open an incident by hand',
        body: IncidentCreate,
        response: responses(201, Incident),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const incident = await services.incidents.create(contextOf(request), {
        serviceId: body.service_id,
        title: body.title,
        description: body.description,
        priority: body.priority,
        severity: body.severity,
        urgency: body.urgency,
        assigneeIds: body.assignee_ids,
        dedupKey: body.dedup_key,
      });
      metrics.incidentsOpened.inc({ source: 'manual' });
      return reply.code(201).send(await presentOne(incident));
    },
  );

  app.get(
    '/api/v1/incidents/:id',
    {
      schema: {
        tags,
        summary: 'One incident, by ID or number',
        params: IncidentRef,
        response: responses(200, Incident),
      },
    },
    async (request) => presentOne(await findIncident(uow.read, request.params.id)),
  );

  app.patch(
    '/api/v1/incidents/:id',
    {
      schema: {
        tags,
        summary: 'Change title, description, priority, severity or urgency',
        params: IncidentRef,
        body: IncidentUpdate,
        response: responses(200, Incident),
      },
    },
    async (request) =>
      presentOne(await services.incidents.edit(contextOf(request), request.params.id, request.body)),
  );

  app.post(
    '/api/v1/incidents/:id/acknowledge',
    {
      preValidation: emptyBodyIsEmptyObject,
      schema: { tags, params: IncidentRef, body: AcknowledgeBody, response: responses(200, Incident) },
    },
    async (request) =>
      presentOne(await services.incidents.acknowledge(contextOf(request), request.params.id)),
  );

  app.post(
    '/api/v1/incidents/:id/resolve',
    {
      preValidation: emptyBodyIsEmptyObject,
      schema: { tags, params: IncidentRef, body: ResolveBody, response: responses(200, Incident) },
    },
    async (request) =>
      presentOne(
        await services.incidents.resolve(contextOf(request), request.params.id, request.body?.resolution),
      ),
  );

  app.post(
    '/api/v1/incidents/:id/reassign',
    {
      schema: {
        tags,
        summary: 'Hand the incident to other people (it triggers again if acknowledged)',
        params: IncidentRef,
        body: ReassignBody,
        response: responses(200, Incident),
      },
    },
    async (request) =>
      presentOne(
        await services.incidents.reassign(contextOf(request), request.params.id, request.body.assignee_ids),
      ),
  );

  app.post(
    '/api/v1/incidents/:id/notes',
    {
      config: { idempotent: true },
      schema: { tags, params: IncidentRef, body: NoteBody, response: responses(201, TimelineEntry) },
    },
    async (request, reply) => {
      const entry = await services.incidents.addNote(
        contextOf(request),
        request.params.id,
        request.body.body,
      );
      return reply.code(201).send(presentTimelineEntry(entry));
    },
  );

  app.get(
    '/api/v1/incidents/:id/timeline',
    {
      schema: {
        tags,
        summary: 'Everything that happened, oldest first',
        params: IncidentRef,
        querystring: PageQuery,
        response: responses(200, PageOf(TimelineEntry)),
      },
    },
    async (request) => {
      const incident = await findIncident(uow.read, request.params.id);
      const page = await uow.read.timeline.list(incident.id, {
        limit: request.query.limit ?? 50,
        cursor: request.query.cursor ?? null,
      });
      return presentPage(page, presentTimelineEntry);
    },
  );

  app.get(
    '/api/v1/incidents/:id/alerts',
    {
      schema: { tags, params: IncidentRef, querystring: PageQuery, response: responses(200, PageOf(Alert)) },
    },
    async (request) => {
      const incident = await findIncident(uow.read, request.params.id);
      const page = await uow.read.alerts.list(
        { incidentId: incident.id },
        { limit: request.query.limit ?? 50, cursor: request.query.cursor ?? null },
      );
      return presentPage(page, presentAlert);
    },
  );

  app.post(
    '/api/v1/incidents/:id/escalate',
    {
      preValidation: emptyBodyIsEmptyObject,
      schema: {
        tags,
        summary: 'Page a step of the escalation policy now (the next one by default)',
        params: IncidentRef,
        body: EscalateBody,
        response: responses(200, Incident),
      },
    },
    async (request) =>
      presentOne(
        await services.incidents.escalate(contextOf(request), request.params.id, request.body?.step),
      ),
  );

  app.get(
    '/api/v1/incidents/:id/notifications',
    {
      schema: {
        tags,
        summary: 'Who was notified how, with delivery states and reasons',
        params: IncidentRef,
        querystring: PageQuery,
        response: responses(200, PageOf(Notification)),
      },
    },
    async (request) =>
      presentPage(
        await services.incidents.notifications(request.params.id, {
          limit: request.query.limit ?? 50,
          cursor: request.query.cursor ?? null,
        }),
        presentNotification,
      ),
  );
}
