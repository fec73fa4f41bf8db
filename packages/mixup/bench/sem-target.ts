/**
 * `pnpm --filter @semix/mixup bench`: what the untaped stop-gradient target saves. One mixup+sem train step
 * (batch 128, one thread, wasm) as createMethod builds it (the clean features off the tape), against the same loss
 * with the clean pass on the tape and semLoss's stopGradient after it (what tfjs differentiates with zeros),
 * interleaved, medians of 5 with their range; both compute the same gradients bit for bit (sem.test.ts).
 */
import { type Architecture, createModel, Rng, selectBackend } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { createMethod } from '../src/methods';
import { mixup } from '../src/mixup';
import { semLoss } from '../src/sem';
import { softCrossEntropy } from '../src/targets';

await selectBackend('wasm');
const models: Array<[Architecture, [number, number, number], number | undefined]> = [
  ['cnn-small', [28, 28, 1], undefined],
  ['preact-resnet18', [32, 32, 3], 0.25],
];
const B = 128;
for (const [arch, shape, width] of models) {
  const model = createModel({ arch, inputShape: shape, width, numClasses: 10, seed: 1 });
  const vars = model.trainableVariables();
  const x = tf.randomUniform([B, ...shape], 0, 1, 'float32', 2) as tf.Tensor4D;
  const y = tf.tensor1d(
    Array.from({ length: B }, (_, i) => i % 10),
    'int32',
  );
  const ctx = { model, x, labels: y, numClasses: 10, epoch: 0, step: 0 };
  const method = createMethod({ policy: 'mixup', sem: true });
  const untaped = () => tf.addN(Object.values(method({ ...ctx, rng: new Rng(5) }))) as tf.Scalar;
  const taped = () => {
    const mix = mixup(x, y, { alpha: 1, numClasses: 10 }, new Rng(5));
    const zMixed = model.featuresFrom(mix.layer, mix.mixed, true);
    const ce = softCrossEntropy(model.head(zMixed), mix.targets);
    return tf.add(ce, semLoss(zMixed, model.features(x, true), mix.lam, mix.index)) as tf.Scalar;
  };
  const step = (loss: () => tf.Scalar) => () => {
    const g = tf.variableGrads(loss, vars);
    g.value.dataSync();
    tf.dispose([g.value, ...Object.values(g.grads)]);
    model.discardUpdates();
  };
  const steps = { untaped: step(untaped), taped: step(taped) };
  for (let i = 0; i < 2; i++) for (const f of Object.values(steps)) f();
  const times: Record<string, number[]> = { untaped: [], taped: [] };
  for (let r = 0; r < 5; r++) {
    for (const [name, f] of Object.entries(steps)) {
      const t = performance.now();
      f();
      times[name].push(performance.now() - t);
    }
  }
  const summary = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    return `${s[2].toFixed(0)} ms (${s[0].toFixed(0)}–${s[4].toFixed(0)})`;
  };
  console.log(
    `${arch}${width ? ` ×${width}` : ''}: mixup+sem step, clean pass untaped ${summary(times.untaped)}, taped with stopGradient ${summary(times.taped)}`,
  );
  tf.dispose([x, y]);
  model.dispose();
}
