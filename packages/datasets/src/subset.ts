import { checksumOf } from './checksum';
import type { Dataset } from './types';
import {
  DEFAULT_VALIDATION_SPLIT_OPTIONS,
  splitValidation,
  type ValidationIndices,
  type ValidationSplitOptions,
} from './validation';

/**
 * The images at `indices` of a data set, copied in that order, named `name`, with the SHA-256 of what it holds
 * (so a record names the exact images it was trained or evaluated on). Indices must be integers in range.
 */
export function subset(data: Dataset, indices: ArrayLike<number>, name: string): Dataset {
  const [h, w, c] = data.shape;
  const per = h * w * c;
  const n = data.labels.length;
  const images = new Uint8Array(indices.length * per);
  const labels = new Uint8Array(indices.length);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    if (!(Number.isInteger(i) && i >= 0 && i < n)) {
      throw new Error(`indices: ${i} at position ${j} is not an image of ${data.name}; allowed: 0 to ${n - 1}`);
    }
    images.set(data.images.subarray(i * per, (i + 1) * per), j * per);
    labels[j] = data.labels[i];
  }
  return { ...data, name, images, labels, checksum: checksumOf(images, labels) };
}

/** A training split divided into the images trained on and the validation images, with the indices of both. */
export interface ValidationSplit {
  /** The images left to train on: `indices.train` of the split. */
  readonly train: Dataset;
  /** The validation images: `indices.validation` of the split. */
  readonly validation: Dataset;
  /** Into the split that was divided: disjoint, ascending, together all its images. */
  readonly indices: ValidationIndices;
}

/**
 * `splitValidation` as two data sets: `<name>[validation: <size>, seed <seed>, stratified]` and
 * `<name>[without validation: …]` (`uniform` in place of `stratified` when not stratified), copies with their own
 * checksums. Carve it from the training split only: the test images stay for the report.
 */
export function validationSplit(data: Dataset, options: ValidationSplitOptions): ValidationSplit {
  const indices = splitValidation(data, options);
  const seed = options.seed ?? DEFAULT_VALIDATION_SPLIT_OPTIONS.seed;
  const how = (options.stratify ?? DEFAULT_VALIDATION_SPLIT_OPTIONS.stratify) ? 'stratified' : 'uniform';
  const tag = `${indices.validation.length}, seed ${seed}, ${how}`;
  return {
    train: subset(data, indices.train, `${data.name}[without validation: ${tag}]`),
    validation: subset(data, indices.validation, `${data.name}[validation: ${tag}]`),
    indices,
  };
}
