import { readFileSync } from 'node:fs';
import { ARCHITECTURES, MAX_SEED, MAX_WIDTH } from '@semix/core';
import { DATASET_NAMES, type SuiteName as DatasetsSuiteName } from '@semix/datasets';
import {
  type MethodConfig,
  MethodConfigError,
  methodName,
  policyOf,
  type ResolvedMethod,
  resolveMethod,
  withOption,
} from '@semix/mixup';
import { defaultLabel } from '@semix/mixup/internal';
import { z } from 'zod';
import { AA_MARKER, aaTwinLabel, isAaLabel } from './controls';
import cifar10 from './presets/cifar10.json';
import cifar100 from './presets/cifar100.json';
import fashion from './presets/fashion.json';
import mnist from './presets/mnist.json';
import mnistFull from './presets/mnist-full.json';
import mnistMini from './presets/mnist-mini.json';
import quick from './presets/quick.json';
import selectAlpha from './presets/select-alpha.json';
import selectBeta from './presets/select-beta.json';
import selectEpochs8 from './presets/select-epochs-8.json';
import selectEpochs16 from './presets/select-epochs-16.json';
import semAblation from './presets/sem-ablation.json';
import smoke from './presets/smoke.json';

/**
 * The corruption suites a preset can evaluate on: the 15 CIFAR-10-C corruptions × 5 severities (Hendrycks &
 * Dietterich 2019), and MNIST-C's 15 corruptions at its one level (Mu & Gilmer 2019), for 28 × 28 digits.
 */
export const SUITES = ['cifar10-c-15', 'mnist-c'] as const;
/**
 * A corruption suite a preset evaluates on (`evaluation.corruptions`), generated or read from the official files.
 * Not @semix/datasets' `SuiteName`, which names a generator ({@link SUITE_GENERATOR} maps one to the other).
 */
export type EvaluationSuiteName = (typeof SUITES)[number];
/** @deprecated Use EvaluationSuiteName: @semix/datasets' `SuiteName` names a suite generator, another thing. */
export type SuiteName = EvaluationSuiteName;

/** The @semix/datasets generator that makes each evaluation suite from the evaluated images. */
export const SUITE_GENERATOR: Readonly<Record<EvaluationSuiteName, DatasetsSuiteName>> = {
  'cifar10-c-15': 'cifar10-c',
  'mnist-c': 'mnist-c',
};

/** Data sets each suite applies to, and those with official released files. */
const SUITE_DATASETS: Record<EvaluationSuiteName, { generated: readonly string[]; official: readonly string[] }> = {
  'cifar10-c-15': {
    generated: ['mnist-mini', 'mnist', 'fashion-mnist', 'cifar10', 'cifar100'],
    official: ['cifar10', 'cifar100'],
  },
  'mnist-c': { generated: ['mnist-mini', 'mnist', 'fashion-mnist'], official: ['mnist'] },
};

/**
 * A `methods` entry: a method name, a method object (`{ name, label?, mix?, sem?, layers?, eta? }`), or a sweep
 * (`{ sweep: <name or method object>, vary: { "sem.weight": [0.1, 1, 10], … } }`). Validated by
 * `expandMethodEntry`, which knows each method's options.
 */
const MethodEntry = z.union([z.string(), z.record(z.unknown())]);

/**
 * A seed: an integer in [0, 2³² − 1] (core's MAX_SEED; a seed is one 32-bit word, and a larger one would repeat a
 * smaller one's draws). The message names the value and the range.
 */
export const SeedSchema = z.number().superRefine((v, ctx) => {
  if (!Number.isInteger(v) || v < 0 || v > MAX_SEED)
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `${v} is not valid; expected an integer from 0 to ${MAX_SEED}`,
    });
});

/** A preset's seeds: each once (a seed listed twice would run one job twice, and count it as two seeds). */
const Seeds = z
  .array(SeedSchema)
  .min(1)
  .superRefine((seeds, ctx) => {
    seeds.forEach((seed, i) => {
      const first = seeds.indexOf(seed);
      if (first < i)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [i],
          message: `${seed} is also seeds[${first}]; each seed is run once`,
        });
    });
  });

