import { resolveMethod } from '@semix/mixup';
import { describe, expect, it } from 'vitest';
import { rowSemShare } from '../report/rows';
import type { ResultRecord } from './records';
import { SEM_SHARE_FLOOR, semShare } from './sem_share';

describe('SEM share of the loss', () => {
  it('is the last epoch mean of β·L_sem over its mean total loss (a ratio of epoch means)', () => {
    const history = [
      { ce: 2, sem: 0.5, total: 2.5 },
      { ce: 0.99, sem: 0.01, total: 1 },
    ];
    // By hand: 0.01 / 1 from the last epoch; the first epoch (0.2) plays no part.
    expect(semShare(history, true)).toBeCloseTo(0.01, 15);
    // Without a `total` the parts are summed: AugMix+SEM's clean CE, JS term and SEM, 0.1 / (0.6 + 0.3 + 0.1).
    expect(semShare([{ ce: 0.6, jsd: 0.3, sem: 0.1 }], true)).toBeCloseTo(0.1, 15);
    expect(SEM_SHARE_FLOOR).toBe(0.01);
  });

  it('is null without SEM, without a sem part, or without a positive total', () => {
    expect(semShare([{ ce: 1 }], false)).toBeNull();
    expect(semShare([{ ce: 1, sem: 0.1, total: 1.1 }], false)).toBeNull();
    expect(semShare([], true)).toBeNull();
    expect(semShare([{ ce: 1 }], true)).toBeNull();
    expect(semShare([{ sem: 0, total: 0 }], true)).toBeNull();
  });

  it('is a board column for rows with SEM: the records own, or computed from the history of older records', () => {
    const record = (history: Array<Record<string, number>>, share?: number | null) =>
      ({ history, ...(share === undefined ? {} : { sem_share: share }) }) as unknown as ResultRecord;
    const withSem = resolveMethod('mixup+sem');
    // A record from before sem_share (no field): 0.02 / 1; one that states it: 0.004. Mean 0.012, sample std by hand.
    const stat = rowSemShare(withSem, [record([{ ce: 0.98, sem: 0.02, total: 1 }]), record([], 0.004)]);
    expect(stat?.n).toBe(2);
    expect(stat?.mean).toBeCloseTo(0.012, 15);
    expect(stat?.std).toBeCloseTo(Math.sqrt((0.008 ** 2 + 0.008 ** 2) / 1), 15);
    expect(rowSemShare(resolveMethod('mixup'), [record([{ ce: 1 }], null)])).toBeNull();
  });
});
