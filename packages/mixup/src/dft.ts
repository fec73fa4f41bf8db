/**
 * A 2-D discrete Fourier transform of a complex H×W array, separable (rows, then columns) with cached twiddles:
 * O(HW(H + W)). Forward: X[u, v] = Σ x[y, x]·e^{−2πi(uy/H + vx/W)}; inverse: the conjugate sum divided by HW.
 * Images in semix are at most a few dozen pixels a side, where this beats a radix-2 FFT's bookkeeping and
 * works for any size.
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

/** 1-D transforms of `count` sequences of length n, stride `step` between elements, `jump` between sequences. */
function pass(
  re: Float64Array,
  im: Float64Array,
  n: number,
  count: number,
  step: number,
  jump: number,
  sign: number,
): void {
  const t = twiddles(n);
  const br = new Float64Array(n);
  const bi = new Float64Array(n);
  for (let s = 0; s < count; s++) {
    const base = s * jump;
    for (let k = 0; k < n; k++) {
      let sr = 0;
      let si = 0;
      let p = 0; // (k·j) mod n, stepped
      for (let j = 0; j < n; j++) {
        const xr = re[base + j * step];
        const xi = im[base + j * step];
        const c = t.cos[p];
        const sn = sign * t.sin[p];
        sr += xr * c - xi * sn;
        si += xr * sn + xi * c;
        p += k;
        if (p >= n) p -= n;
      }
      br[k] = sr;
      bi[k] = si;
    }
    for (let k = 0; k < n; k++) {
      re[base + k * step] = br[k];
      im[base + k * step] = bi[k];
    }
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