const Schedule = z
  .object({
    type: z.enum(['constant', 'cosine', 'step']),
    milestones: z.array(z.number()).optional(),
    gamma: z.number().optional(),
    warmupEpochs: z.number().optional(),
  })
  .strict();

export const TrainSettings = z
  .object({
    epochs: z.number().int().positive(),
    batchSize: z.number().int().positive(),
    optimizer: z.enum(['adam', 'sgd']),
    lr: z.number().positive(),
    schedule: Schedule,
    weightDecay: z.number().nonnegative(),
    trainImages: z.number().int().positive().optional(),
    augment: z.enum(['none', 'cifar']).optional(),
    /**
     * Data-parallel shards of each batch (core's `train({ shards })`): each shard is mixed within itself and has
     * its own batch-norm statistics, so results depend on it and it is part of a job's identity. Default:
     * `threads`, else 1 (one batch, nothing to spread over threads).
     */
    shards: z.number().int().positive().optional(),
    /**
     * Threads a job computes its shards on (core's `train({ threads })`, 1 to `shards`); default 1. Scheduling
     * only: not part of a job's identity (records state it as `threads`). `semix bench` may give a job more
     * threads, up to `shards`, from cores no other job needs.
     */
    threads: z.number().int().positive().optional(),
    /**
     * @deprecated Renamed `threads` (a count of threads; "worker" now names only the queue's processes). Read as
     * `threads` for this release, with a warning; `parsePreset` returns it as `threads`.
     */
    workers: z.number().int().positive().optional(),
  })
  .strict();

/**
 * `threads` within `shards`, `shards` within the batch; checked with the whole preset (a config file's `train` is
 * partial). The deprecated `workers` is checked as `threads`, under its own name.
 */
function checkShards(t: z.infer<typeof TrainSettings>, ctx: z.RefinementCtx): void {
  const shards = presetShards(t);
  const named = t.threads !== undefined ? 'threads' : 'workers';
  const threads = t.threads ?? t.workers;
  if (t.threads !== undefined && t.workers !== undefined && t.threads !== t.workers)
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['workers'],
      message: `${t.workers} differs from threads (${t.threads}); workers is the deprecated name of threads: give threads only`,
    });
  if (threads !== undefined && threads > shards)
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: [named],
      message: `${threads} is more than shards (${shards}); each thread computes one shard or more; allowed: 1 to ${shards}`,
    });
  if (shards > t.batchSize)
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: [t.shards === undefined ? named : 'shards'],
      message: `${shards} is more than batchSize (${t.batchSize}); each data-parallel shard needs one image at least`,
    });
}

/**
 * The data-parallel shards of a preset's training (`shards`, else `threads`, else 1): what its numbers depend
 * on. Threads are another matter (`jobThreads`).
 */
export function presetShards(train: { shards?: number; threads?: number; workers?: number }): number {
  return train.shards ?? train.threads ?? train.workers ?? 1;
}

// Deprecated spellings warned about in this process: once each.
const warned = new Set<string>();

/** A preset's `train` with the deprecated `workers` read as `threads` (warned about once a process). */
function currentTrain<T extends { threads?: number; workers?: number }>(train: T, source: string): Omit<T, 'workers'> {
  const { workers, ...rest } = train;
  if (workers === undefined) return rest;
  if (!warned.has('train.workers')) {
    warned.add('train.workers');
    process.emitWarning(
      `preset ${source}: train.workers is deprecated and will be removed in the next release; it is read as train.threads (the same count of threads)`,
      'DeprecationWarning',
    );
  }
  return { ...rest, threads: rest.threads ?? workers };
}

/** Where a preset's models are measured: the test split (the report), or the validation images (choices). */
export const EVALUATION_SPLITS = ['test', 'validation'] as const;
export type EvaluationSplit = (typeof EVALUATION_SPLITS)[number];

