#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { run } from './index.js';

/**
 * Only when run as the program: `npx vigil` starts node_modules/.bin/vigil, a symlink, while
 * import.meta.url names the real file, so compare against the resolved path.
 */
function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  run(process.argv.slice(2), process.env, process.stdout, process.stderr).then(
    // exitCode, not exit(): `vigil serve` resolves while its server keeps the process alive.
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`vigil: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
