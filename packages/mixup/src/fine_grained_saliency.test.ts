import { describe, expect, it } from 'vitest';
import fixture from './__fixtures__/fine_grained_saliency.json';
import { argmax2d, fineGrainedSaliency } from './fine_grained_saliency';

const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

describe("fine-grained saliency against OpenCV's StaticSaliencyFineGrained", () => {
  it.each(fixture.images.map((r) => [r.name, r] as const))('%s: the same 8-bit map and peak', (_, r) => {
    const map = fineGrainedSaliency(bytes(r.pixels), r.h, r.w, r.channels as 1 | 3);
    const expected = bytes(r.saliency);
    let maxDiff = 0;
    for (let p = 0; p < map.length; p++) maxDiff = Math.max(maxDiff, Math.abs(map[p] - expected[p]));
    expect(maxDiff).toBe(0);
    expect(argmax2d(map, r.w)).toEqual(r.argmax);
  });

  it('the fixture covers digits, RGB, unclipped windows and an empty map', () => {
    const names = fixture.images.map((r) => r.name);
    expect(names.filter((n) => n.startsWith('digit-'))).toHaveLength(10);
    expect(fixture.images.filter((r) => r.channels === 3).length).toBeGreaterThanOrEqual(5);
    // At 28×28 the larger windows (2n ≥ 48 pixels) cover the whole image; at 96×96, n = 12, 24, 28 fit inside it.
    expect(fixture.images.some((r) => r.h === 96 && r.w === 96)).toBe(true);
    const constant = fixture.images.find((r) => r.name === 'constant-16x16');
    expect(constant && bytes(constant.saliency).every((v) => v === 0)).toBe(true);
  });

  it('argmax2d takes the first maximum in row-major order', () => {
    expect(argmax2d([0, 3, 1, 3, 3, 0], 3)).toEqual([0, 1]);
    expect(argmax2d([0, 0, 0, 0], 2)).toEqual([0, 0]);
  });

  it('rejects what OpenCV would misread', () => {
    expect(() => fineGrainedSaliency(new Uint8Array(8), 2, 2, 2 as 1)).toThrow(/channels: 2 is not valid/);
    expect(() => fineGrainedSaliency(new Uint8Array(5), 2, 2)).toThrow(/expected 4 values/);
  });
});
