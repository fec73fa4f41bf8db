import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ComputeIdentity } from '@semix/core';
import { describe, expect, it } from 'vitest';
import { type GridJob, planGrid } from '../plan/grid';
import type { DataIdentity } from '../plan/identity';
import { loadPreset, parsePreset } from '../plan/preset';
import type { ResultRecord } from '../run/records';
import { handMadeFailure, handMadeRecord } from '../test_records';
import { buildLeaderboard, type Leaderboard } from './leaderboard';
import { leaderboardMarkdown } from './leaderboard_text';
import { mce, meanStd, pairedDifference, pearson, relativeMce } from './stats';
import { writeLeaderboard } from './write';

const DATA: DataIdentity = { train: 't', test: 'e', suites: [{ name: 'cifar10-c-15', source: 'generated', seed: 0 }] };
const COMPUTE: ComputeIdentity = {
  backend: 'wasm',
  kernels: { multiplyAdd: 'fused', winograd: 'F(4x4,3x3)', winogradFilterGradient: 'F(3x3,4x4)' },
};

/** A record with one suite: accuracy per corruption per severity as given. */
function record(job: GridJob, clean: number, acc: Record<string, number[]>, gap = 0.2): ResultRecord {
  const all = Object.values(acc).flat();
  const severities = Object.values(acc)[0].length;
  return handMadeRecord(job, {
    dataset: { name: 'mnist-mini', checksum: 't', train_images: 1, test_images: 1000 },
    clean_acc: clean,
    suites: {
      'cifar10-c-15': {
        description: 'hand-made',
        severities,
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

describe('metrics on hand-computed cases', () => {
  it('mCE and relative mCE follow Hendrycks & Dietterich', () => {
    // Model errors fog 0.18, 0.30 and blur 0.10, 0.20 with clean 0.08; baseline fog 0.2, 0.4, blur 0.15, 0.25,
    // clean 0.1. CE: fog 0.48 / 0.6 = 0.8, blur 0.30 / 0.40 = 0.75 → mCE 0.775.
    // Relative: fog (0.10 + 0.22) / (0.1 + 0.3) = 0.8, blur (0.02 + 0.12) / (0.05 + 0.15) = 0.7 → 0.75.
    const model = { fog: [0.18, 0.3], blur: [0.1, 0.2] };
    const base = { fog: [0.2, 0.4], blur: [0.15, 0.25] };
    expect(mce(model, base)).toBeCloseTo(0.775, 12);
    const rel = relativeMce(model, 0.08, base, 0.1);
    expect(rel.value).toBeCloseTo(0.75, 12);
    expect(rel.uninformative).toEqual([]);
    // A baseline that loses 0.5 point per severity (< 1) carries no information: no value, the corruption named.
    const flat = relativeMce({ fog: [0.2, 0.2] }, 0.1, { fog: [0.105, 0.105] }, 0.1);
    expect(flat).toEqual({ value: null, uninformative: ['fog'] });
    expect(mce({ fog: [0.1] }, { fog: [0] })).toBeNull();
  });

  it('mean ± std, the paired 95% interval (stats.test.ts has its rule), Pearson r', () => {
    expect(meanStd([1, 2, 3])).toEqual({ mean: 2, std: 1, n: 3 });
    // Differences 1, 2, 3: mean 2, std 1, t(2) = 4.303 → 2 ± 4.303/√3.
    const d = pairedDifference([2, 4, 6], [1, 2, 3], { resolution: 0 });
    expect(d.mean).toBe(2);
    expect(d.high - d.mean).toBeCloseTo(4.303 / Math.sqrt(3), 6);
    expect(d.withinNoise).toBe(true);
    expect(pairedDifference([2, 2.1, 2.2], [1, 1, 1], { resolution: 0 }).withinNoise).toBe(false);
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([1, 2], [1, 2])).toBeNaN();
  });
});

describe('buildLeaderboard on constructed records', () => {
  const smoke = {
    ...loadPreset('smoke'),
    evaluation: { ...loadPreset('smoke').evaluation, corruptions: 'cifar10-c-15' },
  };
  const preset = parsePreset(
    {
      ...smoke,
      methods: ['erm', 'mixup', 'mixup+sem', { sweep: 'mixup+sem', vary: { 'sem.weight': [10, 1e39] } }],
      seeds: [0, 1, 2],
    },
    'constructed',
  );
  const grid = planGrid(preset, DATA, COMPUTE);
  const job = (label: string, seed: number) => grid.jobs.find((j) => j.label === label && j.seed === seed) as GridJob;
  // One corruption at one severity, so a method's corruption accuracy is the value given.
  const fog = (label: string, seed: number, clean: number, acc: number, gap = 0.2) =>
    record(job(label, seed), clean, { fog: [acc] }, gap);
  const records = [
    fog('erm', 0, 0.9, 0.8, 0.3),
    fog('erm', 1, 0.9, 0.9, 0.3),
    fog('erm', 2, 0.9, 0.84, 0.3),
    fog('mixup', 0, 0.92, 0.9, 0.25),
    fog('mixup', 1, 0.92, 0.91, 0.25),
    fog('mixup', 2, 0.92, 0.92, 0.25),
    fog('mixup+sem', 0, 0.91, 0.85, 0.1),
    fog('mixup+sem', 1, 0.91, 0.855, 0.1),
    fog('mixup+sem', 2, 0.91, 0.87, 0.1),
    // β = 10: two of three seeds have records, the third was not run.
    fog('mixup+sem β=10', 0, 0.9, 0.84, 0.05),
    fog('mixup+sem β=10', 1, 0.9, 0.85, 0.05),
  ];
  const failures = [0, 1, 2].map((seed) => handMadeFailure(job('mixup+sem β=1e+39', seed)));
  const board = buildLeaderboard(grid, records, { failures, missing: [job('mixup+sem β=10', 2)] });

  it('ranks by the headline suite: 1 + the rows better outside noise', () => {
    // mixup leads mixup+sem by 5, 5.5 and 5 points and β = 10 by 6 and 6 (seeds 0, 1): outside noise, rank 2 each.
    // erm is within noise of every row (mixup − erm: +0.10, +0.01, +0.08): rank 1 with mixup, though its mean is
    // below mixup+sem's (the rule of the row above gave it 2: within noise of mixup+sem, which mixup beats).
    expect(board.rows.map((r) => [r.label, r.rank, r.outranked_by])).toEqual([
      ['mixup', 1, []],
      ['erm', 1, []],
      ['mixup+sem', 2, ['mixup']],
      ['mixup+sem β=10', 2, ['mixup']],
    ]);
    expect(board.rows[0].suites['cifar10-c-15'].corruption_acc.mean).toBeCloseTo(0.91, 12);
    expect(board.rows[0].suites['cifar10-c-15'].corruption_acc.std).toBeCloseTo(0.01, 12);
  });

  it('mCE pairs each seed with erm of the same seed', () => {
    // mixup seed 0: error 0.1 / erm's 0.2 = 0.5; seed 1: 0.09 / 0.1 = 0.9; seed 2: 0.08 / 0.16 = 0.5.
    const m = board.rows[0].suites['cifar10-c-15'].mce;
    expect(m?.mean).toBeCloseTo((0.5 + 0.9 + 0.5) / 3, 12);
    // Relative: seed 0: (0.1 − 0.08) / (0.2 − 0.1) = 0.2; seed 1: (0.09 − 0.08) / (0.1 − 0.1) → uninformative.
    expect(board.rows[0].suites['cifar10-c-15'].rel_mce).toBeNull();
    expect(board.rows[0].suites['cifar10-c-15'].rel_mce_uninformative).toEqual(['fog']);
  });

  it('SEM is compared with its base variant, paired over seeds', () => {
    expect(board.sem.map((c) => [c.label, c.baseline])).toEqual([
      ['mixup+sem', 'mixup'],
      ['mixup+sem β=10', 'mixup'],
    ]);
    const c = board.sem[0];
    expect(c.corruption_acc['cifar10-c-15'].mean).toBeCloseTo(-0.155 / 3, 12);
    expect(c.corruption_acc['cifar10-c-15'].withinNoise).toBe(false);
    expect(c.clean_acc.mean).toBeCloseTo(-0.01, 12);
    expect(c.equivariance_gap.mean).toBeCloseTo(-0.15, 12);
    // β = 10 has two seeds: the pairing uses those two only.
    expect(board.sem[1].corruption_acc['cifar10-c-15'].n).toBe(2);
  });

  it('the ablation table holds the base, each value, and the failed point as failed', () => {
    expect(board.ablation).toHaveLength(1);
    const t = board.ablation[0];
    expect([t.option, t.base]).toEqual(['sem.weight', 'mixup+sem']);
    expect(t.entries.map((e) => [e.value, e.label, e.row ? e.row.seeds.length : 'failed'])).toEqual([
      [0.1, 'mixup+sem', 3],
      [10, 'mixup+sem β=10', 2],
      [1e39, 'mixup+sem β=1e+39', 'failed'],
    ]);
    // β = 10 − base, seeds 0 and 1: −0.01 and −0.005.
    expect(t.entries[1].vs_base?.corruption_acc['cifar10-c-15'].mean).toBeCloseTo(-0.0075, 12);
    expect(board.failedLabels).toEqual(['mixup+sem β=1e+39']);
  });

  it('the Markdown marks incomplete rows, n = 1, failed rows, and says what the numbers show', () => {
    const md = leaderboardMarkdown(board, 'semix bench --preset constructed');
    expect(md).toContain('| 2 = | mixup+sem β=10 ⚠ incomplete: 2 of 3 seeds (1 not run) | 2 |');
    expect(md).toMatch(
      /\| – \| mixup\+sem β=1e\+39 \| 0 of 3 \| \*\*failed\*\* \(diverged at step 0: ce=2\.3, sem=non-finite, total=non-finite\) \|/,
    );
    expect(md).toContain('— ¹');
    expect(md).toContain(
      '¹ Relative mCE is not shown: the baseline loses less than 1 point of accuracy per severity on cifar10-c-15/fog',
    );
    expect(md).toContain(
      "Ranked by mean corruption accuracy on `cifar10-c-15`: a method's rank is 1 + the number of methods better than it outside noise",
    );
    expect(md).toContain('![corruption accuracy against equivariance gap](ablation.svg)');
    // A difference the same on every seed (10 of the 1000 images on each) gets the rounding floor's interval:
    // ±4.303 · √(2/12) / √3 = ±1.01 images, and says so. Its t = 10 / (√(2/12) / √3) = 42.4 on 2 df: p = 1 −
    // t / √(2 + t²) = 0.00056; in the SEM table's six tests two gaps (no spread, p = 0) come first, so Holm's p is
    // 4 · 0.00056 = 0.0022. MDE at α / 6: (t_{1 − 0.05/12} + t_{0.8}) · se = (10.886 + 1.061) · 0.0236 pp = 0.28 pp.
    expect(md).toContain('-1.00 pp [-1.10, -0.90] (worse, n=3, rounding floor; Holm p 0.002, MDE 0.28 pp)');
    // mixup+sem − mixup: −0.05, −0.055, −0.05 on the suite; β = 10 − mixup on seeds 0 and 1: −0.06 and −0.06; clean
    // −0.01 on every seed (−0.02 for β = 10), outside noise under the floor as under t on seeds a hair apart.
    expect(board.reading[0]).toBe(
      'SEM against its base variant (mixup+sem vs mixup, mixup+sem β=10 vs mixup): on cifar10-c-15 corruption accuracy: mixup+sem vs mixup -5.17 pp [-5.88, -4.45] (worse); mixup+sem β=10 vs mixup -6.00 pp [-6.37, -5.63] (worse); on clean accuracy: mixup+sem vs mixup -1.00 pp [-1.10, -0.90] (worse); mixup+sem β=10 vs mixup -2.00 pp [-2.37, -1.63] (worse).',
    );
    // β = 10 − base (mixup+sem) on seeds 0, 1: −0.01, −0.005 on the suite (t(1) = 12.7: not a difference, and far
    // from within ±1 pp: inconclusive); clean −0.01, −0.01: the floor's ±12.706 · √(2/12) / √2 = ±3.7 images.
    expect(board.reading[3]).toBe(
      'sem.weight against mixup+sem: on cifar10-c-15 corruption accuracy: all inconclusive; on clean accuracy: mixup+sem β=10 -1.00 pp [-1.37, -0.63] (worse); failed: mixup+sem β=1e+39.',
    );
    // Every result outside noise is named, the equivariance gap's too: the same gap on every seed (a metric that is
    // not counted: no floor) is certain, −0.15 for mixup+sem and −0.2 for β = 10 against mixup, −0.05 for β = 10
    // against its base. The suite's one corruption at one severity is the suite's own difference.
    expect(board.reading[1]).toBe(
      'SEM against its base variant, equivariance gap: mixup+sem vs mixup -0.1500 [-0.1500, -0.1500] (lower); mixup+sem β=10 vs mixup -0.2000 [-0.2000, -0.2000] (lower).',
    );
    expect(board.reading[2]).toBe(
      "Per corruption, outside noise (Holm over each comparison's corruptions on a suite): mixup+sem vs mixup on cifar10-c-15: fog -5.17 pp [-5.88, -4.45] (worse); mixup+sem β=10 vs mixup on cifar10-c-15: fog -6.00 pp [-6.37, -5.63] (worse).",
    );
    expect(board.reading[4]).toBe(
      'sem.weight against mixup+sem, equivariance gap: mixup+sem β=10 vs mixup+sem -0.0500 [-0.0500, -0.0500] (lower).',
    );
  });

  it('a single seed is shown as n=1, never as ± 0.00', () => {
    const one = parsePreset({ ...smoke, methods: ['erm'] }, 'one');
    const g = planGrid(one, DATA, COMPUTE);
    const b = buildLeaderboard(g, [record(g.jobs[0], 0.9, { fog: [0.8] })]);
    const md = leaderboardMarkdown(b, 'x');
    expect(md).toContain('| 1 | erm | 1 | 90.00 (n=1) | 80.00 (n=1) |');
    expect(md).not.toContain('± 0.00');
  });

  it('writing a board removes the charts of an earlier state it no longer draws, and nothing else', async () => {
    const one = parsePreset({ ...smoke, methods: ['erm'] }, 'one');
    const g = planGrid(one, DATA, COMPUTE);
    const b = buildLeaderboard(g, [record(g.jobs[0], 0.9, { fog: [0.8] })]);
    const out = await mkdtemp(join(tmpdir(), 'semix-charts-'));
    // An earlier state's: a severity chart (it had several severities), another suite, an ablation; and a user's file.
    const earlier = ['severity-cifar10-c-15.svg', 'corruptions-mnist-c.svg', 'ablation.svg'];
    for (const name of [...earlier, 'notes.svg']) await writeFile(join(out, name), '<svg/>');
    const files = await writeLeaderboard(out, b, 'x');
    expect(files.map((f) => basename(f))).toContain('corruptions-cifar10-c-15.svg');
    expect((await readdir(out)).sort()).toEqual(
      ['corruptions-cifar10-c-15.svg', 'leaderboard.json', 'leaderboard.md', 'notes.svg', 'report.html'].sort(),
    );
    await rm(out, { recursive: true, force: true });
  });
});

describe('ranks on constructed records', () => {
  const smoke = {
    ...loadPreset('smoke'),
    evaluation: { ...loadPreset('smoke').evaluation, corruptions: 'cifar10-c-15' },
  };
  /** A board of the given methods over seeds 0–2, each row's corruption accuracy per seed as given. */
  const boardOf = (methods: unknown[], acc: Record<string, number[]>) => {
    const preset = parsePreset({ ...smoke, methods, seeds: [0, 1, 2] }, 'ranks');
    const grid = planGrid(preset, DATA, COMPUTE);
    const records = grid.jobs.filter((j) => acc[j.label]).map((j) => record(j, 0.95, { fog: [acc[j.label][j.seed]] }));
    return buildLeaderboard(grid, records);
  };
  const ranks = (b: Leaderboard) => b.rows.map((r) => [r.label, r.rank]);

  /** Every paired verdict the board prints on the ranking metric, against the two rows' ranks. */
  const contradictions = (b: Leaderboard) =>
    [...b.sem, ...b.ablation.flatMap((t) => t.entries.flatMap((e) => (e.vs_base ? [e.vs_base] : [])))]
      .map((c) => {
        const d = c.corruption_acc[b.headline as string];
        const rank = (l: string) => b.rows.find((r) => r.label === l)?.rank as number;
        const [mine, theirs] = [rank(c.label), rank(c.baseline)];
        const ok = d.withinNoise || (d.mean < 0 ? mine > theirs : mine < theirs);
        return ok ? null : `${c.label} (rank ${mine}) vs ${c.baseline} (rank ${theirs}): ${d.mean}`;
      })
      .filter((x) => x !== null);

  it('a row is not tied to one better than it by a chain of rows within noise', () => {
    // mixup − erm: +0.04, −0.02, +0.04 and erm − cutmix: −0.01, +0.05, −0.01, both within noise; mixup − cutmix:
    // +0.03 on every seed, outside noise (the rounding floor on 1000 images: ±0.001). Compared with the row above
    // only, cutmix shared erm's rank and so mixup's, 1; mixup is better than it: rank 2.
    const b = boardOf(['erm', 'mixup', 'cutmix'], {
      mixup: [0.9, 0.91, 0.92],
      erm: [0.86, 0.93, 0.88],
      cutmix: [0.87, 0.88, 0.89],
    });
    expect(ranks(b)).toEqual([
      ['mixup', 1],
      ['erm', 1],
      ['cutmix', 2],
    ]);
    expect(b.rows[2].outranked_by).toEqual(['mixup']);
  });

  it('a row below a tie counts the rows better than it, not its position', () => {
    // erm − cutmix: +0.02, +0.02, +0.015, outside noise; mixup, noisy, is within noise of both. Cutmix was 3 (its
    // place in the table); one row is better than it: 2.
    const b = boardOf(['erm', 'mixup', 'cutmix'], {
      mixup: [0.95, 0.85, 0.93],
      erm: [0.9, 0.9, 0.9],
      cutmix: [0.88, 0.88, 0.885],
    });
    expect(ranks(b)).toEqual([
      ['mixup', 1],
      ['erm', 1],
      ['cutmix', 2],
    ]);
    expect(leaderboardMarkdown(b, 'x')).toContain('| 1 = | mixup |');
    expect(leaderboardMarkdown(b, 'x')).toContain('| 2 | cutmix |');
  });

  it('no rank contradicts a paired verdict the board prints (as the sem-ablation board did)', () => {
    // β = 10 is worse than mixup on every seed (−0.02, outside noise, in the SEM and the reading), but within noise
    // of mixup+sem and erm, which are within noise of mixup: the row-above rule gave all four rank 1.
    const b = boardOf(['erm', 'mixup', 'mixup+sem', { sweep: 'mixup+sem', vary: { 'sem.weight': [10] } }], {
      erm: [0.95, 0.8, 0.9],
      mixup: [0.87, 0.88, 0.89],
      'mixup+sem': [0.86, 0.9, 0.84],
      'mixup+sem β=10': [0.85, 0.86, 0.87],
    });
    const semBeta10 = b.sem.find((c) => c.label === 'mixup+sem β=10');
    expect(semBeta10?.corruption_acc['cifar10-c-15']).toMatchObject({ withinNoise: false });
    expect(b.reading[0]).toContain('mixup+sem β=10 vs mixup -2.00 pp');
    expect(ranks(b)).toEqual([
      ['erm', 1],
      ['mixup', 1],
      ['mixup+sem', 1],
      ['mixup+sem β=10', 2],
    ]);
    expect(contradictions(b)).toEqual([]);
  });
});

describe('verdicts on constructed records: better, worse, equivalent, inconclusive', () => {
  const smoke = {
    ...loadPreset('smoke'),
    evaluation: { ...loadPreset('smoke').evaluation, corruptions: 'cifar10-c-15' },
  };
  const methods = ['mixup', 'mixup+sem', 'cutmix', 'cutmix+sem', 'fmix', 'fmix+sem', 'resizemix', 'resizemix+sem'];
  /** Every base X at clean 0.9 and suite 0.8 on seeds 0–2; each X+sem's suite accuracy per seed as given. */
  const semAcc: Record<string, number[]> = {
    'mixup+sem': [0.849, 0.85, 0.851],
    'cutmix+sem': [0.751, 0.75, 0.749],
    'fmix+sem': [0.801, 0.8, 0.799],
    'resizemix+sem': [0.83, 0.77, 0.8],
  };
  const boardWith = (report?: { equivalenceMargin: number }) => {
    const preset = parsePreset({ ...smoke, methods, seeds: [0, 1, 2], ...(report ? { report } : {}) }, 'verdicts');
    const grid = planGrid(preset, DATA, COMPUTE);
    const records = grid.jobs.map((j) => record(j, 0.9, { fog: [semAcc[j.label]?.[j.seed] ?? 0.8] }));
    return buildLeaderboard(grid, records);
  };
  const board = boardWith();
  const verdicts = (b: Leaderboard) =>
    Object.fromEntries(b.sem.map((c) => [c.label, [c.corruption_acc['cifar10-c-15'].verdict, c.clean_acc.verdict]]));

  it('the SEM table is one family of 12 tests; each verdict where its p-values put it', () => {
    // Suite: mixup+sem +5 pp, s = 0.1 pp (t = 50√3 on 2 df); cutmix+sem −5 pp likewise; fmix+sem 0, s = 0.1 pp;
    // resizemix+sem 0, s = 3 pp. Clean accuracy the same on every seed (the rounding floor), the gap too (p = 1).
    expect(board.sem_family).toEqual({ tests: 12, equivalence_tests: 8 });
    expect(verdicts(board)).toEqual({
      'mixup+sem': ['better', 'equivalent'],
      'cutmix+sem': ['worse', 'equivalent'],
      'fmix+sem': ['equivalent', 'equivalent'],
      'resizemix+sem': ['inconclusive', 'equivalent'],
    });
    // Holm by hand: mixup's and cutmix's suite p (1 − t / √(2 + t²) = 1.33e-4) are the family's smallest, the other
    // ten are 1: 12 · p.
    const t = 50 * Math.sqrt(3);
    const mixup = board.sem.find((c) => c.label === 'mixup+sem') as (typeof board.sem)[number];
    expect(mixup.corruption_acc['cifar10-c-15'].p_holm).toBeCloseTo(12 * (1 - t / Math.sqrt(2 + t * t)), 8);
    // fmix's TOST: (1 − 0) pp / (0.1 / √3) pp = 17.32 on each side, p = ½ − t / (2√(2 + t²)); Holm: the four clean
    // accuracies' p (t = 42.4 under the floor) come first, then fmix's · 4.
    const fmix = board.sem.find((c) => c.label === 'fmix+sem') as (typeof board.sem)[number];
    const tEq = 0.01 / (0.001 / Math.sqrt(3));
    expect(fmix.corruption_acc['cifar10-c-15'].p_equivalence_holm).toBeCloseTo(
      4 * (0.5 - tEq / (2 * Math.sqrt(2 + tEq * tEq))),
      8,
    );
    expect(board.alpha).toBe(0.05);
    expect(board.equivalence_margin).toBe(0.01);
  });

  it('the Markdown and the reading say each verdict in the same words (rows in rank order)', () => {
    const md = leaderboardMarkdown(board, 'x');
    // Clean accuracy, the same on every seed: the floor's interval ±4.303 · √(2/12) / √3 = ±0.10 pp, equivalent.
    expect(md).toContain('| mixup+sem | mixup | +0.00 pp [-0.10, 0.10] (equivalent, n=3, rounding floor; Holm p 1.000');
    // MDE at α / 12 on 2 df: (t_{1 − 0.05/24} + t_{0.8}) · se = (15.443 + 1.061) · 0.0577 pp = 0.95 pp (se 0.1 / √3
    // pp); resizemix's se is 3 / √3 pp: 28.59 pp.
    expect(md).toContain('+5.00 pp [4.75, 5.25] (better, n=3; Holm p 0.002, MDE 0.95 pp)');
    expect(md).toContain('-5.00 pp [-5.25, -4.75] (worse, n=3; Holm p 0.002, MDE 0.95 pp)');
    expect(md).toContain('+0.00 pp [-0.25, 0.25] (equivalent, n=3; Holm p 1.000, MDE 0.95 pp)');
    expect(md).toMatch(/[-+]0\.00 pp \[-7\.45, 7\.45\] \(inconclusive, n=3; Holm p 1\.000, MDE 28\.59 pp\)/);
    expect(md).toContain("Family: this table's 12 difference tests (SEM variants against their base");
    expect(board.reading[0]).toBe(
      'SEM against its base variant (mixup+sem vs mixup, resizemix+sem vs resizemix, fmix+sem vs fmix, cutmix+sem vs cutmix): on cifar10-c-15 corruption accuracy: mixup+sem vs mixup +5.00 pp [4.75, 5.25] (better); cutmix+sem vs cutmix -5.00 pp [-5.25, -4.75] (worse); equivalent within ±1 pp: fmix+sem vs fmix; the other 1 inconclusive; on clean accuracy: all equivalent within ±1 pp.',
    );
  });

  it("the preset's margin: ±0.05 pp is narrower than fmix's spread allows; a bad margin is refused by name", () => {
    const narrow = boardWith({ equivalenceMargin: 0.05 });
    expect(narrow.equivalence_margin).toBeCloseTo(0.0005, 15);
    expect(verdicts(narrow)['fmix+sem']).toEqual(['inconclusive', 'inconclusive']);
    expect(leaderboardMarkdown(narrow, 'x')).toContain('within ±0.05 pp');
    expect(() => parsePreset({ ...smoke, methods: ['erm'], report: { equivalenceMargin: -1 } }, 'bad margin')).toThrow(
      /report\.equivalenceMargin/,
    );
  });
});

describe('controls against erm, and the A/A rate', () => {
  const smoke = {
    ...loadPreset('smoke'),
    evaluation: { ...loadPreset('smoke').evaluation, corruptions: 'cifar10-c-15' },
  };
  const planned = planGrid(
    parsePreset({ ...smoke, methods: ['erm', 'mixup', 'noise'], seeds: [0, 1, 2] }, 'controls'),
    DATA,
    COMPUTE,
  );
  // The A/A row: erm again under the marker, as jobs of its own (a preset cannot list erm twice with the same options).
  const aa = planned.jobs.filter((j) => j.label === 'erm').map((j) => ({ ...j, id: `${j.id}-aa`, label: 'erm (A/A)' }));
  const grid = { ...planned, jobs: [...planned.jobs, ...aa] };
  const acc: Record<string, number[]> = {
    erm: [0.8, 0.9, 0.84],
    'erm (A/A)': [0.81, 0.88, 0.85],
    noise: [0.85, 0.95, 0.89],
    mixup: [0.8, 0.9, 0.84],
  };
  // Each record under its job's id (a hand-made record takes the id of its identity, which the A/A jobs share).
  const records = grid.jobs.map((j) => ({ ...record(j, 0.9, { fog: [acc[j.label][j.seed]] }), job_id: j.id }));
  const board = buildLeaderboard(grid, records);

  it('compares the positive control and the A/A row with erm in a table of their own', () => {
    expect(board.controls.map((c) => [c.label, c.baseline]).sort()).toEqual([
      ['erm (A/A)', 'erm'],
      ['noise', 'erm'],
    ]);
    const byLabel = Object.fromEntries(board.controls.map((c) => [c.label, c.corruption_acc['cifar10-c-15'].verdict]));
    // noise − erm: +5 pp on every seed (the floor: t = 212 on 2 df); A/A − erm: +1, −2, +1 pp.
    expect(byLabel).toEqual({ noise: 'better', 'erm (A/A)': 'inconclusive' });
    expect(board.controls_family).toEqual({ tests: 6, equivalence_tests: 4 });
    // Neither is an SEM pair nor an ablation entry.
    expect(board.sem).toEqual([]);
    expect(board.ablation).toEqual([]);
  });

  it('counts the A/A tests that came out significant, and says so first in the reading after the controls', () => {
    expect(board.aa).toEqual({ labels: ['erm (A/A)'], tests: 3, significant: 0, significant_holm: 0 });
    expect(board.reading[0]).toMatch(
      /^Controls against erm \(.*noise vs erm.*\): on cifar10-c-15 corruption accuracy: noise vs erm \+5\.00 pp/,
    );
    // Every row's gap is the records' 0.2: no difference, so inconclusive, and said so.
    expect(board.reading[1]).toBe('Controls against erm, equivariance gap: all inconclusive.');
    expect(board.reading[2]).toBe(
      "A/A controls (erm (A/A)): 0 of 3 difference tests significant at α = 0.05 before correction (0%; about 5% expected by chance), 0 after Holm's correction in their table.",
    );
    const md = leaderboardMarkdown(board, 'x');
    expect(md).toContain('## Controls against erm (control − erm, paired over seeds)');
    expect(md.indexOf('## Controls against erm')).toBeLessThan(md.indexOf('## Does SEM help?'));
  });

  it('a board without an A/A row has no A/A rate (and its positive control still has its table)', () => {
    const plain = buildLeaderboard(
      planned,
      records.filter((r) => planned.jobs.some((j) => j.id === r.job_id)),
    );
    expect(plain.aa).toBeNull();
    expect(plain.controls.map((c) => c.label)).toEqual(['noise']);
  });
});
