/**
 * The per-corruption effects on hand-made records whose intervals, p-values and Holm adjustments are worked out by
 * hand below: on 2 degrees of freedom Student's t has P(T > t) = ½ (1 − t / √(2 + t²)) exactly, and t(2)'s 97.5%
 * quantile is 4.303.
 */
import type { ComputeIdentity } from '@semix/core';
import { describe, expect, it } from 'vitest';
import { type GridJob, planGrid } from '../plan/grid';
import type { DataIdentity } from '../plan/identity';
import { loadPreset, parsePreset } from '../plan/preset';
import type { ResultRecord } from '../run/records';
import { handMadeRecord } from '../test_records';
import { comparisonName, effectsMarkdown, forestList, largestEffect } from './effects_text';
import { forestChart, forestFiles } from './forest';
import { buildLeaderboard } from './leaderboard';
import { leaderboardMarkdown } from './leaderboard_text';
import type { CorruptionEffect, CorruptionEffects } from './types';

const DATA: DataIdentity = { train: 't', test: 'e', suites: [{ name: 'cifar10-c-15', source: 'generated', seed: 0 }] };
const COMPUTE: ComputeIdentity = {
  backend: 'wasm',
  kernels: { multiplyAdd: 'fused', winograd: 'F(4x4,3x3)', winogradFilterGradient: 'F(3x3,4x4)' },
};
const SUITE = 'cifar10-c-15';

/** A record with one suite of two corruptions at two severities, on 1000 test images. */
function record(job: GridJob, acc: Record<string, number[]>, gap: number): ResultRecord {
  const all = Object.values(acc).flat();
  return handMadeRecord(job, {
    dataset: { name: 'mnist-mini', checksum: 't', train_images: 1, test_images: 1000 },
    clean_acc: 0.95,
    suites: {
      [SUITE]: {
        description: 'hand-made',
        severities: 2,
        corruptions_acc: acc,
        corruptions_ece: Object.fromEntries(Object.keys(acc).map((c) => [c, acc[c].map(() => 0.05)])),
        acc_mean: all.reduce((a, b) => a + b, 0) / all.length,
        ece_mean: 0.05,
      },
    },
    equivariance_gap: gap,
    equivariance_gap_l2: 10 * gap,
  });
}

/** Student's t upper tail on 2 degrees of freedom, in closed form. */
const upper2 = (t: number) => 0.5 * (1 - t / Math.sqrt(2 + t * t));
/** The rounding floor's standard error on 1000 images over 3 seeds: √(2 · (1/1000)² / 12 / 3). */
const FLOOR_SE = Math.sqrt((2 * 1e-6) / 12 / 3);

const smoke = { ...loadPreset('smoke'), evaluation: { ...loadPreset('smoke').evaluation, corruptions: SUITE } };
const preset = parsePreset({ ...smoke, methods: ['erm', 'noise', 'mixup', 'mixup+sem'], seeds: [0, 1, 2] }, 'effects');
const grid = planGrid(preset, DATA, COMPUTE);
// mixup+sem − mixup: fog +1, +2, +3 pp at severity 1 and +5 pp on every seed at severity 2; blur the same. noise −
// erm: fog −10 pp at severity 1 on every seed, nothing else. erm above both mixing methods on every seed.
const accuracy: Record<string, (seed: number) => Record<string, number[]>> = {
  erm: () => ({ fog: [0.9, 0.8], blur: [0.95, 0.9] }),
  noise: () => ({ fog: [0.8, 0.8], blur: [0.95, 0.9] }),
  mixup: () => ({ fog: [0.8, 0.7], blur: [0.9, 0.85] }),
  'mixup+sem': (seed) => ({ fog: [0.81 + 0.01 * seed, 0.75], blur: [0.9, 0.85] }),
};
const gaps: Record<string, number> = { erm: 0.3, noise: 0.3, mixup: 0.25, 'mixup+sem': 0.1 };
const board = buildLeaderboard(
  grid,
  grid.jobs.map((j) => record(j, accuracy[j.label](j.seed), gaps[j.label])),
);
const effectsOf = (label: string) => board.corruption_effects.find((c) => c.label === label) as CorruptionEffects;
const at = (c: CorruptionEffects, corruption: string, severity: number | null) =>
  (severity === null ? c.suites[0].corruptions : c.suites[0].by_severity).find(
    (e) => e.corruption === corruption && e.severity === severity,
  ) as CorruptionEffect;

