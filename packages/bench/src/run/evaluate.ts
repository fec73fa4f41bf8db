/**
 * A trained model's evaluation: clean accuracy, NLL and ECE on the evaluated test images, every suite's corruption
 * × severity, and the equivariance gap.
 */
import {
  type Evaluation,
  evaluateAsync,
  evaluate as evaluateSync,
  gatherPixels,
  type LogitsFn,
  type SemixModel,
} from '@semix/core';
import type { Dataset } from '@semix/datasets';
import { take } from '@semix/datasets/node';
import { type EquivarianceGap, equivarianceGaps } from '@semix/mixup';
import * as tf from '@tensorflow/tfjs-core';
import type { PresetData } from './data';
import { evaluationGapPairings } from './gap';
import type { SuiteResult } from './records';

export interface EvaluationResult {
  clean: Evaluation;
  suites: Record<string, SuiteResult>;
  /**
   * Equivariance gaps (angular and relative L2) on the first `gapImages` test images, each λ on its own random
   * pairing of them, fixed by the images (see gap.ts).
   */
  gap: EquivarianceGap;
}

const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN);

/**
 * Evaluates a model on the preset's test images, every suite's corruption × severity, and the equivariance gap; with
 * `logits` (InferencePool.logits: the batches sharded over threads) computing the classifications.
 */
export async function evaluateOn(
  model: SemixModel,
  data: PresetData,
  gapImages: number,
  logits?: LogitsFn,
): Promise<EvaluationResult> {
  const evaluate = (d: Dataset) => (logits ? evaluateAsync(model, d, logits) : Promise.resolve(evaluateSync(model, d)));
  const clean = await evaluate(data.test);
  const suites: Record<string, SuiteResult> = {};
  for (const source of data.suites) {
    const acc: Record<string, number[]> = {};
    const ece: Record<string, number[]> = {};
    for (const c of source.corruptions) {
      acc[c] = [];
      ece[c] = [];
      for (let s = 1; s <= source.severities; s++) {
        const e = await evaluate(await source.get(c, s));
        acc[c].push(e.accuracy);
        ece[c].push(e.ece);
      }
    }
    suites[source.suite] = {
      description: source.description,
      severities: source.severities,
      corruptions_acc: acc,
      corruptions_ece: ece,
      acc_mean: mean(Object.values(acc).flat()),
      ece_mean: mean(Object.values(ece).flat()),
    };
  }
  const gapSet = take(data.test, gapImages);
  const [h, w, c] = gapSet.shape;
  const n = gapSet.labels.length;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const x = tf.tensor4d(gatherPixels(gapSet, order), [n, h, w, c]);
  let gap: EquivarianceGap;
  try {
    gap = equivarianceGaps((t) => model.features(t, false), x, evaluationGapPairings(gapSet.checksum, n));
  } finally {
    x.dispose();
  }
  return { clean, suites, gap };
}
