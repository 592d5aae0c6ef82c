// Builds the web app (packages/web) when its build is missing or older than its sources, so
// `npm start` and `npm test` always serve the current app without paying for a rebuild each time.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('../packages/web/', import.meta.url));
const sdk = fileURLToPath(new URL('../packages/sdk/src/', import.meta.url));
const stamp = join(web, 'dist', '.built');

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const name of readdirSync(path)) latest = Math.max(latest, newest(join(path, name)));
  return latest;
}

const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(web, p));
const sourcesAt = Math.max(...sources.map(newest), newest(sdk));
const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;

if (process.argv.includes('--force') || builtAt < sourcesAt) {
  console.log('Building the web app (packages/web)…');
  execFileSync(
    process.execPath,
    [join(web, '..', '..', 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: web,
      stdio: 'inherit',
    },
  );
  writeFileSync(stamp, new Date().toISOString());
}
