import type { ImageDataset } from './data';
import { Rng } from './rng';

/** A small learnable problem: class k brightens the k-th quadrant of a noisy 12×12 image. */
export function quadrants(n: number, seed: number): ImageDataset {
  const rng = new Rng(seed);
  const images = new Uint8Array(n * 144);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 4;
    labels[i] = k;
    for (let y = 0; y < 12; y++)
      for (let x = 0; x < 12; x++) {
        const inQuadrant = (y < 6 ? 0 : 2) + (x < 6 ? 0 : 1) === k;
        images[i * 144 + y * 12 + x] = Math.min(255, Math.floor(rng.uniform() * 120 + (inQuadrant ? 120 : 0)));
      }
  }
  return { images, labels, shape: [12, 12, 1], numClasses: 4 };
}
