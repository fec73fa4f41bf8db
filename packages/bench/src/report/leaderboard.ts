/**
 * The leaderboard, built from a grid and its records alone: one row per method label (mean ± std over seeds),
 * one block of columns per corruption suite, SEM's paired comparisons, the ablation tables of every option a
 * preset varies, failed jobs as failed, and rows with missing or unreadable records marked incomplete.
 */
import type { Grid } from '../plan/grid';
import type { ResultRecord } from '../run/records';
import { ablationTables, semComparisons } from './comparisons';
import { rankRows } from './ranks';
import { readLeaderboard } from './reading';
import { ermLabelOf, failedRows, groupRecords, methodRows } from './rows';
import type { Leaderboard, LeaderboardInputs } from './types';

export { optionPaths } from './comparisons';
export { readLeaderboard } from './reading';
export type {
  AblationEntry,
  AblationTable,
  Comparison,
  FailedRow,
  Incomplete,
  Leaderboard,
  LeaderboardInputs,
  MethodRow,
  Stat,
  SuiteColumns,
} from './types';

/**
 * Builds the leaderboard of a grid from its records (and failures, unreadable and missing jobs), in named steps:
 * group the records, one row per label, rank the rows, SEM against its base, the ablation tables, the reading.
 */
export function buildLeaderboard(grid: Grid, records: ResultRecord[], inputs: LeaderboardInputs = {}): Leaderboard {
  const { preset, suites } = grid;
  const headline = suites[0] ?? null;
  const grouped = groupRecords(grid, records);
  const failed = failedRows(inputs.failures, grouped.labelOf);
  const ermLabel = ermLabelOf(grouped.labels, grouped.methodOf);
  const unranked = methodRows(grid, grouped, failed, inputs, ermLabel);
  const rows = rankRows(unranked.rows, grouped.bySeed, headline);
  const labels = [...rows.map((r) => r.label), ...unranked.failedLabels];
  const leaderboard: Leaderboard = {
    preset: preset.name,
    description: preset.description,
    suites,
    headline,
    rows,
    failedLabels: unranked.failedLabels,
    baseline: ermLabel,
    sem: semComparisons(rows, grouped.bySeed, suites),
    ablation: ablationTables(labels, rows, grouped.methodOf, failed, grouped.bySeed, suites),
    reading: [],
    failed,
    stale: inputs.stale ?? 0,
    // From each record's identity (what its id proves), not its copy: the store refuses a copy that disagrees anyway.
    backends: [...new Set(records.map((r) => r.identity.compute.backend))].sort(),
    wall_time_s: records.reduce((a, r) => a + r.wall_time_s, 0),
  };
  return { ...leaderboard, reading: readLeaderboard(leaderboard) };
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
