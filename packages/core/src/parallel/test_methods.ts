import { isMainThread } from 'node:worker_threads';
import { crossEntropyMethod, TrainingDivergedError, type TrainMethod } from '../step';

/** Test fixture: cross-entropy on the main thread, an error in worker threads. */
export function createFailingInWorker(): TrainMethod {
  return (ctx) => {
    if (!isMainThread) throw new Error(`boom in a worker at step ${ctx.step}`);
    return crossEntropyMethod(ctx);
  };
}

/**
 * Test fixture: cross-entropy on the main thread; in worker threads a TrainingDivergedError worded `message`, so a
 * test sees that its kind and fields cross the thread whatever its text says.
 */
export function createDivergingInWorker(message: string): TrainMethod {
  return (ctx) => {
    if (!isMainThread) {
      const error = new TrainingDivergedError(ctx.step, { ce: Number.NaN, sem: Number.POSITIVE_INFINITY });
      error.message = message;
      throw error;
    }
    return crossEntropyMethod(ctx);
  };
}
