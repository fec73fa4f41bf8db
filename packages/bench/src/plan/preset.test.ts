import type { ComputeIdentity } from '@semix/core';
import { describe, expect, it } from 'vitest';
import { planGrid } from './grid';
import { type DataIdentity, identityDiff, type JobIdentity, jobId, jobIdentity } from './identity';
import { BUILTIN_PRESETS, loadPreset, overrideMethods, parsePreset } from './preset';

const DATA: DataIdentity = {
  train: 'a'.repeat(64),
  test: 'b'.repeat(64),
  suites: [{ name: 'cifar10-c-15', source: 'generated', seed: 0 }],
};
const kernels = { multiplyAdd: 'fused', winograd: 'F(4x4,3x3)', winogradFilterGradient: 'F(3x3,4x4)' } as const;
const COMPUTE: ComputeIdentity = { backend: 'wasm', kernels };

describe('job identity', () => {
  const smoke = loadPreset('smoke');
  const id = (preset = smoke, method = smoke.methods[1], seed = 0, data = DATA, compute = COMPUTE) =>
    jobId(jobIdentity(preset, method, seed, data, compute));

  it('the same configuration has the same id, whatever the preset is called or says', () => {
    expect(id()).toBe(id());
    expect(id()).toMatch(/^semix-[0-9a-f]{24}$/);
    expect(id({ ...smoke, name: 'other', description: 'changed' })).toBe(id());
    // A label is presentation: relabelling a method keeps its results.
    expect(id(smoke, { ...smoke.methods[1], label: 'renamed' })).toBe(id());
    // Setting an option to its default value is the same configuration.
    const explicit = parsePreset({ ...smoke, methods: ['erm', { name: 'mixup+sem', sem: { weight: 0.1 } }] }, 'x');
    expect(id(explicit, explicit.methods[1])).toBe(id());
  });

  it('any option, training, evaluation, seed, data or compute change gives another id', () => {
    const changed = [
      id(smoke, parsePreset({ ...smoke, methods: [{ name: 'mixup+sem', sem: { weight: 2 } }] }, 'x').methods[0]),
      id(smoke, parsePreset({ ...smoke, methods: [{ name: 'mixup+sem', mix: { alpha: 0.4 } }] }, 'x').methods[0]),
      id(smoke, smoke.methods[0]),
      id({ ...smoke, train: { ...smoke.train, lr: 0.02 } }),
      id({ ...smoke, train: { ...smoke.train, epochs: 2 } }),
      id({ ...smoke, train: { ...smoke.train, schedule: { type: 'constant' } } }),
      id({ ...smoke, evaluation: { ...smoke.evaluation, images: 200 } }),
      id({ ...smoke, evaluation: { ...smoke.evaluation, corruptions: 'none' } }),
      id({ ...smoke, evaluation: { ...smoke.evaluation, gapImages: 32 } }),
      id({ ...smoke, model: { ...smoke.model, width: 1 } }),
      id({ ...smoke, dataset: 'fashion-mnist' }),
      id(smoke, smoke.methods[1], 1),
      id(smoke, smoke.methods[1], 0, { ...DATA, train: 'c'.repeat(64) }),
      id(smoke, smoke.methods[1], 0, { ...DATA, suites: [{ name: 'cifar10-c-15', source: 'generated', seed: 1 }] }),
      // What computes it: another backend, or the kernel pack's other rounding, is another result.
      id(smoke, smoke.methods[1], 0, DATA, { backend: 'cpu' }),
      id(smoke, smoke.methods[1], 0, DATA, { backend: 'wasm' }),
      id(smoke, smoke.methods[1], 0, DATA, { ...COMPUTE, kernels: { ...kernels, multiplyAdd: 'separate' } }),
      id(smoke, smoke.methods[1], 0, DATA, { ...COMPUTE, kernels: { ...kernels, winograd: 'F(2x2,3x3)' } }),
      id(smoke, smoke.methods[1], 0, DATA, {
        ...COMPUTE,
        kernels: { ...kernels, winogradFilterGradient: 'F(3x3,2x2)' },
      }),
    ];
    expect(new Set([id(), ...changed]).size).toBe(changed.length + 1);
  });

  it('version 4 (the equivariance gap redefined): a version 3 identity has another id, so its job re-runs', () => {
    const identity = jobIdentity(smoke, smoke.methods[1], 0, DATA, COMPUTE);
    expect(identity.v).toBe(5);
    expect(jobId({ ...identity, v: 3 } as unknown as JobIdentity)).not.toBe(jobId(identity));
  });

  it('shards are identity, threads are not; one shard (the default) leaves identities as they were', () => {
    const train = (t: Record<string, number>) => ({ ...smoke, train: { ...smoke.train, ...t } });
    // No key added for the default: every record written before shards existed keeps its id.
    expect(jobIdentity(smoke, smoke.methods[1], 0, DATA, COMPUTE).train).toEqual(smoke.train);
    expect(id(train({ shards: 1 }))).toBe(id());
    expect(id(train({ threads: 1 }))).toBe(id());
    expect(id(train({ shards: 2 }))).not.toBe(id());
    expect(id(train({ shards: 2, threads: 2 }))).toBe(id(train({ shards: 2 })));
    // threads alone is as many shards (as core's train({ threads })).
    expect(id(train({ threads: 2 }))).toBe(id(train({ shards: 2 })));
    expect(jobIdentity(train({ shards: 4, threads: 2 }), smoke.methods[1], 0, DATA, COMPUTE).train).toEqual({
      ...smoke.train,
      shards: 4,
    });
    const raw = BUILTIN_PRESETS.smoke as Record<string, Record<string, unknown>>;
    const bad = (t: Record<string, unknown>) => () => parsePreset({ ...raw, train: { ...raw.train, ...t } }, 'p.json');
    expect(bad({ shards: 2, threads: 3 })).toThrow(
      'train.threads: 3 is more than shards (2); each thread computes one shard or more; allowed: 1 to 2',
    );
    expect(bad({ shards: 65 })).toThrow(
      'train.shards: 65 is more than batchSize (64); each data-parallel shard needs one image at least',
    );
    expect(bad({ threads: 65 })).toThrow('train.threads: 65 is more than batchSize (64)');
    expect(bad({ shards: 0 })).toThrow(/train\.shards: Number must be greater than 0/);
  });

  it('the deprecated train.workers is read as train.threads, checked under its own name, with one warning', async () => {
    const raw = BUILTIN_PRESETS.smoke as Record<string, Record<string, unknown>>;
    const parse = (t: Record<string, unknown>) => parsePreset({ ...raw, train: { ...raw.train, ...t } }, 'p.json');
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const old = parse({ shards: 4, workers: 2 });
      expect(old.train).toEqual(parse({ shards: 4, threads: 2 }).train);
      expect(old.train).not.toHaveProperty('workers');
      expect(id(old)).toBe(id({ ...smoke, train: { ...smoke.train, shards: 4 } }));
      expect(parse({ workers: 2 }).train).toMatchObject({ threads: 2 });
      expect(() => parse({ shards: 2, workers: 3 })).toThrow('train.workers: 3 is more than shards (2)');
      expect(() => parse({ threads: 2, workers: 1 })).toThrow(
        'train.workers: 1 differs from threads (2); workers is the deprecated name of threads: give threads only',
      );
      // process.emitWarning reports on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([
      'preset p.json: train.workers is deprecated and will be removed in the next release; it is read as train.threads (the same count of threads)',
    ]);
  });

  it('identityDiff names the fields that differ', () => {
    const a = jobIdentity(smoke, smoke.methods[1], 0, DATA, COMPUTE);
    const b = jobIdentity({ ...smoke, train: { ...smoke.train, lr: 0.02 } }, smoke.methods[0], 0, DATA, COMPUTE);
    expect(identityDiff(a, b)).toEqual([
      'method.mix.alpha',
      'method.mix.mode',
      'method.mix.pairing',
      'method.mix.prob',
      'method.policy',
      'method.sem',
      'train.lr',
    ]);
  });
});

