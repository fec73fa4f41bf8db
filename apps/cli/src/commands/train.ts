import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import {
  loadPreset,
  loadPresetData,
  loadPresetSplits,
  type Preset,
  PresetError,
  parsePreset,
  runJob,
} from '@semix/bench';
import { identityDiff, jobId, jobIdentity, packageVersions, recordSummary, recordText } from '@semix/bench/internal';
import { ARCHITECTURES, type BackendName, computeIdentity, selectBackend } from '@semix/core';
import { CheckpointError } from '@semix/core/node';
import { DATASET_NAMES } from '@semix/datasets';
import { LOCK_FILE } from '@semix/datasets/node';
import { writeAtomic } from '@semix/env/node';
import { policyOf, type ResolvedMethod, resolveMethod } from '@semix/mixup';
import { readConfig } from '../config';
import {
  BACKENDS,
  checkOutDir,
  choiceOption,
  flagError,
  interruptSignal,
  intOption,
  MAX_WIDTH,
  METHOD_FLAG_OF,
  type MethodFlags,
  methodFlagOptions,
  numberOption,
  seedOption,
  UsageError,
} from '../options';
import { progress } from '../progress';
import { holdDirectory } from '../writer';

export interface TrainFlags extends MethodFlags {
  /** --sem / --no-sem: the SEM term on or off (default: as the method says). */
  sem?: boolean;
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
  shards?: string;
  threads?: string;
  /** @deprecated `--threads` under its old name: read for one release, with a warning. */
  workers?: string;
  seed?: string;
  backend?: string;
  out?: string;
  force?: boolean;
  json?: boolean;
}

/** Merges mix / sem options into a method configuration (a name or an object). */
function withOptions(
  method: string | Record<string, unknown>,
  mix: Record<string, unknown>,
  sem: Record<string, unknown>,
) {
  const config: Record<string, unknown> = typeof method === 'string' ? { name: method } : { ...method };
  if (Object.keys(mix).length) config.mix = { ...((config.mix as object) ?? {}), ...mix };
  if (Object.keys(sem).length) config.sem = { ...((config.sem as object) ?? {}), ...sem };
  return config;
}

