/**
 * The charts' scales: ticks on round numbers (linear and logarithmic), their labels, and the dodge that sets the
 * methods side by side at one position so that no two marks or intervals overlap. Pure functions of numbers.
 */

/** The steps an axis ticks at, per decade: 1, 2 or 5 × 10^k. */
const STEPS = [1, 2, 5, 10];

/**
 * The round step (1, 2 or 5 × 10^k) that cuts [lo, hi] into about `count` intervals, the smallest such step not
 * below (hi − lo) / count.
 */
export function niceStep(lo: number, hi: number, count = 5): number {
  if (!(Number.isFinite(lo) && Number.isFinite(hi)) || hi <= lo)
    throw new Error(`niceStep: lo ${lo} and hi ${hi} must be finite with lo < hi`);
  if (!(Number.isInteger(count) && count >= 1)) throw new Error(`niceStep: count ${count} must be an integer ≥ 1`);
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  // magnitude ≤ raw < 10 · magnitude, so the last step always qualifies.
  return STEPS.map((m) => m * magnitude).find((s) => s >= raw * (1 - 1e-12)) ?? 10 * magnitude;
}

/**
 * Ticks on round steps (1, 2 or 5 × 10^k) inside [lo, hi], about `count` intervals apart, so an axis reads 0.5, 1,
 * 1.5 rather than thirds of its range. [lo] where the range is empty.
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi)) || hi <= lo) return [lo];
  const step = niceStep(lo, hi, count);
  return multiples(Math.ceil(lo / step - 1e-9), Math.floor(hi / step + 1e-9), step);
}

/** Integer multiples k·step for k in [from, to], rounded to the step's decimals so 0.30000000000000004 never shows. */
function multiples(from: number, to: number, step: number): number[] {
  const digits = stepDigits(step);
  const ticks: number[] = [];
  for (let k = from; k <= to; k++) ticks.push(Number((k * step).toFixed(digits)));
  return ticks;
}

/** The decimals a step needs: 0 for 5 or 20, 1 for 0.5, 2 for 0.05. */
function stepDigits(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

export interface Domain {
  lo: number;
  hi: number;
  ticks: number[];
  step: number;
}

/**
 * An axis that holds every finite value, widened to the round ticks around them so the axis starts and ends on a
 * labelled tick. One value (or none finite) gets a unit around it (or [0, 1]). `clamp` bounds the domain (accuracy
 * never leaves [0, 100] %).
 */
export function niceDomain(values: readonly number[], count = 5, clamp?: [number, number]): Domain {
  const finite = values.filter(Number.isFinite);
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (hi <= lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.05;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(lo, hi, count);
  lo = Math.floor(lo / step + 1e-9) * step;
  hi = Math.ceil(hi / step - 1e-9) * step;
  if (clamp) {
    lo = Math.max(clamp[0], lo);
    hi = Math.min(clamp[1], hi);
  }
  const from = Math.round(lo / step);
  const to = Math.round(hi / step);
  const ticks = multiples(from, to, step);
  return { lo: ticks[0], hi: ticks[ticks.length - 1], ticks, step };
}

/** A tick's label with as many decimals as its step has: 75, 77.5, 0.005 (never 77.50 or 0.30000000000000004). */
export function tickLabel(value: number, step: number): string {
  return value.toFixed(stepDigits(step));
}

/**
 * Ticks of a logarithmic axis over [lo, hi] (both > 0): the powers of ten around the values, widened to whole
 * decades; within two decades also 2 and 5 × 10^k, so a narrow range still has labels.
 */
export function logTicks(lo: number, hi: number): { lo: number; hi: number; ticks: number[] } {
  if (!(lo > 0 && hi > 0 && Number.isFinite(lo) && Number.isFinite(hi)) || hi < lo)
    throw new Error(`logTicks: lo ${lo} and hi ${hi} must be finite, positive, with lo ≤ hi`);
  const first = Math.floor(Math.log10(lo) + 1e-9);
  const last = Math.max(first + 1, Math.ceil(Math.log10(hi) - 1e-9));
  const mantissas = last - first <= 2 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = first; e <= last; e++)
    for (const m of mantissas) if (e < last || m === 1) ticks.push(Number((m * 10 ** e).toPrecision(1)));
  const power = (e: number) => Number((10 ** e).toPrecision(1));
  return { lo: power(first), hi: power(last), ticks };
}

/** A log-axis tick's label: 0.001, 0.02, 1, 10 (plain decimals, never 1e-3). */
export function logTickLabel(value: number): string {
  return value >= 1 ? String(value) : value.toFixed(Math.max(0, -Math.floor(Math.log10(value) + 1e-9)));
}

/**
 * Offsets of `count` marks set side by side around one position, `step` apart and centred on it (−step/2, +step/2
 * for two). Marks `step` apart never overlap when step is at least a mark's width.
 */
export function dodge(count: number, step: number): number[] {
  if (!(Number.isInteger(count) && count >= 0)) throw new Error(`dodge: count ${count} must be an integer ≥ 0`);
  return Array.from({ length: count }, (_, i) => (i - (count - 1) / 2) * step);
}

/**
 * The band one position needs to dodge `count` marks at `step` apart, with `padding` between bands: charts size
 * themselves from this, so a board with more methods gets a wider chart, never overlapping marks.
 */
export const dodgeBand = (count: number, step: number, padding: number) => Math.max(1, count) * step + padding;
