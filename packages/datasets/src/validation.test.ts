import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MNIST_MINI_TEST_PER_CLASS, MNIST_MINI_TRAIN_PER_CLASS } from './constants';
import { loadMnistMini } from './mnist_mini';
import { subset, validationSplit } from './subset';
import type { Dataset } from './types';
import { splitValidation, stratifiedCounts } from './validation';

/** A labels-only split: `counts[k]` images of class k, interleaved as mnist-mini's (0, 1, 2, 0, 1, …). */
function labelsOf(counts: readonly number[]): { name: string; labels: Uint8Array; numClasses: number } {
  const labels: number[] = [];
  const left = [...counts];
  while (left.some((c) => c > 0)) {
    left.forEach((c, k) => {
      if (c > 0) {
        labels.push(k);
        left[k] -= 1;
      }
    });
  }
  return { name: 'toy/train', labels: Uint8Array.from(labels), numClasses: counts.length };
}

const perClass = (labels: Uint8Array, indices: Int32Array, classes: number) => {
  const out = new Array<number>(classes).fill(0);
  for (const i of indices) out[labels[i]] += 1;
  return out;
};

/** Checks the invariants every split must keep: disjoint, together all, ascending, in range. */
function expectPartition(n: number, { train, validation }: { train: Int32Array; validation: Int32Array }) {
  const ascending = (a: Int32Array) => a.every((v, j) => j === 0 || a[j - 1] < v);
  expect(ascending(train)).toBe(true);
  expect(ascending(validation)).toBe(true);
  const seen = new Uint8Array(n);
  for (const i of [...train, ...validation]) {
    expect(i >= 0 && i < n).toBe(true);
    seen[i] += 1;
  }
  // Every index exactly once: validation ∩ train = ∅ and validation ∪ train = the split.
  expect(seen.every((s) => s === 1)).toBe(true);
}

describe('stratifiedCounts (largest remainder)', () => {
  it('matches quotas worked by hand, ties to the lower class', () => {
    // Quotas 2.5, 1.5, 1: floors 2, 1, 1 leave one image; the remainders tie (½, ½), class 0 takes it.
    expect(stratifiedCounts([5, 3, 2], 5)).toEqual([3, 1, 1]);
    // 3.5, 3.5, 3: one left over, class 0.
    expect(stratifiedCounts([7, 7, 6], 10)).toEqual([4, 3, 3]);
    // ½ each: two left over, classes 0 and 1.
    expect(stratifiedCounts([1, 1, 1, 1], 2)).toEqual([1, 1, 0, 0]);
    // Exact quotas, an empty class gets none.
    expect(stratifiedCounts([10, 0, 5], 3)).toEqual([2, 0, 1]);
    // The larger remainder wins over the lower class: 4·4/13 = 1.23, 9·4/13 = 2.77 → floors 1, 2; class 1 takes it.
    expect(stratifiedCounts([4, 9], 4)).toEqual([1, 3]);
    // mnist-mini: 700 a class, 1,000 of 7,000 → 100 each.
    expect(stratifiedCounts(new Array(10).fill(700), 1000)).toEqual(new Array(10).fill(100));
  });
});

