/** The HTTP contract as TypeBox schemas: the server validates and documents with them, the SDK types from them. */
export * from './auth.js';
export * from './common.js';
export * from './heartbeats.js';
export * from './outbound.js';
export * from './paging.js';
export * from './resources.js';
export * from './schedules.js';
