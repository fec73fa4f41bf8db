/** Hand-made records for the tests: a grid job's identity with the measured fields a test chooses. */
import type { GridJob } from './plan/grid';
import { type FailedRecord, failureRecord, type ResultRecord, resultRecord } from './run/records';

/**
 * A record of `job` measured as `fields` say; its copies of the identity (seed, data set, model, training,
 * evaluation, backend, method) derived from the job's identity, as the runners write them; the rest are plain
 * placeholders (no suite, gap 0.1, one epoch).
 */
export function handMadeRecord(job: GridJob, fields: Partial<ResultRecord> = {}): ResultRecord {
  const record = resultRecord({
    identity: job.identity,
    method: job.method,
    preset: 'p',
    trainImages: 1,
    testImages: 500,
    versions: {},
    gitCommit: null,
    wallTimeS: 1,
    samplesPerS: 1,
    threads: 1,
    clean: { accuracy: 0.9, nll: 0.3, ece: 0.02 },
    suites: {},
    gap: { angular: 0.1, relativeL2: 1 },
    history: [{ ce: 1 }],
  });
  return { ...record, created_at: '', ...fields };
}

/**
 * A failure record of `job` as the runners write it: by default a divergence at step 0 (cross-entropy 2.3, the SEM
 * and total losses not finite) after one attempt, under preset `p`, with no time; `fields` override any of it.
 */
export function handMadeFailure(job: GridJob, fields: Partial<FailedRecord> = {}): FailedRecord {
  const failure = {
    reason: 'diverged',
    error: 'training diverged at step 0',
    step: 0,
    losses: { ce: 2.3, sem: null, total: null },
  } as const;
  return { ...failureRecord('p', job, failure, 1), failed_at: '', ...fields };
}
