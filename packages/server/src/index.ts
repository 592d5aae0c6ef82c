export { type AppDeps, buildApp } from './app.js';
export { type Config, ConfigError, loadConfig, parseFlags } from './config.js';
export { migrate, serve } from './main.js';
export { type Runtime, startRuntime } from './runtime.js';
export { openStore } from './store/database.js';
export { migrateToLatest } from './store/migrate.js';
