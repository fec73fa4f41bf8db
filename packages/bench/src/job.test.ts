import { describe, expect, it } from 'vitest';
import { EXPLODED_LOSS_FACTOR, explodedLoss } from './job';

describe('explodedLoss: finite losses that grew without bound', () => {
  const limit = EXPLODED_LOSS_FACTOR * Math.log(10);

  it('fails a last epoch whose cross-entropy is over 10 × ln(classes), with its loss parts', () => {
    // sem-ablation's unnormalised SEM, seed 1 (finite, 15.6% clean accuracy): its last epoch
    const history = [
      { ce: 146.0, sem: 3.02e6, total: 3.02e6 },
      { ce: 990.61, sem: 3.751e11, total: 3.751e11 },
    ];
    const failure = explodedLoss(history, 10);
    expect(failure).toMatchObject({ reason: 'diverged', losses: history[1] });
    expect(failure?.error).toBe(
      "training diverged: the last epoch's cross-entropy 990.6 exceeds 10 × ln(10) = 23.03 (10 × a uniform prediction's); its losses: ce=990.6, sem=375100000000, total=375100000000",
    );
  });

  it('passes what trained, whatever came before: the rule reads the last epoch only, and its cross-entropy only', () => {
    expect(explodedLoss([{ ce: 50 }, { ce: limit }], 10)).toBeNull();
    expect(explodedLoss([{ ce: 0.4, sem: 1e9 }], 10)).toBeNull();
    expect(explodedLoss([{ ce: limit + 0.01 }], 10)?.reason).toBe('diverged');
    // a method without a `ce` part, or no epoch at all, is not judged
    expect(explodedLoss([{ loss: 1e9 }], 10)).toBeNull();
    expect(explodedLoss([], 10)).toBeNull();
    // the limit scales with the classes: 10 × ln(100) ≈ 46.05
    expect(explodedLoss([{ ce: 30 }], 100)).toBeNull();
    expect(explodedLoss([{ ce: 30 }], 10)?.reason).toBe('diverged');
  });
});