describe('splitValidation', () => {
  it('partitions the split, stratified: each class gives its hand-worked quota', () => {
    const data = labelsOf([5, 3, 2]);
    for (const seed of [0, 1, 2, 3]) {
      const split = splitValidation(data, { size: 5, seed });
      expectPartition(10, split);
      expect(perClass(data.labels, split.validation, 3)).toEqual([3, 1, 1]);
      expect(perClass(data.labels, split.train, 3)).toEqual([2, 2, 1]);
    }
  });

  it('takes fraction as round(fraction × images)', () => {
    const data = labelsOf([7, 7, 6]);
    // 0.5 × 20 = 10 → quotas 3.5, 3.5, 3 → [4, 3, 3].
    const split = splitValidation(data, { fraction: 0.5 });
    expect(split.validation.length).toBe(10);
    expect(perClass(data.labels, split.validation, 3)).toEqual([4, 3, 3]);
    // 0.33 × 20 = 6.6 → 7.
    expect(splitValidation(data, { fraction: 0.33 }).validation.length).toBe(7);
  });

  it('is the same for the same seed and differs for another; not stratified, any class mix', () => {
    const data = labelsOf(new Array(10).fill(20));
    const a = splitValidation(data, { size: 50, seed: 7 });
    const b = splitValidation(data, { size: 50, seed: 7 });
    expect([...a.validation]).toEqual([...b.validation]);
    expect([...a.train]).toEqual([...b.train]);
    expect([...splitValidation(data, { size: 50, seed: 8 }).validation]).not.toEqual([...a.validation]);
    const uniform = splitValidation(data, { size: 50, seed: 7, stratify: false });
    expectPartition(200, uniform);
    expect(uniform.validation.length).toBe(50);
    // A uniform draw of 50 of 200 lands exactly 5 in each of the 10 classes with probability
    // C(20, 5)¹⁰ / C(200, 50) ≈ 1.8 · 10⁻⁶: equal counts come from the stratification.
    expect(perClass(data.labels, uniform.validation, 10)).not.toEqual(new Array(10).fill(5));
    expect(perClass(data.labels, a.validation, 10)).toEqual(new Array(10).fill(5));
  });

  it('draws each image of a class with the same probability, quota / count (2,000 seeds)', () => {
    // Class 0 has 10 images, 3 of which go to validation: each should be chosen with probability 0.3. Over 2,000
    // seeds the count is Binomial(2000, 0.3): mean 600, sd 20.5; ±4 sd is 82. The same for the uniform draw of 6
    // of 20 (probability 0.3 too).
    const data = labelsOf([10, 10]);
    const stratified = new Array<number>(20).fill(0);
    const uniform = new Array<number>(20).fill(0);
    for (let seed = 0; seed < 2000; seed++) {
      for (const i of splitValidation(data, { size: 6, seed }).validation) stratified[i] += 1;
      for (const i of splitValidation(data, { size: 6, seed, stratify: false }).validation) uniform[i] += 1;
    }
    for (const count of [...stratified, ...uniform]) expect(Math.abs(count - 600)).toBeLessThan(82);
  });

  it('refuses bad sizes, fractions, seeds and labels, naming the field, the value and what is allowed', () => {
    const data = labelsOf([5, 5]);
    expect(() => splitValidation(data, { size: 0 })).toThrow(
      'size: 0 is not valid; allowed: an integer from 1 to 9 (toy/train has 10)',
    );
    expect(() => splitValidation(data, { size: 10 })).toThrow(/size: 10 is not valid; allowed: .* 1 to 9/);
    expect(() => splitValidation(data, { size: 2.5 })).toThrow(/size: 2.5 is not valid/);
    expect(() => splitValidation(data, { fraction: 0 })).toThrow(
      'fraction: 0 is not valid; allowed: a number strictly between 0 and 1',
    );
    expect(() => splitValidation(data, { fraction: 1 })).toThrow(/fraction: 1 is not valid/);
    expect(() => splitValidation(data, { fraction: Number.NaN })).toThrow(/fraction: NaN is not valid/);
    expect(() => splitValidation(data, { fraction: 0.01 })).toThrow(
      "fraction: 0.01 of toy/train's 10 images is 0; allowed: a fraction giving 1 to 9 images",
    );
    expect(() => splitValidation(data, { fraction: 0.97 })).toThrow(/images is 10; allowed/);
    expect(() => splitValidation(data, { size: 2, fraction: 0.2 })).toThrow(
      'size and fraction: both given (2 and 0.2); give one',
    );
    expect(() => splitValidation(data, {})).toThrow('size or fraction: neither given; give one');
    expect(() => splitValidation(data, { size: 2, seed: -1 })).toThrow(
      'seed: -1 is not valid; allowed: an integer from 0 to 4294967295',
    );
    expect(() => splitValidation(data, { size: 2, seed: 0.5 })).toThrow(/seed: 0.5 is not valid/);
    expect(() => splitValidation({ ...data, numClasses: 1 }, { size: 2 })).toThrow(
      'toy/train: label 1 at index 1 is outside 0..0',
    );
    expect(() => splitValidation(labelsOf([1]), { size: 1 })).toThrow(
      'toy/train: 1 images; a validation split needs at least 2',
    );
  });
});

