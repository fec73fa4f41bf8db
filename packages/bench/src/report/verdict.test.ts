import { describe, expect, it } from 'vitest';
import type { PairedTest } from './types';
import {
  aaText,
  differenceCell,
  effectMarkdown,
  effectsCaption,
  effectText,
  familyCaption,
  marginText,
  pValueText,
  roundingFloorNote,
  verdictOf,
} from './verdict';

/** A tested difference over three seeds: +2 pp [1.00, 3.00]. */
const test = (fields: Partial<PairedTest> = {}): PairedTest => ({
  mean: 0.02,
  low: 0.01,
  high: 0.03,
  n: 3,
  se: 0.0023,
  withinNoise: false,
  p: 0.004,
  p_holm: 0.012,
  p_equivalence: 0.9,
  p_equivalence_holm: 1,
  mde: 0.0123,
  verdict: 'better',
  ...fields,
});

describe('verdictOf: the rule', () => {
  it('a difference where Holm rejects, else equivalence where TOST does, else inconclusive', () => {
    expect(verdictOf({ mean: 0.02, p_holm: 0.049, p_equivalence_holm: 1 }, 0.05, 'accuracy')).toBe('better');
    expect(verdictOf({ mean: -0.02, p_holm: 0.01, p_equivalence_holm: 1 }, 0.05, 'accuracy')).toBe('worse');
    // Holm's p exactly α is not below it.
    expect(verdictOf({ mean: 0.02, p_holm: 0.05, p_equivalence_holm: 1 }, 0.05, 'accuracy')).toBe('inconclusive');
    expect(verdictOf({ mean: 0.001, p_holm: 0.8, p_equivalence_holm: 0.01 }, 0.05, 'accuracy')).toBe('equivalent');
    // A small real difference inside the margin is a difference: the difference test is read first.
    expect(verdictOf({ mean: 0.002, p_holm: 0.01, p_equivalence_holm: 0.01 }, 0.05, 'accuracy')).toBe('better');
    expect(verdictOf({ mean: 0.001, p_holm: 0.8, p_equivalence_holm: 0.2 }, 0.05, 'accuracy')).toBe('inconclusive');
    // Not tested (one seed): inconclusive.
    expect(verdictOf({ mean: 0.3, p_holm: Number.NaN, p_equivalence_holm: Number.NaN }, 0.05, 'accuracy')).toBe(
      'inconclusive',
    );
  });

  it('a measure with no better side says higher or lower, and is never equivalent', () => {
    expect(verdictOf({ mean: -0.01, p_holm: 0.001, p_equivalence_holm: null }, 0.05, 'direction')).toBe('lower');
    expect(verdictOf({ mean: 0.01, p_holm: 0.001, p_equivalence_holm: null }, 0.05, 'direction')).toBe('higher');
    expect(verdictOf({ mean: 0, p_holm: 0.9, p_equivalence_holm: 0.001 }, 0.05, 'direction')).toBe('inconclusive');
  });
});

