// `@semix/core/internal`: what semix's own packages share and users should not build on. May change in any release.
export { writeFileAtomic } from './checkpoint';
export { checkDataset, datasetSize, makeBatch } from './data';
export { type ErrorData, errorFromData, errorToData } from './error_data';
export { assignWeights } from './models/weights';
export { NODE_HOST } from './node';
export { DataParallel } from './parallel/data_parallel';
export { loadMethod, methodModuleUrl } from './parallel/method_spec';
export { startWorker } from './parallel/start_worker';
// The speed suite's reference step (@semix/bench's `semix speed`, bench/train-step.ts): fixtures, not product.
export { createReferenceMethod } from './reference_method';
export {
  createParallelReferenceStep,
  createReferenceStep,
  type ParallelReferenceStep,
  type ReferenceStep,
} from './reference_step';
export { checkSeed } from './rng';
export { learningRate } from './schedule';
export { applyStep, isMethodSpec, type LossGradients, lossGradients, type StepInput, stepContext } from './step';
export { BROWSER_HOST, type ParallelLossGradients, type TrainHost } from './train_host';
export { applyWeightDecay, makeOptimizer, trainOn } from './trainer';
