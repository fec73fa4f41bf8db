// The page's backends, activated in its training worker (worker.ts). wasm: tfjs-backend-wasm with semix's kernel
// pack (@semix/core's selectBackend registers it), its binaries served by this app (Vite copies them into the build;
// `?url` gives their paths), never fetched from outside. tfjs picks the threaded SIMD binary when the page is cross-origin isolated (COOP/COEP headers), else
// the single-threaded SIMD one (the worker is isolated with its page). webgl: tfjs-backend-webgl on the worker's
// OffscreenCanvas, where the browser gives one a WebGL context (webgl.ts tells the page beforehand).
import { selectBackend } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import plainWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export const PAGE_BACKENDS = ['wasm', 'webgl'] as const;
export type PageBackend = (typeof PAGE_BACKENDS)[number];

setWasmPaths({
  'tfjs-backend-wasm.wasm': plainWasm,
  'tfjs-backend-wasm-simd.wasm': simdWasm,
  'tfjs-backend-wasm-threaded-simd.wasm': threadedWasm,
});

export interface BackendInfo {
  name: PageBackend;
  /** In words, for the page: the binary and threads for wasm, the WebGL version for webgl. */
  detail: string;
  crossOriginIsolated: boolean;
  /** wasm: the semix kernels registered. */
  kernelPack: string[];
  /**
   * wasm: the binary's memory, on which the pack instantiates its SIMD modules: 'exported' (the single-threaded
   * binaries), 'shared' (the threaded one, which imports it), or 'not exported' (the pack's kernels then take their
   * non-SIMD paths).
   */
  memory?: 'exported' | 'shared' | 'not exported';
}

function wasmMemory(): BackendInfo['memory'] {
  const wasm = (tf.backend() as unknown as { wasm?: { asm?: { memory?: unknown }; wasmMemory?: unknown } }).wasm;
  const memory = wasm?.asm?.memory ?? wasm?.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) return 'not exported';
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer ? 'shared' : 'exported';
}

/** Activates a backend and says what it is. */
export async function useBackend(name: PageBackend): Promise<BackendInfo> {
  const isolated = globalThis.crossOriginIsolated === true;
  if (name === 'wasm') {
    const selection = await selectBackend('wasm', { log: () => {} });
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    const binary = simd && threads ? 'threaded SIMD' : simd ? 'SIMD' : 'plain';
    const count = simd && threads ? getThreadsCount() : 1;
    const threadCount = `, ${count} thread${count === 1 ? '' : 's'}`;
    return {
      name,
      detail: `${binary} binary${threadCount}; semix kernel pack (${selection.kernelPack.length} kernels)`,
      crossOriginIsolated: isolated,
      kernelPack: selection.kernelPack,
      memory: wasmMemory(),
    };
  }
  if (!(await tf.setBackend('webgl'))) throw new Error('backend: webgl could not be initialised in this browser');
  await tf.ready();
  return {
    name,
    detail: `WebGL ${tf.env().getNumber('WEBGL_VERSION')}`,
    crossOriginIsolated: isolated,
    kernelPack: [],
  };
}
