/**
 * The leaderboard, built from a grid and its records alone: one row per method label (mean ± std over seeds),
 * one block of columns per corruption suite, SEM's paired comparisons, the ablation tables of every option a
 * preset varies, failed jobs as failed, and rows with missing or unreadable records marked incomplete.
 */
import type { Grid } from '../plan/grid';
import { DEFAULT_REPORT_SETTINGS, evaluationSplit } from '../plan/preset';
import type { ResultRecord } from '../run/records';
import { ablationTables, controlComparisons, corruptionEffects, ermAgainstMixing, semComparisons } from './comparisons';
import { ALPHA, aaRate, type JudgeSettings } from './family';
import { rankRows } from './ranks';
import { readLeaderboard } from './reading';
import { ermLabelOf, failedRows, groupRecords, methodRows } from './rows';
import type { Leaderboard, LeaderboardInputs } from './types';

export { CONTROL_POLICIES, optionPaths } from './comparisons';
export { AA_MARKER, ALPHA } from './family';
export { readLeaderboard } from './reading';
export type {
  AaRate,
  AblationEntry,
  AblationTable,
  Comparison,
  CorruptionEffect,
  CorruptionEffects,
  ErmAgainstMixing,
  FailedRow,
  Family,
  Incomplete,
  Leaderboard,
  LeaderboardInputs,
  MethodRow,
  PairedTest,
  Stat,
  SuiteColumns,
  SuiteEffects,
  Verdict,
} from './types';

/**
 * Builds the leaderboard of a grid from its records (and failures, unreadable and missing jobs), in named steps:
 * group the records, one row per label, rank the rows, the controls against erm, SEM against its base, the
 * ablation tables (each table a family of tests, judged at ALPHA against the preset's equivalence margin), the
 * controls' and SEM's comparisons corruption by corruption (each comparison's corruptions on a suite a family), erm
 * against the mixing methods, the reading. An A/A control is a row whose label ends in AA_MARKER (` (A/A)`).
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
  const report = { ...DEFAULT_REPORT_SETTINGS, ...preset.report };
  const settings: JudgeSettings = { alpha: ALPHA, margin: report.equivalenceMargin / 100 };
  const controls = controlComparisons(rows, grouped.bySeed, suites, ermLabel, settings);
  const sem = semComparisons(rows, grouped.bySeed, suites, settings);
  const leaderboard: Leaderboard = {
    preset: preset.name,
    description: preset.description,
    ...(evaluationSplit(preset) === 'validation' ? { evaluated_on: 'validation' as const } : {}),
    suites,
    headline,
    rows,
    failedLabels: unranked.failedLabels,
    baseline: ermLabel,
    alpha: settings.alpha,
    equivalence_margin: settings.margin,
    controls: controls.comparisons,
    controls_family: controls.family,
    aa: aaRate(controls.comparisons, suites, settings.alpha),
    sem: sem.comparisons,
    sem_family: sem.family,
    corruption_effects: corruptionEffects(
      [
        { table: 'controls', comparisons: controls.comparisons },
        { table: 'sem', comparisons: sem.comparisons },
      ],
      grouped.bySeed,
      suites,
      settings,
    ),
    erm_against_mixing: ermAgainstMixing(rows, grouped.bySeed, suites, ermLabel, settings),
    ablation: ablationTables(labels, rows, grouped.methodOf, failed, grouped.bySeed, suites, settings),
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
