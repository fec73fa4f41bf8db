/**
 * A 2-D discrete Fourier transform of a complex H×W array, separable (rows, then columns) with cached twiddles.
 * Forward: X[u, v] = Σ x[y, x]·e^{−2πi(uy/H + vx/W)}; inverse: the conjugate sum divided by HW. Sides that are
 * powers of two take a radix-2 FFT (O(n log n) per line: what per-sample FMix masks and SaliencyMix maps spend
 * most of their time on; `pnpm bench:speed` times them); other sides the direct sum (O(n²) per line).
 */
const cache = new Map<number, { cos: Float64Array; sin: Float64Array }>();
function twiddles(n: number) {
  let t = cache.get(n);
  if (!t) {
    t = { cos: new Float64Array(n), sin: new Float64Array(n) };
    for (let k = 0; k < n; k++) {
      t.cos[k] = Math.cos((2 * Math.PI * k) / n);
      t.sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    cache.set(n, t);
  }
  return t;
}

/** The bit-reversal permutation of 0..n − 1, n a power of two. */
const reversals = new Map<number, Uint32Array>();
function bitReversal(n: number): Uint32Array {
  let r = reversals.get(n);
  if (!r) {
    r = new Uint32Array(n);
    const bits = Math.log2(n);
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let b = 0; b < bits; b++) v |= ((i >> b) & 1) << (bits - 1 - b);
      r[i] = v;
    }
    reversals.set(n, r);
  }
  return r;
}

/**
 * 1-D transforms of `count` sequences of length n, stride `step` between elements, `jump` between sequences: each
 * is copied out, transformed (radix-2 FFT where n is a power of two, else the direct sum) and copied back.
 */
function pass(
  re: Float64Array,
  im: Float64Array,
  n: number,
  count: number,
  step: number,
  jump: number,
  sign: number,
): void {
  const line = (n & (n - 1)) === 0 ? fftLine : directLine;
  const [xr, xi, br, bi] = Array.from({ length: 4 }, () => new Float64Array(n));
  for (let s = 0; s < count; s++) {
    const base = s * jump;
    for (let j = 0; j < n; j++) {
      xr[j] = re[base + j * step];
      xi[j] = im[base + j * step];
    }
    line(xr, xi, br, bi, sign);
    for (let k = 0; k < n; k++) {
      re[base + k * step] = br[k];
      im[base + k * step] = bi[k];
    }
  }
}

/** (br, bi) ← the transform of (xr, xi) by an iterative radix-2 FFT: bit-reversed copy, log₂ n rounds of butterflies. */
function fftLine(xr: Float64Array, xi: Float64Array, br: Float64Array, bi: Float64Array, sign: number): void {
  const n = xr.length;
  const t = twiddles(n);
  const rev = bitReversal(n);
  for (let j = 0; j < n; j++) {
    br[rev[j]] = xr[j];
    bi[rev[j]] = xi[j];
  }
  for (let size = 2; size <= n; size *= 2) {
    const half = size / 2;
    const stride = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const c = t.cos[k * stride];
        const sn = sign * t.sin[k * stride];
        const i = start + k;
        const j = i + half;
        const tr = br[j] * c - bi[j] * sn;
        const ti = br[j] * sn + bi[j] * c;
        br[j] = br[i] - tr;
        bi[j] = bi[i] - ti;
        br[i] += tr;
        bi[i] += ti;
      }
    }
  }
}

/** (br, bi) ← the transform of (xr, xi) by the direct sum, for any n. */
function directLine(xr: Float64Array, xi: Float64Array, br: Float64Array, bi: Float64Array, sign: number): void {
  const n = xr.length;
  const t = twiddles(n);
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    let p = 0; // (k·j) mod n, stepped
    for (let j = 0; j < n; j++) {
      const c = t.cos[p];
      const sn = sign * t.sin[p];
      sr += xr[j] * c - xi[j] * sn;
      si += xr[j] * sn + xi[j] * c;
      p += k;
      if (p >= n) p -= n;
    }
    br[k] = sr;
    bi[k] = si;
  }
}

/** In place: the 2-D DFT (or its inverse) of the row-major H×W complex array (re, im). */
export function dft2(re: Float64Array, im: Float64Array, h: number, w: number, inverse = false): void {
  const sign = inverse ? 1 : -1;
  pass(re, im, w, h, 1, w, sign); // along each row
  pass(re, im, h, w, w, 1, sign); // along each column
  if (inverse) {
    const scale = 1 / (h * w);
    for (let i = 0; i < h * w; i++) {
      re[i] *= scale;
      im[i] *= scale;
    }
  }
}
