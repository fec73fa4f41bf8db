// The messages between the page (main.ts) and its training worker (worker.ts). Types only: both sides import them,
// neither imports the other.
import type { BackendInfo, PageBackend } from './backend';
import type { CorruptionResult, CurvePoint, DemoMethod, DemoOptions, MixedExample, StepLog } from './demo';

/** One run the page asks for: its id (the page's), and its options over the demo's defaults. */
export interface RunRequest {
  id: number;
  options: Partial<DemoOptions>;
}

export type ToWorker =
  /** Loads the data (the asset's absolute URL) and activates the backend; answered by `ready`. */
  | { type: 'init'; assetUrl: string; backend: PageBackend }
  /** Runs these one after another (a comparison: X, then X+SEM with the same seed), each trained then evaluated. */
  | { type: 'train'; backend: PageBackend; runs: RunRequest[] }
  /** Stops the queue: no step, evaluation or corruption starts after this is read; answered by `stopped`. */
  | { type: 'stop' }
  /** Mixed training images as `method` draws them; answered by `mixed` with the same `request`. */
  | { type: 'mix'; request: number; method: DemoMethod; count: number; seed: number };

export type FromWorker =
  /** The data is loaded and the backend active; `defaults`: the demo's options a run starts from. */
  | { type: 'ready'; backend: BackendInfo; defaults: DemoOptions; trainImages: number; testImages: number }
  /** The backend a queue runs on, once activated (a queue may switch it). */
  | { type: 'backend'; backend: BackendInfo }
  /** A run starts: tf.memory().numTensors before it builds anything. */
  | { type: 'run-start'; id: number; method: string; numTensors: number }
  | { type: 'step'; id: number; log: StepLog }
  | { type: 'accuracy'; id: number; point: CurvePoint }
  | { type: 'gap'; id: number; point: CurvePoint }
  /** Training is over; the corruptions are evaluated next. `correct`: per test image at the last step. */
  | { type: 'trained'; id: number; correct: Uint8Array }
  | { type: 'corruption'; id: number; result: CorruptionResult }
  /**
   * A run is over (finished or stopped) and its model disposed: numTensors now, which is numTensors at its start
   * when nothing leaked.
   */
  | { type: 'run-end'; id: number; stopped: boolean; numTensorsBefore: number; numTensorsAfter: number }
  /** The stop was read: no step, evaluation or corruption runs after it (only the run's clean-up). */
  | { type: 'stopped' }
  /** The queue is done (or stopped): the worker waits for the next message. */
  | { type: 'idle' }
  /** `alpha`: the α of the method's λ ~ Beta(α, α) (null for erm, which mixes nothing). */
  | { type: 'mixed'; request: number; method: DemoMethod; alpha: number | null; examples: MixedExample[] }
  | { type: 'error'; message: string; id?: number };
