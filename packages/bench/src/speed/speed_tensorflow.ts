/**
 * The speed suite's one-thread tfjs-node rows, in a process of their own: runSpeedSuite starts this file with
 * TF_NUM_INTRAOP_THREADS=1 and TF_NUM_INTEROP_THREADS=1 (libtensorflow reads them once, when it makes its thread
 * pools) and the models and step limit as JSON in argv[2]; it prints the rows as one JSON line on stdout.
 */
import { type Architecture, selectBackend } from '@semix/core';
import { modelStepRows, type SpeedRow } from './speed';

const { models, maxStep } = JSON.parse(process.argv[2] ?? '{}') as { models: Architecture[]; maxStep: number };
await selectBackend('tensorflow');
const rows: SpeedRow[] = [];
for (const arch of models) rows.push(...(await modelStepRows('tensorflow, 1 thread', arch, maxStep)));
process.stdout.write(`${JSON.stringify(rows)}\n`);
