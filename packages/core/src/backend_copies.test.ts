import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend, type TfjsCoreLike, tfjsCoreCopies } from './backend';

// A file of its own: loading a second tfjs-core changes the process's tfjs globals (its platform) for what follows.
describe('selectBackend: a second copy of tfjs-core', () => {
  it('one copy (this workspace, @tensorflow/tfjs included): no warning', async () => {
    const warned: string[] = [];
    const selection = await selectBackend('cpu', { warn: (l) => warned.push(l) });
    expect(selection.warnings).toEqual([]);
    expect(warned).toEqual([]);
    expect(selection.native).toBeUndefined();
  });

  it('a real second copy is seen from both sides: a package re-exporting it, and from the copy loaded second', async () => {
    await tf.setBackend('cpu');
    const require = createRequire(import.meta.url);
    const path = require.resolve('@tensorflow/tfjs-core');
    const first = require(path) as TfjsCoreLike;
    const platform = first.env().platform;
    expect(tfjsCoreCopies(first, [], platform)).toEqual([]);
    delete require.cache[path];
    const second = require(path) as TfjsCoreLike;
    expect(second.Tensor).not.toBe(first.Tensor);
    // tfjs-node's kernels require tfjs-core themselves: a copy that nothing else shows sets the platform again.
    expect(tfjsCoreCopies(first, [], platform)).toEqual([
      expect.stringMatching(/^backend: a second @tensorflow\/tfjs-core was loaded after semix's \(4\.22\.0\)/),
    ]);
    // tfjs-node re-exports @tensorflow/tfjs, which re-exports its tfjs-core: here, the second copy.
    const ours = tfjsCoreCopies(first, [['@tensorflow/tfjs-node', second]], first.env().platform);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(
      /^backend: @tensorflow\/tfjs-node uses another copy of @tensorflow\/tfjs-core \(4\.22\.0\)/,
    );
    expect(ours[0]).toContain('exactly one @tensorflow/tfjs-core');
    const now = first.env().platform;
    expect(tfjsCoreCopies(first, [['@tensorflow/tfjs-node', { default: second }]], now)).toHaveLength(1);
    const none: [string, unknown][] = [
      ['@tensorflow/tfjs-node', first],
      ['@tensorflow/tfjs-backend-wasm', {}],
    ];
    expect(tfjsCoreCopies(first, none, now)).toEqual([]);
    // The copy loaded second shares the global engine, whose tensors are of the first copy's class.
    const before = tf.memory().numTensors;
    expect(tfjsCoreCopies(second, [], now)).toEqual([
      expect.stringContaining('the tfjs engine was made by another copy'),
    ]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
