/**
 * The one formatter of verdicts: the rule that names a paired comparison's verdict, the text of its interval, and
 * the captions that say which family and level the verdicts are at, for leaderboard.md, the terminal table, the
 * reading's sentences and the report page alike. Plain functions over the board's data, no Node built-ins, so the
 * page's script can import them too.
 */
import type { PairedDifference } from './stats';
import type { AaRate, Family, Leaderboard, PairedTest, Verdict } from './types';

/**
 * How a metric's difference is read: `accuracy` (higher is better, with an equivalence margin: better / worse /
 * equivalent / inconclusive) or `direction` (a measure with no better side and no margin, such as the
 * equivariance gap: higher / lower / inconclusive).
 */
export type MetricSense = 'accuracy' | 'direction';

/** The unit a difference is printed in: `pp` (an accuracy, as percentage points) or '' (a raw value). */
export type DifferenceUnit = 'pp' | '';

/**
 * The verdict of a tested difference at level `alpha`: a difference where Holm's p is below α (its sign says which
 * way), else equivalence where the Holm-adjusted equivalence p is below α (accuracies only), else inconclusive.
 * Fewer than 2 pairs (no p) is inconclusive.
 */
export function verdictOf(
  t: Pick<PairedTest, 'mean' | 'p_holm' | 'p_equivalence_holm'>,
  alpha: number,
  sense: MetricSense,
): Verdict {
  if (t.p_holm < alpha) {
    if (sense === 'accuracy') return t.mean > 0 ? 'better' : 'worse';
    return t.mean > 0 ? 'higher' : 'lower';
  }
  if (sense === 'accuracy' && t.p_equivalence_holm !== null && t.p_equivalence_holm < alpha) return 'equivalent';
  return 'inconclusive';
}

/**
 * Each verdict's colour, where the page colours a comparison's cell and the SEM chart its mark: a difference green
 * (better) or red (worse), equivalence blue, inconclusive grey; the gap's higher / lower, which have no better side,
 * one neutral colour.
 */
export const VERDICT_COLORS: Readonly<Record<Verdict, string>> = {
  better: '#1a7f37',
  worse: '#c0392b',
  equivalent: '#1f5fbf',
  inconclusive: '#777777',
  higher: '#8a4fb0',
  lower: '#8a4fb0',
};

/** A value in the unit: percentage points with two decimals, or a raw value (the gap, about 0.01) with four. */
const inUnit = (v: number, unit: DifferenceUnit) => (unit === 'pp' ? (100 * v).toFixed(2) : v.toFixed(4));

/** The difference and its 95% interval: `+0.12 pp [-1.95, 2.19]`; no interval with fewer than 2 pairs. */
export function differenceInterval(d: PairedDifference, unit: DifferenceUnit = 'pp'): string {
  const f = (v: number) => inUnit(v, unit);
  return `${d.mean >= 0 ? '+' : ''}${f(d.mean)}${unit ? ` ${unit}` : ''}${d.n >= 2 ? ` [${f(d.low)}, ${f(d.high)}]` : ''}`;
}