describe('corruption_effects: each comparison, corruption by corruption', () => {
  it('holds the controls, then SEM, each on every suite, per corruption and per severity', () => {
    expect(board.corruption_effects.map((c) => [c.table, c.label, c.baseline])).toEqual([
      ['controls', 'noise', 'erm'],
      ['sem', 'mixup+sem', 'mixup'],
    ]);
    const sem = effectsOf('mixup+sem');
    expect(sem.suites.map((s) => [s.suite, s.severities])).toEqual([[SUITE, 2]]);
    expect(sem.suites[0].corruptions.map((e) => [e.corruption, e.severity])).toEqual([
      ['fog', null],
      ['blur', null],
    ]);
    expect(sem.suites[0].by_severity.map((e) => [e.corruption, e.severity])).toEqual([
      ['fog', 1],
      ['fog', 2],
      ['blur', 1],
      ['blur', 2],
    ]);
    expect(sem.suites[0].family).toEqual({ tests: 2, equivalence_tests: 2 });
    expect(sem.suites[0].by_severity_family).toEqual({ tests: 4, equivalence_tests: 4 });
  });

  it('the interval is mean ± t(2) · s / √3, and p is the paired t-test, by hand', () => {
    const sem = effectsOf('mixup+sem');
    // Fog at severity 1: differences 0.01, 0.02, 0.03: mean 0.02, s 0.01, half-width 4.303 · 0.01 / √3.
    const fog1 = at(sem, 'fog', 1);
    expect(fog1.n).toBe(3);
    expect(fog1.mean).toBeCloseTo(0.02, 12);
    expect(fog1.high - fog1.mean).toBeCloseTo((4.303 * 0.01) / Math.sqrt(3), 9);
    expect(fog1.mean - fog1.low).toBeCloseTo((4.303 * 0.01) / Math.sqrt(3), 9);
    const t1 = 0.02 / (0.01 / Math.sqrt(3));
    expect(fog1.p).toBeCloseTo(2 * upper2(t1), 9);
    // Fog averaged over its two severities: per seed (0.01 + 0.05) / 2 … = 0.03, 0.035, 0.04: mean 0.035, s 0.005.
    const fog = at(sem, 'fog', null);
    expect(fog.mean).toBeCloseTo(0.035, 12);
    expect(fog.high - fog.mean).toBeCloseTo((4.303 * 0.005) / Math.sqrt(3), 9);
    const tFog = 0.035 / (0.005 / Math.sqrt(3));
    expect(fog.p).toBeCloseTo(2 * upper2(tFog), 9);
    // Fog at severity 2: +5 pp on every seed, so the rounding floor's standard error.
    const fog2 = at(sem, 'fog', 2);
    expect(fog2.floored).toBe(true);
    expect(fog2.high - fog2.mean).toBeCloseTo(4.303 * FLOOR_SE, 9);
    expect(fog2.p).toBeCloseTo(2 * upper2(0.05 / FLOOR_SE), 12);
    // Blur: no difference on any seed: p = 1.
    expect(at(sem, 'blur', null)).toMatchObject({ mean: 0, p: 1 });
  });

  it("Holm's family is one comparison's corruptions on a suite (and, apart, its corruptions × severities)", () => {
    const sem = effectsOf('mixup+sem');
    // Averaged: fog's p is the smaller of two, so 2 · p; blur's 1 stays 1.
    const tFog = 0.035 / (0.005 / Math.sqrt(3));
    expect(at(sem, 'fog', null).p_holm).toBeCloseTo(2 * 2 * upper2(tFog), 9);
    expect(at(sem, 'blur', null).p_holm).toBe(1);
    // Per severity: fog 2 first (× 4), fog 1 second (× 3), the two blurs at 1.
    const t1 = 0.02 / (0.01 / Math.sqrt(3));
    expect(at(sem, 'fog', 2).p_holm).toBeCloseTo(4 * 2 * upper2(0.05 / FLOOR_SE), 12);
    expect(at(sem, 'fog', 1).p_holm).toBeCloseTo(3 * 2 * upper2(t1), 9);
    // The equivalence test of a zero difference on the floor: t = 0.01 / FLOOR_SE on each side; Holm over the 4
    // severities' TOSTs puts both blurs' smallest first (× 4, × 3): each far below α.
    const tEq = 0.01 / FLOOR_SE;
    expect(at(sem, 'blur', 1).p_equivalence).toBeCloseTo(upper2(tEq), 12);
    expect(at(sem, 'blur', 1).p_equivalence_holm).toBeCloseTo(4 * upper2(tEq), 12);
  });

  it("the verdicts are the tables' rules: better / worse, equivalent within the margin, else inconclusive", () => {
    const sem = effectsOf('mixup+sem');
    // Fog averaged: Holm p 0.0135 < 0.05. Fog 1: Holm p 0.22, and 2 pp is outside ±1 pp: inconclusive.
    expect(at(sem, 'fog', null).verdict).toBe('better');
    expect(at(sem, 'blur', null).verdict).toBe('equivalent');
    expect(at(sem, 'fog', 1).verdict).toBe('inconclusive');
    expect(at(sem, 'fog', 2).verdict).toBe('better');
    expect(at(sem, 'blur', 2).verdict).toBe('equivalent');
    const noise = effectsOf('noise');
    // noise − erm: fog −10 pp at severity 1, 0 at 2: −5 pp averaged on every seed (the floor).
    expect(at(noise, 'fog', null)).toMatchObject({ verdict: 'worse', floored: true });
    expect(at(noise, 'fog', null).mean).toBeCloseTo(-0.05, 12);
    expect(at(noise, 'fog', 1).verdict).toBe('worse');
  });

  it('erm against the mixing methods: one family per suite, erm − method', () => {
    // Suite means: erm 0.8875 on every seed; mixup 0.8125; mixup+sem 0.8275, 0.83, 0.8325.
    expect(board.erm_against_mixing).toHaveLength(1);
    const { suite, against, family } = board.erm_against_mixing[0];
    expect(suite).toBe(SUITE);
    expect(family).toEqual({ tests: 2, equivalence_tests: 2 });
    const byLabel = Object.fromEntries(against.map((a) => [a.label, a.difference]));
    expect(byLabel.mixup.mean).toBeCloseTo(0.075, 12);
    expect(byLabel['mixup+sem'].mean).toBeCloseTo(0.0575, 12);
    // mixup+sem: 0.06, 0.0575, 0.055: s 0.0025, t = 0.0575 / (0.0025 / √3).
    const t = 0.0575 / (0.0025 / Math.sqrt(3));
    expect(byLabel['mixup+sem'].p).toBeCloseTo(2 * upper2(t), 9);
    expect(against.map((a) => a.difference.verdict)).toEqual(['better', 'better']);
  });
});

