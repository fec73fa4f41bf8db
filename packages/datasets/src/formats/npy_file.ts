import { open } from 'node:fs/promises';
import { type NpyHeader, npyItemSize, parseNpyHeader } from './npy';

// Reading .npy files from disk (Node); the header parser beside it is pure, for the main entry.

/** Reads the header of a .npy file and checks that its data length matches the shape. */
export async function readNpyHeader(path: string): Promise<NpyHeader> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const header = parseNpyHeader(head.subarray(0, bytesRead), path);
    if (header.fortranOrder) throw new Error(`${path}: Fortran-ordered arrays are not supported`);
    const expected = header.shape.reduce((a, b) => a * b, 1) * npyItemSize(header, path);
    const { size } = await handle.stat();
    if (size - header.dataOffset !== expected) {
      throw new Error(
        `${path}: shape (${header.shape.join(', ')}) needs ${expected} data bytes, the file holds ${size - header.dataOffset}`,
      );
    }
    return header;
  } finally {
    await handle.close();
  }
}

/**
 * Rows [start, end) of the leading axis of a .npy file, as uint8 (for `|u1`) or as integer labels converted to
 * uint8 (for integer dtypes; values must lie in 0..255). Only those rows are read from disk.
 */
export async function readNpyRows(
  path: string,
  start: number,
  end: number,
): Promise<{ shape: number[]; data: Uint8Array }> {
  const header = await readNpyHeader(path);
  const rows = header.shape[0] ?? 1;
  if (!(start >= 0 && end <= rows && start < end)) {
    throw new Error(`${path}: rows [${start}, ${end}) are outside the array's ${rows} rows`);
  }
  const item = npyItemSize(header, path);
  const rowItems = header.shape.slice(1).reduce((a, b) => a * b, 1);
  const raw = new Uint8Array((end - start) * rowItems * item);
  const handle = await open(path, 'r');
  try {
    await handle.read(raw, 0, raw.length, header.dataOffset + start * rowItems * item);
  } finally {
    await handle.close();
  }
  const shape = [end - start, ...header.shape.slice(1)];
  if (item === 1) return { shape, data: raw };
  const view = new DataView(raw.buffer);
  const data = new Uint8Array(raw.length / item);
  for (let i = 0; i < data.length; i++) {
    const v =
      item === 8
        ? Number(view.getBigInt64(i * 8, true))
        : item === 4
          ? view.getInt32(i * 4, true)
          : view.getInt16(i * 2, true);
    if (v < 0 || v > 255)
      throw new Error(`${path}: value ${v} at row ${start + Math.floor(i / rowItems)} is outside 0..255`);
    data[i] = v;
  }
  return { shape, data };
}
