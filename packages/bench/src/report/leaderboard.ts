/**
 * The leaderboard, built from a grid and its records alone: one row per method label (mean ± std over seeds),
 * one block of columns per corruption suite, SEM's paired comparisons, the ablation tables of every option a
 * preset varies, failed jobs as failed, and rows with missing or unreadable records marked incomplete.
 */
import { methodOverrides, type ResolvedMethod } from '@semix/mixup';
import type { Grid, GridJob } from '../plan/grid';
import type { FailedRecord, ResultRecord } from '../run/records';
import { mce, meanStd, type PairedDifference, pairedDifference, pearson, relativeMce } from './stats';

export interface Stat {
  mean: number;
  std: number;
  n: number;
}

export interface SuiteColumns {
  /** Mean accuracy over corruptions × severities. */
  corruption_acc: Stat;
  corruption_ece: Stat;
  /** Hendrycks & Dietterich's mCE with the preset's `erm` model as the baseline (same seed); null without one. */
  mce: Stat | null;
  /** Relative mCE; null without a baseline or when a denominator is uninformative (see `rel_mce_uninformative`). */
  rel_mce: Stat | null;
  rel_mce_uninformative: string[];
  /** Accuracy per severity (mean over corruptions; mean and std over seeds), severity 1 first. */
  severity_acc: Stat[];
  /** Accuracy per corruption (mean over severities; mean and std over seeds). */
  by_corruption: Record<string, Stat>;
}

export interface Incomplete {
  expected: number;
  found: number;
  missing: number;
  failed: number;
  unreadable: string[];
}

export interface MethodRow {
  /**
   * 1 + the number of rows better than this one outside noise on the ranking metric (every pair, over its common
   * seeds, by pairedDifference as the comparison tables are; a row better than a better row counts too). Rows that
   * share a rank are within noise of each other.
   */
  rank: number;
  /** The rows its rank counts: better than it outside noise, directly or through a row in between. */
  outranked_by: string[];
  label: string;
  method: ResolvedMethod;
  seeds: number[];
  clean_acc: Stat;
  ece: Stat;
  /** The angular equivariance gap (1 − cos; the headline one, as SEM's default loss sees features). */
  equivariance_gap: Stat;
  /** The relative L2 equivariance gap on the same pairs (in leaderboard.json, not in the tables). */
  equivariance_gap_l2: Stat;
  suites: Record<string, SuiteColumns>;
  /** Set when some of the row's jobs have no usable record: its figures are over fewer seeds. */
  incomplete: Incomplete | null;
}

export interface FailedRow {
  job_id: string;
  label: string;
  seed: number;
  reason: FailedRecord['reason'];
  error: string;
  step?: number;
  losses?: Record<string, number | null>;
  clean_acc?: number;
  attempts: number;
}

export interface Comparison {
  label: string;
  baseline: string;
  clean_acc: PairedDifference;
  corruption_acc: Record<string, PairedDifference>;
  equivariance_gap: PairedDifference;
}

export interface AblationEntry {
  value: unknown;
  label: string;
  /** Null when every seed of this configuration failed. */
  row: MethodRow | null;
  failed: number;
  /** Paired difference to the base configuration (null for the base itself). */
  vs_base: Comparison | null;
}

export interface AblationTable {
  /** The option varied, as a path (`sem.weight`). */
  option: string;
  base: string;
  entries: AblationEntry[];
}

export interface Leaderboard {
  preset: string;
  description: string;
  suites: string[];
  /** The suite rows are ranked by (the first the preset lists), or null: ranked by clean accuracy. */
  headline: string | null;
  rows: MethodRow[];
  /** Labels whose every job failed: shown as failed, not as numbers. */
  failedLabels: string[];
  baseline: string | null;
  sem: Comparison[];
  ablation: AblationTable[];
  /** Sentences computed from the numbers above (which way they point, and whether outside noise). */
  reading: string[];
  failed: FailedRow[];
  /** Records on disk that belong to other configurations (an edited preset): kept, never shown. */
  stale: number;
  backends: string[];
  wall_time_s: number;
}