export const EvaluationSettings = z
  .object({
    /**
     * The first `images` evaluated images (of the test split, or of the validation images: `split`): clean accuracy
     * and every corruption are measured on the same images.
     */
    images: z.number().int().positive(),
    /** A suite, a list of suites, or `none`; the first suite is the headline one. */
    corruptions: z.union([z.enum([...SUITES, 'none']), z.array(z.enum(SUITES)).min(1)]),
    /** `generated`: semix's suite made from the evaluated images; `official`: CIFAR-10-C / CIFAR-100-C files. */
    corruptionSource: z.enum(['generated', 'official']).default('generated'),
    /** Seed of the generated suites' random choices. */
    corruptionSeed: SeedSchema.default(0),
    gapImages: z.number().int().positive(),
    /**
     * `test` (the default): the test split. `validation`: the preset's `data.validation` images, for choices made
     * off the test set; the suites are generated from them, and the test split is not read.
     */
    split: z.enum(EVALUATION_SPLITS).optional(),
  })
  .strict();

/**
 * How the leaderboard judges its comparisons; not part of any job's identity (it changes no result, only how
 * results are read). `equivalenceMargin`: the half-width, in percentage points of accuracy, of the band within which
 * a difference counts as no effect: a comparison is *equivalent* where two one-sided tests put it inside ±margin.
 */
export const ReportSettings = z
  .object({
    equivalenceMargin: z.number().positive().max(100).optional(),
  })
  .strict();

/** The report settings a preset that names none gets: a margin of ±1 pp. */
export const DEFAULT_REPORT_SETTINGS: Required<z.infer<typeof ReportSettings>> = { equivalenceMargin: 1 };

/**
 * The data beside the data set's own splits. `validation`: `images` of the training split, stratified by class and
 * drawn with `seed` (@semix/datasets' `validationSplit`), set aside: never trained on, and evaluated where
 * `evaluation.split` is `validation`. Part of every job's identity.
 */
export const DataSettings = z
  .object({
    validation: z
      .object({
        images: z.number().int().positive(),
        seed: SeedSchema,
      })
      .strict()
      .optional(),
  })
  .strict();

/** The split a preset evaluates on (`evaluation.split`, default `test`). */
export const evaluationSplit = (preset: Pick<Preset, 'evaluation'>): EvaluationSplit =>
  preset.evaluation.split ?? 'test';

export const ModelSettings = z
  .object({
    arch: z.enum(ARCHITECTURES),
    /** At most core's MAX_WIDTH, where preact-resnet18's parameters still fit a workstation's memory. */
    width: z.number().positive().max(MAX_WIDTH).default(1),
  })
  .strict();

export const PresetObject = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
    description: z.string(),
    dataset: z.enum(DATASET_NAMES),
    model: ModelSettings,
    methods: z.array(MethodEntry).min(1),
    seeds: Seeds,
    /** Absent: the data set's training split is trained on whole, as before the field existed. */
    data: DataSettings.optional(),
    train: TrainSettings.superRefine(checkShards),
    evaluation: EvaluationSettings,
    /** Defaults: DEFAULT_REPORT_SETTINGS. */
    report: ReportSettings.optional(),
  })
  .strict();

/** A validated preset: `methods` expanded (sweeps) and resolved, each with its label. */
export type Preset = Omit<z.infer<typeof PresetObject>, 'methods'> & { methods: ResolvedMethod[] };

/** The suites a preset evaluates, headline first. */
export function presetSuites(preset: Pick<Preset, 'evaluation'>): EvaluationSuiteName[] {
  const c = preset.evaluation.corruptions;
  return c === 'none' ? [] : Array.isArray(c) ? [...c] : [c];
}

/**
 * Expands one `methods` entry (a name, a method object or a sweep) into resolved methods. A sweep gives one
 * method per combination of the listed values (Cartesian product; the first key varies slowest, as in
 * itertools.product), each labelled by its non-default options.
 */
