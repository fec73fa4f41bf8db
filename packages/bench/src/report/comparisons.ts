/**
 * Paired comparisons between rows: the difference over the seeds both rows have, SEM variants against their base,
 * and the ablation tables (each configuration that differs from its base in one option).
 */
import { methodOverrides, type ResolvedMethod } from '@semix/mixup';
import type { ResultRecord } from '../run/records';
import type { SeedRecords } from './rows';
import { type PairedDifference, pairedDifference } from './stats';
import type { AblationTable, Comparison, FailedRow, MethodRow } from './types';

/** Every option of a resolved method as `path → value`. */
export function optionPaths(m: ResolvedMethod): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m.mix ?? {})) out[`mix.${k}`] = v;
  for (const [k, v] of Object.entries(m.sem ?? {})) out[`sem.${k}`] = v;
  if (m.layers) out.layers = m.layers;
  if (m.eta !== undefined) out.eta = m.eta;
  return out;
}

/** The option paths at which two methods of the same name differ. */
export function differingOptions(a: ResolvedMethod, b: ResolvedMethod): string[] {
  const pa = optionPaths(a);
  const pb = optionPaths(b);
  return [...new Set([...Object.keys(pa), ...Object.keys(pb)])].filter(
    (k) => JSON.stringify(pa[k]) !== JSON.stringify(pb[k]),
  );
}

/**
 * The paired difference of `f` between two rows over the seeds both have. An accuracy is a count over the test
 * images, so its resolution is 1 / the fewest images either side evaluated (a suite's mean too: each of its
 * accuracies is such a count); a metric that is not counted (`counted` false) has none. See pairedDifference.
 */
export function pairedOver(
  mine: SeedRecords,
  theirs: SeedRecords,
  f: (r: ResultRecord) => number,
  counted: boolean,
): PairedDifference {
  const seeds = [...mine.keys()].filter((s) => theirs.has(s)).sort((x, y) => x - y);
  const pairs = seeds.map((s) => [mine.get(s), theirs.get(s)] as [ResultRecord, ResultRecord]);
  const images = Math.min(...pairs.flatMap(([a, b]) => [a.dataset.test_images, b.dataset.test_images]));
  return pairedDifference(
    pairs.map(([a]) => f(a)),
    pairs.map(([, b]) => f(b)),
    { resolution: counted && Number.isFinite(images) ? 1 / images : 0 },
  );
}

/** A row against a base row: clean accuracy, each suite's corruption accuracy and the equivariance gap. */
export function compare(
  row: MethodRow,
  base: MethodRow,
  bySeed: Map<string, SeedRecords>,
  suites: readonly string[],
): Comparison {
  const mine = bySeed.get(row.label) as SeedRecords;
  const theirs = bySeed.get(base.label) as SeedRecords;
  const accuracy = (f: (r: ResultRecord) => number) => pairedOver(mine, theirs, f, true);
  return {
    label: row.label,
    baseline: base.label,
    clean_acc: accuracy((r) => r.clean_acc),
    corruption_acc: Object.fromEntries(suites.map((s) => [s, accuracy((r) => r.suites[s]?.acc_mean ?? Number.NaN)])),
    equivariance_gap: pairedOver(mine, theirs, (r) => r.equivariance_gap, false),
  };
}

/** X+sem against X with the same mixing options (and layers, eta), preferring the X row labelled plainly `X`. */
export function semComparisons(
  rows: readonly MethodRow[],
  bySeed: Map<string, SeedRecords>,
  suites: readonly string[],
): Comparison[] {
  const mixKey = (m: ResolvedMethod) =>
    JSON.stringify({ base: m.name.replace('+sem', ''), mix: m.mix, layers: m.layers, eta: m.eta });
  const sem: Comparison[] = [];
  for (const row of rows) {
    if (!row.method.name.endsWith('+sem')) continue;
    const candidates = rows.filter((r) => !r.method.name.endsWith('+sem') && mixKey(r.method) === mixKey(row.method));
    const base = candidates.find((r) => r.label === r.method.name) ?? candidates[0];
    if (base) sem.push(compare(row, base, bySeed, suites));
  }
  return sem;
}

/**
 * The ablation tables: each configuration that differs from another of the same method in exactly one option is
 * an entry of that option's table; its base is the configuration with the fewest non-default options. `labels`
 * are the rows' labels (in rank order) and then the labels whose every job failed.
 */
export function ablationTables(
  labels: readonly string[],
  rows: readonly MethodRow[],
  methodOf: Map<string, ResolvedMethod>,
  failed: readonly FailedRow[],
  bySeed: Map<string, SeedRecords>,
  suites: readonly string[],
): AblationTable[] {
  const rowOf = new Map(rows.map((r) => [r.label, r]));
  const method = (l: string) => methodOf.get(l) as ResolvedMethod;
  const overrides = (l: string) => methodOverrides(method(l)).length;
  const failedOf = (l: string) => failed.filter((f) => f.label === l).length;
  const ablation: AblationTable[] = [];
  for (const label of labels) {
    const m = method(label);
    const bases = labels
      .filter((l) => l !== label && methodOf.get(l)?.name === m.name && overrides(l) < overrides(label))
      .filter((l) => differingOptions(m, method(l)).length === 1)
      .sort((a, b) => overrides(a) - overrides(b));
    const base = bases[0];
    if (!base) continue;
    const option = differingOptions(m, method(base))[0];
    let table = ablation.find((t) => t.option === option && t.base === base);
    if (!table) {
      const value = optionPaths(method(base))[option];
      const entry = { value, label: base, row: rowOf.get(base) ?? null, failed: failedOf(base), vs_base: null };
      table = { option, base, entries: [entry] };
      ablation.push(table);
    }
    const row = rowOf.get(label) ?? null;
    const baseRow = rowOf.get(base);
    table.entries.push({
      value: optionPaths(m)[option],
      label,
      row,
      failed: failedOf(label),
      vs_base: row && baseRow ? compare(row, baseRow, bySeed, suites) : null,
    });
  }
  return ablation;
}
