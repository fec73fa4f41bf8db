export {
  BACKEND_NAMES,
  type BackendName,
  type BackendProbe,
  type BackendSelection,
  probeBackends,
  type SelectBackendOptions,
  selectBackend,
} from './backend';
export { registerAll, WASM_KERNEL_PACK } from './kernels/register_all_kernels';
export { createModel } from './models/create_model';
export { ARCHITECTURES, type Architecture, type ModelConfig, type SemixModel } from './models/types';
export { createReferenceStep, type ReferenceStep } from './reference_step';
export { Rng } from './rng';
