export * from './alertmanager.js';
export * from './clock.js';
export * from './databases.js';
export * from './fakes/index.js';