describe('the text', () => {
  it('a cell: difference, 95% interval, verdict, pairs, Holm p and MDE', () => {
    expect(differenceCell(test())).toBe('+2.00 pp [1.00, 3.00] (better, n=3; Holm p 0.012, MDE 1.23 pp)');
    expect(differenceCell(test({ floored: true, verdict: 'equivalent', p_holm: 0.0004 }))).toBe(
      '+2.00 pp [1.00, 3.00] (equivalent, n=3, rounding floor; Holm p <0.001, MDE 1.23 pp)',
    );
    // The gap: four decimals, no unit.
    const gap = test({ mean: -0.0052, low: -0.0068, high: -0.0037, mde: 0.005, verdict: 'lower' });
    expect(differenceCell(gap, '')).toBe('-0.0052 [-0.0068, -0.0037] (lower, n=3; Holm p 0.012, MDE 0.0050)');
    const one = test({ n: 1, low: Number.NaN, high: Number.NaN, se: Number.NaN, p: Number.NaN, mde: Number.NaN });
    expect(differenceCell(one)).toBe('+2.00 pp (one seed: no interval, n=1)');
    expect(differenceCell(undefined)).toBe('n/a');
  });

  it('p-values, the margin, the caption and the A/A sentence', () => {
    expect(pValueText(0.0123)).toBe('0.012');
    expect(pValueText(0.00099)).toBe('<0.001');
    expect(marginText(0.01)).toBe('±1 pp');
    expect(marginText(0.005)).toBe('±0.5 pp');
    const caption = familyCaption({ tests: 8, equivalence_tests: 6 }, 0.05, 0.01, 'SEM variants against their base');
    expect(caption).toContain("Family: this table's 8 difference tests (SEM variants against their base");
    expect(caption).toContain('within ±1 pp (Holm-corrected over its 6 accuracy tests at α = 0.05)');
    expect(caption).toContain('80% power at α / 8');
    expect(aaText({ labels: ['erm (A/A)'], tests: 20, significant: 1, significant_holm: 0 }, 0.05)).toBe(
      "A/A controls (erm (A/A)): 1 of 20 difference tests significant at α = 0.05 before correction (5%; about 5% expected by chance), 0 after Holm's correction in their table.",
    );
  });

  it('a per-corruption cell: pp without the unit, bold where better or worse, ≈ where equivalent', () => {
    expect(effectText(test())).toBe('+2.00 [1.00, 3.00]');
    expect(effectMarkdown(test())).toBe('**+2.00 [1.00, 3.00]**');
    expect(effectMarkdown(test({ mean: -0.02, low: -0.03, high: -0.01, verdict: 'worse' }))).toBe(
      '**-2.00 [-3.00, -1.00]**',
    );
    const same = test({ mean: 0.001, low: -0.002, high: 0.004, verdict: 'equivalent' });
    expect(effectMarkdown(same)).toBe('≈ +0.10 [-0.20, 0.40]');
    expect(effectMarkdown(test({ verdict: 'inconclusive' }))).toBe('+2.00 [1.00, 3.00]');
    const one = test({ n: 1, low: Number.NaN, high: Number.NaN, verdict: 'inconclusive' });
    expect(effectMarkdown(one)).toBe('+2.00 (n=1)');
    expect(effectMarkdown(undefined)).toBe('n/a');
  });

  it("the per-corruption caption: Holm's family, the margin, and the per-severity detail only where there is one", () => {
    const five = effectsCaption('cifar10-c-15', 15, 5, 0.05, 0.01);
    expect(five).toContain(
      "Holm's family is one column: that comparison's 15 corruptions on `cifar10-c-15`, at α = 0.05",
    );
    expect(five).toContain('*equivalent* within ±1 pp');
    expect(five).toContain('(pp, the mean over its 5 severities on each seed)');
    expect(five).toContain('Per severity (15 × 5 = 75 effects a comparison, Holm over those)');
    const one = effectsCaption('mnist-c', 15, 1, 0.05, 0.005);
    expect(one).toContain('(pp)');
    expect(one).toContain('within ±0.5 pp');
    expect(one).not.toContain('Per severity');
    // The page colours the cells where leaderboard.md bolds them, and says so.
    const page = effectsCaption('mnist-c', 15, 1, 0.05, 0.01, 'page');
    expect(five).toContain('Bold: *better* / *worse*');
    expect(page).toContain('Green / red: *better* / *worse*');
    expect(page).toContain('≈, blue: *equivalent*');
    expect(page).toContain('grey: *inconclusive*');
  });
});

describe('the rounding floor note', () => {
  it('names the images the board was evaluated on', () => {
    expect(roundingFloorNote()).toContain('a count over N test images');
    expect(roundingFloorNote('validation')).toContain('a count over N validation images');
    expect(roundingFloorNote('validation')).not.toContain('test images');
  });
});
