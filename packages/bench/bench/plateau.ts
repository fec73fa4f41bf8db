/**
 * How many epochs does a preset need? `pnpm --filter @semix/bench plateau -- --preset sem-ablation`
 *
 * Trains `erm` (seed 0) with the preset's model, optimiser and schedule on the first N − 1,000 training images
 * and measures accuracy on the held-out last 1,000 training images (never the test split, which the leaderboard
 * reports on): once per epoch budget, each with its full schedule, printing the per-epoch curve of every budget.
 *
 * The rule, written before the numbers were looked at: the preset's epochs are the smallest budget whose final
 * held-out accuracy is within 0.5 pp of the best budget's (0.5 pp ≈ one binomial standard error on 1,000 images
 * at 97% accuracy, so larger budgets are not distinguishable from it on this held-out set).
 */
import { parseArgs } from 'node:util';
import { createModel, evaluate, type ImageDataset, selectBackend, train } from '@semix/core';
import type { Dataset } from '@semix/datasets';
import { loadDataset } from '@semix/datasets/node';
import { createMethod } from '@semix/mixup';
import { loadPreset } from '../src/plan/preset';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    preset: { type: 'string', default: 'sem-ablation' },
    budgets: { type: 'string', default: '2,4,6,8,12' },
    seed: { type: 'string', default: '0' },
  },
});
const HELD_OUT = 1000;
const TOLERANCE = 0.005;
const preset = loadPreset(values.preset as string);
const budgets = (values.budgets as string).split(',').map(Number);
const seed = Number(values.seed);
await selectBackend('wasm');
const { train: full } = await loadDataset(preset.dataset);
const per = full.shape[0] * full.shape[1] * full.shape[2];
const n = full.labels.length - HELD_OUT;
const slice = (from: number, to: number, name: string): Dataset => ({
  ...full,
  name,
  images: full.images.subarray(from * per, to * per),
  labels: full.labels.subarray(from, to),
});
const fit = slice(0, n, 'fit');
const heldOut = slice(n, full.labels.length, 'held-out') as ImageDataset;
console.log(
  `plateau: preset ${preset.name}, erm seed ${seed}, ${n} training images, ${HELD_OUT} held-out training images; budgets ${budgets.join(', ')}`,
);
const finals: number[] = [];
for (const epochs of budgets) {
  const model = createModel({
    arch: preset.model.arch,
    inputShape: [...full.shape] as [number, number, number],
    numClasses: full.numClasses,
    width: preset.model.width,
    seed,
  });
  const curve: number[] = [];
  const started = performance.now();
  await train({
    model,
    data: fit as ImageDataset,
    method: createMethod('erm'),
    epochs,
    batchSize: preset.train.batchSize,
    optimizer: preset.train.optimizer,
    lr: preset.train.lr,
    schedule: preset.train.schedule,
    weightDecay: preset.train.weightDecay,
    seed,
    onProgress: (e) => {
      if (e.type === 'epoch') curve.push(evaluate(model, heldOut).accuracy);
    },
  });
  model.dispose();
  finals.push(curve[curve.length - 1]);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `budget ${String(epochs).padStart(2)} epochs (${seconds.toFixed(0)} s): held-out accuracy per epoch ${curve.map((a) => (100 * a).toFixed(2)).join(' ')}`,
  );
}
const best = Math.max(...finals);
const chosen = budgets[finals.findIndex((a) => a >= best - TOLERANCE)];
console.log(
  `\nfinal held-out accuracy: ${budgets.map((e, i) => `${e} → ${(100 * finals[i]).toFixed(2)}%`).join(', ')}; best ${(100 * best).toFixed(2)}%`,
);
console.log(`rule (smallest budget within ${100 * TOLERANCE} pp of the best): ${chosen} epochs`);
