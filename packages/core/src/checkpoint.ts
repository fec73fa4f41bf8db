import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from '@semix/env/node';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from './checkpoint_error';

export { CheckpointError } from './checkpoint_error';

/** A tensor with a name, as optimizers' getWeights / setWeights exchange them. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/**
 * One file: 4-byte little-endian header length, the JSON header, the header's SHA-256 (32 bytes), then each
 * tensor's data (float32 or int32, little-endian) in header order; each tensor's entry carries the SHA-256 of its
 * bytes. Every byte read back is checked, so a damaged file is refused, never trained on or evaluated.
 */
export const CHECKPOINT_FILE = 'checkpoint.semix';
const MAGIC = 'semix-checkpoint-v2';
/** Written before checksums: length, header, data, with nothing to check them against. */
const UNCHECKED_MAGIC = 'semix-checkpoint-v1';
const DIGEST_BYTES = 32;

export interface CheckpointHeader {
  magic: typeof MAGIC;
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps completed. */
  step: number;
  /** Each of the trainer's generator streams' state (`order`, `augment`, `mix`; see RNG_STREAMS), by name. */
  rngStreams: Record<string, number[]>;
  /**
   * Written by the trainer before its streams: one generator's state, which drew order, augmentation and mixing
   * alike. Such a checkpoint predates checksums, so it no longer loads at all; the trainer names why if one
   * carrying it does.
   */
  rngState?: number[];
  /** The run that wrote it (TrainOptions.runId; the bench's job id): a run with another id refuses to resume it. */
  runId?: string;
  /** Anything the caller wants stored with it (model config, method, options). */
  meta: Record<string, unknown>;
  tensors: Array<{
    group: 'model' | 'optimizer';
    name: string;
    shape: number[];
    dtype: 'float32' | 'int32';
    /** SHA-256 of the tensor's bytes in the file, hex. */
    sha256: string;
  }>;
}

export interface CheckpointContents {
  header: CheckpointHeader;
  model: Map<string, tf.Tensor>;
  optimizer: NamedTensor[];
}

/** @deprecated Import `writeAtomic` from '@semix/env/node', the one atomic write semix's packages share. */
export const writeFileAtomic: typeof writeAtomic = writeAtomic;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

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
  const chunks: Uint8Array[] = [];
  for (const { tensor } of entries) {
    const values = await tensor.data();
    const typed = tensor.dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
    chunks.push(new Uint8Array(typed.buffer));
  }
  const header: CheckpointHeader = {
    magic: MAGIC,
    ...state,
    tensors: entries.map(({ group, name, tensor }, i) => ({
      group,
      name,
      shape: tensor.shape,
      dtype: tensor.dtype === 'int32' ? 'int32' : 'float32',
      sha256: sha256(chunks[i]),
    })),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const digest = createHash('sha256').update(json).digest();
  const total = 4 + json.length + DIGEST_BYTES + chunks.reduce((s, c) => s + c.length, 0);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  out.set(digest, 4 + json.length);
  let offset = 4 + json.length + DIGEST_BYTES;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  const path = join(dir, CHECKPOINT_FILE);
  await writeAtomic(path, out);
  return path;
}

/**
 * Reads a checkpoint, checking the header's and every tensor's SHA-256 before any tensor is made; the caller
 * disposes the returned tensors. Returns null when there is none; throws CheckpointError when it is damaged or
 * was written before checksums.
 */
export async function loadCheckpoint(dir: string): Promise<CheckpointContents | null> {
  const path = join(dir, CHECKPOINT_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const fail = (why: string, tensor?: string): never => {
    throw new CheckpointError(
      'damaged',
      dir,
      `checkpoint ${path}: ${why}: the file is damaged, so it is neither resumed nor evaluated; train again in another directory (or restore an intact copy)`,
      { tensor },
    );
  };
  if (bytes.length < 4) fail('the file is truncated');
  const headerLength = bytes.readUInt32LE(0);
  if (4 + headerLength > bytes.length) fail('the header is truncated');
  const json = bytes.subarray(4, 4 + headerLength);
  // An old checkpoint has no digest to check its header against: recognise it by its magic, then refuse it.
  const magic = /^\{"magic":"([^"]*)"/.exec(json.subarray(0, 64).toString('utf8'))?.[1];
  if (magic === UNCHECKED_MAGIC) {
    throw new CheckpointError(
      'unverifiable',
      dir,
      `checkpoint ${path} was written before semix checksummed checkpoints (${UNCHECKED_MAGIC}): its data cannot be verified, so it is neither resumed nor evaluated; train it again`,
    );
  }
  if (4 + headerLength + DIGEST_BYTES > bytes.length) fail('the header is truncated');
  const digest = bytes.subarray(4 + headerLength, 4 + headerLength + DIGEST_BYTES);
  if (!createHash('sha256').update(json).digest().equals(digest)) {
    if (magic !== MAGIC) fail(`not a semix checkpoint (it does not start with {"magic":"${MAGIC}"})`);
    fail('header fails its SHA-256 check');
  }
  const header = JSON.parse(json.toString('utf8')) as CheckpointHeader;
  // Check every tensor before making any, so that a refusal leaves nothing to dispose.
  const slices: Array<{ entry: CheckpointHeader['tensors'][number]; start: number; end: number }> = [];
  let offset = 4 + headerLength + DIGEST_BYTES;
  for (const t of header.tensors) {
    const end = offset + t.shape.reduce((a, b) => a * b, 1) * 4;
    if (end > bytes.length) fail(`data for tensor '${t.name}' (${t.group}) is truncated`, t.name);
    if (sha256(bytes.subarray(offset, end)) !== t.sha256)
      fail(`tensor '${t.name}' (${t.group}) fails its SHA-256 check`, t.name);
    slices.push({ entry: t, start: offset, end });
    offset = end;
  }
  if (offset !== bytes.length) fail(`${bytes.length - offset} unexpected trailing bytes`);
  const model = new Map<string, tf.Tensor>();
  const optimizer: NamedTensor[] = [];
  for (const { entry: t, start, end } of slices) {
    const slice = bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + end);
    const values = t.dtype === 'int32' ? new Int32Array(slice) : new Float32Array(slice);
    const tensor = tf.tensor(values, t.shape, t.dtype);
    if (t.group === 'model') model.set(t.name, tensor);
    else optimizer.push({ name: t.name, tensor });
  }
  return { header, model, optimizer };
}
