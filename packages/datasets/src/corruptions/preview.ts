import { PNG } from 'pngjs';
import { writeAtomic } from '../cache';
import type { Dataset } from '../types';
import { ALL_CORRUPTIONS, type CorruptionName, SEVERITIES } from './corruptions';
import { corruptImages } from './suite';

/**
 * A PNG grid of what a model is tested on: one row per (image, corruption), columns clean then severities 1–5,
 * each cell scaled up by `zoom` with a 2-pixel gutter. Returns the PNG bytes; writes them when `path` is given.
 */
export async function previewGrid(
  data: Dataset,
  options: {
    images?: number;
    corruptions?: readonly CorruptionName[];
    zoom?: number;
    seed?: number;
    path?: string;
  } = {},
): Promise<Uint8Array> {
  const [h, w, c] = data.shape;
  const count = Math.min(options.images ?? 2, data.labels.length);
  const corruptions = options.corruptions ?? ALL_CORRUPTIONS;
  const zoom = options.zoom ?? 2;
  const gutter = 2;
  const cellH = h * zoom + gutter;
  const cellW = w * zoom + gutter;
  const rows = count * corruptions.length;
  const cols = 1 + SEVERITIES.length;
  const png = new PNG({ width: cols * cellW + gutter, height: rows * cellH + gutter });
  png.data.fill(255);
  const per = h * w * c;
  const subset: Dataset = {
    ...data,
    images: data.images.subarray(0, count * per),
    labels: data.labels.subarray(0, count),
  };
  const draw = (pixels: Uint8Array, index: number, row: number, col: number) => {
    for (let y = 0; y < h * zoom; y++)
      for (let x = 0; x < w * zoom; x++) {
        const src = index * per + (Math.floor(y / zoom) * w + Math.floor(x / zoom)) * c;
        const dst = ((row * cellH + gutter + y) * png.width + col * cellW + gutter + x) * 4;
        for (let ch = 0; ch < 3; ch++) png.data[dst + ch] = pixels[src + (c === 3 ? ch : 0)];
        png.data[dst + 3] = 255;
      }
  };
  corruptions.forEach((corruption, k) => {
    const levels = SEVERITIES.map((s) => corruptImages(subset, corruption, s, options.seed ?? 0));
    for (let i = 0; i < count; i++) {
      const row = i * corruptions.length + k;
      draw(subset.images, i, row, 0);
      for (const [s, pixels] of levels.entries()) draw(pixels, i, row, s + 1);
    }
  });
  const bytes = new Uint8Array(PNG.sync.write(png));
  if (options.path) await writeAtomic(options.path, bytes);
  return bytes;
}