export function expandMethodEntry(entry: unknown, field: string): ResolvedMethod[] {
  if (entry && typeof entry === 'object' && 'sweep' in entry) {
    const fail = (where: string, detail: string): never => {
      throw new MethodConfigError(where, detail);
    };
    const extra = Object.keys(entry).filter((k) => k !== 'sweep' && k !== 'vary');
    if (extra.length) fail(`${field}.${extra[0]}`, 'unknown key; a sweep has: sweep, vary');
    const { sweep, vary } = entry as { sweep: unknown; vary: unknown };
    if (!(typeof sweep === 'string' || (sweep && typeof sweep === 'object' && !Array.isArray(sweep))))
      fail(`${field}.sweep`, `${JSON.stringify(sweep)} is not valid; allowed: a method name or a method object`);
    if (!vary || typeof vary !== 'object' || Array.isArray(vary) || Object.keys(vary).length === 0)
      fail(
        `${field}.vary`,
        `${JSON.stringify(vary)} is not valid; allowed: an object of option paths to lists of values, at least one`,
      );
    const base = (typeof sweep === 'string' ? { name: sweep } : sweep) as MethodConfig;
    resolveMethod(base, `${field}.sweep`);
    let combos: Array<Record<string, unknown>> = [{}];
    for (const [path, values] of Object.entries(vary as Record<string, unknown>)) {
      if (!Array.isArray(values) || values.length === 0)
        fail(`${field}.vary.${path}`, `${JSON.stringify(values)} is not valid; allowed: a non-empty list of values`);
      combos = combos.flatMap((c) => (values as unknown[]).map((v) => ({ ...c, [path]: v })));
    }
    return combos.map((combo) => {
      let config = { ...base };
      for (const [path, value] of Object.entries(combo)) {
        try {
          config = withOption(config, path, value);
        } catch (error) {
          if (error instanceof MethodConfigError) throw new MethodConfigError(`${field}.vary.${path}`, error.detail);
          throw error;
        }
      }
      const where = `${field}.vary{${Object.entries(combo)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(', ')}}`;
      return resolveMethod(config, where);
    });
  }
  return [resolveMethod(entry, field)];
}

/** Resolves every method of a preset; two methods with the same label or the same options are an error. */
export function expandMethods(entries: readonly unknown[]): ResolvedMethod[] {
  const out: Array<{ method: ResolvedMethod; field: string }> = [];
  entries.forEach((entry, i) => {
    for (const method of expandMethodEntry(entry, `methods[${i}]`)) out.push({ method, field: `methods[${i}]` });
  });
  const byLabel = new Map<string, string>();
  const byOptions = new Map<string, string>();
  for (const { method, field } of out) {
    const { label, ...options } = method;
    // An A/A control runs its twin's options again, on a seed stream of its own: another job.
    const key = `${JSON.stringify(options)}${isAaLabel(label) ? AA_MARKER : ''}`;
    if (byLabel.has(label))
      throw new MethodConfigError(
        field,
        `the label '${label}' is also used by ${byLabel.get(label)}; labels name leaderboard rows and must differ`,
      );
    if (byOptions.has(key))
      throw new MethodConfigError(
        field,
        `'${label}' has the same options as ${byOptions.get(key)}; each method is run once`,
      );
    byLabel.set(label, field);
    byOptions.set(key, `${field} ('${label}')`);
  }
  for (const { method, field } of out) checkAaTwin(method, field, out);
  return out.map((o) => o.method);
}

/**
 * An A/A control (a label ending in AA_MARKER) needs its twin, the method labelled as it is without the marker,
 * with the same options: the board compares the two, and a difference is a false positive only if they are the
 * same method.
 */
function checkAaTwin(
  method: ResolvedMethod,
  field: string,
  all: ReadonlyArray<{ method: ResolvedMethod; field: string }>,
): void {
  if (!isAaLabel(method.label)) return;
  const twinLabel = aaTwinLabel(method.label);
  const twin = all.find((o) => o.method.label === twinLabel);
  const what = `'${method.label}' is an A/A control (a label ending in '${AA_MARKER}': its method run again on an independent seed stream, compared with its twin '${twinLabel}')`;
  if (!twin)
    throw new MethodConfigError(
      `${field}.label`,
      `${what}, but no method is labelled '${twinLabel}'; allowed: an A/A label whose twin is in methods`,
    );
  const { label: _a, ...mine } = method;
  const { label: _b, ...theirs } = twin.method;
  if (JSON.stringify(mine) !== JSON.stringify(theirs))
    throw new MethodConfigError(
      field,
      `${what}, but its options differ from ${twin.field}'s; allowed: the same method and options as its twin`,
    );
}

