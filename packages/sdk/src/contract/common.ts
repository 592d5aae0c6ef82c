import { type Static, type TSchema, Type } from 'typebox';

/** `T | null`, spelled once. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Id = Type.String({ minLength: 1, maxLength: 64, description: 'Opaque identifier' });
export const Instant = Type.String({ format: 'date-time', description: 'RFC 3339 instant in UTC' });

/** A string that is one of `values`, as a plain JSON-schema enum (clear errors, clean OpenAPI). */
export const StringEnum = <const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

export const Role = StringEnum(
  ['owner', 'admin', 'manager', 'responder', 'observer', 'stakeholder'] as const,
  {
    description: 'owner > admin > manager > responder > observer > stakeholder',
  },
);
export type Role = Static<typeof Role>;

export const Actor = Type.Object({
  type: Type.Union([Type.Literal('user'), Type.Literal('integration'), Type.Literal('system')]),
  id: Nullable(Type.String()),
  name: Type.String(),
});
export type Actor = Static<typeof Actor>;

/** RFC 9457 problem details with Vigil's stable `code`. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable error code; see docs/errors.md' }),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { description: 'RFC 9457 problem details (application/problem+json)' },
);
export type Problem = Static<typeof Problem>;

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), next_cursor: Nullable(Type.String()) });

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export const IdParams = Type.Object({ id: Id });
export const NoContent = Type.Null({ description: 'No content' });

/** A JSON object of anything (labels, details, timeline data). */
export const AnyObject = Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true });

/** Any JSON value (audit before/after). */
export const AnyJson = Type.Unsafe<unknown>({});
