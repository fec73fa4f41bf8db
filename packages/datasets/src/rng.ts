/**
 * A small seeded generator (mulberry32) for data pipelines: shuffling, augmentation and corruptions.
 * Not `@semix/core`'s Rng (sfc32), though it could now be reached through a shared package: this stream makes every
 * generated corruption suite and validation split, so another algorithm would change their images and indices (the
 * cached suites' GENERATOR_VERSION and every record's data identity with them). See core's rng.ts.
 */
export class DataRng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  uniform(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  normal(mean = 0, std = 1): number {
    let u = 0;
    while (u === 0) u = this.uniform();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  /** Poisson(λ): Knuth's product method below 30, the normal approximation (rounded, ≥ 0) above. */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda < 30) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.uniform();
      while (p > limit) {
        k += 1;
        p *= this.uniform();
      }
      return k;
    }
    return Math.max(0, Math.round(this.normal(lambda, Math.sqrt(lambda))));
  }

  permutation(n: number): Int32Array {
    const p = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
