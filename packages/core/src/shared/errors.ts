/**
 * The one catalogue of error codes. Codes are a contract (specs/api.md): clients branch on them,
 * so a code is never renamed or reused. Each carries the HTTP status it maps to; the HTTP layer
 * turns a VigilError into an RFC 9457 problem document.
 */
export const errorCatalogue = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  INVALID_JSON: { status: 400, title: 'The request body is not valid JSON' },
  INVALID_CURSOR: { status: 400, title: 'The cursor is not valid' },
  PASSWORD_RESET_INVALID: { status: 400, title: 'The password reset link is not valid' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication is required' },
  INVALID_CREDENTIALS: { status: 401, title: 'The e-mail address or the password is wrong' },
  FORBIDDEN: { status: 403, title: 'Your role does not allow this' },
  CSRF_FAILED: { status: 403, title: 'The request lacks the session’s CSRF token' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  CONFLICT: { status: 409, title: 'The request conflicts with the current state' },
  INVALID_TRANSITION: { status: 409, title: 'The incident cannot make this change from its current status' },
  IDEMPOTENCY_KEY_IN_USE: { status: 409, title: 'A request with this Idempotency-Key is still in progress' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'This Idempotency-Key was used with a different request',
  },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The content type is not supported' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL: { status: 500, title: 'Internal error' },
  NOT_READY: { status: 503, title: 'The service is not ready' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface FieldError {
  /** JSON pointer-ish path of the offending field, e.g. `/title` or `/assignees/0`. */
  path: string;
  message: string;
}

export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[] | undefined;

  constructor(code: ErrorCode, detail?: string, errors?: FieldError[]) {
    super(detail ?? errorCatalogue[code].title);
    this.name = 'VigilError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.errors = errors;
  }
}

export const notFound = (what: string, id: string): VigilError =>
  new VigilError('NOT_FOUND', `${what} ${JSON.stringify(id)} does not exist`);

export const invalidField = (path: string, message: string): VigilError =>
  new VigilError('VALIDATION_FAILED', `${path}: ${message}`, [{ path, message }]);
