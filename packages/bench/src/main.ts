/**
 * `pnpm bench`: runs a preset (default `quick`) in process and prints the leaderboard.
 *   pnpm bench [-- --preset smoke] [--out results/quick] [--backend wasm] [--jobs auto|n]
 * Jobs run side by side on job threads, one per core by default (`--jobs 1`: in this thread); records are the
 * same either way.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BackendName } from '@semix/core';
import { loadPreset } from './plan/preset';
import { badRecordLine, leaderboardTable, recordSummary } from './report/leaderboard_text';
import { parseJobs, runBench } from './run/run';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    preset: { type: 'string', default: 'quick' },
    out: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    jobs: { type: 'string', default: 'auto' },
  },
});
let preset: ReturnType<typeof loadPreset>;
let jobs: number;
try {
  preset = loadPreset(values.preset as string);
  jobs = parseJobs(values.jobs as string);
} catch (error) {
  console.error(`semix bench: ${(error as Error).message}`);
  process.exit(2);
}
// pnpm runs scripts in the package's folder; paths are relative to where the user typed the command.
const out = resolve(process.env.INIT_CWD ?? process.cwd(), values.out ?? `results/${preset.name}`);
const command = `pnpm bench -- --preset ${preset.name}`;
const tty = process.stdout.isTTY;
const started = performance.now();
const controller = new AbortController();
process.once('SIGINT', () => {
  console.log('\nstopping after this step; finished jobs are kept and the next run resumes from them');
  controller.abort(new Error('interrupted'));
});
console.log(`semix bench: preset ${preset.name}: ${preset.description}`);
console.log(`jobs at a time: ${jobs}${jobs > 1 ? ' (job threads; --jobs 1 runs them in this thread)' : ''}`);
let lastLine = 0;
try {
  const result = await runBench({
    preset,
    outDir: out,
    backend: values.backend as BackendName | 'auto',
    command,
    signal: controller.signal,
    jobs,
    onEvent: (e) => {
      const elapsed = ((performance.now() - started) / 1000).toFixed(0);
      if (e.type === 'backend') console.log(`backend: ${e.name}`);
      else if (e.type === 'data' && e.phase === 'corrupt' && (e.done === e.total || e.done % 15 === 0))
        console.log(`[${elapsed}s] corruption suite ${e.done}/${e.total}`);
      else if (e.type === 'data' && e.phase === 'download' && (e.done === e.total || e.done % (1 << 24) < 65536))
        console.log(
          `[${elapsed}s] download ${e.what} ${(e.done / 1e6).toFixed(1)}${e.total ? ` / ${(e.total / 1e6).toFixed(1)}` : ''} MB`,
        );
      else if (e.type === 'job-skip') console.log(`skip ${e.label} seed ${e.seed} (${e.id}: ${e.reason})`);
      else if (e.type === 'job-bad-record')
        console.log(
          `! ${e.file}: ${e.error}; ${e.movedTo ? `moved to ${e.movedTo}, job runs again` : 'left untouched, job not run'}`,
        );
      else if (e.type === 'job-start')
        console.log(`[${elapsed}s] job ${e.index + 1}/${e.total}: ${e.label} seed ${e.seed} (${e.id})`);
      else if (e.type === 'train') {
        const now = performance.now();
        if (e.event.type === 'epoch' || (tty && now - lastLine > 1000)) {
          lastLine = now;
          const losses = Object.entries(e.event.losses)
            .map(([k, v]) => `${k}=${v.toFixed(3)}`)
            .join(' ');
          const who = jobs > 1 ? ` ${e.id}` : '';
          const line = `${who}  epoch ${e.event.epoch + 1}/${e.event.epochs} step ${e.event.step + 1}/${e.event.stepsPerEpoch} ${losses} ${e.event.samplesPerSec.toFixed(0)} samples/s`;
          if (tty && e.event.type === 'step') process.stdout.write(`\r${line}`.padEnd(100));
          else console.log(tty ? `\r${line}`.padEnd(100) : line);
        }
      } else if (e.type === 'job-done')
        console.log(
          `  ${e.label} seed ${e.seed} done in ${e.record.wall_time_s.toFixed(1)}s: ${recordSummary(e.record)}`,
        );
      else if (e.type === 'job-failed')
        console.log(`  FAILED ${e.label} seed ${e.seed} (${e.failure.reason}): ${e.failure.error}`);
    },
  });
  console.log(`\n${leaderboardTable(result.leaderboard)}\n`);
  console.log(
    `ran ${result.ran} jobs (${result.failed} failed), skipped ${result.skipped}; wrote ${result.files.join(', ')}`,
  );
  console.log(`wall time ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (result.bad.length) {
    for (const b of result.bad) console.error(`! ${badRecordLine(b)}`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`semix bench: ${(error as Error).message}`);
  process.exitCode = 1;
}
