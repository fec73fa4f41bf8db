/**
 * A data set held once, as typed arrays: uint8 pixels N × H × W × C (channels last) and integer labels.
 * Structurally the `ImageDataset` that `@semix/core` trains and evaluates on.
 */
export interface Dataset {
  readonly name: string;
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  /** [height, width, channels]. */
  readonly shape: readonly [number, number, number];
  readonly numClasses: number;
  readonly classNames: readonly string[];
  /** Per-channel mean and std applied after scaling pixels to [0, 1]. */
  readonly normalization: { readonly mean: readonly number[]; readonly std: readonly number[] };
  /** SHA-256 of images and labels, for result records. */
  readonly checksum: string;
}

export interface DatasetSplits {
  train: Dataset;
  test: Dataset;
}
