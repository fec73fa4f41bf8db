/**
 * Paired comparisons between rows: the difference over the seeds both rows have, the controls against erm, SEM
 * variants against their base, and the ablation tables (each configuration that differs from its base in one
 * option). Each table is judged as one family (family.ts).
 */
import type { ResolvedMethod } from '@semix/mixup';
import { methodOverrides } from '@semix/mixup/internal';
import type { ResultRecord } from '../run/records';
import { AA_MARKER, isAaLabel, type JudgeSettings, judgeFamily, judgeTests } from './family';
import type { SeedRecords } from './rows';
import { meanStd, type PairedDifference, pairedDifference } from './stats';
import { currentMethod, hasSem, nameOf, policyOf } from './stored_method';
import type {
  AblationEntry,
  AblationTable,
  Comparison,
  CorruptionEffect,
  CorruptionEffects,
  ErmAgainstMixing,
  FailedRow,
  Family,
  MethodRow,
  SuiteEffects,
} from './types';

/** The methods whose rows are positive controls (compared with erm, as A/A rows are): known to add robustness. */
export const CONTROL_POLICIES: readonly string[] = ['augmix', 'noise'];

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
): Comparison<PairedDifference> {
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

/** A table of comparisons and its family, judged. */
export interface JudgedTable {
  comparisons: Comparison[];
  family: Family;
}

/**
 * The controls against erm: each positive control (a plain method of CONTROL_POLICIES) against the erm row, and
 * each A/A row against its twin (the row of its label without the marker). Empty without erm or such rows.
 */
export function controlComparisons(
  rows: readonly MethodRow[],
  bySeed: Map<string, SeedRecords>,
  suites: readonly string[],
  ermLabel: string | null,
  settings: JudgeSettings,
): JudgedTable {
  const erm = rows.find((r) => r.label === ermLabel);
  const raw: Array<Comparison<PairedDifference>> = [];
  for (const row of rows) {
    const aa = isAaLabel(row.label);
    const positive = !aa && !hasSem(row.method) && CONTROL_POLICIES.includes(policyOf(row.method));
    const twin = aa ? rows.find((r) => `${r.label}${AA_MARKER}` === row.label) : positive ? erm : undefined;
    if (twin) raw.push(compare(row, twin, bySeed, suites));
  }
  return judgeFamily(raw, suites, settings);
}

/**
 * X+sem against X with the same mixing options (and layers, eta), preferring the X row labelled plainly `X`.
 * A/A rows are left out: they are controls, compared in their own table.
 */
export function semComparisons(
  rows: readonly MethodRow[],
  bySeed: Map<string, SeedRecords>,
  suites: readonly string[],
  settings: JudgeSettings,
): JudgedTable {
  const mixKey = (m: ResolvedMethod) => JSON.stringify({ base: policyOf(m), mix: m.mix, layers: m.layers, eta: m.eta });
  const candidates = rows.filter((r) => !isAaLabel(r.label));
  const raw: Array<Comparison<PairedDifference>> = [];
  for (const row of candidates) {
    if (!hasSem(row.method)) continue;
    const bases = candidates.filter((r) => !hasSem(r.method) && mixKey(r.method) === mixKey(row.method));
    const base = bases.find((r) => r.label === nameOf(r.method)) ?? bases[0];
    if (base) raw.push(compare(row, base, bySeed, suites));
  }
  return judgeFamily(raw, suites, settings);
}

/**
 * The ablation tables: each configuration that differs from another of the same method in exactly one option is
 * an entry of that option's table; its base is the configuration with the fewest non-default options. `labels`
 * are the rows' labels (in rank order) and then the labels whose every job failed; A/A rows are left out. Each
 * table is one family.
 */
export function ablationTables(
  labels: readonly string[],
  rows: readonly MethodRow[],
  methodOf: Map<string, ResolvedMethod>,
  failed: readonly FailedRow[],
  bySeed: Map<string, SeedRecords>,
  suites: readonly string[],
  settings: JudgeSettings,
): AblationTable[] {
  const rowOf = new Map(rows.map((r) => [r.label, r]));
  const method = (l: string) => methodOf.get(l) as ResolvedMethod;
  const overrides = (l: string) => methodOverrides(currentMethod(method(l))).length;
  const failedOf = (l: string) => failed.filter((f) => f.label === l).length;
  const varied = labels.filter((l) => !isAaLabel(l));
  type RawEntry = Omit<AblationEntry, 'vs_base'> & { vs_base: Comparison<PairedDifference> | null };
  const tables: Array<{ option: string; base: string; entries: RawEntry[] }> = [];
  for (const label of varied) {
    const m = method(label);
    const bases = varied
      .filter((l) => l !== label && nameOf(method(l)) === nameOf(m) && overrides(l) < overrides(label))
      .filter((l) => differingOptions(m, method(l)).length === 1)
      .sort((a, b) => overrides(a) - overrides(b));
    const base = bases[0];
    if (!base) continue;
    const option = differingOptions(m, method(base))[0];
    let table = tables.find((t) => t.option === option && t.base === base);
    if (!table) {
      const value = optionPaths(method(base))[option];
      const entry = { value, label: base, row: rowOf.get(base) ?? null, failed: failedOf(base), vs_base: null };
      table = { option, base, entries: [entry] };
      tables.push(table);
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
  return tables.map(({ option, base, entries }) => {
    const compared = entries.flatMap((e) => (e.vs_base ? [e.vs_base] : []));
    const { comparisons, family } = judgeFamily(compared, suites, settings);
    const judged = new Map(comparisons.map((c) => [c.label, c]));
    return {
      option,
      base,
      family,
      entries: entries.map((e) => ({ ...e, vs_base: e.vs_base ? (judged.get(e.label) as Comparison) : null })),
    };
  });
}

/**
 * A record's accuracy on one corruption of a suite: at one severity (1 first), or the mean over the suite's
 * severities (severity null); NaN where the record lacks it.
 */
export function corruptionAccuracy(
  suite: string,
  corruption: string,
  severity: number | null,
): (r: ResultRecord) => number {
  return (r) => {
    const acc = r.suites[suite]?.corruptions_acc[corruption];
    if (!acc?.length) return Number.NaN;
    return severity === null ? meanStd(acc).mean : (acc[severity - 1] ?? Number.NaN);
  };
}

/** A list of effects judged as one family (judgeTests: the comparison tables' t-test, TOST, Holm and MDE). */
function judgeEffects(
  raw: ReadonlyArray<{ corruption: string; severity: number | null; d: PairedDifference }>,
  settings: JudgeSettings,
): { effects: CorruptionEffect[]; family: Family } {
  const { tests, family } = judgeTests(
    raw.map((e) => [e.d, 'accuracy'] as const),
    settings,
  );
  return {
    effects: raw.map(({ corruption, severity }, i) => ({ corruption, severity, ...tests[i] })),
    family,
  };
}

/**
 * Each comparison of the controls and SEM tables corruption by corruption: on every suite, each corruption's
 * accuracy (the mean over its severities) paired over the seeds both rows have, as the tables pair a suite's mean,
 * judged by the tables' rules with the suite's corruptions of that one comparison as Holm's family; where the suite
 * has several severities, each corruption × severity too, as a family of its own. The corruptions and severities are
 * those of the comparison's own records.
 */
export function corruptionEffects(
  tables: ReadonlyArray<{ table: CorruptionEffects['table']; comparisons: readonly Comparison[] }>,
  bySeed: Map<string, SeedRecords>,
  suites: readonly string[],
  settings: JudgeSettings,
): CorruptionEffects[] {
  return tables.flatMap(({ table, comparisons }) =>
    comparisons.map((c): CorruptionEffects => {
      const mine = bySeed.get(c.label) as SeedRecords;
      const theirs = bySeed.get(c.baseline) as SeedRecords;
      const bySeedOrder = [...mine.values()].sort((a, b) => a.identity.seed - b.identity.seed);
      const effectsOn = (suite: string): SuiteEffects => {
        const shape = bySeedOrder.find((r) => r.suites[suite])?.suites[suite];
        const names = Object.keys(shape?.corruptions_acc ?? {});
        const severities = shape?.severities ?? 0;
        const raw = (severity: number | null) =>
          names.map((corruption) => ({
            corruption,
            severity,
            d: pairedOver(mine, theirs, corruptionAccuracy(suite, corruption, severity), true),
          }));
        const corruptions = judgeEffects(raw(null), settings);
        const detail =
          severities > 1
            ? judgeEffects(
                names.flatMap((corruption) =>
                  Array.from({ length: severities }, (_, k) => ({
                    corruption,
                    severity: k + 1,
                    d: pairedOver(mine, theirs, corruptionAccuracy(suite, corruption, k + 1), true),
                  })),
                ),
                settings,
              )
            : null;
        return {
          suite,
          severities,
          corruptions: corruptions.effects,
          family: corruptions.family,
          by_severity: detail ? detail.effects : [],
          by_severity_family: detail ? detail.family : null,
        };
      };
      return { label: c.label, baseline: c.baseline, table, suites: suites.map(effectsOn) };
    }),
  );
}

/**
 * erm against every mixing method on each suite's corruption accuracy (erm − method, paired over seeds), one family
 * per suite: whether erm beats them all. A mixing method is a row whose policy is neither erm nor a positive control
 * (CONTROL_POLICIES), A/A rows left out. Empty without erm or such a row.
 */
export function ermAgainstMixing(
  rows: readonly MethodRow[],
  bySeed: Map<string, SeedRecords>,
  suites: readonly string[],
  ermLabel: string | null,
  settings: JudgeSettings,
): ErmAgainstMixing[] {
  const erm = ermLabel === null ? undefined : bySeed.get(ermLabel);
  const mixing = rows.filter((r) => !isAaLabel(r.label) && !['erm', ...CONTROL_POLICIES].includes(policyOf(r.method)));
  if (!erm || !mixing.length) return [];
  return suites.map((suite) => {
    const { tests, family } = judgeTests(
      mixing.map(
        (r) =>
          [
            pairedOver(erm, bySeed.get(r.label) as SeedRecords, (x) => x.suites[suite]?.acc_mean ?? Number.NaN, true),
            'accuracy',
          ] as const,
      ),
      settings,
    );
    return { suite, against: mixing.map((r, i) => ({ label: r.label, difference: tests[i] })), family };
  });
}
