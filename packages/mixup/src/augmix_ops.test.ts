import { describe, expect, it } from 'vitest';
import fixture from './__fixtures__/augmix_ops.json';
import {
  affine,
  autocontrast,
  brightness,
  color,
  contrast,
  equalize,
  type Image8,
  posterize,
  rotate,
  sharpness,
  shearX,
  shearY,
  solarize,
  translateX,
  translateY,
} from './augmix_ops';

const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

const OPS: Record<string, (img: Image8, arg: number) => Image8> = {
  autocontrast: (img) => autocontrast(img),
  equalize: (img) => equalize(img),
  posterize,
  solarize,
  rotate,
  shear_x: shearX,
  shear_y: shearY,
  translate_x: translateX,
  translate_y: translateY,
  color,
  contrast,
  brightness,
  sharpness,
};

const images = new Map(
  fixture.images.map((r) => [r.name, { data: bytes(r.pixels), height: r.h, width: r.w, channels: r.channels }]),
);

describe("AugMix's operations against Pillow 9.4", () => {
  it.each(fixture.cases.map((c) => [`${c.op}(${c.image}, ${c.arg})`, c] as const))('%s', (_, c) => {
    const img = images.get(c.image)!;
    const out = OPS[c.op](img, c.arg as number);
    const expected = bytes(c.out);
    let differ = 0;
    for (let i = 0; i < expected.length; i++) differ += out.data[i] !== expected[i] ? 1 : 0;
    expect(differ).toBe(0);
    expect(out.data.length).toBe(expected.length);
    expect(img.data).toEqual(bytes(fixture.images.find((r) => r.name === c.image)!.pixels));
  });

  it('the fixture covers every operation on gray and RGB images', () => {
    for (const op of Object.keys(OPS)) {
      const channels = new Set(fixture.cases.filter((c) => c.op === op).map((c) => images.get(c.image)!.channels));
      expect([op, [...channels].sort()]).toEqual([op, [1, 3]]);
    }
  });
});

describe('operations by hand', () => {
  const gray = (rows: number[][]): Image8 => ({
    data: Uint8Array.from(rows.flat()),
    height: rows.length,
    width: rows[0].length,
    channels: 1,
  });

  it('autocontrast stretches [50, 150] to [0, 255]: v ↦ ⌊(v − 50)·2.55⌋', () => {
    expect(Array.from(autocontrast(gray([[50, 100, 150]])).data)).toEqual([0, 127, 255]);
  });

  it('posterize and solarize', () => {
    expect(Array.from(posterize(gray([[255, 100, 31]]), 3).data)).toEqual([224, 96, 0]);
    expect(Array.from(solarize(gray([[10, 127, 128, 255]]), 128).data)).toEqual([10, 127, 127, 0]);
  });

  it('translating by one pixel shifts whole pixels and fills with black', () => {
    const img = gray([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(Array.from(translateX(img, 1).data)).toEqual([2, 3, 0, 5, 6, 0]);
    expect(Array.from(translateY(img, -1).data)).toEqual([0, 0, 0, 1, 2, 3]);
  });

  it('a whole-pixel translation (copied row by row) is byte for byte the affine transform it stands for', () => {
    const rgb: Image8 = {
      data: Uint8Array.from({ length: 5 * 4 * 3 }, (_, i) => (i * 53) % 256),
      height: 5,
      width: 4,
      channels: 3,
    };
    for (const img of [
      rgb,
      gray([
        [1, 2, 3, 4, 5],
        [6, 7, 8, 9, 10],
        [11, 12, 13, 14, 15],
      ]),
    ]) {
      for (let p = -6; p <= 6; p++) {
        expect(translateX(img, p).data).toEqual(affine(img, [1, 0, p, 0, 1, 0]).data);
        expect(translateY(img, p).data).toEqual(affine(img, [1, 0, 0, 0, 1, p]).data);
      }
    }
  });

  it('a fractional shift interpolates neighbours (truncated); the border column repeats; outside is black', () => {
    // Shift ¼: output x samples pixel-centre coordinate x + ¼ → in[x] + ¼·(in[x + 1] − in[x]), in[3] clamped to in[2].
    expect(Array.from(affine(gray([[10, 21, 40]]), [1, 0, 0.25, 0, 1, 0]).data)).toEqual([12, 25, 40]);
    // Shift ½: the last output pixel's sample point (3.0 in edge coordinates) lies outside [0, 3).
    expect(Array.from(affine(gray([[10, 21, 40]]), [1, 0, 0.5, 0, 1, 0]).data)).toEqual([15, 30, 0]);
  });

  it('refuses what Pillow would not take', () => {
    expect(() => posterize(gray([[1]]), 9)).toThrow(/posterize bits: 9 is not valid/);
    expect(() => affine(gray([[1]]), [1, 0, 0])).toThrow(/affine matrix/);
    expect(() => rotate(gray([[1]]), Number.NaN)).toThrow(/rotate degrees/);
  });
});
