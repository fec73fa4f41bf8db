/**
 * A plain `tf.layers` convnet (what a tfjs user writes, nothing of semix's) trained with `model.trainOnBatch` on
 * wasm without the pack, then on wasm with the pack: samples/s, median and range over rounds. `-- cpu` adds
 * cpu rounds interleaved with wasm's (one step each: tfjs's cpu backprop takes tens of seconds a step).
 *
 *   pnpm --filter @semix/tfjs-wasm-train bench [-- cpu]
 *
 * Without the pack, training on wasm stops at the first kernel tfjs-core's gradients need and wasm lacks; that
 * error is printed as the "before" figure.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerAll } from '../src/index';

const BATCH = 64;
const ROUNDS = 5;
const STEPS = 10;

function convnet(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.batchNormalization(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

function batch(): [tf.Tensor, tf.Tensor] {
  const x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 2), 10);
  return [x, y];
}

/** samples/s over `steps` steps after warm-up; a fresh model each round, everything disposed. */
async function round(backend: string, steps = STEPS): Promise<number> {
  await tf.setBackend(backend);
  const model = convnet();
  const [x, y] = batch();
  for (let i = 0; i < (backend === 'cpu' ? 1 : 2); i++) await model.trainOnBatch(x, y);
  const start = performance.now();
  for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
  const seconds = (performance.now() - start) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  return (steps * BATCH) / seconds;
}

const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(0)} samples/s (range ${s[0].toFixed(0)}–${s[s.length - 1].toFixed(0)}, ${s.length} rounds)`;
};

console.log(`tf.layers convnet (conv16-bn-pool-conv32-pool-dense10), batch ${BATCH} of 28×28×1, Adam, trainOnBatch`);
try {
  console.log(`wasm, no pack:   ${summary([await round('wasm')])}`);
} catch (error) {
  console.log(`wasm, no pack:   fails: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
}
const pack = registerAll();
const withCpu = process.argv.includes('cpu');
const figures: Record<string, number[]> = { cpu: [], wasm: [] };
for (let r = 0; r < ROUNDS; r++) {
  if (withCpu && r < 2) figures.cpu.push(await round('cpu', 1));
  figures.wasm.push(await round('wasm'));
}
if (withCpu) console.log(`cpu:             ${summary(figures.cpu)}`);
console.log(`wasm + pack:     ${summary(figures.wasm)} (${pack.length} kernels registered)`);
