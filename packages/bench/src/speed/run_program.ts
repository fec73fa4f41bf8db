/** Child processes: the PyTorch script and tfjs-node's one-thread rows run as programs of their own. */
import { execFileSync } from 'node:child_process';

type Stdio = 'inherit' | 'ignore' | 'pipe';

/** Runs a program and returns its stdout; throws where it exits non-zero (execFileSync's contract). */
export type RunProgram = (
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdio?: Stdio | Stdio[] },
) => string;

export const runProgram: RunProgram = (file, args, options) =>
  execFileSync(file, args, { ...options, encoding: 'utf8', maxBuffer: 1 << 24 });
