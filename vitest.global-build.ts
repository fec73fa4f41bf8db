import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The CLI tests run the built binary, as users do, and the bench's job threads import the packages' builds:
 * build the CLI and everything it imports first (turbo caches, so an unchanged tree builds nothing).
 */
export default function setup(): void {
  const root = import.meta.dirname;
  execFileSync(
    resolve(root, 'node_modules/.bin/turbo'),
    ['run', 'build', '--filter', 'semix...', '--output-logs', 'errors-only'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}
