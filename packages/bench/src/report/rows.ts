/**
 * The leaderboard's rows: records grouped by method label and seed, failed jobs, and one row per label with its
 * statistics over seeds (mean ± std, each suite's columns, mCE against erm of the same seed).
 */
import type { ResolvedMethod } from '@semix/mixup';
import type { Grid } from '../plan/grid';
import type { ResultRecord } from '../run/records';
import { semShare } from '../run/sem_share';
import { mce, meanStd, relativeMce } from './stats';
import { hasSem, policyOf } from './stored_method';
import type { FailedRow, Incomplete, LeaderboardInputs, MethodRow, Stat, SuiteColumns } from './types';

/** A label's records by seed. */
export type SeedRecords = Map<number, ResultRecord>;

/** The grid's labels in grid order, each label's method, and its records by seed. */
export interface GroupedRecords {
  labels: string[];
  labelOf: Map<string, string>;
  methodOf: Map<string, ResolvedMethod>;
  bySeed: Map<string, SeedRecords>;
}

/**
 * Groups records by their job's label (records of jobs not in the grid are left out) and seed. The seed is read from
 * each record's identity (what its id proves), as every field a record copies from it is read there.
 */
export function groupRecords(grid: Grid, records: readonly ResultRecord[]): GroupedRecords {
  const labelOf = new Map(grid.jobs.map((j) => [j.id, j.label]));
  const methodOf = new Map(grid.jobs.map((j) => [j.label, j.method]));
  const labels = [...new Set(grid.jobs.map((j) => j.label))];
  const bySeed = new Map<string, SeedRecords>(labels.map((l) => [l, new Map()]));
  for (const r of records) bySeed.get(labelOf.get(r.job_id) as string)?.set(r.identity.seed, r);
  return { labels, labelOf, methodOf, bySeed };
}

