/**
 * A table's comparisons judged as one family: each difference's t-test and, on accuracies, its two one-sided
 * equivalence tests, Holm-corrected within the table, the smallest detectable difference, and the verdict.
 */
import { isAaLabel } from '../plan/controls';
import { differenceP, equivalenceP, holm, minimumDetectableDifference, type PairedDifference } from './stats';
import type { AaRate, Comparison, Family, PairedTest } from './types';
import { type MetricSense, verdictOf } from './verdict';

/** The level of every table's verdicts, after Holm's correction within the table. */
export const ALPHA = 0.05;

/** The power at which each comparison's smallest detectable difference is stated. */
export const MDE_POWER = 0.8;

export interface JudgeSettings {
  alpha: number;
  /** The equivalence margin as a fraction of accuracy (1 pp = 0.01). */
  margin: number;
}

/**
 * The marker of an A/A control row (its label ends in ` (A/A)`), defined where presets are planned: the same
 * marker gives the job its independent seed stream (plan/controls.ts). The board compares the row with its twin, the
 * row of the same label without the marker, so any difference it finds is a false positive.
 */
export { AA_MARKER, isAaLabel } from '../plan/controls';

/**
 * Judges a list of differences as one family: each with at least 2 pairs is a difference test, Holm-corrected over
 * all of them; the accuracies (`sense` 'accuracy') are also equivalence tests against ±margin, Holm-corrected over
 * those. Each one's MDE is at α / m, m the family's difference tests: the level Holm holds the family's smallest p
 * to, so what a lone real effect must clear. The tests come back in the input's order.
 */
export function judgeTests(
  cells: ReadonlyArray<readonly [PairedDifference, MetricSense]>,
  { alpha, margin }: JudgeSettings,
): { tests: PairedTest[]; family: Family } {
  const p = cells.map(([d]) => differenceP(d));
  const pHolm = holm(p);
  const accuracy = cells.map(([, sense]) => sense === 'accuracy');
  const pEquivalence = cells.map(([d], i) => (accuracy[i] ? equivalenceP(d, margin) : Number.NaN));
  const pEquivalenceHolm = holm(pEquivalence);
  const tests = p.filter((v) => !Number.isNaN(v)).length;
  const equivalenceTests = pEquivalence.filter((v) => !Number.isNaN(v)).length;
  const judged: PairedTest[] = cells.map(([d, sense], i) => {
    const equivalence = accuracy[i] ? { p: pEquivalence[i], holm: pEquivalenceHolm[i] } : null;
    const test = {
      ...d,
      p: p[i],
      p_holm: pHolm[i],
      p_equivalence: equivalence ? equivalence.p : null,
      p_equivalence_holm: equivalence ? equivalence.holm : null,
      mde: minimumDetectableDifference(d, alpha / Math.max(1, tests), MDE_POWER),
    };
    return { ...test, verdict: verdictOf(test, alpha, sense) };
  });
  return { tests: judged, family: { tests, equivalence_tests: equivalenceTests } };
}

/**
 * Judges one table's comparisons as a family (judgeTests): every cell with at least 2 pairs is a difference test
 * (clean accuracy, each suite, the equivariance gap); the accuracies are also equivalence tests against ±margin.
 */
export function judgeFamily(
  raw: ReadonlyArray<Comparison<PairedDifference>>,
  suites: readonly string[],
  settings: JudgeSettings,
): { comparisons: Comparison[]; family: Family } {
  const cells: Array<[PairedDifference, MetricSense]> = raw.flatMap((c) => [
    [c.clean_acc, 'accuracy'] as [PairedDifference, MetricSense],
    ...suites.map((s): [PairedDifference, MetricSense] => [c.corruption_acc[s], 'accuracy']),
    [c.equivariance_gap, 'direction'] as [PairedDifference, MetricSense],
  ]);
  const { tests: judged, family } = judgeTests(cells, settings);
  let next = 0;
  const take = () => judged[next++];
  const comparisons = raw.map((c) => ({
    label: c.label,
    baseline: c.baseline,
    clean_acc: take(),
    corruption_acc: Object.fromEntries(suites.map((s) => [s, take()])),
    equivariance_gap: take(),
  }));
  return { comparisons, family };
}

/** The A/A rows' difference tests among `comparisons`, and how many came out significant; null without one. */
export function aaRate(comparisons: readonly Comparison[], suites: readonly string[], alpha: number): AaRate | null {
  const aa = comparisons.filter((c) => isAaLabel(c.label));
  if (!aa.length) return null;
  const tested = aa
    .flatMap((c) => [c.clean_acc, ...suites.map((s) => c.corruption_acc[s]), c.equivariance_gap])
    .filter((t) => !Number.isNaN(t.p));
  return {
    labels: aa.map((c) => c.label),
    tests: tested.length,
    significant: tested.filter((t) => t.p < alpha).length,
    significant_holm: tested.filter((t) => t.p_holm < alpha).length,
  };
}
