/**
 * A small, fast, seedable generator (sfc32, Chris Doty-Humphrey's PractRand "small fast counting" RNG) whose
 * whole state is four 32-bit words, so it can be saved in a checkpoint and restored exactly. Every random choice of
 * training (initial weights, the order of examples, augmentation, λ, boxes, masks, pairings) draws from one of
 * these; the trainer and the models draw from one stream per purpose of their seed ({@link streamRng}).
 *
 * The data's random choices (generated corruption suites, the validation split, batchIndices' shuffle) draw from
 * @semix/datasets' DataRng instead, a different generator (mulberry32, one 32-bit word of state). The two are not
 * merged: either stream is part of what a result's identity fixes (generated suites and splits are keyed by their
 * generator version, trained weights by the seed), so giving both one algorithm would change the numbers of every
 * record made with the other. Merge them only together with a new job identity version and a suite generator
 * version.
 */
/**
 * The largest seed. A seed is one 32-bit word (splitmix32's input below): wrapping a larger number modulo 2³² would
 * give seed 2³² the draws of seed 0, two "different" seeds one result.
 */
export const MAX_SEED = 2 ** 32 - 1;

/** Throws unless `seed` is an integer in [0, MAX_SEED]; the message names `field`. */
export function checkSeed(seed: number, field = 'seed'): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new RangeError(`${field}: ${seed} is not valid; expected an integer from 0 to ${MAX_SEED}`);
  }
}

export class Rng {
  private s: Uint32Array;

  constructor(seed: number | readonly number[]) {
    this.s = new Uint32Array(4);
    if (typeof seed === 'number') {
      checkSeed(seed);
      // splitmix32 spreads one integer seed over the four words.
      let x = seed;
      for (let i = 0; i < 4; i++) {
        x = (x + 0x9e3779b9) >>> 0;
        let z = x;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
        this.s[i] = (z ^ (z >>> 16)) >>> 0;
      }
      for (let i = 0; i < 12; i++) this.nextUint32();
    } else {
      if (seed.length !== 4) throw new Error(`rng state must have 4 words, got ${seed.length}`);
      this.s.set(seed);
    }
  }

  /** The state, to store in a checkpoint; `new Rng(state)` continues the same sequence. */
  state(): number[] {
    return Array.from(this.s);
  }

  /** An independent generator derived from this one (for a sub-task that must not shift this sequence). */
  fork(): Rng {
    // `^` yields a signed 32-bit number; `>>> 0` reads the same bits as the unsigned seed.
    return new Rng((this.nextUint32() ^ Math.imul(this.nextUint32(), 0x27d4eb2d)) >>> 0);
  }

  nextUint32(): number {
    const s = this.s;
    const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
    s[3] = (s[3] + 1) >>> 0;
    s[0] = s[1] ^ (s[1] >>> 9);
    s[1] = (s[2] + (s[2] << 3)) >>> 0;
    s[2] = (s[2] << 21) | (s[2] >>> 11);
    s[2] = (s[2] + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Integer uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  /** Gamma(shape, 1), Marsaglia & Tsang (2000); shape < 1 through the boost Gamma(a+1)·U^(1/a). */
  gamma(shape: number): number {
    if (!(shape > 0)) throw new Error(`gamma shape must be > 0, got ${shape}`);
    if (shape < 1) return this.gamma(shape + 1) * this.uniform() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x = 0;
      let v = 0;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x / (x + y);
  }

  /** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** n normal draws scaled by std, as a Float32Array. */
  normals(n: number, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal() * std;
    return out;
  }
}

/**
 * The streams of one seed, one per purpose, so that what one purpose draws never shifts another's sequence: the
 * model's initial weights (`init`), the order of the examples each epoch (`order`), the batch augmentation
 * (`augment`), and the training method's draws (`mix`: λ, pairings, boxes, layers; data-parallel shards fork theirs
 * from it). Two methods trained with one seed then see the same batches, in the same order, augmented the same
 * way, whatever their mixing draws; with one generator for all of them, the second epoch's order depended on how
 * many numbers the first epoch's mixing drew.
 */
export const RNG_STREAMS = ['init', 'order', 'augment', 'mix'] as const;
export type RngStream = (typeof RNG_STREAMS)[number];

/**
 * Stream `name` of `seed`: sfc32 started from the XOR of the states `new Rng(seed)` and `new Rng(fnv1a(name))`
 * begin with (each a splitmix32 spread of a 32-bit number), then 12 draws discarded as the seed constructor does.
 * Deterministic, the same on every platform, and two streams meet only if all 128 bits of their states do.
 */
export function streamRng(seed: number, name: RngStream): Rng {
  const base = new Rng(seed).state();
  const salt = new Rng(fnv1a(name)).state();
  const rng = new Rng(base.map((word, i) => (word ^ salt[i]) >>> 0));
  for (let i = 0; i < 12; i++) rng.nextUint32();
  return rng;
}

/** FNV-1a, 32 bits, of a string's UTF-16 code units (the stream names are ASCII). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
