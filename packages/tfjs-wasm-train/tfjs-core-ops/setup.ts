/**
 * tfjs-core's own op tests (`@tensorflow/tfjs-core/dist/tests`, jasmine specs) on wasm with the pack registered,
 * wired as tfjs-backend-wasm's `src/setup_test.ts` wires them. run.mjs bundles this file with esbuild (one
 * tfjs-core instance: its ESM dist, which the specs import by relative path) and runs it under jasmine.
 */
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { setTestEnvs, setupTestFilters, type TestFilter } from '@tensorflow/tfjs-core/dist/jasmine_util';
import { registerAll } from '../src/index';

const wasmDir = process.env.TFJS_WASM_DIR;
if (!wasmDir) throw new Error('TFJS_WASM_DIR: not set (run.mjs sets it to tfjs-backend-wasm/dist/)');
setWasmPaths(wasmDir);
registerAll();
setTestEnvs([{ name: 'test-wasm', backendName: 'wasm', isDataSync: true }]);

/**
 * The suites of the kernels the pack adds or replaces, with tfjs-backend-wasm 4.22's own excludes for each suite
 * (its setup_test.ts; reasons quoted from there). Where wasm excluded a suite's `gradient` tests because it had no
 * gradient kernel and the pack adds one, they run here: that is the point of the pack.
 */
export const TEST_FILTERS: TestFilter[] = [
  // Conv2D, FusedConv2D ('fused conv2d' matches too); Conv2DBackpropFilter through the gradient tests.
  {
    include: 'conv2d ',
    excludes: [
      'broadcasted bias', // wasm: broadcasted bias not yet supported.
      'backProp input x=[2,3,3,1] f=[2,2,1,1] s=1 p=0', // wasm: excluded (gradients not defined).
      'NCHW', // wasm: XNNPACK does not support channels first.
      'relu bias stride 2 x=[1,8,8,16] f=[3,3,16,1] s=[2,2] d=8 p=same', // wasm: excluded.
      'prelu bias stride 2 x=[1,8,8,16] f=[3,3,16,1] s=[2,2] d=8 p=same', // wasm: excluded.
      // A gradient test wasm excludes (its 'gradient'): the fused forward pass has a rank-4 bias, which wasm's own
      // FusedConv2D (the pack wraps it for that case) refuses, as it refuses every 'broadcasted bias'.
      'gradient x=[2,3,3,1] f=[2,2,1,1] s=1 p=0 with bias',
    ],
  },
  // Conv2DBackpropInput is conv2dTranspose's forward kernel.
  { include: 'conv2dTranspose ' },
  // DepthwiseConv2dNativeBackpropFilter / BackpropInput through the gradient tests.
  {
    include: 'depthwiseConv2D ',
    excludes: [
      'broadcasted bias', // wasm: broadcasted bias not yet supported.
      'NCHW', // wasm: XNNPACK does not support channels first.
      // As for conv2d: wasm excludes it ('gradient'); its FusedDepthwiseConv2D refuses a rank-4 bias.
      'gradient x=[2,3,3,1] f=[2,2,1,1] s=1 p=0 with bias',
    ],
  },
  // BatchMatMul ('fused matmul' matches too).
  {
    include: 'matmul ',
    excludes: [
      'zero in its shape', // wasm: zero in shapes not supported.
      'matmul followed by mul', // wasm: excluded.
      'upcasts', // wasm: upcasting not supported.
      'fused A x B with 2d bias', // wasm: fused matMul with 2D bias not supported.
      'broadcasted bias', // wasm: excluded by its 'relu' filter, which these names match first.
    ],
  },
  // Add: the pack computes a per-channel vector over [..., C] itself.
  {
    include: 'add ',
    excludes: [
      'gradient', // wasm: gradient is missing.
      'upcasts when dtypes dont match', // wasm: uses the 'complex' dtype.
      'complex', // wasm: complex numbers not supported yet.
    ],
  },
  { startsWith: 'sum ' },
  {
    include: 'mean ',
    excludes: [
      'axis=0', // wasm: reduction not supported along inner dimensions.
    ],
  },
  // GatherV2; its gradient is UnsortedSegmentSum, which the pack adds.
  { include: 'gather' },
  { include: 'unsortedSegmentSum' },
  {
    startsWith: 'tile ',
    excludes: [
      'string tensor', // wasm: string tensors not implemented.
    ],
  },
  { include: 'oneHot' },
  // MaxPoolGrad through maxPool's gradient tests.
  {
    include: 'maxPool',
    excludes: [
      'ignores NaNs', // wasm: actual != expected.
    ],
  },
  // Identity: clone is its op. wasm has no Complex kernel and excludes 'complex' in every suite it runs that has
  // complex tests (add, sub, mul, abs, cast, concat, pad, transpose); it runs no clone suite.
  { startsWith: 'clone ', excludes: ['complex64'] },
];

// Only the suites above (wasm's setup also runs tfjs-core's plain describe() tests; they test no kernel).
setupTestFilters(TEST_FILTERS, () => false);

// After the set-up above: the specs register their suites as they load (as tfjs's own setup does, by require).
require('@tensorflow/tfjs-core/dist/tests');
