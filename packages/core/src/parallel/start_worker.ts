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
  const typescript = [script.href, ...loads].some((url) => /\.[cm]?ts$/.test(url));
  let target: URL | string = script;
  if (typescript) {
    const require = createRequire(import.meta.url);
    const cjs = JSON.stringify(require.resolve('tsx/cjs/api'));
    const esm = JSON.stringify(require.resolve('tsx/esm/api'));
    target = `require(${cjs}).register(); require(${esm}).register(); import(${JSON.stringify(script.href)});`;
  }
  const start = (execArgv: string[] | undefined) => new Worker(target, { workerData, execArgv, eval: typescript });
  const execArgv = workerExecArgv();
  // Inherited (undefined), the options are taken as the process parsed them; given explicitly, Node refuses V8
  // options (--max-old-space-size, …) in a worker: then the worker starts without them.
  try {
    return start(execArgv);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    return start([]);
  }
}

/**
 * The process's Node options for a worker: inherited as they are (undefined) unless they describe the main
 * script (`-e code`, `--input-type`), which a worker inherits and fails on; then the rest of them.
 */
function workerExecArgv(): string[] | undefined {
  const args = process.execArgv;
  const withValue = ['-e', '--eval', '-p', '--print', '--input-type'];
  const scriptOption = (a: string) => withValue.includes(a) || /^--(input-type|eval|print)=/.test(a);
  if (!args.some(scriptOption)) return undefined;
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (withValue.includes(a)) i += 1;
    else if (!scriptOption(a)) out.push(a);
  }
  return out;
}
