import { resolve } from 'node:path';
import { runSpeedSuite, speedTable } from '@semix/bench';
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

/** `semix speed`: the speed suite, as a table (or JSON), written to --out. */
export async function speed(opts: {
  backends?: string;
  models?: string;
  pytorch: boolean;
  rounds?: string;
  out: string;
  json?: boolean;
}): Promise<void> {
  // Before the suite runs (minutes): a --out that cannot be written would fail only at its end.
  checkOutFile('--out', opts.out);
  const result = await runSpeedSuite({
    backends: list('--backends', opts.backends, BACKEND_NAMES) as BackendName[] | undefined,
    models: list('--models', opts.models, ARCHITECTURES) as Architecture[] | undefined,
    noPytorch: !opts.pytorch,
    rounds: rounds(opts.rounds),
    onLog: opts.json ? undefined : (line) => console.error(line),
  });
  const out = resolve(opts.out);
  await writeAtomic(out, `${JSON.stringify(result, null, 2)}\n`);
  if (opts.json) console.log(JSON.stringify(result, null, 2));
  else console.log(`${speedTable(result)}\nwrote ${out}`);
}
