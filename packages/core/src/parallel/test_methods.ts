import { isMainThread } from 'node:worker_threads';
import { crossEntropyMethod, type TrainMethod } from '../step';

/** Test fixture: cross-entropy on the main thread, an error in worker threads. */
export function createFailingInWorker(): TrainMethod {
  return (ctx) => {
    if (!isMainThread) throw new Error(`boom in a worker at step ${ctx.step}`);
    return crossEntropyMethod(ctx);
  };
}
