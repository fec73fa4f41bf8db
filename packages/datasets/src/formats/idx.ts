/**
 * IDX, the format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a 4-byte magic number
 * (0, 0, data type, number of dimensions), the dimensions as big-endian uint32, then the data. Only unsigned
 * bytes (type 0x08) occur in these data sets and only they are accepted. Small enough a format that no npm
 * library for it is better kept than these lines.
 */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  if (bytes.length < 4) throw new Error(`${source}: not an IDX file (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new Error(`${source}: not an IDX file (bad magic number)`);
  if (bytes[2] !== 0x08) {
    throw new Error(`${source}: IDX data type 0x${bytes[2].toString(16)} is not supported; allowed: 0x08 (ubyte)`);
  }
  const rank = bytes[3];
  if (rank < 1 || rank > 4) throw new Error(`${source}: IDX rank ${rank} is not valid; allowed: 1 to 4`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw new Error(`${source}: IDX header truncated`);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - headerBytes !== count) {
    throw new Error(
      `${source}: IDX header announces ${dims.join('×')} = ${count} bytes of data, the file holds ${bytes.length - headerBytes}`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}
