import { checksumOf } from '../checksum';
import type { Dataset } from '../types';
import type { RemoteDataset } from './registry';

/** A data set from a remote one's decoded arrays; every label is checked against the class count first. */
export function makeDataset(
  spec: RemoteDataset,
  split: string,
  images: Uint8Array,
  labels: Uint8Array,
  classNames: readonly string[],
  source: string,
): Dataset {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= spec.numClasses) {
      throw new Error(`${source}: label ${labels[i]} at index ${i} is outside 0..${spec.numClasses - 1}`);
    }
  }
  return {
    name: `${spec.name}/${split}`,
    images,
    labels,
    shape: spec.shape,
    numClasses: spec.numClasses,
    classNames,
    normalization: spec.normalization,
    checksum: checksumOf(images, labels),
  };
}