describe('leaderboard.md: a table per suite, a column per comparison', () => {
  const md = leaderboardMarkdown(board, 'x');
  const lines = effectsMarkdown(board);

  it('cells are the difference and interval in pp; bold where better or worse, ≈ where equivalent', () => {
    expect(md).toContain('## Per corruption: where each comparison differs');
    expect(lines).toContain('| corruption | noise − erm | mixup+sem − mixup |');
    // Fog: noise −5 pp on the floor, ±4.303 · FLOOR_SE; mixup+sem +3.5 pp ± 4.303 · 0.5 / √3 pp.
    const floor = (100 * 4.303 * FLOOR_SE).toFixed(2);
    const half = (4.303 * 0.5) / Math.sqrt(3);
    expect(lines).toContain(
      `| fog | **-5.00 [${(-5 - Number(floor)).toFixed(2)}, ${(-5 + Number(floor)).toFixed(2)}]** | **+3.50 [${(3.5 - half).toFixed(2)}, ${(3.5 + half).toFixed(2)}]** |`,
    );
    expect(lines).toContain(`| blur | ≈ +0.00 [-${floor}, ${floor}] | ≈ +0.00 [-${floor}, ${floor}] |`);
  });

  it("the caption names Holm's family and the margin, and where the per-severity effects are", () => {
    const caption = lines.find((l) => l.startsWith('Each cell:')) as string;
    expect(caption).toContain("Holm's family is one column: that comparison's 2 corruptions on `cifar10-c-15`");
    expect(caption).toContain('within ±1 pp');
    expect(caption).toContain('the mean over its 2 severities');
    expect(caption).toContain('Per severity (2 × 2 = 4 effects a comparison, Holm over those)');
  });

  it("names the corruption of each SEM comparison's largest effect, and links each forest plot", () => {
    const half = (4.303 * 0.5) / Math.sqrt(3);
    expect(lines).toContain(
      `Largest per-corruption effect of each SEM comparison on \`cifar10-c-15\`: mixup+sem − mixup: fog +3.50 pp [${(3.5 - half).toFixed(2)}, ${(3.5 + half).toFixed(2)}] (better).`,
    );
    expect(largestEffect(effectsOf('noise'), SUITE)?.corruption).toBe('fog');
    expect(forestList(board).map((f) => f.file)).toEqual([
      'effects-noise-vs-erm.svg',
      'effects-mixup+sem-vs-mixup.svg',
    ]);
    expect(lines).toContain('![per-corruption effects, mixup+sem − mixup](effects-mixup+sem-vs-mixup.svg)');
  });

  it('a file name keeps ASCII letters, digits and . + -, and two comparisons never share one', () => {
    const twin = { ...effectsOf('mixup+sem'), label: 'mixup+sem α=0.2', baseline: 'mixup (A/A)' };
    const files = forestList({ corruption_effects: [twin, { ...twin, label: 'mixup+sem β=0.2' }] }).map((f) => f.file);
    expect(files).toEqual(['effects-mixup+sem-0.2-vs-mixup-A-A.svg', 'effects-mixup+sem-0.2-vs-mixup-A-A-2.svg']);
  });
});

