import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The CLI tests run the built binary, as users do: build it (and the packages it imports) first; turbo caches. */
export default function setup(): void {
  const root = resolve(import.meta.dirname, '../../..');
  execFileSync(
    resolve(root, 'node_modules/.bin/turbo'),
    ['run', 'build', '--filter', 'semix...', '--output-logs', 'errors-only'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}