export interface LeaderboardInputs {
  failures?: readonly FailedRecord[];
  unreadable?: ReadonlyArray<{ file: string; error: string }>;
  missing?: readonly GridJob[];
  stale?: number;
}

const stat = (values: number[]): Stat => meanStd(values);
const errorsOf = (acc: Record<string, number[]>) =>
  Object.fromEntries(Object.entries(acc).map(([c, a]) => [c, a.map((v) => 1 - v)]));

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
function differingOptions(a: ResolvedMethod, b: ResolvedMethod): string[] {
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
function pairedOver(
  mine: Map<number, ResultRecord>,
  theirs: Map<number, ResultRecord>,
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

function compare(
  row: MethodRow,
  base: MethodRow,
  bySeed: Map<string, Map<number, ResultRecord>>,
  suites: string[],
): Comparison {
  const mine = bySeed.get(row.label) as Map<number, ResultRecord>;
  const theirs = bySeed.get(base.label) as Map<number, ResultRecord>;
  const accuracy = (f: (r: ResultRecord) => number) => pairedOver(mine, theirs, f, true);
  return {
    label: row.label,
    baseline: base.label,
    clean_acc: accuracy((r) => r.clean_acc),
    corruption_acc: Object.fromEntries(suites.map((s) => [s, accuracy((r) => r.suites[s]?.acc_mean ?? Number.NaN)])),
    equivariance_gap: pairedOver(mine, theirs, (r) => r.equivariance_gap, false),
  };
}

/** Builds the leaderboard of a grid from its records (and failures, unreadable and missing jobs). */
export function buildLeaderboard(grid: Grid, records: ResultRecord[], inputs: LeaderboardInputs = {}): Leaderboard {
  const { preset } = grid;
  const suites = grid.suites;
  const headline = suites[0] ?? null;
  const labelOf = new Map(grid.jobs.map((j) => [j.id, j.label]));
  const methodOf = new Map(grid.jobs.map((j) => [j.label, j.method]));
  const labels = [...new Set(grid.jobs.map((j) => j.label))];
  const bySeed = new Map<string, Map<number, ResultRecord>>(labels.map((l) => [l, new Map()]));
  for (const r of records) bySeed.get(labelOf.get(r.job_id) as string)?.set(r.seed, r);

  const failures = inputs.failures ?? [];
  const failed: FailedRow[] = failures.map((f) => ({
    job_id: f.job_id,
    label: labelOf.get(f.job_id) ?? f.label,
    seed: f.seed,
    reason: f.reason,
    error: f.error,
    step: f.step,
    losses: f.losses,
    clean_acc: f.clean_acc,
    attempts: f.attempts,
  }));
  const unreadableByLabel = new Map<string, string[]>();
  for (const u of inputs.unreadable ?? []) {
    const id = u.file.replace(/^.*[\\/]/, '').replace(/\.json$/, '');
    const label = labelOf.get(id);
    if (label) unreadableByLabel.set(label, [...(unreadableByLabel.get(label) ?? []), u.file]);
  }
  const expected = (label: string) => grid.jobs.filter((j) => j.label === label).length;

  // erm of the same seed is the baseline of mCE and relative mCE; prefer the row labelled plainly `erm`.
  const ermLabel = labels.find((l) => l === 'erm') ?? labels.find((l) => methodOf.get(l)?.name === 'erm') ?? null;
  const erm = ermLabel ? (bySeed.get(ermLabel) as Map<number, ResultRecord>) : new Map<number, ResultRecord>();

  const rows: MethodRow[] = [];
  const failedLabels: string[] = [];
  for (const label of labels) {
    const list = [...(bySeed.get(label) as Map<number, ResultRecord>).values()].sort((a, b) => a.seed - b.seed);
    const nFailed = failed.filter((f) => f.label === label).length;
    const unreadable = unreadableByLabel.get(label) ?? [];
    if (list.length === 0) {
      if (nFailed > 0) failedLabels.push(label);
      else if (unreadable.length === 0) continue; // not run yet
    }
    const suiteColumns: Record<string, SuiteColumns> = {};
    for (const s of suites) {
      const withSuite = list.filter((r) => r.suites[s]);
      const names = Object.keys(withSuite[0]?.suites[s].corruptions_acc ?? {});
      const severities = withSuite[0]?.suites[s].severities ?? 0;
      const mces: number[] = [];
      const rels: number[] = [];
      const uninformative = new Set<string>();
      let relNull = false;
      for (const r of withSuite) {
        const base = erm.get(r.seed)?.suites[s];
        if (!base) continue;
        const m = mce(errorsOf(r.suites[s].corruptions_acc), errorsOf(base.corruptions_acc));
        if (m !== null) mces.push(m);
        const rel = relativeMce(
          errorsOf(r.suites[s].corruptions_acc),
          1 - r.clean_acc,
          errorsOf(base.corruptions_acc),
          1 - (erm.get(r.seed) as ResultRecord).clean_acc,
        );
        for (const c of rel.uninformative) uninformative.add(c);
        if (rel.value === null) relNull = true;
        else rels.push(rel.value);
      }
      suiteColumns[s] = {
        corruption_acc: stat(withSuite.map((r) => r.suites[s].acc_mean)),
        corruption_ece: stat(withSuite.map((r) => r.suites[s].ece_mean)),
        mce: mces.length ? stat(mces) : null,
        rel_mce: rels.length && !relNull ? stat(rels) : null,
        rel_mce_uninformative: [...uninformative].sort(),
        severity_acc: Array.from({ length: severities }, (_, k) =>
          stat(withSuite.map((r) => meanStd(names.map((c) => r.suites[s].corruptions_acc[c][k])).mean)),
        ),
        by_corruption: Object.fromEntries(
          names.map((c) => [c, stat(withSuite.map((r) => meanStd(r.suites[s].corruptions_acc[c]).mean))]),
        ),
      };
    }
    const missing = (inputs.missing ?? []).filter((j) => j.label === label).length;
    const incomplete =
      list.length < expected(label)
        ? { expected: expected(label), found: list.length, missing, failed: nFailed, unreadable }
        : null;
    if (list.length === 0 && nFailed > 0) continue; // shown as failed
    rows.push({
      rank: 0,
      outranked_by: [],
      label,
      method: methodOf.get(label) as ResolvedMethod,
      seeds: list.map((r) => r.seed),
      clean_acc: stat(list.map((r) => r.clean_acc)),
      ece: stat(list.map((r) => r.ece)),
      equivariance_gap: stat(list.map((r) => r.equivariance_gap)),
      equivariance_gap_l2: stat(list.map((r) => r.equivariance_gap_l2)),
      suites: suiteColumns,
      incomplete,
    });
  }

  // Ranking on the headline suite's corruption accuracy (clean accuracy without suites), the metric and rule the
  // comparison tables use: rank = 1 + the rows better outside noise, over all pairs (comparing each row with the one
  // above only chained "within noise" down the table, tying rows to ones better than them). Better is closed over
  // rows in between: with every seed on both sides the rule is transitive already (A − C's interval is no wider than
  // A − B's and B − C's together), not always where a row lacks seeds, and a row worse than another must rank below it.
  const key = (r: MethodRow) => (headline ? r.suites[headline].corruption_acc.mean : r.clean_acc.mean);
  const metric = (r: ResultRecord) => (headline ? (r.suites[headline]?.acc_mean ?? Number.NaN) : r.clean_acc);
  const seedsOf = (r: MethodRow) => bySeed.get(r.label) as Map<number, ResultRecord>;
  // better[i][j]: row j is better than row i outside noise.
  const better = rows.map((row) =>
    rows.map((other) => {
      if (other === row) return false;
      const d = pairedOver(seedsOf(other), seedsOf(row), metric, true);
      return !d.withinNoise && d.mean > 0;
    }),
  );
  for (let k = 0; k < rows.length; k++)
    for (let i = 0; i < rows.length; i++)
      for (let j = 0; j < rows.length; j++) if (better[i][k] && better[k][j] && i !== j) better[i][j] = true;
  rows.forEach((row, i) => {
    row.outranked_by = rows.filter((_, j) => better[i][j]).map((r) => r.label);
    row.rank = 1 + row.outranked_by.length;
  });
  rows.sort((a, b) => a.rank - b.rank || key(b) - key(a) || b.clean_acc.mean - a.clean_acc.mean);

  const rowOf = new Map(rows.map((r) => [r.label, r]));
  // X+sem against X with the same mixing options (and layers, eta).
  const mixKey = (m: ResolvedMethod) =>
    JSON.stringify({ base: m.name.replace('+sem', ''), mix: m.mix, layers: m.layers, eta: m.eta });
  const sem: Comparison[] = [];
  for (const row of rows) {
    if (!row.method.name.endsWith('+sem')) continue;
    const candidates = rows.filter((r) => !r.method.name.endsWith('+sem') && mixKey(r.method) === mixKey(row.method));
    const base = candidates.find((r) => r.label === r.method.name) ?? candidates[0];
    if (base) sem.push(compare(row, base, bySeed, suites));
  }

  // Ablation: each configuration that differs from another of the same method in exactly one option is an entry
  // of that option's table; the base is the configuration with the fewest non-default options.
  const ablation: AblationTable[] = [];
  const allLabels = [...rows.map((r) => r.label), ...failedLabels];
  const overrides = (l: string) => methodOverrides(methodOf.get(l) as ResolvedMethod).length;
  for (const label of allLabels) {
    const m = methodOf.get(label) as ResolvedMethod;
    const bases = allLabels
      .filter((l) => l !== label && methodOf.get(l)?.name === m.name && overrides(l) < overrides(label))
      .filter((l) => differingOptions(m, methodOf.get(l) as ResolvedMethod).length === 1)
      .sort((a, b) => overrides(a) - overrides(b));
    const base = bases[0];
    if (!base) continue;
    const option = differingOptions(m, methodOf.get(base) as ResolvedMethod)[0];
    let table = ablation.find((t) => t.option === option && t.base === base);
    if (!table) {
      const baseRow = rowOf.get(base) ?? null;
      table = {
        option,
        base,
        entries: [
          {
            value: optionPaths(methodOf.get(base) as ResolvedMethod)[option],
            label: base,
            row: baseRow,
            failed: failed.filter((f) => f.label === base).length,
            vs_base: null,
          },
        ],
      };
      ablation.push(table);
    }
    const row = rowOf.get(label) ?? null;
    const baseRow = rowOf.get(base);
    table.entries.push({
      value: optionPaths(m)[option],
      label,
      row,
      failed: failed.filter((f) => f.label === label).length,
      vs_base: row && baseRow ? compare(row, baseRow, bySeed, suites) : null,
    });
  }

  const leaderboard: Leaderboard = {
    preset: preset.name,
    description: preset.description,
    suites,
    headline,
    rows,
    failedLabels,
    baseline: ermLabel,
    sem,
    ablation,
    reading: [],
    failed,
    stale: inputs.stale ?? 0,
    backends: [...new Set(records.map((r) => r.backend))].sort(),
    wall_time_s: records.reduce((a, r) => a + r.wall_time_s, 0),
  };
  leaderboard.reading = readLeaderboard(leaderboard);
  return leaderboard;
}

/** The charts a leaderboard has: per suite (accuracy against severity only where there are several), then the ablation's. */
export function chartList(
  board: Leaderboard,
): Array<{ file: string; kind: 'severity' | 'corruptions' | 'ablation'; suite: string | null }> {
  if (!board.rows.length) return [];
  const list: Array<{ file: string; kind: 'severity' | 'corruptions' | 'ablation'; suite: string | null }> = [];
  for (const s of board.suites) {
    if ((board.rows[0].suites[s]?.severity_acc.length ?? 0) > 1)
      list.push({ file: `severity-${s}.svg`, kind: 'severity', suite: s });
    list.push({ file: `corruptions-${s}.svg`, kind: 'corruptions', suite: s });
  }
  if (board.ablation.length) list.push({ file: 'ablation.svg', kind: 'ablation', suite: board.headline });
  return list;
}

const pp = (d: PairedDifference) =>
  `${d.mean >= 0 ? '+' : ''}${(100 * d.mean).toFixed(2)} pp${d.n >= 2 ? ` [${(100 * d.low).toFixed(2)}, ${(100 * d.high).toFixed(2)}]` : ''}`;
const verdict = (d: PairedDifference) => (d.withinNoise ? 'within noise' : d.mean > 0 ? 'better' : 'worse');

/**
 * What the numbers say, in sentences computed from them: for each suite (and clean accuracy), every comparison
 * whose interval excludes 0 is named with its direction; when none does, that is said plainly.
 */
export function readLeaderboard(board: Leaderboard): string[] {
  const out: string[] = [];
  const metrics: Array<[string, (c: Comparison) => PairedDifference]> = [
    ...board.suites.map((s): [string, (c: Comparison) => PairedDifference] => [
      `${s} corruption accuracy`,
      (c) => c.corruption_acc[s],
    ]),
    ['clean accuracy', (c) => c.clean_acc],
  ];
  const summarise = (comparisons: Array<{ label: string; vs: Comparison }>, against: (c: Comparison) => string) =>
    metrics.map(([name, pick]) => {
      const outside = comparisons.filter((c) => !pick(c.vs).withinNoise);
      return outside.length
        ? `on ${name}: ${outside.map((c) => `${c.label}${against(c.vs)} ${pp(pick(c.vs))} (${verdict(pick(c.vs))})`).join('; ')}${outside.length < comparisons.length ? `; the other ${comparisons.length - outside.length} within noise` : ''}`
        : `on ${name}: all within noise`;
    });
  if (board.sem.length) {
    out.push(
      `SEM against its base variant (${board.sem.map((c) => `${c.label} vs ${c.baseline}`).join(', ')}): ${summarise(
        board.sem.map((c) => ({ label: c.label, vs: c })),
        (c) => ` vs ${c.baseline}`,
      ).join('; ')}.`,
    );
  }
  for (const t of board.ablation) {
    const varied = t.entries.filter((e) => e.vs_base).map((e) => ({ label: e.label, vs: e.vs_base as Comparison }));
    const failedOnes = t.entries.filter((e) => !e.row);
    const parts = varied.length ? summarise(varied, () => '') : ['no configuration with results besides the base'];
    if (failedOnes.length) parts.push(`failed: ${failedOnes.map((e) => e.label).join(', ')}`);
    out.push(`${t.option} against ${t.base}: ${parts.join('; ')}.`);
  }
  const suite = board.headline;
  if (suite && board.ablation.length) {
    const points = board.rows.filter((r) => Number.isFinite(r.equivariance_gap.mean));
    for (const s of board.suites) {
      const r = pearson(
        points.map((p) => p.equivariance_gap.mean),
        points.map((p) => p.suites[s].corruption_acc.mean),
      );
      if (Number.isFinite(r))
        out.push(
          `Across the ${points.length} configurations, Pearson's r between equivariance gap and ${s} corruption accuracy is ${r.toFixed(2)} (${Math.abs(r) < 0.3 ? 'no clear linear relation' : r < 0 ? 'a lower gap goes with higher accuracy' : 'a lower gap goes with lower accuracy'}; a correlation of means over configurations, not a causal effect).`,
        );
    }
  }
  return out;
}
