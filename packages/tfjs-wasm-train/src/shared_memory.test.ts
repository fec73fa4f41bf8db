import { describe, expect, it } from 'vitest';
import { backendMemory, instantiateOnce, moduleOf } from './wasm_asm';

// tfjs-backend-wasm's threaded binary (what a cross-origin isolated page gets) imports a shared memory, which
// Emscripten keeps as `wasmMemory`; the pack's SIMD modules must find it and link to it, or every kernel takes its
// slow path there.

/** This package compiles without the DOM library's types, where WebAssembly's JS API is declared. */
const { Memory } = (
  globalThis as unknown as {
    WebAssembly: {
      Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => { buffer: ArrayBuffer };
    };
  }
).WebAssembly;

/** store(address, value): i32.store at `address` (local.get 0, local.get 1, i32.store align=4 offset=0). */
const storeModule = () => moduleOf('store', 2, 0, 0, [0x20, 0x00, 0x20, 0x01, 0x36, 0x02, 0x00]);

describe('the SIMD modules on shared memory (the threaded binary)', () => {
  for (const shared of [false, true]) {
    it(`instantiate on a ${shared ? 'shared' : 'plain'} memory and write into it`, () => {
      const memory = shared ? new Memory({ initial: 2, maximum: 16384, shared: true }) : new Memory({ initial: 2 });
      const store = instantiateOnce<(address: number, value: number) => void>(memory, 'store', 'store', storeModule);
      expect(store).not.toBeNull();
      store!(64, 123456);
      expect(new Int32Array(memory.buffer)[16]).toBe(123456);
    });
  }

  it("finds the threaded binary's imported memory as wasmMemory, and the plain binary's exported one", () => {
    const memory = new Memory({ initial: 1, maximum: 4, shared: true });
    expect(backendMemory({ asm: {}, wasmMemory: memory })).toBe(memory);
    expect(backendMemory({ asm: { memory } })).toBe(memory);
    expect(backendMemory({ asm: {} })).toBeNull();
  });
});
