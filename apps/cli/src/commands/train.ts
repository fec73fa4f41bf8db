import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { loadPreset, loadPresetData, type Preset, packageVersions, parsePreset, runJob } from '@semix/bench';
import { ARCHITECTURES, type BackendName, selectBackend } from '@semix/core';
import { DATASET_NAMES, writeAtomic } from '@semix/datasets';
import { METHOD_NAMES } from '@semix/mixup';
import { readConfig } from '../config';
import { BACKENDS, choiceOption, interruptSignal, intOption, numberOption, UsageError } from '../options';
import { progress } from '../progress';

export interface TrainFlags {
  preset?: string;
  config?: string;
  dataset?: string;
  method?: string;
  model?: string;
  width?: string;
  epochs?: string;
  batchSize?: string;
  optimizer?: string;
  lr?: string;
  weightDecay?: string;
  trainImages?: string;
  workers?: string;
  seed?: string;
  backend?: string;
  out?: string;
  json?: boolean;
}

/** The run a command describes: preset < config file < flags. */
export function resolveRun(flags: TrainFlags): {
  preset: Preset;
  method: string;
  seed: number;
  backend: (typeof BACKENDS)[number];
  out: string | undefined;
} {
  const config = readConfig(flags.config);
  let base: Preset;
  try {
    base = loadPreset(flags.preset ?? config.preset ?? 'quick');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const method = flags.method ?? config.method ?? 'mixup+sem';
  if (!(METHOD_NAMES as readonly string[]).includes(method)) {
    throw new UsageError(`--method: '${method}' is not a method; allowed: ${METHOD_NAMES.join(', ')}`);
  }
  const seed = intOption('--seed', flags.seed) ?? config.seed ?? 0;
  const backend = choiceOption('--backend', flags.backend, BACKENDS) ?? config.backend ?? 'auto';
  const merged = {
    ...base,
    dataset: choiceOption('--dataset', flags.dataset, DATASET_NAMES) ?? config.dataset ?? base.dataset,
    model: {
      ...base.model,
      ...config.model,
      ...(flags.model ? { arch: choiceOption('--model', flags.model, ARCHITECTURES) } : {}),
      ...(flags.width ? { width: numberOption('--width', flags.width) } : {}),
    },
    methods: [method],
    seeds: [seed],
    train: {
      ...base.train,
      ...config.train,
      ...defined({
        epochs: intOption('--epochs', flags.epochs, 1),
        batchSize: intOption('--batch-size', flags.batchSize, 1),
        optimizer: choiceOption('--optimizer', flags.optimizer, ['adam', 'sgd'] as const),
        lr: numberOption('--lr', flags.lr),
        weightDecay: numberOption('--weight-decay', flags.weightDecay),
        trainImages: intOption('--train-images', flags.trainImages, 1),
        workers: intOption('--workers', flags.workers, 1),
      }),
    },
    evaluation: { ...base.evaluation, ...config.evaluation },
  };
  let preset: Preset;
  try {
    preset = parsePreset(merged, `${flags.preset ?? config.preset ?? 'quick'} with the given options`);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return { preset, method, seed, backend, out: flags.out ?? config.out };
}

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * `semix train`: trains one method on one data set, keeping a checkpoint at the end of every epoch (a run that
 * is stopped resumes from it), then evaluates and writes a result record.
 */
export async function train(flags: TrainFlags): Promise<void> {
  const run = resolveRun(flags);
  const { preset, method, seed } = run;
  const out = resolve(run.out ?? join('runs', `${preset.name}-${preset.dataset}-${method}-seed${seed}`));
  await mkdir(out, { recursive: true });
  await writeAtomic(join(out, 'config.json'), `${JSON.stringify({ preset, method, seed }, null, 2)}\n`);
  const selection = await selectBackend(run.backend as BackendName | 'auto');
  const log = (line: string) => {
    if (!flags.json) console.log(line);
  };
  log(`backend: ${selection.name}; ${method} on ${preset.dataset}, ${preset.model.arch}, seed ${seed}; output ${out}`);
  const cores = availableParallelism();
  if (selection.name === 'wasm' && (preset.train.workers ?? 1) === 1 && cores > 1) {
    log(`wasm computes on one thread: --workers ${cores} would use all ${cores} cores (results depend on --workers)`);
  }
  const data = await loadPresetData(preset, (p) => {
    if (p.phase === 'download' && p.done === p.total) log(`downloaded ${p.what}`);
  });
  const signal = interruptSignal('interrupted');
  let bar: ReturnType<typeof progress> | null = null;
  try {
    const record = await runJob(method, seed, {
      preset,
      data,
      backend: selection.name,
      versions: packageVersions(),
      checkpointDir: join(out, 'checkpoint'),
      signal,
      onTrainProgress: (e) => {
        if (!bar && e.globalStep > 1)
          log(`resuming from the checkpoint of epoch ${e.epoch} (step ${e.globalStep - 1})`);
        bar ??= progress('train', e.totalSteps, { quiet: flags.json, unit: ' steps' });
        const parts = Object.entries(e.losses)
          .map(([k, v]) => `${k} ${v.toFixed(4)}`)
          .join(' ');
        bar.update(e.globalStep, `epoch ${e.epoch + 1}/${e.epochs} ${parts} ${e.samplesPerSec.toFixed(0)} samples/s`);
      },
    });
    (bar as ReturnType<typeof progress> | null)?.stop();
    await writeAtomic(join(out, 'record.json'), `${JSON.stringify(record, null, 2)}\n`);
    if (flags.json) console.log(JSON.stringify(record, null, 2));
    else {
      log(
        `clean accuracy ${(100 * record.clean_acc).toFixed(2)}%, corruption accuracy ${record.corruption_acc_mean === null ? 'n/a' : `${(100 * record.corruption_acc_mean).toFixed(2)}%`}, ECE ${record.ece.toFixed(4)}, equivariance gap ${record.equivariance_gap.toFixed(4)}`,
      );
      log(`wrote ${join(out, 'record.json')} and ${join(out, 'checkpoint')}`);
    }
  } catch (error) {
    (bar as ReturnType<typeof progress> | null)?.stop();
    if (signal.aborted) {
      throw new Error(
        `interrupted; the checkpoint of the last finished epoch is in ${join(out, 'checkpoint')}: run the same command again to resume`,
      );
    }
    throw error;
  }
}
