import { resolve } from 'node:path';
import {
  BUILTIN_PRESETS,
  measurePresetCost,
  type PresetCost,
  presetCostText,
  runSpeedSuite,
  speedTable,
} from '@semix/bench';
import { ARCHITECTURES, type Architecture, BACKEND_NAMES, type BackendName } from '@semix/core/names';
import { writeAtomic } from '@semix/env/node';
import { checkOutFile, UsageError } from '../options';

function list(field: string, value: string | undefined, allowed: readonly string[]): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim());
  const bad = items.filter((i) => !allowed.includes(i));
  if (bad.length) throw new UsageError(`${field}: '${bad.join(',')}' is not valid; allowed: ${allowed.join(', ')}`);
  return items;
}

function rounds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 20) {
    throw new UsageError(`--rounds: '${value}' is not valid; allowed: an integer from 0 to 20`);
  }
  return n;
}

/**
 * `--cost`'s presets: built-in names or preset files (.json), comma-separated; a name that is neither is a usage
 * error naming the flag, the value and the presets there are.
 */
export function costPresets(value: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  const bad = items.filter((i) => !Object.hasOwn(BUILTIN_PRESETS, i) && !i.endsWith('.json'));
  if (bad.length)
    throw new UsageError(
      `--cost: '${bad.join(',')}' is not valid; allowed: presets, comma-separated: ${Object.keys(BUILTIN_PRESETS).join(', ')}, or a .json preset file`,
    );
  return items;
}

/** The JSON file `--cost` writes where --out is not given, apart from the suite's speed.json. */
export const COST_OUT = 'results/cost.json';
const SPEED_OUT = 'results/speed.json';

/**
 * `semix speed --cost <presets>`: each preset's train step and evaluation batch timed on one thread of the default
 * backend, projected onto its grid (time per epoch, per job, core-hours, wall time on 1, 8 and 64 cores).
 */
async function cost(opts: { cost: string; out?: string; json?: boolean; backends?: string; models?: string }) {
  for (const [flag, given] of [
    ['--backends', opts.backends],
    ['--models', opts.models],
  ] as const)
    if (given !== undefined)
      throw new UsageError(
        `${flag}: not valid with --cost, which times each preset's own model on the default backend; allowed: --cost with --out and --json`,
      );
  const presets = costPresets(opts.cost);
  const outFile = opts.out ?? COST_OUT;
  checkOutFile('--out', outFile);
  // The per-job figure is one thread's (a queue worker runs one job at a time): tfjs-node computes on every core
  // unless told otherwise, and reads this when its first backend starts, which is after this line.
  process.env.TF_NUM_INTRAOP_THREADS ??= '1';
  process.env.TF_NUM_INTEROP_THREADS ??= '1';
  const log = opts.json ? () => {} : (line: string) => console.error(line);
  const costs: PresetCost[] = [];
  for (const preset of presets) costs.push(await measurePresetCost(preset, { onLog: log }));
  const out = resolve(outFile);
  const json = `${JSON.stringify(costs, null, 2)}\n`;
  await writeAtomic(out, json);
  if (opts.json) console.log(json.trimEnd());
  else console.log(`${presetCostText(costs)}\nwrote ${out}`);
}

/** `semix speed`: the speed suite, as a table (or JSON), written to --out; with --cost, presets' costs instead. */
export async function speed(opts: {
  backends?: string;
  models?: string;
  pytorch: boolean;
  rounds?: string;
  out?: string;
  json?: boolean;
  cost?: string;
}): Promise<void> {
  if (opts.cost !== undefined) return cost({ ...opts, cost: opts.cost });
  const outFile = opts.out ?? SPEED_OUT;
  // Before the suite runs (minutes): a --out that cannot be written would fail only at its end.
  checkOutFile('--out', outFile);
  const result = await runSpeedSuite({
    backends: list('--backends', opts.backends, BACKEND_NAMES) as BackendName[] | undefined,
    models: list('--models', opts.models, ARCHITECTURES) as Architecture[] | undefined,
    noPytorch: !opts.pytorch,
    rounds: rounds(opts.rounds),
    onLog: opts.json ? undefined : (line) => console.error(line),
  });
  const out = resolve(outFile);
  await writeAtomic(out, `${JSON.stringify(result, null, 2)}\n`);
  if (opts.json) console.log(JSON.stringify(result, null, 2));
  else console.log(`${speedTable(result)}\nwrote ${out}`);
}
