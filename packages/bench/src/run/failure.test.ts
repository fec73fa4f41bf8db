import { runInNewContext } from 'node:vm';
import { TrainingDivergedError } from '@semix/core';
import { errorFromData, errorToData } from '@semix/core/internal';
import { describe, expect, it } from 'vitest';
import { EXPLODED_LOSS_FACTOR, explodedLoss, JobFailedError, jobFailure } from './failure';

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

describe('jobFailure: a divergence is told by its kind and fields, never by its message', () => {
  const losses = { ce: Number.NaN, sem: Number.POSITIVE_INFINITY, total: Number.NaN };

  it('a TrainingDivergedError worded anyhow, here or rebuilt from another thread, is a diverged failure with its step and losses', () => {
    const here = new TrainingDivergedError(12, losses, 'the loss went somewhere else entirely');
    expect(jobFailure(here)).toEqual({
      reason: 'diverged',
      error: 'the loss went somewhere else entirely',
      step: 12,
      losses,
    });
    // As a data-parallel replica's or a job thread's error arrives: cloned as data and rebuilt.
    const crossed = errorFromData(structuredClone(errorToData(here)), 'data-parallel replica 1: ');
    expect(jobFailure(crossed)).toEqual({
      reason: 'diverged',
      error: 'data-parallel replica 1: the loss went somewhere else entirely',
      step: 12,
      losses,
    });
  });

  it('one of another copy of @semix/core (another realm) counts by its marker; a look-alike message does not', () => {
    const foreign = runInNewContext(
      "const e = new Error('reworded'); e[Symbol.for('semix.TrainingDivergedError')] = true; e.step = 3; e.losses = { ce: NaN }; e",
    );
    expect(jobFailure(foreign)).toEqual({ reason: 'diverged', error: 'reworded', step: 3, losses: { ce: Number.NaN } });
    expect(jobFailure(new Error('training diverged at step 3: non-finite loss (ce=NaN)'))).toBeNull();
    expect(jobFailure(new Error('ENOSPC'))).toBeNull();
    expect(jobFailure('a string')).toBeNull();
  });

  it('a JobFailedError gives its failure as it is', () => {
    const failure = { reason: 'near-chance' as const, error: 'near chance', losses: { ce: 2.3 }, clean_acc: 0.1 };
    expect(jobFailure(new JobFailedError(failure))).toBe(failure);
  });
});
