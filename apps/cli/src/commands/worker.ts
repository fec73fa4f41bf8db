import { type ChildProcess, fork } from 'node:child_process';
import { redactUrl, runWorker } from '@semix/bench/queue';
import type { BackendName } from '@semix/core';
import { BACKENDS, choiceOption, intOption, UsageError } from '../options';

export interface WorkerFlags {
  queue?: string;
  concurrency: string;
  backend: string;
  lockMs?: string;
  stalledMs?: string;
  connectTimeout: string;
}

/**
 * `semix worker`: takes leaderboard jobs from the queue until stopped. `--concurrency N` runs N worker processes
 * (tfjs trains on one thread per process), this one and N − 1 children. SIGINT/SIGTERM stop them all: each puts
 * its current job back in the queue (see runWorker) and exits 0; a second signal exits at once. A refused password,
 * or Redis unreachable for --connect-timeout seconds, exits 1.
 */
export async function worker(flags: WorkerFlags): Promise<void> {
  const url = flags.queue ?? process.env.SEMIX_QUEUE;
  if (!url)
    throw new UsageError(
      '--queue: missing; give redis://host:6379 (or set SEMIX_QUEUE, which keeps a password out of ps)',
    );
  const backend = choiceOption('--backend', flags.backend, BACKENDS) ?? 'auto';
  const concurrency = intOption('--concurrency', flags.concurrency, 1) ?? 1;
  const lockDurationMs = intOption('--lock-ms', flags.lockMs, 1000);
  const stalledIntervalMs = intOption('--stalled-ms', flags.stalledMs, 500);
  const connectTimeoutS = intOption('--connect-timeout', flags.connectTimeout, 1) ?? 30;
  const children: ChildProcess[] = [];
  for (let i = 1; i < concurrency; i++) {
    const args = ['worker', '--concurrency', '1', '--backend', flags.backend];
    args.push('--connect-timeout', String(connectTimeoutS));
    if (flags.lockMs) args.push('--lock-ms', flags.lockMs);
    if (flags.stalledMs) args.push('--stalled-ms', flags.stalledMs);
    // The URL travels in the environment, not in argv.
    children.push(fork(process.argv[1], args, { env: { ...process.env, SEMIX_QUEUE: url } }));
  }
  const controller = new AbortController();
  const tag = `worker ${process.pid}`;
  let first: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals) => {
    // The same signal again exits at once (a job left active is taken over once its lock lapses). Only the same
    // one: a Ctrl-C reaches the children from the terminal and then from this process as SIGTERM, one stop.
    if (first === signal) {
      for (const child of children) child.kill('SIGKILL');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    if (first) return;
    first = signal;
    console.error(`${tag}: stopping; the current job goes back to the queue (${signal} again to exit at once)`);
    for (const child of children) child.kill('SIGTERM');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const stopChildren = () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  };
  await runWorker({
    url,
    backend: backend as BackendName | 'auto',
    lockDurationMs,
    stalledIntervalMs,
    connectTimeoutMs: connectTimeoutS * 1000,
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'ready') console.log(`${tag}: ready on ${redactUrl(url)} (backend ${e.backend})`);
      else if (e.type === 'job-start')
        console.log(`${tag}: start ${e.id} ${e.label} seed ${e.seed} (attempt ${e.attempt})`);
      else if (e.type === 'job-done') console.log(`${tag}: done ${e.id} in ${e.seconds.toFixed(1)} s`);
      else if (e.type === 'job-released') console.log(`${tag}: released ${e.id} (back in the queue, no attempt spent)`);
      else if (e.type === 'job-error') console.log(`${tag}: failed ${e.id}: ${e.error}`);
      else if (e.type === 'redis-error') console.error(`${tag}: redis: ${e.error}`);
    },
  }).catch((error) => {
    // Given up on Redis (or failed): the children cannot reach it either.
    stopChildren();
    throw error;
  });
  await Promise.all(
    children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : c.once('exit', resolve)))),
  );
  console.log(`${tag}: stopped`);
}
