import * as tf from '@tensorflow/tfjs-core';
import { checkDataset, datasetSize, gatherPixels, type ImageDataset } from './data';
import { expectedCalibrationError } from './metrics';
import type { SemixModel } from './models/types';

export interface EvaluateOptions {
  batchSize?: number;
  /** ECE bins. */
  bins?: number;
}

export const DEFAULT_EVALUATE_OPTIONS: Required<EvaluateOptions> = { batchSize: 500, bins: 15 };

export interface Evaluation {
  n: number;
  accuracy: number;
  /** Mean negative log-likelihood of the true class. */
  nll: number;
  /** Expected calibration error, 15 equal-width bins by default. */
  ece: number;
  perClassAccuracy: number[];
}

/**
 * Accuracy, NLL, ECE and per-class accuracy of a model on a data set: batched, in evaluation mode (batch-norm
 * running statistics), outside any gradient tape, and leak-free.
 */
export function evaluate(model: SemixModel, data: ImageDataset, options: EvaluateOptions = {}): Evaluation {
  const run = evaluation(model, data, options);
  for (const batch of run.batches()) {
    const logProbs = tf.tidy(() => tf.logSoftmax(model.logits(batch.x, false)));
    batch.x.dispose();
    run.add(batch, logProbs);
  }
  return run.result();
}

/** Computes the logits of a batch of images in evaluation mode: `InferencePool.logits` (`@semix/core/node`) is one. */
export type LogitsFn = (x: tf.Tensor4D) => Promise<tf.Tensor2D>;

/**
 * {@link evaluate} with the logits of each batch from `logits` (e.g. `InferencePool.logits`, which shards the batch
 * over threads): the same figures up to float rounding, since inference-mode outputs are per image.
 */
export async function evaluateAsync(
  model: SemixModel,
  data: ImageDataset,
  logits: LogitsFn,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const run = evaluation(model, data, options);
  for (const batch of run.batches()) {
    let out: tf.Tensor2D;
    try {
      out = await logits(batch.x);
    } finally {
      batch.x.dispose();
    }
    const logProbs = tf.tidy(() => tf.logSoftmax(out));
    out.dispose();
    run.add(batch, logProbs);
  }
  return run.result();
}

/** The batches of an evaluation and the running sums of its metrics (shared by evaluate and evaluateAsync). */
function evaluation(model: SemixModel, data: ImageDataset, options: EvaluateOptions) {
  const { batchSize, bins } = { ...DEFAULT_EVALUATE_OPTIONS, ...options };
  checkDataset(data);
  const [h, w, c] = data.shape;
  const [mh, mw, mc] = model.inputShape;
  if (h !== mh || w !== mw || c !== mc) {
    throw new Error(`evaluate: data images are [${h}, ${w}, ${c}] but the model expects [${mh}, ${mw}, ${mc}]`);
  }
  if (data.numClasses !== model.numClasses) {
    throw new Error(`evaluate: data has ${data.numClasses} classes but the model predicts ${model.numClasses}`);
  }
  const n = datasetSize(data);
  const confidences = new Float32Array(n);
  const correct = new Uint8Array(n);
  let nllSum = 0;
  const classTotal = new Float64Array(data.numClasses);
  const classCorrect = new Float64Array(data.numClasses);
  return {
    /** Each batch's images as a new tensor (the caller's to dispose), made when the iteration reaches it. */
    *batches(): Generator<{ start: number; size: number; x: tf.Tensor4D }> {
      for (let start = 0; start < n; start += batchSize) {
        const size = Math.min(batchSize, n - start);
        const indices = Int32Array.from({ length: size }, (_, i) => start + i);
        yield { start, size, x: tf.tensor4d(gatherPixels(data, indices), [size, h, w, c]) };
      }
    },
    /** Adds a batch's log-probabilities (disposes them). */
    add({ start, size }: { start: number; size: number }, logProbs: tf.Tensor): void {
      const values = logProbs.dataSync();
      logProbs.dispose();
      const k = data.numClasses;
      for (let i = 0; i < size; i++) {
        let best = 0;
        for (let j = 1; j < k; j++) if (values[i * k + j] > values[i * k + best]) best = j;
        const label = data.labels[start + i];
        confidences[start + i] = Math.exp(values[i * k + best]);
        const ok = best === label ? 1 : 0;
        correct[start + i] = ok;
        nllSum -= values[i * k + label];
        classTotal[label] += 1;
        classCorrect[label] += ok;
      }
    },
    result(): Evaluation {
      let hits = 0;
      for (let i = 0; i < n; i++) hits += correct[i];
      return {
        n,
        accuracy: hits / n,
        nll: nllSum / n,
        ece: expectedCalibrationError(confidences, correct, bins),
        perClassAccuracy: Array.from(classTotal, (t, j) => (t > 0 ? classCorrect[j] / t : Number.NaN)),
      };
    },
  };
}
