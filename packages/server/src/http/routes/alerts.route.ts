import { type AlertStatus, notFound } from '@vigil/core';
import {
  Alert,
  AlertListQuery,
  AuditEntry,
  AuditListQuery,
  ChangeEvent,
  ChangeEventListQuery,
  IdParams,
  PageOf,
} from '@vigil/sdk/contract';
import type { AppDeps } from '../../app.js';
import { presentAlert, presentAuditEntry, presentChangeEvent, presentPage } from '../present.js';
import { responses, type TypedApp } from '../typed.js';

export function alertRoutes(app: TypedApp, { uow }: AppDeps) {
  app.get(
    '/api/v1/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Alerts, newest first',
        querystring: AlertListQuery,
        response: responses(200, PageOf(Alert)),
      },
    },
    async (request) => {
      const query = request.query;
      const page = await uow.read.alerts.list(
        {
          status: query.status ? (query.status.split(',') as AlertStatus[]) : undefined,
          serviceId: query.service_id,
          integrationId: query.integration_id,
          incidentId: query.incident_id,
          dedupKey: query.dedup_key,
        },
        { limit: query.limit ?? 50, cursor: query.cursor ?? null },
      );
      return presentPage(page, presentAlert);
    },
  );

  app.get(
    '/api/v1/alerts/:id',
    { schema: { tags: ['alerts'], params: IdParams, response: responses(200, Alert) } },
    async (request) => {
      const alert = await uow.read.alerts.get(request.params.id);
      if (!alert) throw notFound('Alert', request.params.id);
      return presentAlert(alert);
    },
  );
}

export function auditRoutes(app: TypedApp, { uow }: AppDeps) {
  app.get(
    '/api/v1/audit-log',
    {
      schema: {
        tags: ['audit log'],
        summary: 'Every change, newest first',
        querystring: AuditListQuery,
        response: responses(200, PageOf(AuditEntry)),
      },
    },
    async (request) => {
      const query = request.query;
      const page = await uow.read.audit.list(
        { objectType: query.object_type, objectId: query.object_id, actorId: query.actor_id },
        { limit: query.limit ?? 50, cursor: query.cursor ?? null },
      );
      return presentPage(page, presentAuditEntry);
    },
  );
}

export function changeEventRoutes(app: TypedApp, { uow }: AppDeps) {
  app.get(
    '/api/v1/change-events',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Change events (deploys, config changes), newest first',
        querystring: ChangeEventListQuery,
        response: responses(200, PageOf(ChangeEvent)),
      },
    },
    async (request) => {
      const query = request.query;
      const page = await uow.read.changeEvents.list(
        { ...(query.service_id ? { serviceId: query.service_id } : {}) },
        { limit: query.limit ?? 50, cursor: query.cursor ?? null },
      );
      return presentPage(page, presentChangeEvent);
    },
  );
}
