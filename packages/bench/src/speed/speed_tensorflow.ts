/**
 * The speed suite's one-thread tfjs-node rows, in a process of their own: tensorflowOneThreadRows (steps.ts) starts
 * this file with TF_NUM_INTRAOP_THREADS=1 and TF_NUM_INTEROP_THREADS=1 (libtensorflow reads them once, when it makes
 * its thread pools) and the models, batch and step limit as JSON in argv[2]; it prints the rows as one JSON line on
 * stdout.
 */
import { selectBackend } from '@semix/core';
import { evalStepRow, type TensorflowChildRequest, trainStepRow } from './steps';
import type { SpeedRow } from './types';

const BACKEND = 'tensorflow, 1 thread';
const request = JSON.parse(process.argv[2] ?? '{}') as TensorflowChildRequest;
await selectBackend('tensorflow');
const rows: SpeedRow[] = [];
for (const arch of request.models) {
  const options = { batch: request.batch, maxStepSeconds: request.maxStepSeconds, threads: 1 };
  rows.push((await trainStepRow(BACKEND, arch, options)).row, (await evalStepRow(BACKEND, arch, options)).row);
}
process.stdout.write(`${JSON.stringify(rows)}\n`);