describe('presets', () => {
  it('every built-in preset validates', () => {
    for (const name of Object.keys(BUILTIN_PRESETS)) expect(loadPreset(name).name).toBe(name);
  });

  it('a sweep expands to the Cartesian product in the stated order, each point labelled and validated', () => {
    const smoke = loadPreset('smoke');
    const p = parsePreset(
      {
        ...smoke,
        methods: [
          'mixup',
          { sweep: 'mixup+sem', vary: { 'sem.weight': [0.1, 10], 'sem.stopGradTarget': [true, false] } },
        ],
      },
      'sweep',
    );
    expect(p.methods.map((m) => m.label)).toEqual([
      'mixup',
      // β = 0.1 is the default: its label names no β.
      'mixup+sem',
      'mixup+sem no-stop-grad',
      'mixup+sem β=10',
      'mixup+sem β=10 no-stop-grad',
    ]);
    expect(p.methods[4].sem).toMatchObject({ weight: 10, stopGradTarget: false, distance: 'mse' });
    // A sweep over a base object keeps the base's options.
    const based = parsePreset(
      {
        ...smoke,
        methods: [{ sweep: { name: 'cutmix+sem', mix: { alpha: 0.5 } }, vary: { 'sem.distance': ['l1', 'cosine'] } }],
      },
      'based',
    );
    expect(based.methods.map((m) => m.label)).toEqual(['cutmix+sem l1 α=0.5', 'cutmix+sem cosine α=0.5']);
    // Each value is validated against the method, and the error names the sweep point.
    expect(() =>
      parsePreset({ ...smoke, methods: [{ sweep: 'mixup+sem', vary: { 'sem.weight': [1, -1] } }] }, 'bad'),
    ).toThrow(/preset bad: methods\[0\]\.vary\{sem\.weight=-1\}\.sem\.weight: -1 is not valid; allowed: a number >= 0/);
    expect(() => parsePreset({ ...smoke, methods: [{ sweep: 'mixup', vary: { 'sem.weight': [1] } }] }, 'bad')).toThrow(
      /methods\[0\]\.vary\.sem\.weight: mixup has no SEM term to set it on; give sem \(true or its options\) or name mixup\+sem/,
    );
    expect(() => parsePreset({ ...smoke, methods: [{ sweep: 'mixup+sem', vary: { weight: [1] } }] }, 'bad')).toThrow(
      /methods\[0\]\.vary\.weight: is not an option path/,
    );
    expect(() => parsePreset({ ...smoke, methods: [{ sweep: 'mixup+sem', vary: {} }] }, 'bad')).toThrow(/methods\[0\]/);
    // Two entries that resolve to the same configuration, or the same label, are refused.
    expect(() =>
      parsePreset({ ...smoke, methods: ['mixup+sem', { name: 'mixup+sem', sem: { weight: 0.1 } }] }, 'dup'),
    ).toThrow(/methods\[1\]: the label 'mixup\+sem' is also used by methods\[0\]/);
    expect(() => parsePreset({ ...smoke, methods: ['mixup', { name: 'mixup', label: 'again' }] }, 'dup')).toThrow(
      /methods\[1\]: 'again' has the same options as methods\[0\] \('mixup'\); each method is run once/,
    );
  });

  it('seeds are integers in [0, 2³² − 1], each once (2³² would alias seed 0); the error names the field and value', () => {
    const raw = BUILTIN_PRESETS.smoke as Record<string, Record<string, unknown>>;
    const cases: Array<[unknown, string]> = [
      [
        { ...raw, seeds: [0, 4294967296] },
        'seeds[1]: 4294967296 is not valid; expected an integer from 0 to 4294967295',
      ],
      [{ ...raw, seeds: [-1] }, 'seeds[0]: -1 is not valid; expected an integer from 0 to 4294967295'],
      [{ ...raw, seeds: [0.5] }, 'seeds[0]: 0.5 is not valid; expected an integer from 0 to 4294967295'],
      [{ ...raw, seeds: [0, 1, 0] }, 'seeds[2]: 0 is also seeds[0]; each seed is run once'],
      [
        { ...raw, evaluation: { ...raw.evaluation, corruptionSeed: 2 ** 32 } },
        'evaluation.corruptionSeed: 4294967296 is not valid; expected an integer from 0 to 4294967295',
      ],
    ];
    for (const [value, message] of cases)
      expect(() => parsePreset(value, 'p.json')).toThrow(`preset p.json: ${message}`);
    expect(parsePreset({ ...raw, seeds: [0, 4294967295] }, 'p.json').seeds).toEqual([0, 4294967295]);
  });

  it('two methods that resolve to the same options are refused, whatever the order of their keys', () => {
    const raw = BUILTIN_PRESETS.smoke as Record<string, Record<string, unknown>>;
    const methods = [
      { name: 'mixup+sem', sem: { weight: 3, distance: 'l1' } },
      { name: 'mixup+sem', label: 'b', sem: { distance: 'l1', weight: 3 } },
    ];
    expect(() => parsePreset({ ...raw, methods }, 'p.json')).toThrow(
      /methods\[1\]: 'b' has the same options as methods\[0\]/,
    );
  });

  it("presets are looked up among the built-in names only, not an object's inherited keys", () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty'])
      expect(() => loadPreset(name)).toThrow(
        `preset: '${name}' is not a preset; allowed: ${Object.keys(BUILTIN_PRESETS).join(', ')}, or a .json file`,
      );
  });

  it('unknown keys are errors at every depth, naming the key, its path and the allowed keys', () => {
    const smoke = loadPreset('smoke');
    const raw = BUILTIN_PRESETS.smoke as Record<string, Record<string, unknown>>;
    const cases: Array<[unknown, RegExp]> = [
      [{ ...raw, model: { ...raw.model, widht: 2 } }, /model: unknown key\(s\) 'widht'; allowed: arch, width/],
      [{ ...raw, train: { ...raw.train, lrr: 1 } }, /train: unknown key\(s\) 'lrr'; allowed: epochs, batchSize/],
      [
        { ...raw, train: { ...raw.train, schedule: { type: 'step', gama: 0.1 } } },
        /train\.schedule: unknown key\(s\) 'gama'; allowed: type, milestones, gamma, warmupEpochs/,
      ],
      [
        { ...raw, train: { ...raw.train, schedule: { type: 'cosine', warmupp: 1 } } },
        /train\.schedule: unknown key\(s\) 'warmupp'/,
      ],
      [
        { ...raw, evaluation: { ...raw.evaluation, corruptionImage: 5 } },
        /evaluation: unknown key\(s\) 'corruptionImage'; allowed: images, corruptions/,
      ],
      [
        { ...raw, methods: [{ name: 'mixup+sem', sem: { wieght: 3 } }] },
        /methods\[0\]\.sem\.wieght: unknown key; allowed: distance, weight/,
      ],
      [{ ...raw, methods: [{ sweep: 'mixup+sem', vary: { 'sem.weight': [1] }, seeds: [1] }] }, /methods\[0\]/],
    ];
    for (const [value, message] of cases) expect(() => parsePreset(value, 'p.json'), String(message)).toThrow(message);
    expect(smoke.train.trainImages).toBe(2048);
  });

  it('each suite is offered only where it applies: generated MNIST-C for 28 × 28 digits, official files where released', () => {
    const raw = BUILTIN_PRESETS.smoke as Record<string, Record<string, unknown>>;
    const with_ = (dataset: string, evaluation: object) =>
      parsePreset({ ...raw, dataset, evaluation: { ...raw.evaluation, ...evaluation } }, 'p.json');
    expect(() => with_('cifar10', { corruptions: 'mnist-c' })).toThrow(
      /evaluation\.corruptions: generated mnist-c exists only for mnist-mini, mnist, fashion-mnist, not cifar10/,
    );
    expect(() => with_('mnist-mini', { corruptions: 'cifar10-c-15', corruptionSource: 'official' })).toThrow(
      /official cifar10-c-15 exists only for cifar10, cifar100, not mnist-mini/,
    );
    expect(with_('mnist', { corruptions: 'mnist-c', corruptionSource: 'official' }).evaluation.corruptions).toBe(
      'mnist-c',
    );
    expect(() => with_('mnist-mini', { corruptions: ['mnist-c', 'imagenet-c'] })).toThrow(/evaluation\.corruptions/);
  });

  it('method flags apply to every method that takes them; labels say what ran', () => {
    const quick = parsePreset(
      {
        ...(BUILTIN_PRESETS.smoke as object),
        methods: ['erm', 'mixup', 'mixup+sem', 'cutmix', 'cutmix+sem'],
        seeds: [0, 1, 2],
      },
      'five methods',
    );
    const p = overrideMethods(quick, { mix: { alpha: 0.4 }, sem: { weight: 3 } });
    expect(p.methods.map((m) => m.label)).toEqual([
      'erm',
      'mixup α=0.4',
      'mixup+sem β=3 α=0.4',
      'cutmix α=0.4',
      'cutmix+sem β=3 α=0.4',
    ]);
    expect(p.methods[0]).toEqual(quick.methods[0]);
    expect(() => overrideMethods(quick, { sem: { distance: 'kl' } })).toThrow(
      /methods\[2\]\.sem\.distance: "kl" is not valid; allowed: mse, cosine, l1, infonce/,
    );
    const ermOnly = parsePreset({ ...(BUILTIN_PRESETS.smoke as object), methods: ['erm'] }, 'e');
    expect(() => overrideMethods(ermOnly, { sem: { weight: 2 } })).toThrow(
      /sem\.weight: no method of preset smoke takes it/,
    );
    // The grid's ids follow the options.
    const before = planGrid(quick, DATA, COMPUTE).jobs.map((j) => j.id);
    const after = planGrid(p, DATA, COMPUTE).jobs.map((j) => j.id);
    expect(after.slice(0, 3)).toEqual(before.slice(0, 3)); // erm unchanged (3 seeds)
    expect(after.slice(3).every((x) => !before.includes(x))).toBe(true);
  });
});