/** A p-value: three decimals, or `<0.001`. */
export function pValueText(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/**
 * A comparison's table cell: the difference, its 95% interval and, in parentheses, its verdict, the pairs it is
 * over, whether the rounding floor set the interval's width, Holm's p and the smallest detectable difference.
 */
export function differenceCell(t: PairedTest | undefined, unit: DifferenceUnit = 'pp'): string {
  if (!t || t.n === 0) return 'n/a';
  if (t.n < 2) return `${differenceInterval(t, unit)} (one seed: no interval, n=${t.n})`;
  const mde = Number.isFinite(t.mde) ? `, MDE ${inUnit(t.mde, unit)}${unit ? ` ${unit}` : ''}` : '';
  return `${differenceInterval(t, unit)} (${t.verdict}, n=${t.n}${t.floored ? ', rounding floor' : ''}; Holm p ${pValueText(t.p_holm)}${mde})`;
}

/** The margin as the tables print it: `±1 pp`. */
export const marginText = (margin: number) => `±${Number((100 * margin).toPrecision(6))} pp`;

/**
 * A table's caption: its family, the level, the equivalence margin, and what the interval and MDE are. `rows`
 * names what the table's rows are (e.g. "SEM variants against their base").
 */
export function familyCaption(family: Family, alpha: number, margin: number, rows: string): string {
  return [
    `Family: this table's ${family.tests} difference tests (${rows}: clean accuracy, each suite, the equivariance gap), Holm-corrected at α = ${alpha};`,
    `verdicts *better* / *worse* (accuracy) or *higher* / *lower* (gap) where Holm's p < α; *equivalent* where two one-sided t-tests put the difference within ${marginText(margin)} (Holm-corrected over its ${family.equivalence_tests} accuracy tests at α = ${alpha}); else *inconclusive*.`,
    `The interval is each difference's own 95% t-interval, before correction. MDE: the smallest true difference the comparison detects with 80% power at α / ${family.tests}, from the observed spread of its paired differences.`,
  ].join(' ');
}

/** The A/A controls' false positives in one sentence. */
export function aaText(aa: AaRate, alpha: number): string {
  const share = aa.tests
    ? ` (${((100 * aa.significant) / aa.tests).toFixed(0)}%; about ${100 * alpha}% expected by chance)`
    : '';
  return `A/A controls (${aa.labels.join(', ')}): ${aa.significant} of ${aa.tests} difference tests significant at α = ${alpha} before correction${share}, ${aa.significant_holm} after Holm's correction in their table.`;
}

/**
 * What the controls table is for: the positive controls must come out better than erm, and an A/A row (its label
 * ending in `aaMarker`, family.ts's AA_MARKER, passed in because family.ts imports this module) finds only false
 * positives.
 */
export function controlsNote(aaMarker: string): string {
  return `AugMix and noise augmentation are positive controls (known to add robustness): a benchmark that cannot find them better than erm cannot see an effect. An A/A row (label ending in \`${aaMarker.trim()}\`) runs a method again on an independent seed stream and is compared with its twin: every difference it finds is a false positive.`;
}

/** What the *rounding floor* of a cell means, under the tables whose cells may say so. */
/** The rounding floor's note, naming the images the board was evaluated on (test, or validation). */
export const roundingFloorNote = (images: 'test' | 'validation' = 'test'): string =>
  `An accuracy is a count over N ${images} images, so a difference is never taken as surer than rounding to whole images makes it: where the seeds spread less (the same difference on every seed, say), the variance is that rounding’s, 2 · (1/N)² / 12 (*rounding floor*), in the interval, the t-test, the equivalence tests and the MDE alike. One image on each of 3 seeds is then no difference, a seed that differs by a hair does not flip a verdict, and no difference is certain to lie within the margin.`;

/**
 * The footnote of the `— ¹` cells: the suite/corruption pairs on which the baseline loses too little accuracy for a
 * relative CE to mean anything; null when no row has one.
 */
export function relativeMceFootnote(board: Pick<Leaderboard, 'rows' | 'suites'>): string | null {
  const uninformative = [
    ...new Set(
      board.rows.flatMap((r) => board.suites.flatMap((s) => r.suites[s].rel_mce_uninformative.map((c) => `${s}/${c}`))),
    ),
  ];
  return uninformative.length
    ? `¹ Relative mCE is not shown: the baseline loses less than 1 point of accuracy per severity on ${uninformative.join(', ')}, so those ratios divide noise by noise.`
    : null;
}

/**
 * How the rows are ranked, in words: by the headline suite's corruption accuracy (clean accuracy without one), rank
 * = 1 + the rows better outside noise by the uncorrected 95% interval (ranks.ts).
 */
export function rankingRule(headline: string | null): string {
  return `Ranked by ${headline ? `mean corruption accuracy on \`${headline}\`` : 'clean accuracy'}: a method's rank is 1 + the number of methods better than it outside noise (every pair, paired over their common seeds by the 95% interval of the comparisons below; better than one that is better counts too), so methods that share a rank (marked =) are within noise of each other.`;
}

/**
 * A per-corruption effect in a compact cell, in percentage points without the unit: `+1.20 [-0.30, 2.70]`, `≈ `
 * before it where equivalent within the margin; one seed: `+1.20 (n=1)`; no pairs: `n/a`. The verdict's other
 * marks are the medium's: leaderboard.md bolds better / worse (effectMarkdown), the page colours the cell.
 */
export function effectText(t: PairedTest | undefined): string {
  if (!t || t.n === 0) return 'n/a';
  const f = (v: number) => inUnit(v, 'pp');
  const d = `${t.mean >= 0 ? '+' : ''}${f(t.mean)}${t.n >= 2 ? ` [${f(t.low)}, ${f(t.high)}]` : ` (n=${t.n})`}`;
  return t.verdict === 'equivalent' ? `≈ ${d}` : d;
}

/** effectText as leaderboard.md writes it: bold where the verdict is better or worse. */
export function effectMarkdown(t: PairedTest | undefined): string {
  const text = effectText(t);
  return t && (t.verdict === 'better' || t.verdict === 'worse') ? `**${text}**` : text;
}

/**
 * The caption of a suite's per-corruption table: what a cell is, Holm's family (one comparison's corruptions on
 * the suite), the marks (leaderboard.md's bold, or the page's colours: `medium`), and where the per-severity detail
 * is (`severities` > 1).
 */
export function effectsCaption(
  suite: string,
  corruptions: number,
  severities: number,
  alpha: number,
  margin: number,
  medium: 'markdown' | 'page' = 'markdown',
): string {
  const averaged = severities > 1 ? `, the mean over its ${severities} severities on each seed` : '';
  const detail =
    severities > 1
      ? ` Per severity (${corruptions} × ${severities} = ${corruptions * severities} effects a comparison, Holm over those) the effects are in leaderboard.json and report.html: a table of them here would have ${corruptions * severities} rows.`
      : '';
  return [
    `Each cell: row − baseline in accuracy on one corruption of \`${suite}\` (pp${averaged}), paired over the seeds both have, and its 95% t-interval before correction.`,
    `Holm's family is one column: that comparison's ${corruptions} corruptions on \`${suite}\`, at α = ${alpha}. ${medium === 'markdown' ? 'Bold' : 'Green / red'}: *better* / *worse* (Holm's p < α); ≈${medium === 'markdown' ? '' : ', blue'}: *equivalent* within ${marginText(margin)} (two one-sided t-tests, Holm over the same ${corruptions}); ${medium === 'markdown' ? 'plain' : 'grey'}: *inconclusive*.${detail}`,
  ].join(' ');
}