/** The failed jobs as rows, each under its grid label (a job no longer in the grid keeps the label it ran under). */
export function failedRows(failures: LeaderboardInputs['failures'], labelOf: Map<string, string>): FailedRow[] {
  return (failures ?? []).map((f) => ({
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
}

/** The record files that could not be shown, by the label of their job (a file named `<job id>.json`). */
export function unreadableByLabel(
  unreadable: LeaderboardInputs['unreadable'],
  labelOf: Map<string, string>,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const u of unreadable ?? []) {
    const id = u.file.replace(/^.*[\\/]/, '').replace(/\.json$/, '');
    const label = labelOf.get(id);
    if (label) out.set(label, [...(out.get(label) ?? []), u.file]);
  }
  return out;
}

/** The baseline of mCE and relative mCE: the row labelled plainly `erm`, else the first erm row, else none. */
export function ermLabelOf(labels: readonly string[], methodOf: Map<string, ResolvedMethod>): string | null {
  const isErm = (l: string) => methodOf.has(l) && policyOf(methodOf.get(l) as ResolvedMethod) === 'erm';
  return labels.find((l) => l === 'erm') ?? labels.find(isErm) ?? null;
}

const errorsOf = (acc: Record<string, number[]>) =>
  Object.fromEntries(Object.entries(acc).map(([c, a]) => [c, a.map((v) => 1 - v)]));

/**
 * A row's SEM share of the loss over its records (mean ± std over seeds), or null for a method without SEM. A
 * record states its own (`sem_share`); one written before records did is computed from its history, the same way.
 */
export function rowSemShare(method: ResolvedMethod, list: readonly ResultRecord[]): Stat | null {
  if (!hasSem(method)) return null;
  const shares = list
    .map((r) => (r.sem_share !== undefined ? r.sem_share : semShare(r.history, true)))
    .filter((v): v is number => v !== null);
  return shares.length ? meanStd(shares) : null;
}

/** One suite's columns over a row's records, mCE and relative mCE against `erm`'s record of the same seed. */
export function suiteColumns(list: readonly ResultRecord[], suite: string, erm: SeedRecords): SuiteColumns {
  const withSuite = list.filter((r) => r.suites[suite]);
  const names = Object.keys(withSuite[0]?.suites[suite].corruptions_acc ?? {});
  const severities = withSuite[0]?.suites[suite].severities ?? 0;
  const mces: number[] = [];
  const rels: number[] = [];
  const uninformative = new Set<string>();
  let relNull = false;
  for (const r of withSuite) {
    const base = erm.get(r.identity.seed)?.suites[suite];
    if (!base) continue;
    const m = mce(errorsOf(r.suites[suite].corruptions_acc), errorsOf(base.corruptions_acc));
    if (m !== null) mces.push(m);
    const rel = relativeMce(
      errorsOf(r.suites[suite].corruptions_acc),
      1 - r.clean_acc,
      errorsOf(base.corruptions_acc),
      1 - (erm.get(r.identity.seed) as ResultRecord).clean_acc,
    );
    for (const c of rel.uninformative) uninformative.add(c);
    if (rel.value === null) relNull = true;
    else rels.push(rel.value);
  }
  return {
    corruption_acc: meanStd(withSuite.map((r) => r.suites[suite].acc_mean)),
    corruption_ece: meanStd(withSuite.map((r) => r.suites[suite].ece_mean)),
    mce: mces.length ? meanStd(mces) : null,
    rel_mce: rels.length && !relNull ? meanStd(rels) : null,
    rel_mce_uninformative: [...uninformative].sort(),
    severity_acc: Array.from({ length: severities }, (_, k) =>
      meanStd(withSuite.map((r) => meanStd(names.map((c) => r.suites[suite].corruptions_acc[c][k])).mean)),
    ),
    by_corruption: Object.fromEntries(
      names.map((c) => [c, meanStd(withSuite.map((r) => meanStd(r.suites[suite].corruptions_acc[c]).mean))]),
    ),
  };
}

/**
 * One row per label with results, in grid order and unranked (rank 0), and the labels whose every job failed
 * (shown as failed, not as numbers). A label with neither records nor failures nor unreadable files has not run.
 */
export function methodRows(
  grid: Grid,
  grouped: GroupedRecords,
  failed: readonly FailedRow[],
  inputs: LeaderboardInputs,
  ermLabel: string | null,
): { rows: MethodRow[]; failedLabels: string[] } {
  const { labels, labelOf, methodOf, bySeed } = grouped;
  const unreadable = unreadableByLabel(inputs.unreadable, labelOf);
  const erm: SeedRecords = ermLabel ? (bySeed.get(ermLabel) as SeedRecords) : new Map();
  const rows: MethodRow[] = [];
  const failedLabels: string[] = [];
  for (const label of labels) {
    const list = [...(bySeed.get(label) as SeedRecords).values()].sort((a, b) => a.identity.seed - b.identity.seed);
    const nFailed = failed.filter((f) => f.label === label).length;
    const files = unreadable.get(label) ?? [];
    if (list.length === 0) {
      if (nFailed > 0) {
        failedLabels.push(label);
        continue;
      }
      if (files.length === 0) continue; // not run yet
    }
    const expected = grid.jobs.filter((j) => j.label === label).length;
    const missing = (inputs.missing ?? []).filter((j) => j.label === label).length;
    const incomplete: Incomplete | null =
      list.length < expected ? { expected, found: list.length, missing, failed: nFailed, unreadable: files } : null;
    rows.push({
      rank: 0,
      outranked_by: [],
      label,
      method: methodOf.get(label) as ResolvedMethod,
      seeds: list.map((r) => r.identity.seed),
      clean_acc: meanStd(list.map((r) => r.clean_acc)),
      ece: meanStd(list.map((r) => r.ece)),
      equivariance_gap: meanStd(list.map((r) => r.equivariance_gap)),
      equivariance_gap_l2: meanStd(list.map((r) => r.equivariance_gap_l2)),
      sem_share: rowSemShare(methodOf.get(label) as ResolvedMethod, list),
      suites: Object.fromEntries(grid.suites.map((s) => [s, suiteColumns(list, s, erm)])),
      incomplete,
    });
  }
  return { rows, failedLabels };
}
