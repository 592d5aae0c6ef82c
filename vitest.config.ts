import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run the TypeScript sources of sibling workspaces, not their dist/ builds.
    alias: [
      { find: /^@vigil\/sdk\/contract$/, replacement: src('./packages/sdk/src/contract/index.ts') },
      { find: /^@vigil\/(core|sdk|server|testkit|cli)$/, replacement: src('./packages/$1/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    // Store and HTTP tests create their own databases; two workers suit the 2-core machines.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
