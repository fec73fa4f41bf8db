import { describe, expect, it } from 'vitest';
import { aaRate, isAaLabel, judgeFamily } from './family';
import type { PairedDifference } from './stats';
import type { Comparison } from './types';

// Two pairs each (n = 3, 2 degrees of freedom), so every p has a closed form: P(T > t) = ½ − t / (2√(2 + t²)).
const upper2 = (t: number) => 0.5 - t / (2 * Math.sqrt(2 + t * t));
const twoSided = (t: number) => 2 * upper2(Math.abs(t));
const quantile2 = (p: number) => (2 * p - 1) / Math.sqrt(2 * p * (1 - p));

/** A paired difference over three seeds with the mean and standard error given. */
const diff = (mean: number, se: number): PairedDifference => ({
  mean,
  low: mean - 4.303 * se,
  high: mean + 4.303 * se,
  n: 3,
  se,
  withinNoise: Math.abs(mean) <= 4.303 * se,
});
const raw = (label: string, clean: PairedDifference, s: PairedDifference, gap: PairedDifference) => ({
  label,
  baseline: 'base',
  clean_acc: clean,
  corruption_acc: { s: s },
  equivariance_gap: gap,
});

describe('judgeFamily: one table, Holm within it', () => {
  // A: clean +2 pp (t = 20), suite +0.1 pp (t = 1), gap −0.01 (t = 20); B: clean −3 pp (t = 30), suite +0.6 pp
  // (t = 1.5), gap 0 with no spread (p = 1). Margin ±1 pp, α = 0.05.
  const comparisons: Array<Comparison<PairedDifference>> = [
    raw('A', diff(0.02, 0.001), diff(0.001, 0.001), diff(-0.01, 0.0005)),
    raw('B', diff(-0.03, 0.001), diff(0.006, 0.004), diff(0, 0)),
  ];
  const { comparisons: judged, family } = judgeFamily(comparisons, ['s'], { alpha: 0.05, margin: 0.01 });
  const [a, b] = judged;

  it('p before correction, by hand', () => {
    expect(a.clean_acc.p).toBeCloseTo(twoSided(20), 10);
    expect(a.corruption_acc.s.p).toBeCloseTo(twoSided(1), 10);
    expect(b.clean_acc.p).toBeCloseTo(twoSided(30), 10);
    expect(b.corruption_acc.s.p).toBeCloseTo(twoSided(1.5), 10);
    expect(b.equivariance_gap.p).toBe(1);
    expect(twoSided(20)).toBeCloseTo(0.0024907, 6);
  });

  it("Holm's adjustment over the table's six difference tests, by hand", () => {
    // Sorted: B clean 0.0011093 · 6 = 0.0066556; A clean 0.0024907 · 5 = 0.0124533; A gap (the same p) · 4, held
    // at the running maximum 0.0124533; B suite 0.27239 · 3 = 0.81718; A suite 0.42265 · 2 = 0.84530; B gap 1.
    expect(family).toEqual({ tests: 6, equivalence_tests: 4 });
    expect(b.clean_acc.p_holm).toBeCloseTo(6 * twoSided(30), 10);
    expect(a.clean_acc.p_holm).toBeCloseTo(5 * twoSided(20), 10);
    expect(a.equivariance_gap.p_holm).toBeCloseTo(5 * twoSided(20), 10);
    expect(b.corruption_acc.s.p_holm).toBeCloseTo(3 * twoSided(1.5), 10);
    expect(a.corruption_acc.s.p_holm).toBeCloseTo(2 * twoSided(1), 10);
    expect(b.equivariance_gap.p_holm).toBe(1);
  });

  it('the equivalence tests: TOST on the four accuracies, Holm over those, the gap has none', () => {
    // A suite: t = (0.001 + 0.01) / 0.001 = 11 and (0.01 − 0.001) / 0.001 = 9: TOST p = upper2(9) = 0.0060608,
    // · 4 = 0.0242433. B suite: t = 4 and 1: p = upper2(1) = 0.211325, · 3 = 0.633975.
    expect(a.corruption_acc.s.p_equivalence).toBeCloseTo(upper2(9), 10);
    expect(a.corruption_acc.s.p_equivalence_holm).toBeCloseTo(4 * upper2(9), 10);
    expect(a.corruption_acc.s.p_equivalence_holm).toBeCloseTo(0.0242433, 6);
    expect(b.corruption_acc.s.p_equivalence).toBeCloseTo(upper2(1), 10);
    expect(b.corruption_acc.s.p_equivalence_holm).toBeCloseTo(3 * upper2(1), 10);
    expect(a.equivariance_gap.p_equivalence).toBeNull();
    expect(b.equivariance_gap.p_equivalence_holm).toBeNull();
  });

  it('the verdicts: better, equivalent, lower; worse, inconclusive, inconclusive', () => {
    expect(judged.map((c) => [c.clean_acc.verdict, c.corruption_acc.s.verdict, c.equivariance_gap.verdict])).toEqual([
      ['better', 'equivalent', 'lower'],
      ['worse', 'inconclusive', 'inconclusive'],
    ]);
    // The raw fields stay as they were.
    expect(a.clean_acc).toMatchObject({ mean: 0.02, se: 0.001, n: 3 });
  });

  it('the MDE is at α / 6, the level Holm holds the smallest p of six to', () => {
    const multiplier = quantile2(1 - 0.05 / 12) + quantile2(0.8);
    expect(a.clean_acc.mde).toBeCloseTo(multiplier * 0.001, 8);
    expect(b.corruption_acc.s.mde).toBeCloseTo(multiplier * 0.004, 8);
  });

  it('a comparison with one seed is not tested and not counted in the family', () => {
    const one: PairedDifference = {
      mean: 0.1,
      low: Number.NaN,
      high: Number.NaN,
      n: 1,
      se: Number.NaN,
      withinNoise: true,
    };
    const out = judgeFamily([...comparisons, raw('C', one, one, one)], ['s'], { alpha: 0.05, margin: 0.01 });
    expect(out.family).toEqual({ tests: 6, equivalence_tests: 4 });
    expect(out.comparisons[2].clean_acc).toMatchObject({ verdict: 'inconclusive' });
    expect(out.comparisons[2].clean_acc.p).toBeNaN();
    expect(out.comparisons[0].clean_acc.p_holm).toBeCloseTo(a.clean_acc.p_holm, 12);
  });
});

describe('the A/A controls', () => {
  it('are the rows labelled with the marker, counted before and after correction', () => {
    expect(isAaLabel('erm (A/A)')).toBe(true);
    expect(isAaLabel('erm')).toBe(false);
    const { comparisons } = judgeFamily(
      [
        // An A/A row with one chance finding: clean p = 0.0025 (< α; Holm · 6 = 0.015, still < α).
        raw('erm (A/A)', diff(0.02, 0.001), diff(0.001, 0.004), diff(0.001, 0.004)),
        raw('noise', diff(0.001, 0.004), diff(0.05, 0.004), diff(0.001, 0.004)),
      ],
      ['s'],
      { alpha: 0.05, margin: 0.01 },
    );
    expect(aaRate(comparisons, ['s'], 0.05)).toEqual({
      labels: ['erm (A/A)'],
      tests: 3,
      significant: 1,
      significant_holm: 1,
    });
    expect(aaRate(comparisons.slice(1), ['s'], 0.05)).toBeNull();
  });
});
