/**
 * The failure rules: when a job's outcome is a failure (a result shown as failed, never as a number) rather than a
 * record, and what its failure record says. Pure functions of the training history and the clean accuracy.
 */
import { TrainingDivergedError } from '@semix/core';
import type { FailedRecord } from './records';

/** What a failed job's record says about why: its reason, the message, and the figures the rule looked at. */
export type JobFailure = Pick<FailedRecord, 'reason' | 'error' | 'step' | 'losses' | 'clean_acc'>;

/**
 * A job that did not produce a usable result: it diverged (a non-finite loss, or a last epoch's cross-entropy over
 * EXPLODED_LOSS_FACTOR × a uniform prediction's) or ended near chance accuracy.
 * Bench runs record it under failed/ and go on; the leaderboard shows it as failed.
 */
export class JobFailedError extends Error {
  constructor(readonly failure: JobFailure) {
    super(failure.error);
    this.name = 'JobFailedError';
  }
}

/**
 * Clean accuracy below 1.5 × chance (15% for 10 classes) marks a run as failed rather than as a number: such a
 * model learned nothing, and its corruption accuracy would read as robustness.
 */
export const NEAR_CHANCE_FACTOR = 1.5;

/**
 * A last epoch whose mean training cross-entropy exceeds 10 × ln(classes), ten times the loss of predicting every
 * class alike, marks a run as diverged even though every loss stayed finite: its weights grew without bound. A
 * model that trained ends below ln(classes). sem-ablation's unnormalised SEM ended its seeds with cross-entropies
 * hundreds of times that and every loss finite (its failure records hold the figures: `semix leaderboard --out
 * results/sem-ablation` lists them), one of them above the near-chance rule: without this rule it ranked.
 */
export const EXPLODED_LOSS_FACTOR = 10;

const lossParts = (losses: Record<string, number>, format: (v: number) => string) =>
  Object.entries(losses)
    .map(([k, v]) => `${k}=${format(v)}`)
    .join(', ');

/**
 * The failure of a run whose last epoch's cross-entropy (the `ce` loss part) exceeds EXPLODED_LOSS_FACTOR ×
 * ln(numClasses), or null (also where the method reports no `ce`).
 */
export function explodedLoss(
  history: ReadonlyArray<Record<string, number>>,
  numClasses: number,
): Pick<JobFailure, 'reason' | 'error' | 'losses'> | null {
  const last = history.at(-1);
  const limit = EXPLODED_LOSS_FACTOR * Math.log(numClasses);
  if (!last || !(last.ce > limit)) return null;
  const parts = lossParts(last, (v) => String(Number(v.toPrecision(4))));
  return {
    reason: 'diverged',
    error: `training diverged: the last epoch's cross-entropy ${Number(last.ce.toPrecision(4))} exceeds ${EXPLODED_LOSS_FACTOR} × ln(${numClasses}) = ${limit.toFixed(2)} (${EXPLODED_LOSS_FACTOR} × a uniform prediction's); its losses: ${parts}`,
    losses: last,
  };
}

/**
 * The failure of a run whose clean accuracy is below NEAR_CHANCE_FACTOR × chance (1 / numClasses), with its last
 * epoch's losses, or null.
 */
export function nearChance(
  cleanAccuracy: number,
  numClasses: number,
  history: ReadonlyArray<Record<string, number>>,
): JobFailure | null {
  const chance = 1 / numClasses;
  if (!(cleanAccuracy < NEAR_CHANCE_FACTOR * chance)) return null;
  const last = history.at(-1) ?? {};
  return {
    reason: 'near-chance',
    error: `clean accuracy ${(100 * cleanAccuracy).toFixed(2)}% is near chance (${(100 * chance).toFixed(1)}%; the rule is < ${NEAR_CHANCE_FACTOR} × chance); last epoch's losses: ${lossParts(last, (v) => v.toFixed(4))}`,
    losses: last,
    clean_acc: cleanAccuracy,
  };
}

/**
 * The failure `error` is when it is a result rather than a crash (a divergence, or a JobFailedError), or null. Told
 * by kind (`TrainingDivergedError.isInstance`: also one rebuilt from another thread's data, or thrown by another
 * copy of @semix/core), never by its message.
 */
export function jobFailure(error: unknown): JobFailure | null {
  if (error instanceof JobFailedError) return error.failure;
  if (TrainingDivergedError.isInstance(error)) {
    return { reason: 'diverged', error: error.message, step: error.step, losses: error.losses };
  }
  return null;
}
