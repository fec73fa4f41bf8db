import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/** A tensor with a name, as optimizers' getWeights / setWeights exchange them. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** One file: 4-byte little-endian header length, the JSON header, then float32 tensor data in header order. */
export const CHECKPOINT_FILE = 'checkpoint.semix';
const MAGIC = 'semix-checkpoint-v1';

export interface CheckpointHeader {
  magic: typeof MAGIC;
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps completed. */
  step: number;
  /** Each of the trainer's generator streams' state (`order`, `augment`, `mix`; see RNG_STREAMS), by name. */
  rngStreams: Record<string, number[]>;
  /**
   * Checkpoints written before the streams held one generator's state here, which drew order, augmentation and
   * mixing alike; they still load (loadModel), and the trainer refuses to resume them.
   */
  rngState?: number[];
  /** Anything the caller wants stored with it (model config, method, options). */
  meta: Record<string, unknown>;
  tensors: Array<{ group: 'model' | 'optimizer'; name: string; shape: number[]; dtype: 'float32' | 'int32' }>;
}

export interface CheckpointContents {
  header: CheckpointHeader;
  model: Map<string, tf.Tensor>;
  optimizer: NamedTensor[];
}

/** Writes atomically: a temp file in the same directory, then rename, so a crash never leaves half a file. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

export async function saveCheckpoint(
  dir: string,
  state: Omit<CheckpointHeader, 'magic' | 'tensors'>,
  model: Map<string, tf.Tensor>,
  optimizer: NamedTensor[],
): Promise<string> {
  const entries: Array<{ group: 'model' | 'optimizer'; name: string; tensor: tf.Tensor }> = [
    ...[...model].map(([name, tensor]) => ({ group: 'model' as const, name, tensor })),
    ...optimizer.map(({ name, tensor }) => ({ group: 'optimizer' as const, name, tensor })),
  ];
  const header: CheckpointHeader = {
    magic: MAGIC,
    ...state,
    tensors: entries.map(({ group, name, tensor }) => ({
      group,
      name,
      shape: tensor.shape,
      dtype: tensor.dtype === 'int32' ? 'int32' : 'float32',
    })),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const chunks: Uint8Array[] = [];
  for (const { tensor } of entries) {
    const values = await tensor.data();
    const typed = tensor.dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
    chunks.push(new Uint8Array(typed.buffer));
  }
  const total = 4 + json.length + chunks.reduce((s, c) => s + c.length, 0);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  let offset = 4 + json.length;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  const path = join(dir, CHECKPOINT_FILE);
  await writeFileAtomic(path, out);
  return path;
}

/** Reads a checkpoint; the caller disposes the returned tensors. Returns null when there is none. */
export async function loadCheckpoint(dir: string): Promise<CheckpointContents | null> {
  const path = join(dir, CHECKPOINT_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const fail = (why: string): never => {
    throw new Error(`checkpoint ${path}: ${why}`);
  };
  if (bytes.length < 4) fail('file is truncated');
  const headerLength = bytes.readUInt32LE(0);
  if (4 + headerLength > bytes.length) fail('header is truncated');
  let header: CheckpointHeader;
  try {
    header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8'));
  } catch {
    return fail('header is not valid JSON');
  }
  if (header.magic !== MAGIC) fail(`not a semix checkpoint (magic '${String(header.magic)}')`);
  const model = new Map<string, tf.Tensor>();
  const optimizer: NamedTensor[] = [];
  let offset = 4 + headerLength;
  for (const t of header.tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    const end = offset + count * 4;
    if (end > bytes.length) fail(`data for '${t.name}' is truncated`);
    const slice = bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + end);
    const values = t.dtype === 'int32' ? new Int32Array(slice) : new Float32Array(slice);
    const tensor = tf.tensor(values, t.shape, t.dtype);
    if (t.group === 'model') model.set(t.name, tensor);
    else optimizer.push({ name: t.name, tensor });
    offset = end;
  }
  if (offset !== bytes.length) fail(`${bytes.length - offset} unexpected trailing bytes`);
  return { header, model, optimizer };
}
