import { createReferenceStep, selectBackend } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
await selectBackend('wasm');
const step = createReferenceStep(64, 0, { arch: 'preact-resnet18', inputShape: [32, 32, 3], width: 0.25 });
step.run(); step.run();
const t0 = performance.now(); step.run(); console.log('step ms', (performance.now() - t0).toFixed(0));
const prof = await tf.profile(() => { step.run(); });
const by = new Map<string, { ms: number; n: number }>();
for (const k of prof.kernels) { const e = by.get(k.name) ?? { ms: 0, n: 0 }; e.ms += k.kernelTimeMs as number; e.n += 1; by.set(k.name, e); }
console.log([...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12).map(([k, v]) => `${k} ${v.ms.toFixed(0)}ms x${v.n}`).join('\n'));
const slow = prof.kernels.filter((k) => (k.kernelTimeMs as number) > 25).slice(0, 14).map((k) => `${k.name} ${(k.kernelTimeMs as number).toFixed(0)} in ${JSON.stringify(k.inputShapes)} out ${JSON.stringify(k.outputShapes)}`);
console.log(slow.join('\n'));
