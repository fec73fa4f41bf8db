import { MNIST_NORMALIZATION } from '../constants';
import { MNIST_C_CORRUPTIONS } from '../corruptions/mnist_c';
import { checkSafeName } from '../util';

/**
 * The data sets semix downloads: their official locations (and the mirrors torchvision uses), the MD5
 * checksums their authors (or torchvision, for the IDX files) publish, and what the files must hold.
 */
export interface RemoteFile {
  /** File name in the cache folder of its data set. */
  name: string;
  urls: readonly string[];
  md5: string;
}

export type RemoteFormat = 'idx-gz' | 'cifar10-bin' | 'cifar100-bin' | 'cifar-c' | 'mnist-c-zip';

export interface RemoteDataset {
  name: string;
  description: string;
  homepage: string;
  format: RemoteFormat;
  files: readonly RemoteFile[];
  /** Image shape [H, W, C]. */
  shape: readonly [number, number, number];
  numClasses: number;
  /** Class names; for CIFAR-100 read from the archive's fine_label_names.txt. */
  classNames: readonly string[];
  normalization: { mean: readonly number[]; std: readonly number[] };
  /** Expected image counts: train and test (for corruption sets: images per severity, in `test`). */
  trainCount: number;
  testCount: number;
  /** Approximate download size, for the listing. */
  downloadBytes: number;
}

const MNIST_MIRRORS = ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/'];
const FASHION_MIRRORS = [
  'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
];
const IDX_FILES = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
];

const idxFiles = (mirrors: readonly string[], md5s: readonly string[]): RemoteFile[] =>
  IDX_FILES.map((name, i) => ({ name, urls: mirrors.map((m) => m + name), md5: md5s[i] }));

/** MNIST's classes, which MNIST-C keeps. */
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const CIFAR10_NORMALIZATION = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] };
const CIFAR100_NORMALIZATION = { mean: [0.5071, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762] };

