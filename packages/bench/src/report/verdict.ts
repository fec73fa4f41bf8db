/**
 * The one formatter of verdicts: the words a paired comparison is given and the text of its interval, for
 * leaderboard.md, the terminal table, the reading's sentences and the report page alike. Plain functions over
 * PairedDifference, no Node built-ins, so the page's script can import them too.
 */
import type { PairedDifference } from './stats';

/**
 * How a metric's difference is read: `accuracy` (higher is better: better / worse) or `direction` (a measure with
 * no better side, such as the equivariance gap: higher / lower).
 */
export type MetricSense = 'accuracy' | 'direction';

/** The unit a difference is printed in: `pp` (an accuracy, as percentage points) or '' (a raw value). */
export type DifferenceUnit = 'pp' | '';

/** The verdict word of a difference: within noise, or which way it points outside noise. */
export function verdictWord(d: PairedDifference, sense: MetricSense): string {
  if (d.withinNoise) return 'within noise';
  if (sense === 'accuracy') return d.mean > 0 ? 'better' : 'worse';
  return d.mean > 0 ? 'higher' : 'lower';
}

/** The difference and its 95% interval: `+0.12 pp [-1.95, 2.19]`; no interval with fewer than 2 pairs. */
export function differenceInterval(d: PairedDifference, unit: DifferenceUnit = 'pp'): string {
  const scale = unit === 'pp' ? 100 : 1;
  // '' is the angular equivariance gap, about 0.01 (1 − cos): four decimals.
  const f = (v: number) => (scale * v).toFixed(unit === 'pp' ? 2 : 4);
  return `${d.mean >= 0 ? '+' : ''}${f(d.mean)}${unit ? ` ${unit}` : ''}${d.n >= 2 ? ` [${f(d.low)}, ${f(d.high)}]` : ''}`;
}

/**
 * A comparison's table cell: the difference, its interval and, in parentheses, its verdict, the pairs it is over
 * and whether the rounding floor set the interval's width.
 */
export function differenceCell(
  d: PairedDifference | undefined,
  unit: DifferenceUnit = 'pp',
  sense: MetricSense = 'direction',
): string {
  if (!d || d.n === 0) return 'n/a';
  const verdict = d.n < 2 ? 'one seed: no interval' : verdictWord(d, sense);
  return `${differenceInterval(d, unit)} (${verdict}, n=${d.n}${d.floored ? ', rounding floor' : ''})`;
}
