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
}

/**
 * `semix worker`: takes leaderboard jobs from the queue until stopped. `--concurrency N` runs N worker processes
 * (tfjs trains on one thread per process), this one and N − 1 children; SIGINT/SIGTERM stop them all after their
 * current job.
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
  const children: ChildProcess[] = [];
  for (let i = 1; i < concurrency; i++) {
    const args = ['worker', '--concurrency', '1', '--backend', flags.backend];
    if (flags.lockMs) args.push('--lock-ms', flags.lockMs);
    if (flags.stalledMs) args.push('--stalled-ms', flags.stalledMs);
    // The URL travels in the environment, not in argv.
    children.push(fork(process.argv[1], args, { env: { ...process.env, SEMIX_QUEUE: url } }));
  }
  const controller = new AbortController();
  const stop = () => {
    for (const child of children) child.kill('SIGTERM');
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const tag = `worker ${process.pid}`;
  await runWorker({
    url,
    backend: backend as BackendName | 'auto',
    lockDurationMs,
    stalledIntervalMs,
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'ready') console.log(`${tag}: ready on ${redactUrl(url)} (backend ${e.backend})`);
      else if (e.type === 'job-start')
        console.log(`${tag}: start ${e.id} ${e.label} seed ${e.seed} (attempt ${e.attempt})`);
      else if (e.type === 'job-done') console.log(`${tag}: done ${e.id} in ${e.seconds.toFixed(1)} s`);
      else if (e.type === 'job-error') console.log(`${tag}: failed ${e.id}: ${e.error}`);
      else if (e.type === 'redis-error') console.error(`${tag}: redis: ${e.error}`);
    },
  });
  await Promise.all(
    children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : c.once('exit', resolve)))),
  );
  console.log(`${tag}: stopped`);
}
