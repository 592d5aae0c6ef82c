import { type ErrorCode, errorCatalogue, type FieldError, VigilError } from '@vigil/core';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { StoreDialect } from '../store/dialect.js';

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Ajv's errors as `{path, message}` a person can act on, the path naming the field. */
export function fieldErrors(validation: AjvError[], context: string | undefined): FieldError[] {
  const prefix = context === 'querystring' ? '?' : context === 'params' ? ':' : '';
  return validation.map((error) => {
    let path = error.instancePath || '';
    let message = error.message ?? 'is not valid';
    if (error.keyword === 'additionalProperties') {
      path += `/${String(error.params.additionalProperty)}`;
      message = 'is not a known field';
    } else if (error.keyword === 'required') {
      path += `/${String(error.params.missingProperty)}`;
      message = 'is required';
    } else if (error.keyword === 'enum') {
      message = `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`;
    }
    return { path: `${prefix}${path || '/'}`, message };
  });
}

export function sendProblem(reply: FastifyReply, code: ErrorCode, detail: string, errors?: FieldError[]) {
  const { status, title } = errorCatalogue[code];
  return reply
    .code(status)
    .type('application/problem+json')
    .send({
      type: `https://vigil.dev/errors/${code.toLowerCase().replaceAll('_', '-')}`,
      title,
      status,
      detail,
      code,
      ...(errors ? { errors } : {}),
    });
}

/** Fastify's own error codes for bad requests, as Vigil's stable codes. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_BAD_URL: 'NOT_FOUND',
  FST_ERR_ASYNC_CONSTRAINT: 'VALIDATION_FAILED',
};

/**
 * Every error leaves as RFC 9457 problem+json with a stable code. Client mistakes are 4xx with the
 * reason; anything unexpected is logged in full and answered as a bare 500 that leaks nothing.
 */
export function installErrorHandling(app: FastifyInstance, dialect: StoreDialect) {
  app.setErrorHandler(
    (error: FastifyError & { validation?: AjvError[]; validationContext?: string }, request, reply) => {
      if (error instanceof VigilError) return sendProblem(reply, error.code, error.message, error.errors);
      // Two racing creates of the same name: the database's unique index decides, the loser gets 409.
      if (dialect.isUniqueViolation(error)) {
        return sendProblem(
          reply,
          'CONFLICT',
          'Something with the same unique name or key was created at the same time',
        );
      }
      if (error.validation) {
        const errors = fieldErrors(error.validation, error.validationContext);
        return sendProblem(reply, 'VALIDATION_FAILED', `${errors[0]?.path} ${errors[0]?.message}`, errors);
      }
      const mapped = error.code ? fastifyCodes[error.code] : undefined;
      if (mapped) return sendProblem(reply, mapped, error.message);
      if (error instanceof SyntaxError || error.statusCode === 400) {
        // Fastify's JSON parser (including prototype-poisoning refusals) lands here.
        return sendProblem(reply, 'INVALID_JSON', error.message);
      }
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        const code: ErrorCode =
          error.statusCode === 413
            ? 'PAYLOAD_TOO_LARGE'
            : error.statusCode === 415
              ? 'UNSUPPORTED_MEDIA_TYPE'
              : 'VALIDATION_FAILED';
        return sendProblem(reply, code, error.message);
      }
      request.log.error({ err: error }, 'unexpected error');
      return sendProblem(reply, 'INTERNAL', 'Something went wrong on our side; it has been logged');
    },
  );

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`),
  );
}
