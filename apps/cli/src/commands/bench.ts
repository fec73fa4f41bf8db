import { resolve } from 'node:path';
import { leaderboardTable, loadPreset, loadPresetSplits, type Preset, runBench } from '@semix/bench';
import { badRecordLine, overrideMethods, parseJobs, recordSummary } from '@semix/bench/internal';
import type { BackendName } from '@semix/core';
import {
  BACKENDS,
  checkOutDir,
  choiceOption,
  flagError,
  intOption,
  type MethodFlags,
  methodFlagOptions,
  UsageError,
} from '../options';
import { dataProgress, type Progress, progress } from '../progress';
import { holdDirectory } from '../writer';

type PresetSplits = Awaited<ReturnType<typeof loadPresetSplits>>;

/** Where a results directory's files are written (temp files a killed writer left are removed from these). */
const RESULT_DIRS = ['records', 'failed'];

export async function bench(
  opts: MethodFlags & {
    preset: string;
    out?: string;
    backend: string;
    json?: boolean;
    queue?: string;
    attempts?: string;
    connectTimeout?: string;
    jobs?: string;
  },
): Promise<void> {
  const backend = choiceOption('--backend', opts.backend, BACKENDS) ?? 'auto';
  let preset: ReturnType<typeof loadPreset>;
  try {
    preset = loadPreset(opts.preset);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  // Method flags apply to every method of the preset that takes them.
  try {
    preset = overrideMethods(preset, methodFlagOptions(opts));
  } catch (error) {
    throw new UsageError(flagError((error as Error).message));
  }
  const out = resolve(opts.out ?? `results/${preset.name}`);
  checkOutDir('--out', out);
  let jobs: number;
  try {
    jobs = parseJobs(opts.jobs);
  } catch (error) {
    throw new UsageError(`--${(error as Error).message}`);
  }
  const queue = opts.queue ?? process.env.SEMIX_QUEUE;
  const data = dataProgress({ quiet: opts.json });
  if (queue) {
    const field = opts.queue === undefined ? 'SEMIX_QUEUE' : '--queue';
    const { checkQueueUrl } = await import('@semix/bench/queue');
    try {
      checkQueueUrl(queue, field);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const splits = await presetSplits(preset, data);
    return queued(preset, out, queue, { ...opts, backend: backend as BackendName | 'auto', splits });
  }
  const splits = await presetSplits(preset, data);
  // One writer per results directory (exit 1 naming the holder), held until this process exits.
  await holdDirectory(out, RESULT_DIRS);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort(new Error('interrupted: finished jobs are kept; run again to resume')));
  let bar: Progress | null = null;
  const result = await runBench({
    preset,
    outDir: out,
    backend: backend as BackendName | 'auto',
    command: `semix bench --preset ${preset.name}`,
    signal: controller.signal,
    jobs,
    splits,
    onEvent: (e) => {
      // Said also with --json (on stderr): a record that was not shown and whose job runs again.
      if (e.type === 'job-bad-record') {
        const done = e.movedTo ? `moved to ${e.movedTo}; its job runs again` : 'left untouched, its job not run';
        console.error(`semix: record ${e.file}: ${e.error} (${done})`);
      }
      // Data bars (each suite its own) and their warnings, which --json prints too (on stderr).
      if (e.type === 'data') return data.update(e);
      if (opts.json) return;
      if (e.type === 'job-start') {
        data.stop();
        bar?.stop();
        bar = null;
        const threads = e.threads > 1 ? `, ${e.threads} threads` : '';
        console.log(`job ${e.index + 1}/${e.total}: ${e.label} seed ${e.seed} (${e.id}${threads})`);
      } else if (e.type === 'train') {
        if (jobs > 1) return; // jobs run side by side: a line when each starts and ends, no step bars
        bar ??= progress('  train', e.event.totalSteps, { unit: ' steps' });
        const parts = Object.entries(e.event.losses)
          .map(([k, v]) => `${k} ${v.toFixed(3)}`)
          .join(' ');
        bar.update(e.event.globalStep, `epoch ${e.event.epoch + 1}/${e.event.epochs} ${parts}`);
      } else if (e.type === 'idle-threads') {
        console.log(`${e.idle} of ${e.budget} threads idle: ${e.reason}`);
      } else if (e.type === 'job-skip') console.log(`skip ${e.label} seed ${e.seed} (${e.reason})`);
      else if (e.type === 'job-done') {
        bar?.stop();
        bar = null;
        console.log(`  ${e.label} seed ${e.seed}: ${recordSummary(e.record)}`);
      } else if (e.type === 'job-failed') {
        bar?.stop();
        bar = null;
        console.log(`  FAILED ${e.label} seed ${e.seed} (${e.failure.reason}): ${e.failure.error}`);
      }
    },
  });
  data.stop();
  (bar as Progress | null)?.stop();
  if (opts.json) console.log(JSON.stringify(result.leaderboard, null, 2));
  else console.log(`\n${leaderboardTable(result.leaderboard)}\n\nwrote ${result.files.join(', ')}`);
  if (result.bad.length) {
    for (const b of result.bad) console.error(`semix: ${badRecordLine(b)}`);
    process.exitCode = 1;
  }
}

/**
 * The preset's training split and evaluated test images, loaded before the results directory is locked or written:
 * a preset asking for more images than its data has is a PresetError (exit 2) with nothing written.
 */
function presetSplits(preset: Preset, data: ReturnType<typeof dataProgress>): Promise<PresetSplits> {
  return loadPresetSplits(preset, (p) => data.update(p)).finally(() => data.stop());
}

async function queued(
  preset: ReturnType<typeof loadPreset>,
  out: string,
  url: string,
  opts: {
    json?: boolean;
    attempts?: string;
    connectTimeout?: string;
    backend: BackendName | 'auto';
    splits: PresetSplits;
  },
): Promise<void> {
  const attempts = intOption('--attempts', opts.attempts, 1);
  const connectTimeoutS = intOption('--connect-timeout', opts.connectTimeout, 1) ?? 30;
  const { redactUrl, runQueuedBench } = await import('@semix/bench/queue');
  // The first SIGINT/SIGTERM stops following the queue (the jobs stay queued in Redis, and queue workers keep
  // running them); the same signal again exits at once.
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stoppedBy === signal) process.exit(signal === 'SIGINT' ? 130 : 143);
    stoppedBy ??= signal;
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Jobs not yet finished, from the last progress line (before it, the jobs enqueued or found queued).
  let unfinished: number | undefined;
  let last = '';
  let result: Awaited<ReturnType<typeof runQueuedBench>>;
  await holdDirectory(out, RESULT_DIRS);
  try {
    result = await runQueuedBench({
      preset,
      outDir: out,
      url,
      backend: opts.backend,
      splits: opts.splits,
      attempts,
      connectTimeoutMs: connectTimeoutS * 1000,
      command: `semix bench --preset ${preset.name} --queue <redis-url>`,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'enqueued') unfinished = (unfinished ?? 0) + 1;
        else if (e.type === 'progress') unfinished = e.total - e.done - e.failed;
        if (opts.json) return;
        if (e.type === 'enqueued') console.log(`${e.state} ${e.label} seed ${e.seed} (${e.id})`);
        else if (e.type === 'job-skip') console.log(`skip ${e.id} (${e.reason})`);
        else if (e.type === 'job-done') console.log(`record ${e.id}: clean ${(100 * e.record.clean_acc).toFixed(2)}%`);
        else if (e.type === 'job-failed')
          console.log(
            `FAILED ${e.failure.label} seed ${e.failure.seed} (${e.failure.reason}) after ${e.failure.attempts} attempt(s): ${e.failure.error}`,
          );
        else if (e.type === 'redis-error') console.error(`redis (${redactUrl(url)}): ${e.error}`);
        else if (e.type === 'progress') {
          const line = `${e.done + e.failed}/${e.total} finished (${e.failed} failed), ${e.active} running, ${e.waiting} waiting`;
          if (line !== last) console.log(line);
          last = line;
        }
      },
    });
  } catch (error) {
    if (stoppedBy) {
      const jobs =
        unfinished === undefined
          ? 'the jobs enqueued so far stay'
          : `${unfinished} unfinished job${unfinished === 1 ? '' : 's'} stay`;
      console.error(
        `semix: stopped following the queue; ${jobs} queued in Redis; run the same command again to collect their records (queue workers keep running them meanwhile)`,
      );
      process.exitCode = stoppedBy === 'SIGINT' ? 130 : 143;
      return;
    }
    // The URL was checked before anything was written (checkQueueUrl above): what is left is a run-time failure.
    throw error;
  }
  if (opts.json) console.log(JSON.stringify(result.leaderboard, null, 2));
  else {
    console.log(`\n${leaderboardTable(result.leaderboard)}\n`);
    console.log(
      `queue: ${result.done} done, ${result.failed} failed, ${result.skipped} skipped; wall ${result.wallSeconds.toFixed(1)} s for ${result.jobSeconds.toFixed(1)} s of jobs`,
    );
    console.log(`wrote ${result.files.join(', ')}`);
  }
  if (result.failed > 0) process.exitCode = 1;
}
