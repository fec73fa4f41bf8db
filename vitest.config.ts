import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
    // Once, before any project's tests: the CLI tests run the built binary and the bench's job threads import the
    // builds. (In a project's own config it ran when that project started, a synchronous build that held up
    // vitest's main thread while other projects' tests ran, and their workers' RPC timed out on a loaded machine.)
    globalSetup: ['./vitest.global-build.ts'],
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
  },
});
