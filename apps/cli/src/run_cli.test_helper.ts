import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The built binary, as users run it (vitest.global-build.ts builds it before the tests). */
export const CLI_BIN = resolve(import.meta.dirname, '../dist/cli.js');

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

/**
 * Runs the CLI as a subprocess and waits for it without blocking the test's thread (a blocking spawnSync of a long
 * training run starves vitest's RPC with the test worker on a loaded machine).
 */
export function runCli(cwd: string, env: NodeJS.ProcessEnv, args: readonly string[]): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd, env, timeout: 120_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (code) => done({ code, out, err }));
  });
}