describe('the reading names every result outside noise', () => {
  it('the equivariance gap of each table, per-corruption and per-severity results, erm beating every mixing method', () => {
    expect(board.reading).toContain(
      'SEM against its base variant, equivariance gap: mixup+sem vs mixup -0.1500 [-0.1500, -0.1500] (lower).',
    );
    expect(board.reading).toContain('Controls against erm, equivariance gap: all inconclusive.');
    const perCorruption = board.reading.find((r) => r.startsWith('Per corruption, outside noise')) as string;
    expect(perCorruption).toMatch(/noise vs erm on cifar10-c-15: fog -5\.00 pp \[[-\d.]+, [-\d.]+\] \(worse\)/);
    expect(perCorruption).toMatch(
      /mixup\+sem vs mixup on cifar10-c-15: fog \+3\.50 pp \[[-\d.]+, [-\d.]+\] \(better\)\./,
    );
    const bySeverity = board.reading.find((r) => r.startsWith('Per corruption and severity')) as string;
    expect(bySeverity).toContain('fog severity 1 -10.00 pp');
    expect(bySeverity).toContain('mixup+sem vs mixup on cifar10-c-15: fog severity 2 +5.00 pp');
    expect(bySeverity).not.toContain('fog severity 1 +2.00');
    // In rank order; mixup+sem − erm: 0.06, 0.0575, 0.055 (s 0.25 pp, ±4.303 · 0.25 / √3 pp); mixup 7.5 pp on the floor.
    expect(board.reading).toContain(
      'On cifar10-c-15, erm beats every mixing method (erm − method, Holm over the 2): mixup+sem +5.75 pp [5.13, 6.37], mixup +7.50 pp [7.40, 7.60].',
    );
  });

  it('says so when no corruption differs, and marks an A/A row outside noise as a false positive', async () => {
    const { corruptionSentences, gapSentence } = await import('./reading');
    const none = board.corruption_effects.map((c) => ({
      ...c,
      suites: c.suites.map((s) => ({
        ...s,
        corruptions: s.corruptions.map((e) => ({ ...e, verdict: 'inconclusive' as const })),
        by_severity: s.by_severity.map((e) => ({ ...e, verdict: 'inconclusive' as const })),
      })),
    }));
    expect(corruptionSentences({ corruption_effects: none })).toEqual([
      "Per corruption: no comparison differs outside noise on any corruption (Holm over each comparison's corruptions on a suite).",
    ]);
    const aa = { ...board.sem[0], label: 'mixup (A/A)' };
    expect(gapSentence('Controls against erm', [aa], true)).toBe(
      'Controls against erm, equivariance gap: mixup (A/A) vs mixup -0.1500 [-0.1500, -0.1500] (lower; an A/A row: a false positive).',
    );
    expect(
      gapSentence('x', [{ ...aa, equivariance_gap: { ...aa.equivariance_gap, verdict: 'inconclusive' } }], false),
    ).toBeNull();
  });
});

