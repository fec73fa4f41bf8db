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
  /**
   * SEM's share of the loss (the last epoch's mean β·L_sem over its mean total loss, per record; mean ± std over
   * seeds); null for a method without SEM. Under SEM_SHARE_FLOOR (1 %) the table flags it.
   */
  sem_share: Stat | null;
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

/**
 * A comparison's verdict. On an accuracy: *better* / *worse* where the Holm-adjusted t-test rejects no difference,
 * else *equivalent* where the Holm-adjusted two one-sided tests put it within ±the margin, else *inconclusive*.
 * On a measure with no better side and no margin (the equivariance gap): *higher* / *lower*, else *inconclusive*.
 */
export type Verdict = 'better' | 'worse' | 'equivalent' | 'inconclusive' | 'higher' | 'lower';

/** A paired difference with its tests in the family of its table (see {@link Verdict}). */
export interface PairedTest extends PairedDifference {
  /** Two-sided p of the paired t-test, before correction; NaN with fewer than 2 pairs (not tested). */
  p: number;
  /** p after Holm's correction over the table's difference tests. */
  p_holm: number;
  /** TOST's p (the larger one-sided p) against ±the margin, before correction; null without a margin. */
  p_equivalence: number | null;
  /** p_equivalence after Holm's correction over the table's equivalence tests. */
  p_equivalence_holm: number | null;
  /**
   * The smallest true difference this comparison detects with 80% power at α / m (the level Holm applies first, m
   * the table's difference tests), from the observed spread of the paired differences. NaN with fewer than 2 pairs.
   */
  mde: number;
  verdict: Verdict;
}

/** A row against a base row; `T` is PairedTest once judged in its table's family. */
export interface Comparison<T extends PairedDifference = PairedTest> {
  label: string;
  baseline: string;
  clean_acc: T;
  corruption_acc: Record<string, T>;
  equivariance_gap: T;
}

/** The family of one table's comparisons, within which Holm's correction runs (at the board's `alpha`). */
export interface Family {
  /** The difference tests: every comparison's clean accuracy, each suite's and the equivariance gap, with ≥ 2 pairs. */
  tests: number;
  /** The equivalence tests: the accuracies among them (the gap has no margin). */
  equivalence_tests: number;
}

/**
 * The A/A controls' false-positive count: each A/A row (a label ending in ` (A/A)`) compared with its twin, the
 * row of the same label without the marker; every such difference test is a null one, so about α of them come out
 * significant by chance before correction, and at most α of the families any after.
 */
export interface AaRate {
  labels: string[];
  tests: number;
  /** Tests with p < α before correction. */
  significant: number;
  /** Tests with Holm's p < α in their table's family. */
  significant_holm: number;
}

/**
 * One comparison's paired difference on one corruption of a suite (percentage points as a fraction, like every
 * accuracy difference), judged in its family (see {@link SuiteEffects}) by the rules of the comparison tables.
 */
export interface CorruptionEffect extends PairedTest {
  corruption: string;
  /**
   * The severity (1 first), or null: the corruption's accuracy averaged over the suite's severities on each seed,
   * then paired (a suite with one severity: that severity's).
   */
  severity: number | null;
}

/** One comparison's effects on one suite: per corruption, and per corruption × severity where it has several. */
export interface SuiteEffects {
  suite: string;
  severities: number;
  /** One per corruption (severity null), in the records' order. Holm's family: these, for this comparison alone. */
  corruptions: CorruptionEffect[];
  family: Family;
  /**
   * One per corruption and severity (severity 1 first within each corruption), only where the suite has more than
   * one severity (else empty): a family of its own, so the per-corruption verdicts do not pay for the detail.
   */
  by_severity: CorruptionEffect[];
  by_severity_family: Family | null;
}

/** A comparison of the controls or the SEM table (same label and baseline), corruption by corruption. */
export interface CorruptionEffects {
  label: string;
  baseline: string;
  /** The table the comparison is from: `controls` (a control against erm, an A/A row against its twin) or `sem`. */
  table: 'controls' | 'sem';
  suites: SuiteEffects[];
}

/**
 * erm against each mixing method (every row whose policy is neither erm nor a positive control; A/A rows left out)
 * on one suite's corruption accuracy, erm − method paired over seeds: one family per suite.
 */
export interface ErmAgainstMixing {
  suite: string;
  against: Array<{ label: string; difference: PairedTest }>;
  family: Family;
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
  family: Family;
  entries: AblationEntry[];
}

export interface Leaderboard {
  preset: string;
  description: string;
  /** Set only where a preset evaluates on its validation images (`evaluation.split: 'validation'`); absent: test images. */
  evaluated_on?: 'validation';
  suites: string[];
  /** The suite rows are ranked by (the first the preset lists), or null: ranked by clean accuracy. */
  headline: string | null;
  rows: MethodRow[];
  /** Labels whose every job failed: shown as failed, not as numbers. */
  failedLabels: string[];
  baseline: string | null;
  /** The level of every table's tests (after Holm's correction in the table's family). */
  alpha: number;
  /** The equivalence margin, as a fraction of accuracy (the preset's `report.equivalenceMargin` / 100). */
  equivalence_margin: number;
  /** Each control row (AugMix, noise, an A/A row) against erm (an A/A row against its twin). */
  controls: Comparison[];
  controls_family: Family;
  /** The A/A rows' false positives; null without an A/A row. */
  aa: AaRate | null;
  sem: Comparison[];
  sem_family: Family;
  /** The controls' and SEM's comparisons corruption by corruption (controls first), each suite its own family. */
  corruption_effects: CorruptionEffects[];
  /** erm against the mixing methods per suite; empty without erm or a mixing method. */
  erm_against_mixing: ErmAgainstMixing[];
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
