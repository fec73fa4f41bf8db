import { createReferenceStep, selectBackend } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
await selectBackend('wasm');
const step = createReferenceStep(128, 0);
for (let i = 0; i < 5; i++) step.run();
let t0 = performance.now(); for (let i = 0; i < 10; i++) step.run(); console.log('step ms', ((performance.now() - t0) / 10).toFixed(1));
const prof = await tf.profile(() => { step.run(); });
const list = prof.kernels.filter((k) => (k.kernelTimeMs as number) > 2).map((k) => `${k.name} ${(k.kernelTimeMs as number).toFixed(1)} in ${JSON.stringify(k.inputShapes)} out ${JSON.stringify(k.outputShapes)}`);
console.log(list.join('\n'));
