export {
  BACKEND_NAMES,
  type BackendName,
  type BackendProbe,
  type BackendSelection,
  type ComputeIdentity,
  computeIdentity,
  type KernelArithmetic,
  probeBackends,
  type SelectBackendOptions,
  sameCompute,
  selectBackend,
  selectCompute,
} from './backend';
export {
  type Augment,
  type Batch,
  gatherPixels,
  type ImageDataset,
} from './data';
export {
  DEFAULT_EVALUATE_OPTIONS,
  type EvaluateOptions,
  type Evaluation,
  evaluate,
  evaluateAsync,
  type LogitsFn,
} from './evaluate';
export { expectedCalibrationError } from './metrics';
export { createModel } from './models/create_model';
export { type FromLayersModelOptions, fromLayersModel, type LayersModelLike } from './models/layers_model';
export { ARCHITECTURES, type Architecture, MAX_WIDTH, type ModelConfig, type SemixModel } from './models/types';
export { adam, SemixAdamOptimizer } from './optimizers';
export { MAX_SEED, Rng } from './rng';
export {
  crossEntropyMethod,
  type LossParts,
  type MethodContext,
  type MethodSpec,
  TrainingDivergedError,
  type TrainMethod,
  trainStep,
} from './step';
export {
  DEFAULT_TRAIN_OPTIONS,
  type LrSchedule,
  type ProgressEvent,
  type TrainOptions,
  type TrainResult,
} from './train_options';
export { train } from './trainer';