describe('the forest plot', () => {
  const c = effectsOf('mixup+sem');
  const svg = forestChart(board, c);
  /** Each mark's data attributes. */
  const marks = [...svg.matchAll(/<g class="effect" ([^>]*)>/g)].map((m) =>
    Object.fromEntries([...m[1].matchAll(/data-([a-z]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );

  it("one mark per corruption, carrying the board's own numbers", () => {
    expect(marks.map((m) => [m.comparison, m.suite, m.corruption, m.severity, m.verdict])).toEqual([
      [comparisonName(c), SUITE, 'fog', 'mean', 'better'],
      [comparisonName(c), SUITE, 'blur', 'mean', 'equivalent'],
    ]);
    for (const [i, e] of c.suites[0].corruptions.entries()) {
      expect(Number(marks[i].diff)).toBe(e.mean);
      expect(Number(marks[i].lo)).toBe(e.low);
      expect(Number(marks[i].hi)).toBe(e.high);
    }
  });

  it('round ticks; the dot, the interval, the zero line and the ±margin band on one scale', () => {
    const ticks = [...svg.matchAll(/<g class="tick" data-value="([^"]+)"><line x1="([\d.]+)"/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    // Round steps: every gap between ticks the same 1, 2 or 5 × 10^k.
    const step = ticks[1][0] - ticks[0][0];
    expect(ticks.every(([v], k) => Math.abs(v - (ticks[0][0] + k * step)) < 1e-9)).toBe(true);
    expect([1, 2, 5]).toContain(Number((step / 10 ** Math.floor(Math.log10(step))).toPrecision(6)));
    // pp → x from the outer ticks; every other position follows within what rounding to 0.1 px allows.
    const [[v0, x0], [v1, x1]] = [ticks[0], ticks[ticks.length - 1]];
    const x = (pp: number) => x0 + ((pp - v0) / (v1 - v0)) * (x1 - x0);
    const zero = Number(/<line class="zero" x1="([\d.]+)"/.exec(svg)?.[1]);
    expect(Math.abs(zero - x(0))).toBeLessThan(0.2);
    const band = /<rect class="margin-band" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(svg);
    expect(Math.abs(Number(band?.[1]) - x(-1))).toBeLessThan(0.2);
    expect(Math.abs(Number(band?.[1]) + Number(band?.[2]) - x(1))).toBeLessThan(0.25);
    const dots = [...svg.matchAll(/<circle class="dot" cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    const lines = [...svg.matchAll(/<line class="interval" x1="([\d.]+)" x2="([\d.]+)"/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    for (const [i, e] of c.suites[0].corruptions.entries()) {
      expect(Math.abs(dots[i] - x(100 * e.mean))).toBeLessThan(0.2);
      expect(Math.abs(lines[i][0] - x(100 * e.low))).toBeLessThan(0.2);
      expect(Math.abs(lines[i][1] - x(100 * e.high))).toBeLessThan(0.2);
    }
  });

  it('one file per comparison, under the names leaderboard.md links', () => {
    expect(forestFiles(board).map(([f]) => f)).toEqual(forestList(board).map((f) => f.file));
    expect(forestFiles(board)[1][1]).toBe(svg);
  });
});
