import { describe, expect, it } from 'vitest';
import { type Border, borderIndex, correlate1d, gaussianBlur, gaussianWeights, type Img, motionBlur } from './image';

const N = 16;
const wave = Array.from({ length: N * N }, (_, p) => Math.sin(p * 0.37) * 0.5 + 0.5);
const ramp = <D extends Float32Array | Float64Array>(Type: { from(values: number[]): D }): Img<D> => ({
  data: Type.from(wave),
  h: N,
  w: N,
  c: 1,
});

describe('image primitives', () => {
  it('border modes index as scipy.ndimage names them', () => {
    const around = (mode: Border) => [-3, -2, -1, 0, 1, 2, 3, 4, 5, 6].map((i) => borderIndex(i, 4, mode));
    expect(around('nearest')).toEqual([0, 0, 0, 0, 1, 2, 3, 3, 3, 3]);
    // reflect: d c b a | a b c d | d c b a; mirror (OpenCV's REFLECT_101): d c b | a b c d | c b a.
    expect(around('reflect')).toEqual([2, 1, 0, 0, 1, 2, 3, 3, 2, 1]);
    expect(around('mirror')).toEqual([3, 2, 1, 0, 1, 2, 3, 2, 1, 0]);
    expect(around('constant')).toEqual([-1, -1, -1, 0, 1, 2, 3, -1, -1, -1]);
  });

  it("a Gaussian blur computes in the image's precision, its axes in the order given", () => {
    const f32 = gaussianBlur(ramp(Float32Array), 0.8);
    expect(f32.data).toBeInstanceOf(Float32Array);
    // Axis 0, then axis 1, with float32 weights: the same bytes as the two passes by hand.
    const k = gaussianWeights(0.8, 4, Float32Array);
    const byHand = correlate1d(correlate1d(ramp(Float32Array), k, 0, 'nearest'), k, 1, 'nearest');
    expect(Array.from(f32.data)).toEqual(Array.from(byHand.data));
    // The order is only a matter of rounding: in float64 the two orders agree to 1e-15.
    const cols = gaussianBlur(ramp(Float64Array), 0.8);
    const rows = gaussianBlur(ramp(Float64Array), 0.8, { axes: [1, 0] });
    expect(cols.data).toBeInstanceOf(Float64Array);
    for (let p = 0; p < N * N; p++) expect(Math.abs(cols.data[p] - rows.data[p])).toBeLessThan(1e-15);
  });

  it('motion blur: ImageMagick reads 2⌈r⌉ + 1 taps ahead, the CIFAR-style trailing blur ⌈r⌉ taps behind', () => {
    const point: Img = { data: new Float32Array(32 * 32), h: 32, w: 32, c: 1 };
    point.data[10 * 32 + 16] = 1;
    const weights = (n: number) => {
      const raw = Array.from({ length: n }, (_, i) => Math.exp(-(i * i) / (2 * 1.5 * 1.5)));
      const sum = raw.reduce((a, b) => a + b, 0);
      return raw.map((v) => v / sum);
    };
    const trailing = motionBlur(point, 6, 1.5, 0, 'trailing');
    const magick = motionBlur(point, 6, 1.5, 0, 'imagemagick');
    const row = (img: Img) => Array.from(img.data.subarray(10 * 32, 11 * 32));
    const expectedTrailing = new Array(32).fill(0);
    for (const [i, v] of weights(6).entries()) expectedTrailing[16 + i] = v;
    const expectedMagick = new Array(32).fill(0);
    for (const [i, v] of weights(13).entries()) expectedMagick[16 - i] = v;
    expect(row(trailing)).toEqual(expectedTrailing.map((v) => expect.closeTo(v, 6)));
    expect(row(magick)).toEqual(expectedMagick.map((v) => expect.closeTo(v, 6)));
  });
});
