import { describe, expect, it } from 'vitest';
import { dodge, dodgeBand, logTickLabel, logTicks, niceDomain, niceStep, niceTicks, tickLabel } from './axes';

describe('nice ticks', () => {
  it('falls on 1, 2 or 5 × 10^k, about `count` intervals apart', () => {
    // (1 − 0) / 5 = 0.2: the step 0.2 itself.
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    // The axis, 26.3 to 98.3 %: (98.3 − 26.3) / 5 = 14.4, so a step of 20, not thirds at 98.3, 95.0, 91.8.
    expect(niceStep(26.3, 98.3)).toBe(20);
    expect(niceTicks(26.3, 98.3)).toEqual([40, 60, 80]);
    // 0.0123 / 4 = 0.003075: the next round step is 0.005.
    expect(niceTicks(0.0101, 0.0224, 4)).toEqual([0.015, 0.02]);
    expect(niceStep(0, 7, 7)).toBe(1);
  });

  it('has no floating-point noise in its values: 0.1 · 3 is 0.3', () => {
    const ticks = niceTicks(0.1, 0.3, 2);
    expect(ticks).toEqual([0.1, 0.2, 0.3]);
    expect(ticks.map(String)).toEqual(['0.1', '0.2', '0.3']);
  });

  it('a domain widens to the ticks around every value, within its clamp', () => {
    // 72.28 to 81.76: (81.76 − 72.28) / 6 = 1.58 → step 2, from 72 to 82.
    expect(niceDomain([81.76, 72.28, 75], 6)).toEqual({ lo: 72, hi: 82, step: 2, ticks: [72, 74, 76, 78, 80, 82] });
    // (98.3 − 26.3) / 6 = 12 → step 20, from 20 to 100.
    expect(niceDomain([26.3, 98.3], 6, [0, 100]).ticks).toEqual([20, 40, 60, 80, 100]);
    // 99.9 would round up to 100 + a step; the clamp holds accuracy at 100.
    expect(niceDomain([91, 99.9], 5, [0, 100])).toMatchObject({ lo: 90, hi: 100 });
    // NaN (a missing value) is left out; one value gets room around it.
    const one = niceDomain([0.5, Number.NaN]);
    expect(one.lo).toBeLessThan(0.5);
    expect(one.hi).toBeGreaterThan(0.5);
    expect(niceDomain([])).toMatchObject({ lo: 0, hi: 1 });
  });

  it('labels a tick with its step’s decimals', () => {
    expect(tickLabel(80, 20)).toBe('80');
    expect(tickLabel(0.30000000000000004, 0.1)).toBe('0.3');
    expect(tickLabel(-0.5, 0.5)).toBe('-0.5');
    expect(tickLabel(0.005, 0.005)).toBe('0.005');
  });

  it('refuses a range it cannot tick, naming the values', () => {
    expect(() => niceStep(1, 1)).toThrow('niceStep: lo 1 and hi 1 must be finite with lo < hi');
    expect(() => niceStep(0, 1, 0)).toThrow('count 0 must be an integer ≥ 1');
    expect(niceTicks(2, 2)).toEqual([2]);
  });
});

describe('log ticks', () => {
  it('covers the values with whole decades', () => {
    expect(logTicks(0.0005, 1.3)).toEqual({ lo: 1e-4, hi: 10, ticks: [0.0001, 0.001, 0.01, 0.1, 1, 10] });
    expect(logTicks(0.01, 1)).toEqual({ lo: 0.01, hi: 1, ticks: [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1] });
  });

  it('adds 2 and 5 × 10^k within two decades, so a narrow range has labels', () => {
    expect(logTicks(0.3, 0.9)).toEqual({ lo: 0.1, hi: 1, ticks: [0.1, 0.2, 0.5, 1] });
    expect(logTicks(0.5, 0.5).ticks).toEqual([0.1, 0.2, 0.5, 1]);
  });

  it('labels plainly and refuses what a log axis cannot hold', () => {
    expect([0.0001, 0.02, 0.5, 1, 10].map(logTickLabel)).toEqual(['0.0001', '0.02', '0.5', '1', '10']);
    expect(() => logTicks(0, 1)).toThrow('logTicks: lo 0 and hi 1 must be finite, positive');
  });
});

describe('dodge', () => {
  it('sets marks side by side, step apart, centred on the position', () => {
    expect(dodge(3, 10)).toEqual([-10, 0, 10]);
    expect(dodge(2, 11)).toEqual([-5.5, 5.5]);
    expect(dodge(1, 10)).toEqual([0]);
    expect(dodge(0, 10)).toEqual([]);
    for (const n of [2, 5, 12]) {
      const d = dodge(n, 9);
      expect(d.slice(1).map((x, i) => x - d[i])).toEqual(Array(n - 1).fill(9));
      expect(d[0] + d[n - 1]).toBeCloseTo(0, 12);
      // The band a position takes holds every offset with the padding to spare.
      expect(d[n - 1] - d[0]).toBeLessThan(dodgeBand(n, 9, 0));
    }
    expect(() => dodge(1.5, 1)).toThrow('dodge: count 1.5 must be an integer ≥ 0');
  });
});