export const REMOTE_DATASETS: Readonly<Record<string, RemoteDataset>> = {
  mnist: {
    name: 'mnist',
    description: 'MNIST handwritten digits, 60,000 train + 10,000 test, 28×28 gray',
    homepage: 'http://yann.lecun.com/exdb/mnist/',
    format: 'idx-gz',
    files: idxFiles(MNIST_MIRRORS, [
      'f68b3c2dcbeaaa9fbdd348bbdeb94873',
      'd53e105ee54ea40749a09fcbcd1e9432',
      '9fb629c4189551a2d022fa330f9573f3',
      'ec29112dd5afa0611ce80d1b7f02629c',
    ]),
    shape: [28, 28, 1],
    numClasses: 10,
    classNames: DIGITS,
    normalization: MNIST_NORMALIZATION,
    trainCount: 60000,
    testCount: 10000,
    downloadBytes: 11_594_722,
  },
  'fashion-mnist': {
    name: 'fashion-mnist',
    description: 'Fashion-MNIST (Zalando), 60,000 train + 10,000 test, 28×28 gray',
    homepage: 'https://github.com/zalandoresearch/fashion-mnist',
    format: 'idx-gz',
    files: idxFiles(FASHION_MIRRORS, [
      '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
      '25c81989df183df01b3e8a0aad5dffbe',
      'bef4ecab320f06d8554ea6380940ec79',
      'bb300cfdad3c16e7a12a480ee83cd310',
    ]),
    shape: [28, 28, 1],
    numClasses: 10,
    classNames: [
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ],
    normalization: { mean: [0.286], std: [0.353] },
    trainCount: 60000,
    testCount: 10000,
    downloadBytes: 30_878_645,
  },
  cifar10: {
    name: 'cifar10',
    description: 'CIFAR-10 (binary version), 50,000 train + 10,000 test, 32×32 RGB',
    homepage: 'https://www.cs.toronto.edu/~kriz/cifar.html',
    format: 'cifar10-bin',
    files: [
      {
        name: 'cifar-10-binary.tar.gz',
        urls: ['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'],
        md5: 'c32a1d4ab5d03f1284b67883e8d87530',
      },
    ],
    shape: [32, 32, 3],
    numClasses: 10,
    classNames: CIFAR10_CLASSES,
    normalization: CIFAR10_NORMALIZATION,
    trainCount: 50000,
    testCount: 10000,
    downloadBytes: 170_052_171,
  },
  cifar100: {
    name: 'cifar100',
    description: 'CIFAR-100 (binary version, fine labels), 50,000 train + 10,000 test, 32×32 RGB',
    homepage: 'https://www.cs.toronto.edu/~kriz/cifar.html',
    format: 'cifar100-bin',
    files: [
      {
        name: 'cifar-100-binary.tar.gz',
        urls: ['https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz'],
        md5: '03b5dce01913d631647c71ecec9e9cb8',
      },
    ],
    shape: [32, 32, 3],
    numClasses: 100,
    classNames: [],
    normalization: CIFAR100_NORMALIZATION,
    trainCount: 50000,
    testCount: 10000,
    downloadBytes: 168_513_733,
  },
  'cifar10-c': {
    name: 'cifar10-c',
    description: 'CIFAR-10-C (Hendrycks & Dietterich 2019), 19 corruptions × 5 severities × 10,000 test images',
    homepage: 'https://zenodo.org/records/2535967',
    format: 'cifar-c',
    files: [
      {
        name: 'CIFAR-10-C.tar',
        urls: ['https://zenodo.org/records/2535967/files/CIFAR-10-C.tar?download=1'],
        md5: '56bf5dcef84df0e2308c6dcbcbbd8499',
      },
    ],
    shape: [32, 32, 3],
    numClasses: 10,
    classNames: CIFAR10_CLASSES,
    normalization: CIFAR10_NORMALIZATION,
    trainCount: 0,
    testCount: 10000,
    downloadBytes: 2_918_471_680,
  },
  'cifar100-c': {
    name: 'cifar100-c',
    description: 'CIFAR-100-C (Hendrycks & Dietterich 2019), 19 corruptions × 5 severities × 10,000 test images',
    homepage: 'https://zenodo.org/records/3555552',
    format: 'cifar-c',
    files: [
      {
        name: 'CIFAR-100-C.tar',
        urls: ['https://zenodo.org/records/3555552/files/CIFAR-100-C.tar?download=1'],
        md5: '11f0ed0f1191edbf9fa23466ae6021d3',
      },
    ],
    shape: [32, 32, 3],
    numClasses: 100,
    classNames: [],
    normalization: CIFAR100_NORMALIZATION,
    trainCount: 0,
    testCount: 10000,
    downloadBytes: 2_918_473_216,
  },
  'mnist-c': {
    name: 'mnist-c',
    description: 'MNIST-C (Mu & Gilmer 2019), 15 corruptions (+ identity) × 10,000 MNIST test images, 28×28 gray',
    homepage: 'https://zenodo.org/records/3239543',
    format: 'mnist-c-zip',
    files: [
      {
        name: 'mnist_c.zip',
        urls: ['https://zenodo.org/records/3239543/files/mnist_c.zip?download=1'],
        // Zenodo's MD5 for the file, as torchvision-style loaders of MNIST-C (dataeval, MNISTC datasets) record it.
        md5: '4b34b33045869ee6d424616cd3a65da3',
      },
    ],
    shape: [28, 28, 1],
    numClasses: 10,
    classNames: DIGITS,
    normalization: MNIST_NORMALIZATION,
    trainCount: 0,
    testCount: 10000,
    // About 342 MB, the figure a third-party download script gives; not read from Zenodo's page here.
    downloadBytes: 342_000_000,
  },
};

export const REMOTE_DATASET_NAMES = Object.keys(REMOTE_DATASETS);

/** Every data set name `loadDataset` accepts: the embedded one and the downloaded ones. */
export const DATASET_NAMES = ['mnist-mini', ...REMOTE_DATASET_NAMES.filter((n) => !n.endsWith('-c'))] as const;
/** Official corruption benchmarks, read with `loadCorrupted`. */
export const CORRUPTION_DATASET_NAMES = REMOTE_DATASET_NAMES.filter((n) => n.endsWith('-c'));

/** The registry entry of a downloadable data set; unknown names fail with the list of valid ones. */
export function remoteDataset(name: string): RemoteDataset {
  checkSafeName('dataset', name);
  const spec = REMOTE_DATASETS[name];
  if (!spec) {
    throw new Error(`dataset: '${name}' is not a downloadable data set; allowed: ${REMOTE_DATASET_NAMES.join(', ')}`);
  }
  return spec;
}

/** The folders of the released mnist_c.zip: the clean test set (`identity`) and the 15 corruptions. */
export const MNIST_C_RELEASED = ['identity', ...MNIST_C_CORRUPTIONS] as const;
export type MnistCReleasedName = (typeof MNIST_C_RELEASED)[number];

export function checkReleasedCorruption(name: string): MnistCReleasedName {
  checkSafeName('corruption', name);
  if (!(MNIST_C_RELEASED as readonly string[]).includes(name)) {
    throw new Error(`corruption: '${name}' is not in MNIST-C; allowed: ${MNIST_C_RELEASED.join(', ')}`);
  }
  return name as MnistCReleasedName;
}
