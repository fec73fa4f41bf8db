/** The leaderboard's shapes: what buildLeaderboard returns and leaderboard.json holds. */
import type { ResolvedMethod } from '@semix/mixup';
import type { GridJob } from '../plan/grid';
import type { FailedRecord } from '../run/records';
import type { PairedDifference } from './stats';

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
