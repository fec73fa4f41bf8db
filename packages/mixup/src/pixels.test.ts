import { describe, expect, it } from 'vitest';
import { byteInputTable, bytesToInput } from './pixels';

describe('bytesToInput', () => {
  it('writes (u/255 − mean)/std per channel at `to`, rounded to float32, with or without a prebuilt table', () => {
    const normalization = { mean: [0.5, 0.25, 0], std: [0.25, 0.5, 2] };
    const bytes = Uint8Array.from([0, 255, 51, 102, 0, 255]);
    // By hand: 0 → −2; 255 on channel 1 → (1 − 0.25)/0.5 = 1.5; 51/255 = 0.2 on channel 2 → 0.1; and so on.
    const expected = [-2, 1.5, 0.1, (0.4 - 0.5) / 0.25, -0.5, 0.5].map(Math.fround);
    for (const table of [undefined, byteInputTable(3, normalization)]) {
      const out = new Float32Array(8).fill(7);
      bytesToInput(bytes, 3, normalization, out, 1, table);
      expect(out[0]).toBe(7);
      expect(out[7]).toBe(7);
      for (const [i, v] of Array.from(out.subarray(1, 7)).entries()) expect(v).toBeCloseTo(expected[i], 6);
    }
    const gray = new Float32Array(2);
    bytesToInput(Uint8Array.from([0, 255]), 1, null, gray);
    expect(Array.from(gray)).toEqual([0, 1]);
  });
});