/** Allowed keys of the object at `path` in a zod schema, for unknown-key messages. */
export function allowedKeys(root: z.ZodTypeAny, path: ReadonlyArray<string | number>): string {
  let schema: z.ZodTypeAny = root;
  const unwrap = (s: z.ZodTypeAny): z.ZodTypeAny => {
    let inner = s;
    for (;;) {
      if (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault || inner instanceof z.ZodNullable)
        inner = inner._def.innerType;
      else if (inner instanceof z.ZodEffects) inner = inner._def.schema;
      else if (inner instanceof z.ZodArray) inner = inner._def.type;
      else return inner;
    }
  };
  for (const p of path) {
    const inner = unwrap(schema);
    if (typeof p === 'number') continue;
    if (!(inner instanceof z.ZodObject)) return '?';
    schema = inner.shape[p];
    if (!schema) return '?';
  }
  const inner = unwrap(schema);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape).join(', ') : '?';
}

/** zod issues as one line each: the field path, then what is wrong (unknown keys list the allowed ones). */
export function formatIssues(root: z.ZodTypeAny, error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const field =
        i.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
          .join('')
          .replace(/^\./, '') || '(root)';
      if (i.code === 'unrecognized_keys')
        return `${field}: unknown key(s) ${i.keys.map((k) => `'${k}'`).join(', ')}; allowed: ${allowedKeys(root, i.path)}`;
      return `${field}: ${i.message}`;
    })
    .join('; ');
}

/** A preset error: bad JSON, an unknown key, a value out of range. The CLI maps it to exit code 2. */
export class PresetError extends Error {
  // Recognised by name where the class is not imported (the CLI's entry maps it to exit 2).
  override name = 'PresetError';
}

export const BUILTIN_PRESETS: Record<string, unknown> = {
  quick,
  smoke,
  'mnist-mini': mnistMini,
  'sem-ablation': semAblation,
  'select-epochs-8': selectEpochs8,
  'select-epochs-16': selectEpochs16,
  'select-alpha': selectAlpha,
  'select-beta': selectBeta,
  mnist,
  'mnist-full': mnistFull,
  fashion,
  cifar10,
  cifar100,
};

/**
 * An evaluation on validation images needs them (`data.validation`), as many as it evaluates, and suites generated
 * from them (official files are corruptions of the test split).
 */
function checkEvaluationSplit(p: z.infer<typeof PresetObject>, source: string): void {
  if (p.evaluation.split !== 'validation') return;
  const fail = (detail: string): never => {
    throw new PresetError(`preset ${source}: ${detail}`);
  };
  const validation = p.data?.validation;
  if (!validation)
    fail(
      `evaluation.split: 'validation' needs validation images, and data.validation is absent; allowed: 'test', or 'validation' with data: { validation: { images, seed } }`,
    );
  else if (p.evaluation.images > validation.images)
    fail(
      `evaluation.images: ${p.evaluation.images} is more than the validation images (data.validation.images: ${validation.images}); allowed: 1 to ${validation.images} where evaluation.split is 'validation'`,
    );
  if (p.evaluation.corruptionSource === 'official' && presetSuites(p).length > 0)
    fail(
      `evaluation.corruptionSource: 'official' is not valid where evaluation.split is 'validation' (the official files corrupt the test split); allowed: 'generated'`,
    );
}

