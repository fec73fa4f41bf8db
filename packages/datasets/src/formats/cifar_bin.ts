/**
 * The CIFAR "binary version" (https://www.cs.toronto.edu/~kriz/cifar.html): fixed-length records, each the
 * label byte(s) (CIFAR-10: the label; CIFAR-100: coarse then fine label) followed by 3072 pixel bytes, the red,
 * green and blue 32×32 planes in row-major order. semix holds images channels-last, so planes are interleaved.
 */
export function parseCifarRecords(
  bytes: Uint8Array,
  labelBytes: 1 | 2,
  source: string,
): { images: Uint8Array; labels: Uint8Array } {
  const record = labelBytes + 3072;
  if (bytes.length % record !== 0) {
    throw new Error(`${source}: ${bytes.length} bytes is not a whole number of ${record}-byte CIFAR records`);
  }
  const n = bytes.length / record;
  const images = new Uint8Array(n * 3072);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * record;
    labels[i] = bytes[base + labelBytes - 1];
    const px = base + labelBytes;
    const out = i * 3072;
    for (let p = 0; p < 1024; p++) {
      images[out + p * 3] = bytes[px + p];
      images[out + p * 3 + 1] = bytes[px + 1024 + p];
      images[out + p * 3 + 2] = bytes[px + 2048 + p];
    }
  }
  return { images, labels };
}
