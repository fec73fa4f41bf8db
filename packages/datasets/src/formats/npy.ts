/**
 * NumPy's .npy format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html): magic
 * "\x93NUMPY", version, a little-endian header length (2 bytes in v1, 4 in v2/v3), then a Python dict literal
 * with `descr`, `fortran_order` and `shape`. The npm parsers we looked at (npyjs, numpy-parser) need the whole
 * file in memory and read the header by string replacement; CIFAR-10-C holds 150 MB per corruption and a run
 * needs one severity (a fifth) at a time, so semix reads the header here, strictly, and then only the rows it
 * needs.
 */
export interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Offset of the first data byte. */
  dataOffset: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const ITEM_SIZES: Record<string, number> = { '|u1': 1, '<u1': 1, '|i1': 1, '<i8': 8, '<i4': 4, '<u4': 4, '<i2': 2 };

export function parseNpyHeader(head: Uint8Array, source: string): NpyHeader {
  for (let i = 0; i < MAGIC.length; i++) {
    if (head[i] !== MAGIC[i]) throw new Error(`${source}: not a .npy file (bad magic string)`);
  }
  const major = head[6];
  if (major < 1 || major > 3) throw new Error(`${source}: .npy version ${major} is not supported; allowed: 1, 2, 3`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (head.length < 8 + lengthBytes) throw new Error(`${source}: .npy header truncated`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = 8 + lengthBytes + headerLength;
  if (head.length < dataOffset) throw new Error(`${source}: .npy header truncated (needs ${dataOffset} bytes)`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(head.subarray(8 + lengthBytes, dataOffset));
  const dict = /^\{\s*(.*?),?\s*\}\s*$/s.exec(text.trim());
  if (!dict) throw new Error(`${source}: .npy header is not a dict: ${JSON.stringify(text.slice(0, 80))}`);
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(dict[1])?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(dict[1])?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(dict[1])?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`${source}: .npy header lacks descr, fortran_order or shape: ${JSON.stringify(text.trim())}`);
  }
  const parts = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const shape = parts.map((s) => {
    if (!/^\d+$/.test(s)) throw new Error(`${source}: .npy shape entry '${s}' is not a non-negative integer`);
    return Number(s);
  });
  return { descr, fortranOrder: fortran === 'True', shape, dataOffset };
}

export function npyItemSize(header: NpyHeader, source: string): number {
  const size = ITEM_SIZES[header.descr];
  if (size === undefined) {
    throw new Error(
      `${source}: dtype '${header.descr}' is not supported; allowed: ${Object.keys(ITEM_SIZES).join(', ')}`,
    );
  }
  return size;
}
