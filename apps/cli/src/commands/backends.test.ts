import type { BackendProbe, BackendSelection } from '@semix/core';
import { describe, expect, it } from 'vitest';
import { backendsText } from './backends';

const probes: BackendProbe[] = [
  { name: 'tensorflow', module: '@tensorflow/tfjs-node', available: true, reason: '@tensorflow/tfjs-node loaded' },
  { name: 'wasm', module: '@tensorflow/tfjs-backend-wasm', available: true, reason: 'loaded' },
];

describe('semix backends', () => {
  it('names tfjs-node and its libtensorflow where tensorflow is chosen', () => {
    const chosen: BackendSelection = {
      name: 'tensorflow',
      probes,
      kernelPack: [],
      relaxedSimd: false,
      native: { module: '@tensorflow/tfjs-node', version: '4.22.0', libtensorflow: '2.21.0' },
      warnings: [],
    };
    const text = backendsText(probes, chosen, ['backend tensorflow: chosen']);
    expect(text.split('\n')).toEqual([
      '✓ tensorflow @tensorflow/tfjs-node loaded',
      '✓ wasm       loaded',
      '',
      'chosen: tensorflow',
      '  @tensorflow/tfjs-node 4.22.0, libtensorflow 2.21.0',
      '  backend tensorflow: chosen',
    ]);
  });

  it('prints no libtensorflow line on wasm', () => {
    const chosen: BackendSelection = { name: 'wasm', probes, kernelPack: ['Conv2D'], relaxedSimd: true, warnings: [] };
    const text = backendsText(probes, chosen, []);
    expect(text).not.toContain('libtensorflow');
    expect(text.endsWith('chosen: wasm')).toBe(true);
  });
});