/** Validates a preset object and resolves its methods; the error names the field and what is wrong with it. */
export function parsePreset(value: unknown, source: string): Preset {
  const result = PresetObject.safeParse(value);
  if (!result.success) throw new PresetError(`preset ${source}: ${formatIssues(PresetObject, result.error)}`);
  const p = result.data;
  checkEvaluationSplit(p, source);
  for (const suite of presetSuites(p)) {
    const allowed = SUITE_DATASETS[suite][p.evaluation.corruptionSource];
    if (!allowed.includes(p.dataset)) {
      throw new PresetError(
        `preset ${source}: evaluation.corruptions: ${p.evaluation.corruptionSource} ${suite} exists only for ${allowed.join(', ')}, not ${p.dataset}`,
      );
    }
  }
  let methods: ResolvedMethod[];
  try {
    methods = expandMethods(p.methods);
  } catch (error) {
    if (error instanceof MethodConfigError) throw new PresetError(`preset ${source}: ${error.message}`);
    throw error;
  }
  return { ...p, train: currentTrain(p.train, source), methods };
}

/**
 * The preset with `mix` / `sem` options set on every method that takes them (a method that does not take an
 * option keeps its own); labels are derived again, so the rows say what ran. An option that no method of the
 * preset takes is an error, as is a value a method refuses (`methods[i].sem.weight: …`).
 */
export function overrideMethods(
  preset: Preset,
  overrides: { mix?: Record<string, unknown>; sem?: Record<string, unknown> },
): Preset {
  const unused = new Set([
    ...Object.keys(overrides.mix ?? {}).map((k) => `mix.${k}`),
    ...Object.keys(overrides.sem ?? {}).map((k) => `sem.${k}`),
  ]);
  if (unused.size === 0) return preset;
  const methods = preset.methods.map((m, i) => {
    const { mixKeys } = policyOf(m.policy);
    const { label: given, ...config } = m as ResolvedMethod;
    // An A/A control is relabelled as its twin is, and keeps its marker (which is what makes it one).
    const label = aaTwinLabel(given);
    const marker = isAaLabel(given) ? AA_MARKER : '';
    let next: Record<string, unknown> = { ...config };
    for (const [k, v] of Object.entries(overrides.mix ?? {})) {
      if (!(mixKeys as readonly string[]).includes(k)) continue;
      next = withOption(next as never, `mix.${k}`, v) as never;
      unused.delete(`mix.${k}`);
    }
    if (m.sem) {
      for (const [k, v] of Object.entries(overrides.sem ?? {})) {
        next = withOption(next as never, `sem.${k}`, v) as never;
        unused.delete(`sem.${k}`);
      }
    }
    // A label the preset derived is derived again; a label it chose keeps its name and says what was changed.
    const derived = label === defaultLabel(m);
    const resolved = resolveMethod(next, `methods[${i}]`);
    const relabelled = derived
      ? resolved.label
      : `${label} (${defaultLabel(resolved).slice(methodName(m).length + 1) || 'defaults'})`;
    return { ...resolved, label: `${relabelled}${marker}` };
  });
  if (unused.size > 0) {
    const [path] = [...unused];
    throw new MethodConfigError(
      path,
      `no method of preset ${preset.name} takes it (methods: ${preset.methods.map((m) => m.label).join(', ')})`,
    );
  }
  return { ...preset, methods: expandMethods(methods) };
}

/** A built-in preset by name, or a preset file (JSON) by path. */
export function loadPreset(nameOrPath: string): Preset {
  // Own keys only: `in` would take 'constructor' (inherited from Object.prototype) for a preset.
  if (Object.hasOwn(BUILTIN_PRESETS, nameOrPath)) return parsePreset(BUILTIN_PRESETS[nameOrPath], nameOrPath);
  if (nameOrPath.endsWith('.json')) {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(nameOrPath, 'utf8'));
    } catch (error) {
      throw new PresetError(`preset ${nameOrPath}: cannot read it as JSON (${(error as Error).message})`);
    }
    return parsePreset(value, nameOrPath);
  }
  throw new PresetError(
    `preset: '${nameOrPath}' is not a preset; allowed: ${Object.keys(BUILTIN_PRESETS).join(', ')}, or a .json file`,
  );
}
