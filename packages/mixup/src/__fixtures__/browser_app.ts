// A small browser app: a model, a mixup+sem train step on wasm. browser_bundle.test.ts bundles it for
// `--platform=browser`; it is built, never run, here.
import '@tensorflow/tfjs-backend-wasm';
import { createModel, type ImageDataset, selectBackend, train } from '@semix/core';
import { createMethod } from '@semix/mixup';

export async function run(): Promise<number> {
  await selectBackend('wasm');
  const n = 32;
  const data: ImageDataset = {
    images: Uint8Array.from({ length: n * 64 }, (_, i) => (i * 37) % 256),
    labels: Uint8Array.from({ length: n }, (_, i) => i % 3),
    shape: [8, 8, 1],
    numClasses: 3,
  };
  const model = createModel({ arch: 'cnn-small', inputShape: [8, 8, 1], numClasses: 3, seed: 0 });
  const method = createMethod({ policy: 'mixup', sem: true });
  const result = await train({ model, data, epochs: 1, batchSize: 16, method });
  model.dispose();
  return result.steps;
}
