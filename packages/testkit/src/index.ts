export * from './clock.js';
export * from './databases.js';
