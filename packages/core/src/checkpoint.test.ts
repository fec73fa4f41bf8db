import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend';
import { createModel } from './models/create_model';
import { CHECKPOINT_FILE, CheckpointError, loadCheckpoint, loadModel, saveCheckpoint, train } from './node';
import { quadrants } from './test_data';

const data = quadrants(64, 1);
const newModel = () => createModel({ arch: 'cnn-small', inputShape: [12, 12, 1], numClasses: 4, seed: 3 });

let dir: string;
beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'semix-checkpoint-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A checkpoint of one epoch in a directory of its own; returns the directory. */
async function trained(name: string, runId?: string): Promise<string> {
  const ckpt = join(dir, name);
  const model = newModel();
  await train({ model, data, epochs: 1, batchSize: 32, checkpointDir: ckpt, runId });
  model.dispose();
  return ckpt;
}

/** Where tensor data starts: after the length, the header and the header's digest. */
const dataStart = (bytes: Buffer) => 4 + bytes.readUInt32LE(0) + 32;

/** Loading must fail without leaving a tensor behind; returns the error. */
async function refused(load: () => Promise<unknown>): Promise<CheckpointError> {
  const before = tf.memory().numTensors;
  const error = await load().then(
    () => null,
    (e) => e,
  );
  expect(tf.memory().numTensors).toBe(before);
  expect(CheckpointError.isInstance(error)).toBe(true);
  return error as CheckpointError;
}

describe('checkpoint checksums', () => {
  it('refuses zeroed weights after the header, naming the file and the tensor (load, loadModel and resume)', async () => {
    const ckpt = await trained('zeroed');
    const path = join(ckpt, CHECKPOINT_FILE);
    const bytes = await readFile(path);
    const first = (await loadCheckpoint(ckpt))?.header.tensors[0];
    expect(first).toBeDefined();
    bytes.fill(0, dataStart(bytes), dataStart(bytes) + 200);
    await writeFile(path, bytes);
    const expected = new RegExp(
      `^checkpoint ${path}: tensor '${first?.name}' \\(model\\) fails its SHA-256 check: the file is damaged`,
    );
    for (const load of [() => loadCheckpoint(ckpt), () => loadModel(ckpt)]) {
      const error = await refused(load);
      expect(error.kind).toBe('damaged');
      expect(error.tensor).toBe(first?.name);
      expect(error.message).toMatch(expected);
    }
    const model = newModel();
    const error = await refused(() => train({ model, data, epochs: 2, batchSize: 32, checkpointDir: ckpt }));
    expect(error.message).toMatch(expected);
    model.dispose();
  });

  it('refuses random bytes in the last tensor (optimizer state) and a flipped digit in the header', async () => {
    const ckpt = await trained('random');
    const path = join(ckpt, CHECKPOINT_FILE);
    const intact = await readFile(path);
    const last = (await loadCheckpoint(ckpt))?.header.tensors.at(-1);
    const bytes = Buffer.from(intact);
    for (let i = bytes.length - 16; i < bytes.length; i++) bytes[i] = (bytes[i] + 97) % 256;
    await writeFile(path, bytes);
    const error = await refused(() => loadCheckpoint(ckpt));
    expect(error.message).toMatch(new RegExp(`tensor '${last?.name}' \\(${last?.group}\\) fails its SHA-256 check`));
    // The epoch count is in the header: "epoch":1 → "epoch":7 is valid JSON, caught only by the header's digest.
    const header = Buffer.from(intact);
    const at = header.indexOf('"epoch":1');
    expect(at).toBeGreaterThan(0);
    header.write('"epoch":7', at);
    await writeFile(path, header);
    const headerError = await refused(() => loadCheckpoint(ckpt));
    expect(headerError.kind).toBe('damaged');
    expect(headerError.message).toMatch(new RegExp(`^checkpoint ${path}: header fails its SHA-256 check`));
  });

  it('refuses a checkpoint written before checksums (semix-checkpoint-v1), saying it cannot be verified', async () => {
    const ckpt = join(dir, 'v1');
    await mkdir(ckpt, { recursive: true });
    // The old layout: length, header (no digests), float32 data.
    const header = new TextEncoder().encode(
      JSON.stringify({
        magic: 'semix-checkpoint-v1',
        epoch: 1,
        step: 1,
        rngStreams: {},
        meta: {},
        tensors: [{ group: 'model', name: 'w', shape: [2], dtype: 'float32' }],
      }),
    );
    const bytes = Buffer.alloc(4 + header.length + 8);
    bytes.writeUInt32LE(header.length, 0);
    bytes.set(header, 4);
    await writeFile(join(ckpt, CHECKPOINT_FILE), bytes);
    for (const load of [() => loadCheckpoint(ckpt), () => loadModel(ckpt)]) {
      const error = await refused(load);
      expect(error.kind).toBe('unverifiable');
      expect(error.message).toMatch(/written before semix checksummed checkpoints .*cannot be verified/);
    }
  });

  it('an intact checkpoint round-trips bit for bit', async () => {
    const model = newModel();
    const ckpt = join(dir, 'intact');
    const weights = new Map([...model.namedVariables()].map(([k, v]) => [k, v as tf.Tensor]));
    await saveCheckpoint(ckpt, { epoch: 2, step: 5, rngStreams: {}, meta: { model: model.config } }, weights, []);
    const saved = await loadCheckpoint(ckpt);
    expect(saved?.header.epoch).toBe(2);
    for (const [name, tensor] of weights) expect(saved?.model.get(name)?.dataSync()).toEqual(tensor.dataSync());
    tf.dispose([...(saved?.model.values() ?? [])]);
    model.dispose();
  });
});

describe('checkpoint of another run', () => {
  it('is refused when its runId differs from the run resuming it, naming both; the same runId resumes', async () => {
    const ckpt = await trained('other-run', 'job-erm');
    const model = newModel();
    const error = await refused(() =>
      train({ model, data, epochs: 2, batchSize: 32, checkpointDir: ckpt, runId: 'job-mixup' }),
    );
    expect(error.kind).toBe('other-run');
    expect(error.expected).toBe('job-mixup');
    expect(error.found).toBe('job-erm');
    expect(error.message).toMatch(/job-erm/);
    expect(error.message).toMatch(/job-mixup/);
    // A checkpoint that names no run is refused as well when the caller names one: it cannot be matched.
    const anonymous = await trained('anonymous');
    const unnamed = await refused(() =>
      train({ model, data, epochs: 2, batchSize: 32, checkpointDir: anonymous, runId: 'job-mixup' }),
    );
    expect(unnamed.kind).toBe('other-run');
    const resumed = await train({ model, data, epochs: 2, batchSize: 32, checkpointDir: ckpt, runId: 'job-erm' });
    expect(resumed.resumedFromEpoch).toBe(1);
    model.dispose();
  });
});
