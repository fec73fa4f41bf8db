/**
 * A bench job thread (runBench with `jobs` > 1): selects the backend, loads the preset's data once, then runs the
 * jobs it is sent one at a time and posts their records back; the calling thread validates and stores them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { selectCompute } from '@semix/core';
import { errorToData } from '@semix/core/internal';
import { loadPresetData, type PresetData } from './data';
import { jobFailure } from './failure';
import { runJob } from './job';
import type { JobReply, JobRequest, JobThreadInit } from './job_pool';

const init = workerData as JobThreadInit;
const port = parentPort;
if (!port) throw new Error('semix bench job thread: must run in a worker thread');
const reply = (message: JobReply) => port.postMessage(message);
const controller = new AbortController();
let data: PresetData | null = null;
// Threads the running job may use: what it started with, raised by the pool's 'threads' messages.
let available = 1;

try {
  await selectCompute(init.compute);
  port.on('message', async (request: JobRequest) => {
    if (request.type === 'abort') {
      controller.abort(new Error('interrupted'));
      return;
    }
    if (request.type === 'threads') {
      available = Math.max(available, request.threads);
      return;
    }
    available = request.threads;
    try {
      data ??= await loadPresetData(init.preset);
      const record = await runJob(request.method, request.seed, {
        preset: init.preset,
        data,
        compute: init.compute,
        versions: init.versions,
        signal: controller.signal,
        threads: request.threads,
        threadsAvailable: () => available,
        onTrainProgress: (event) => reply({ type: 'train', event }),
      });
      reply({ type: 'done', record });
    } catch (error) {
      // A divergence thrown anywhere in the job is a failed record; any other error crosses as data, kind and all.
      const failure = jobFailure(error);
      reply(failure ? { type: 'failed', failure } : { type: 'error', error: errorToData(error) });
    }
  });
  reply({ type: 'ready' });
} catch (error) {
  reply({ type: 'error', error: errorToData(error) });
}