/** The run a command describes: preset < config file < flags. */
export function resolveRun(flags: TrainFlags): {
  preset: Preset;
  method: ResolvedMethod;
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
  // The method: the config's (with its top-level mix / sem), then the flags; errors name where the value came from.
  let fromConfig: ResolvedMethod;
  const configMethod = withOptions(config.method ?? 'mixup+sem', config.mix ?? {}, config.sem ?? {});
  const onlyName = Object.keys(configMethod).length === 1;
  // --method names the policy (and SEM, as X+sem) in place of the config's.
  const { policy: _policy, ...configOptions } = configMethod;
  const named = flags.method ? (onlyName ? flags.method : { ...configOptions, name: flags.method }) : configMethod;
  try {
    fromConfig = resolveMethod(named, 'method');
  } catch (error) {
    const message = (error as Error).message;
    throw new UsageError(
      flags.method && /^method(\.name)?: /.test(message)
        ? `--method: ${message.replace(/^method(\.name)?: /, '')}`
        : `--config ${flags.config}: ${message}`,
    );
  }
  // --sem / --no-sem turn the SEM term on or off; --sem-* options need it on.
  const { mix, sem } = methodFlagOptions(flags);
  const semOn = flags.sem ?? fromConfig.sem !== null;
  const given = Object.keys(sem).map((k) => METHOD_FLAG_OF[`sem.${k}`]);
  if (given.length && !semOn) {
    const { policy } = fromConfig;
    const noSem = policyOf(policy).noSem;
    throw new UsageError(
      `${given.join(', ')}: ${
        noSem
          ? `sem does not apply to ${policy}: ${noSem}`
          : flags.sem === false
            ? '--no-sem turns the SEM term off'
            : `${policy} has no SEM term here; add --sem (or --method ${policy}+sem)`
      }`,
    );
  }
  let method: ResolvedMethod;
  try {
    const { label: _label, sem: configSem, ...options } = fromConfig;
    method = resolveMethod(withOptions({ ...options, sem: semOn ? (configSem ?? {}) : null }, mix, sem), 'method');
  } catch (error) {
    throw new UsageError(flagError((error as Error).message));
  }
  const seed = seedOption('--seed', flags.seed) ?? config.seed ?? 0;
  const width = numberOption('--width', flags.width);
  if (width !== undefined && !(width > 0 && width <= MAX_WIDTH))
    throw new UsageError(`--width: '${flags.width}' is not valid; expected a number > 0 and <= ${MAX_WIDTH}`);
  const backend = choiceOption('--backend', flags.backend, BACKENDS) ?? config.backend ?? 'auto';
  const merged = {
    ...base,
    dataset: choiceOption('--dataset', flags.dataset, DATASET_NAMES) ?? config.dataset ?? base.dataset,
    model: {
      ...base.model,
      ...config.model,
      ...(flags.model ? { arch: choiceOption('--model', flags.model, ARCHITECTURES) } : {}),
      ...(width !== undefined ? { width } : {}),
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
        shards: intOption('--shards', flags.shards, 1),
        threads: threadsFlag(flags),
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
  const out = flags.out ?? config.out;
  if (out !== undefined) checkOutDir(flags.out !== undefined ? '--out' : `--config ${flags.config}: out`, out);
  return { preset, method: preset.methods[0], seed, backend, out };
}

/**
 * `--threads`, or its deprecated name `--workers` (read for one release, with a warning on stderr); both with
 * different values is a usage error naming both.
 */
function threadsFlag(flags: Pick<TrainFlags, 'threads' | 'workers'>): number | undefined {
  const threads = intOption('--threads', flags.threads, 1);
  const workers = intOption('--workers', flags.workers, 1);
  if (workers === undefined) return threads;
  if (threads !== undefined && threads !== workers)
    throw new UsageError(
      `--workers: ${workers} differs from --threads (${threads}); --workers is the deprecated name of --threads: give --threads only`,
    );
  console.error(
    'semix: warning: --workers is deprecated and will be removed in the next release; use --threads (the same count of threads)',
  );
  return workers;
}

/** A preset field in a message (`train.batchSize: …`) named by its flag. */
function presetFlag(message: string): string {
  const flags: Record<string, string> = { 'train.batchSize': '--batch-size', 'train.trainImages': '--train-images' };
  const m = /^(?:preset .*?: )?(train\.\w+): /.exec(message);
  return m && flags[m[1]] ? `${flags[m[1]]}: ${message.slice(m[0].length)}` : message;
}

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** What a run directory's config.json holds: the job's identity and its hash, beside the readable settings. */
interface RunConfig {
  job_id: string;
  identity: unknown;
  preset: Preset;
  method: ResolvedMethod;
  seed: number;
}

/**
 * A run directory belongs to one configuration. Another configuration onto it is a usage error naming the
 * fields that differ; `--force` moves the old run aside (never deletes it) and starts fresh.
 */
async function claimRunDir(out: string, config: RunConfig, force: boolean, log: (line: string) => void) {
  let previous: RunConfig | null = null;
  let text: string | null = null;
  try {
    text = await readFile(join(out, 'config.json'), 'utf8');
  } catch {
    // no config.json: a new run directory, unless a checkpoint without one is there
  }
  if (text !== null) {
    try {
      previous = JSON.parse(text) as RunConfig;
    } catch {
      previous = null;
    }
  }
  const hasCheckpoint = await readdir(join(out, 'checkpoint')).then(
    (names) => names.length > 0,
    () => false,
  );
  if (previous?.job_id === config.job_id) return;
  if (!previous && !hasCheckpoint && text === null) return;
  const differs = previous ? identityDiff(previous.identity, config.identity) : ['(unreadable or missing config.json)'];
  if (!force) {
    throw new UsageError(
      `--out ${out}: holds a run of another configuration (differs at ${differs.join(', ')}); use another --out, or --force to move the old run aside and start fresh`,
    );
  }
  const aside = `${out}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  // Entry by entry, not the directory: this process's lock stays where it is, on `out`.
  await mkdir(aside);
  for (const name of await readdir(out)) if (name !== LOCK_FILE) await rename(join(out, name), join(aside, name));
  log(`--force: moved the previous run (differs at ${differs.join(', ')}) to ${aside}`);
}

/**
 * `semix train`: trains one method on one data set, keeping a checkpoint at the end of every epoch (a run that
 * is stopped resumes from it), then evaluates and writes a result record.
 */
export async function train(flags: TrainFlags): Promise<void> {
  const run = resolveRun(flags);
  const { preset, method, seed } = run;
  const slug = method.label.replace(/[^A-Za-z0-9+.=-]+/g, '_');
  const out = resolve(run.out ?? join('runs', `${preset.name}-${preset.dataset}-${slug}-seed${seed}`));
  const log = (line: string) => {
    if (!flags.json) console.log(line);
  };
  const onData = (p: { phase: string; done: number; total: number | null; what: string; warning?: string }) => {
    if (p.warning) console.error(`semix: warning: ${p.warning}`);
    if (p.phase === 'download' && p.done === p.total) log(`downloaded ${p.what}`);
  };
  let splits: Awaited<ReturnType<typeof loadPresetSplits>>;
  try {
    splits = await loadPresetSplits(preset, onData);
  } catch (error) {
    // Sizes beyond the data (checked before anything is written): a usage error, named by its flag.
    if (error instanceof PresetError) throw new UsageError(presetFlag(error.message));
    throw error;
  }
  // The backend first: what computes the run (and its kernel arithmetic) is part of its identity.
  const selection = await selectBackend(run.backend as BackendName | 'auto');
  const compute = computeIdentity();
  const identity = jobIdentity(preset, method, seed, splits.identity, compute);
  const config: RunConfig = { job_id: jobId(identity), identity, preset, method, seed };
  await holdDirectory(out, ['checkpoint']);
  await claimRunDir(out, config, flags.force === true, log);
  await writeAtomic(join(out, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  log(
    `backend: ${selection.name}; ${method.label} on ${preset.dataset}, ${preset.model.arch}, seed ${seed}; output ${out}`,
  );
  const cores = availableParallelism();
  if (selection.name === 'wasm' && (preset.train.threads ?? 1) === 1 && cores > 1) {
    log(
      `wasm computes on one thread: --threads ${cores} would use all ${cores} cores (results depend on --shards, which defaults to --threads; not on --threads)`,
    );
  }
  const data = await loadPresetData(preset, onData, splits);
  const signal = interruptSignal('interrupted');
  let bar: ReturnType<typeof progress> | null = null;
  try {
    const record = await runJob(method, seed, {
      preset,
      data,
      compute,
      versions: packageVersions(selection),
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
    // Sealed with its digest, as the bench's records are.
    const text = recordText(record);
    await writeAtomic(join(out, 'record.json'), text);
    // --json prints the record as stored, digest included.
    if (flags.json) process.stdout.write(text);
    else {
      log(
        `${recordSummary(record)}; ECE ${(100 * record.ece).toFixed(2)}%, equivariance gap ${record.equivariance_gap.toFixed(4)} (1 − cos; relative L2 ${record.equivariance_gap_l2.toFixed(4)})`,
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
    // Another configuration's checkpoint in this run's directory: the command line points at the wrong place.
    if (CheckpointError.isInstance(error) && error.kind === 'other-run') throw new UsageError(error.message);
    throw error;
  }
}
