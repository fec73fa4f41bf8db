import type { Dataset, DatasetSplits } from '@semix/datasets';

// mnist-mini as one static file (public/mnist-mini.bin, written by scripts/mnist-asset.ts from @semix/datasets'
// loadMnistMini): the 8 magic bytes, a uint32 (little-endian) byte length of a JSON header, the header, then each
// split's images (uint8, N × 28 × 28) and labels (uint8, N), train first. The header carries everything else of the
// Dataset (names, shape, normalisation, checksums computed in Node), so the page needs no hash of its own.

export const ASSET_MAGIC = 'SEMIXDS1';

type Meta = Omit<Dataset, 'images' | 'labels'> & { count: number };
interface Header {
  train: Meta;
  test: Meta;
}

const metaOf = ({ images: _images, labels, ...rest }: Dataset): Meta => ({ ...rest, count: labels.length });

/** Encodes both splits into the asset's bytes. */
export function encodeAsset(splits: DatasetSplits): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ train: metaOf(splits.train), test: metaOf(splits.test) }));
  const parts = [splits.train.images, splits.train.labels, splits.test.images, splits.test.labels];
  const out = new Uint8Array(12 + header.length + parts.reduce((n, p) => n + p.length, 0));
  out.set(new TextEncoder().encode(ASSET_MAGIC), 0);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  let offset = 12 + header.length;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Decodes the asset's bytes into the two splits (views on `bytes`, no copy); errors say what is wrong. */
export function decodeAsset(bytes: Uint8Array): DatasetSplits {
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== ASSET_MAGIC) throw new Error(`mnist-mini asset: starts with '${magic}', expected '${ASSET_MAGIC}'`);
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) as Header;
  let offset = 12 + length;
  const split = ({ count, ...meta }: Meta): Dataset => {
    const per = meta.shape[0] * meta.shape[1] * meta.shape[2];
    const images = bytes.subarray(offset, offset + count * per);
    const labels = bytes.subarray(offset + count * per, offset + count * per + count);
    offset += count * per + count;
    if (labels.length !== count) throw new Error(`mnist-mini asset: ${meta.name} is truncated (${bytes.length} bytes)`);
    return { ...meta, images, labels };
  };
  const train = split(header.train);
  const test = split(header.test);
  if (offset !== bytes.length) {
    throw new Error(`mnist-mini asset: ${bytes.length} bytes, expected ${offset} from its header`);
  }
  return { train, test };
}
