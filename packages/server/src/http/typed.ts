import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Problem } from '@vigil/sdk/contract';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TSchema } from 'typebox';

/** The Fastify instance as routes see it: request types come from the TypeBox schemas. */
export type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** The success response plus the problem document every route may answer with. */
export function responses<T extends TSchema>(status: 200 | 201 | 202, schema: T) {
  return { [status]: schema, '4xx': Problem } as { [K in typeof status]: T } & { '4xx': typeof Problem };
}

export const noContent = { 204: { type: 'null', description: 'No content' }, '4xx': Problem } as const;
