import { writeAtomic } from '@semix/env/node';
import { PNG } from 'pngjs';
import type { Dataset } from '../types';
import { ALL_CORRUPTIONS, SEVERITIES } from './corruptions';
import { drawText, GLYPH_HEIGHT, textWidth } from './font';
import { MNIST_C_CORRUPTIONS } from './mnist_c';
import {
  checkCorruption,
  checkMnistCCorruption,
  checkSuite,
  corruptImages,
  corruptMnistC,
  type SuiteName,
} from './suite';

export interface PreviewOptions {
  /** 'cifar10-c' (default: columns clean, 1–5) or 'mnist-c' (columns clean, MNIST-C). */
  suite?: SuiteName;
  /** Images per corruption (default 2). */
  images?: number;
  /** Default: all of the suite's corruptions (for cifar10-c, the 15 and the 4 extras). */
  corruptions?: readonly string[];
  zoom?: number;
  seed?: number;
  path?: string;
}

/** Pixel scale of the label font, and the blank margin around labels. */
const TEXT_SCALE = 2;
const MARGIN = 6;

/**
 * A labelled PNG grid of what a model is tested on: one row per (image, corruption), labelled with the
 * corruption on the left; columns clean then severities 1–5 (cifar10-c) or the one MNIST-C level (mnist-c),
 * labelled on top. Cells are scaled up by `zoom` with a 2-pixel gutter. Returns the PNG bytes; writes them when
 * `path` is given.
 */
export async function previewGrid(data: Dataset, options: PreviewOptions = {}): Promise<Uint8Array> {
  const suite = checkSuite(options.suite ?? 'cifar10-c');
  const [h, w, c] = data.shape;
  const count = Math.min(options.images ?? 2, data.labels.length);
  const seed = options.seed ?? 0;
  const corruptions =
    suite === 'mnist-c'
      ? (options.corruptions ?? MNIST_C_CORRUPTIONS).map(checkMnistCCorruption)
      : (options.corruptions ?? ALL_CORRUPTIONS).map(checkCorruption);
  const columns = suite === 'mnist-c' ? ['clean', 'mnist-c'] : ['clean', ...SEVERITIES.map(String)];
  const zoom = options.zoom ?? 2;
  const gutter = 2;
  const cellH = Math.max(h * zoom, GLYPH_HEIGHT * TEXT_SCALE) + gutter;
  const cellW = Math.max(w * zoom, ...columns.map((t) => textWidth(t, TEXT_SCALE))) + gutter;
  const labelW = Math.max(...corruptions.map((t) => textWidth(t, TEXT_SCALE))) + 2 * MARGIN;
  const headerH = GLYPH_HEIGHT * TEXT_SCALE + 2 * MARGIN;
  const rows = count * corruptions.length;
  const png = new PNG({ width: labelW + columns.length * cellW + gutter, height: headerH + rows * cellH + gutter });
  png.data.fill(255);
  const per = h * w * c;
  const subset: Dataset = {
    ...data,
    images: data.images.subarray(0, count * per),
    labels: data.labels.subarray(0, count),
  };
  const cellX = (col: number) => labelW + col * cellW + gutter;
  const cellY = (row: number) => headerH + row * cellH + gutter;
  columns.forEach((text, col) => {
    const x = cellX(col) + Math.floor((w * zoom - textWidth(text, TEXT_SCALE)) / 2);
    drawText(png.data, png.width, Math.max(cellX(col), x), MARGIN, text, TEXT_SCALE);
  });
  const draw = (pixels: Uint8Array, index: number, row: number, col: number) => {
    for (let y = 0; y < h * zoom; y++)
      for (let x = 0; x < w * zoom; x++) {
        const src = index * per + (Math.floor(y / zoom) * w + Math.floor(x / zoom)) * c;
        const dst = ((cellY(row) + y) * png.width + cellX(col) + x) * 4;
        for (let ch = 0; ch < 3; ch++) png.data[dst + ch] = pixels[src + (c === 3 ? ch : 0)];
        png.data[dst + 3] = 255;
      }
  };
  corruptions.forEach((corruption, k) => {
    const levels =
      suite === 'mnist-c'
        ? [corruptMnistC(subset, corruption, seed)]
        : SEVERITIES.map((s) => corruptImages(subset, corruption, s, seed));
    for (let i = 0; i < count; i++) {
      const row = i * corruptions.length + k;
      const textY = cellY(row) + Math.floor((h * zoom - GLYPH_HEIGHT * TEXT_SCALE) / 2);
      drawText(png.data, png.width, MARGIN, textY, corruption, TEXT_SCALE);
      draw(subset.images, i, row, 0);
      for (const [s, pixels] of levels.entries()) draw(pixels, i, row, s + 1);
    }
  });
  const bytes = new Uint8Array(PNG.sync.write(png));
  if (options.path) await writeAtomic(options.path, bytes);
  return bytes;
}
