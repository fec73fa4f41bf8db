/// <reference lib="webworker" />
// The demo's training worker: tfjs (wasm with the kernel pack, or webgl) runs here, so the page keeps drawing and
// reads its buttons while a model trains. It trains the runs the page queues one after another, evaluates each on
// the test images and their corruptions, and posts every step, point and result (protocol.ts). A stop message is
// read between two steps (the trainer yields to the event loop after each) or two evaluations; from then on nothing
// more is computed for the queue. The page may also terminate the worker outright.
import type { DatasetSplits } from '@semix/datasets';
import { methodName } from '@semix/mixup';
import * as tf from '@tensorflow/tfjs-core';
import { decodeAsset } from './asset';
import { type BackendInfo, type PageBackend, useBackend } from './backend';
import {
  type CorruptedSet,
  corruptionAccuracy,
  DEFAULT_DEMO_OPTIONS,
  DemoStopped,
  demoCorruptions,
  demoMethod,
  demoMixOptions,
  head,
  mixedExamples,
  resolveDemoOptions,
  trainDemo,
} from './demo';
import type { FromWorker, RunRequest, ToWorker } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: FromWorker) => scope.postMessage(message);

let splits: DatasetSplits | null = null;
let active: BackendInfo | null = null;
/** The queue in progress: aborted by a stop. */
let queue: AbortController | null = null;
/** Corrupted copies of the first n test images, by n: the same bytes for every run, so generated once. */
const corrupted = new Map<number, CorruptedSet[]>();

async function activate(name: PageBackend): Promise<BackendInfo> {
  if (active?.name !== name) active = await useBackend(name);
  return active;
}

async function init(assetUrl: string, backend: PageBackend): Promise<void> {
  const response = await fetch(assetUrl);
  if (!response.ok) throw new Error(`${assetUrl}: HTTP ${response.status}`);
  splits = decodeAsset(new Uint8Array(await response.arrayBuffer()));
  const info = await activate(backend);
  const { train, test } = splits;
  post({
    type: 'ready',
    backend: info,
    defaults: DEFAULT_DEMO_OPTIONS,
    trainImages: train.labels.length,
    testImages: test.labels.length,
  });
}

/** One run: train, then (unless stopped) the corruptions; the model is disposed whatever happens. */
async function runOne(data: DatasetSplits, { id, options }: RunRequest, signal: AbortSignal): Promise<void> {
  const o = resolveDemoOptions(options);
  const numTensorsBefore = tf.memory().numTensors;
  post({ type: 'run-start', id, method: methodName(demoMethod(o)), numTensors: numTensorsBefore });
  let stopped = true;
  try {
    const run = await trainDemo(data, o, {
      signal,
      onStep: (log) => post({ type: 'step', id, log }),
      onAccuracy: (point) => post({ type: 'accuracy', id, point }),
      onGap: (point) => post({ type: 'gap', id, point }),
    });
    try {
      if (!run.stopped) {
        post({ type: 'trained', id, correct: run.correct });
        const images = head(data.test, o.evalSize);
        let sets = corrupted.get(o.evalSize);
        if (!sets) {
          sets = await demoCorruptions(images, signal);
          corrupted.set(o.evalSize, sets);
        }
        await corruptionAccuracy(run.model, images, sets, {
          signal,
          onResult: (result) => post({ type: 'corruption', id, result }),
        });
        stopped = false;
      }
    } finally {
      run.model.dispose();
    }
  } catch (error) {
    if (!(error instanceof DemoStopped)) throw error;
  } finally {
    post({ type: 'run-end', id, stopped, numTensorsBefore, numTensorsAfter: tf.memory().numTensors });
  }
}

async function trainQueue(backend: PageBackend, runs: RunRequest[]): Promise<void> {
  if (!splits) throw new Error('train: the worker has no data yet (init first)');
  if (queue) throw new Error('train: a queue is already running (stop it first)');
  const controller = new AbortController();
  queue = controller;
  try {
    post({ type: 'backend', backend: await activate(backend) });
    for (const request of runs) {
      if (controller.signal.aborted) break;
      await runOne(splits, request, controller.signal);
    }
  } finally {
    queue = null;
    post({ type: 'idle' });
  }
}

function fail(error: unknown, id?: number): void {
  // The page logs it (console.error there) and shows it.
  const message = error instanceof Error ? error.message : String(error);
  post({ type: 'error', message, ...(id === undefined ? {} : { id }) });
}

scope.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      init(message.assetUrl, message.backend).catch(fail);
      break;
    case 'train':
      trainQueue(message.backend, message.runs).catch((error) => fail(error, message.runs[0]?.id));
      break;
    case 'stop':
      // This handler runs only while the queue waits at a yield: between two steps, probes or evaluations. Each of
      // those checks the signal when it resumes, so nothing more is computed for the queue from here on.
      queue?.abort();
      post({ type: 'stopped' });
      break;
    case 'mix':
      try {
        if (!splits) throw new Error('mix: the worker has no data yet (init first)');
        const { method, count, seed, request } = message;
        const examples = mixedExamples(splits.train, method, count, seed);
        post({
          type: 'mixed',
          request,
          method,
          alpha: method === 'erm' ? null : demoMixOptions(method).alpha,
          examples,
        });
      } catch (error) {
        fail(error);
      }
      break;
  }
};
