export {
  BACKEND_NAMES,
  type BackendName,
  type BackendProbe,
  type BackendSelection,
  probeBackends,
  type SelectBackendOptions,
  selectBackend,
} from './backend';
export {
  assignWeights,
  CHECKPOINT_FILE,
  type CheckpointHeader,
  loadCheckpoint,
  saveCheckpoint,
  writeFileAtomic,
} from './checkpoint';
export {
  type Augment,
  type Batch,
  checkDataset,
  datasetSize,
  gatherPixels,
  type ImageDataset,
  makeBatch,
} from './data';
export { DEFAULT_EVALUATE_OPTIONS, type EvaluateOptions, type Evaluation, evaluate } from './evaluate';
export { loadModel } from './load_model';
export { expectedCalibrationError } from './metrics';
export { createModel } from './models/create_model';
export { type FromLayersModelOptions, fromLayersModel, type LayersModelLike } from './models/layers_model';
export { ARCHITECTURES, type Architecture, type ModelConfig, type SemixModel } from './models/types';
export { adam, SemixAdamOptimizer } from './optimizers';
export { DataParallel } from './parallel/data_parallel';
export { isMethodSpec, loadMethod, type MethodSpec } from './parallel/method_spec';
export { startWorker } from './parallel/start_worker';
export { createReferenceMethod } from './reference_method';
export {
  createParallelReferenceStep,
  createReferenceStep,
  type ParallelReferenceStep,
  type ReferenceStep,
} from './reference_step';
export { Rng } from './rng';
export {
  applyStep,
  crossEntropyMethod,
  DEFAULT_TRAIN_OPTIONS,
  type LossGradients,
  type LossParts,
  type LrSchedule,
  learningRate,
  lossGradients,
  type MethodContext,
  type ProgressEvent,
  TrainingDivergedError,
  type TrainMethod,
  type TrainOptions,
  type TrainResult,
  train,
  trainStep,
} from './trainer';
