import { resolve } from 'node:path';
import { leaderboardTable, loadPreset, runBench } from '@semix/bench';
import type { BackendName } from '@semix/core';
import { UsageError } from '../progress';

export async function bench(opts: { preset: string; out?: string; backend: string; json?: boolean }): Promise<void> {
  const allowed = ['auto', 'tensorflow', 'wasm', 'cpu'];
  if (!allowed.includes(opts.backend)) {
    console.error(`semix: --backend: '${opts.backend}' is not valid; allowed: ${allowed.join(', ')}`);
    process.exitCode = 2;
    return;
  }
  let preset: ReturnType<typeof loadPreset>;
  try {
    preset = loadPreset(opts.preset);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const out = resolve(opts.out ?? `results/${preset.name}`);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort(new Error('interrupted: finished jobs are kept; run again to resume')));
  const result = await runBench({
    preset,
    outDir: out,
    backend: opts.backend as BackendName | 'auto',
    command: `semix bench --preset ${preset.name}`,
    signal: controller.signal,
    onEvent: (e) => {
      if (opts.json) return;
      if (e.type === 'job-start') console.log(`job ${e.index + 1}/${e.total}: ${e.id}`);
      else if (e.type === 'job-skip') console.log(`skip ${e.id}`);
      else if (e.type === 'job-bad-record') console.log(`! ${e.file}: ${e.error} (left untouched)`);
      else if (e.type === 'job-done')
        console.log(
          `  clean ${(100 * e.record.clean_acc).toFixed(2)}%, corrupted ${(100 * e.record.corruption_acc_mean).toFixed(2)}%`,
        );
    },
  });
  if (opts.json) console.log(JSON.stringify(result.leaderboard, null, 2));
  else console.log(`\n${leaderboardTable(result.leaderboard)}\n\nwrote ${result.files.join(', ')}`);
  if (result.bad.length) process.exitCode = 1;
}
