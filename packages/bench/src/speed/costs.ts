/**
 * What a method adds to a train step, timed on the default backend: the SEM term's extra clean forward and its
 * loss, each mixing policy, and the data (loading mnist-mini, generating a corruption); each row as a share of the
 * reference train step.
 */
import { createModel, Rng } from '@semix/core';
import { corruptImages } from '@semix/datasets';
import { loadMnistMini, take } from '@semix/datasets/node';
import { cutmix, fmix, mixup, resizemix, saliencymix, semLoss } from '@semix/mixup';
import * as tf from '@tensorflow/tfjs-core';
import { type StepOptions, timedRow } from './steps';
import { timeStep } from './timing';
import type { SpeedRow, StepTiming } from './types';

const POLICIES = { mixup, cutmix, fmix, resizemix, saliencymix };

/** The cost rows on `backend`; `referenceMs` is its reference train step, which `vsTrainStep` divides by. */
export async function costRows(
  backend: string,
  referenceMs: number,
  options: StepOptions,
  onRow: (row: SpeedRow) => void = () => {},
): Promise<SpeedRow[]> {
  const { batch, maxStepSeconds } = options;
  const rows: SpeedRow[] = [];
  const add = (task: string, t: StepTiming, samples: number | null) => {
    const row = timedRow(backend, task, t, samples, { vsTrainStep: t.ms / referenceMs });
    rows.push(row);
    onRow(row);
  };
  const model = createModel({ arch: 'cnn-small', inputShape: [28, 28, 1], numClasses: 10, seed: 0 });
  const x28 = tf.tensor4d(new Rng(1).normals(batch * 784), [batch, 28, 28, 1]);
  const x32 = tf.tensor4d(new Rng(2).normals(batch * 32 * 32 * 3), [batch, 32, 32, 3]);
  const labels = tf.tensor1d(
    Int32Array.from({ length: batch }, (_, i) => i % 10),
    'int32',
  );
  const z = model.features(x28);
  try {
    const rng = new Rng(0);
    const f = await timeStep(() => tf.tidy(() => model.features(x28, true).dataSync()), maxStepSeconds);
    add('SEM: extra clean forward (cnn-small features)', f, batch);
    const lam = new Float32Array(batch).fill(0.5);
    const index = Int32Array.from({ length: batch }, (_, i) => batch - 1 - i);
    const s = await timeStep(() => tf.tidy(() => semLoss(z, z, lam, index).dataSync()), maxStepSeconds);
    add(`SEM: loss on ${z.shape[1]}-d features`, s, null);
    for (const [name, policy] of Object.entries(POLICIES)) {
      for (const mode of ['batch', 'elem'] as const) {
        const t = await timeStep(() => {
          const r = policy(x32, labels, { numClasses: 10, mode }, rng);
          r.mixed.dataSync();
          tf.dispose([r.mixed, r.targets]);
        }, maxStepSeconds);
        add(`mix: ${name}, mode ${mode} (batch ${batch} of 32×32×3)`, t, batch);
      }
    }
  } finally {
    tf.dispose([z, x28, x32, labels]);
    model.dispose();
  }
  const load = await timeStep(() => loadMnistMini(), maxStepSeconds);
  add('data: mnist-mini (held in memory after the first load)', load, null);
  const images = 100;
  const mini = take(loadMnistMini().test, images);
  const c = await timeStep(() => corruptImages(mini, 'zoom_blur', 5), maxStepSeconds);
  add(`corruption: zoom_blur severity 5 on ${images} images`, c, images);
  return rows;
}