describe('validation split of mnist-mini', () => {
  const { train, test } = loadMnistMini();
  const sha1 = (d: Dataset, i: number) => {
    const per = 28 * 28;
    return createHash('sha1')
      .update(d.images.subarray(i * per, (i + 1) * per))
      .digest('hex');
  };

  it('never holds a test image: by position in the mnist package, and by content', () => {
    const split = validationSplit(train, { size: 1000, seed: 0 });
    expectPartition(train.labels.length, split.indices);
    expect(perClass(train.labels, split.indices.validation, 10)).toEqual(new Array(10).fill(100));
    // loadMnistMini's documented layout: split image i is digit i mod 10's image ⌊i / 10⌋ (train) or
    // 700 + ⌊i / 10⌋ (test) in the package's per-digit order. The validation images' positions all lie below 700.
    const trainPosition = (i: number) => Math.floor(i / 10);
    const testPositions = new Set(
      Array.from({ length: test.labels.length }, (_, j) => MNIST_MINI_TRAIN_PER_CLASS + Math.floor(j / 10)),
    );
    expect(Math.min(...testPositions)).toBe(MNIST_MINI_TRAIN_PER_CLASS);
    expect(Math.max(...testPositions)).toBe(MNIST_MINI_TRAIN_PER_CLASS + MNIST_MINI_TEST_PER_CLASS - 1);
    for (const i of split.indices.validation) expect(testPositions.has(trainPosition(i))).toBe(false);
    // By content: no validation (or remaining training) image is byte-equal to a test image.
    const testImages = new Set(Array.from({ length: test.labels.length }, (_, j) => sha1(test, j)));
    const validationImages = Array.from({ length: 1000 }, (_, j) => sha1(split.validation, j));
    expect(validationImages.filter((h) => testImages.has(h))).toEqual([]);
    const trainImages = new Set(Array.from({ length: split.train.labels.length }, (_, j) => sha1(split.train, j)));
    expect([...testImages].filter((h) => trainImages.has(h))).toEqual([]);
    // And validation ∩ train = ∅ by content too (mnist-mini has no two equal images).
    expect(validationImages.filter((h) => trainImages.has(h))).toEqual([]);
  });

  it('copies the indexed images and labels, with their SHA-256 and a name saying what they are', () => {
    const split = validationSplit(train, { fraction: 0.1, seed: 3 });
    expect(split.validation.labels.length).toBe(700);
    expect(split.train.labels.length).toBe(6300);
    for (const [part, indices] of [
      [split.validation, split.indices.validation],
      [split.train, split.indices.train],
    ] as const) {
      for (const j of [0, 1, indices.length - 1]) {
        expect(sha1(part, j)).toBe(sha1(train, indices[j]));
        expect(part.labels[j]).toBe(train.labels[indices[j]]);
      }
      const expected = createHash('sha256').update(part.images).update(part.labels).digest('hex');
      expect(part.checksum).toBe(expected);
      expect(part.checksum).not.toBe(train.checksum);
      expect(part.shape).toEqual(train.shape);
    }
    expect(split.validation.name).toBe('mnist-mini/train[validation: 700, seed 3, stratified]');
    expect(split.train.name).toBe('mnist-mini/train[without validation: 700, seed 3, stratified]');
    expect(validationSplit(train, { size: 5, stratify: false }).validation.name).toBe(
      'mnist-mini/train[validation: 5, seed 0, uniform]',
    );
  });

  it('subset refuses an index outside the data set', () => {
    expect(() => subset(test, [0, 1500], 'x')).toThrow(
      'indices: 1500 at position 1 is not an image of mnist-mini/test; allowed: 0 to 1499',
    );
    expect(() => subset(test, [0.5], 'x')).toThrow(/indices: 0.5 at position 0/);
  });
});
