import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on a module of this toolkit: `script` is the worker's own module URL (a `.js` file of a
 * published build, or a `.ts` file when running from sources under tsx or vitest). `loads` lists other modules
 * the worker will import (e.g. a training method's); when any of them is TypeScript, or the script is, tsx's
 * loader is registered inside the worker first by a small bootstrap: Node 20 applies no `--import` given in a
 * worker's execArgv, and tsx's ESM hook alone cannot load tfjs-core's extensionless deep imports, so both of its
 * hooks are registered. The worker gets the process's Node options minus those that describe the main script.
 */
export function startWorker(script: URL, workerData: unknown, loads: string[] = []): Worker {
  const execArgv = workerExecArgv();
  const typescript = [script.href, ...loads].some((url) => /\.[cm]?ts$/.test(url));
  if (!typescript) return new Worker(script, { workerData, execArgv });
  const require = createRequire(import.meta.url);
  const cjs = JSON.stringify(require.resolve('tsx/cjs/api'));
  const esm = JSON.stringify(require.resolve('tsx/esm/api'));
  const code = `require(${cjs}).register(); require(${esm}).register(); import(${JSON.stringify(script.href)});`;
  return new Worker(code, { workerData, execArgv, eval: true });
}

/** `-e code`, `--input-type` and the like describe the main script; a worker inherits them and fails on them. */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (['-e', '--eval', '-p', '--print'].includes(a)) i += 1;
    else if (!a.startsWith('--input-type') && !/^--(eval|print)=/.test(a)) out.push(a);
  }
  return out;
}
