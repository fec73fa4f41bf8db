import type { ComputeIdentity } from '@semix/core';
import { describe, expect, it } from 'vitest';
import { type DataIdentity, jobId, jobIdentity } from './identity';
import { BUILTIN_PRESETS, evaluationSplit, loadPreset, type Preset, parsePreset, presetSuites } from './preset';

// The validation split and the evaluation split as preset fields, and the presets of docs/selection-rule.md.

const DATA: DataIdentity = { train: 'a'.repeat(64), test: 'b'.repeat(64), suites: [] };
const COMPUTE: ComputeIdentity = { backend: 'cpu' };
const smoke = BUILTIN_PRESETS.smoke as Record<string, Record<string, unknown>>;
const parse = (changes: Record<string, unknown>) => parsePreset({ ...smoke, ...changes }, 'p.json');
const evaluation = (e: Record<string, unknown>) => ({ evaluation: { ...smoke.evaluation, ...e } });
const VALIDATION = { data: { validation: { images: 1000, seed: 0 } } };

describe('data.validation and evaluation.split', () => {
  it('are optional: a preset without them has the identity it had before they existed', () => {
    const before = parse({});
    expect(before.data).toBeUndefined();
    expect(evaluationSplit(before)).toBe('test');
    const identity = jobIdentity(before, before.methods[0], 0, DATA, COMPUTE);
    expect(Object.keys(identity)).toEqual([
      'v',
      'dataset',
      'model',
      'train',
      'evaluation',
      'method',
      'seed',
      'data',
      'compute',
    ]);
    expect('split' in identity.evaluation).toBe(false);
    // Saying the default is the same configuration.
    const explicit = parse(evaluation({ split: 'test' }));
    expect(jobId(jobIdentity(explicit, explicit.methods[0], 0, DATA, COMPUTE))).toBe(jobId(identity));
  });

  it('are part of every job identity', () => {
    const id = (p: Preset) => jobId(jobIdentity(p, p.methods[0], 0, DATA, COMPUTE));
    const ids = [
      parse({}),
      parse(VALIDATION),
      parse({ data: { validation: { images: 1000, seed: 1 } } }),
      parse({ data: { validation: { images: 500, seed: 0 } } }),
      parse({ ...VALIDATION, ...evaluation({ split: 'validation' }) }),
    ].map(id);
    expect(new Set(ids).size).toBe(ids.length);
    const p = parse({ ...VALIDATION, ...evaluation({ split: 'validation' }) });
    const identity = jobIdentity(p, p.methods[0], 0, DATA, COMPUTE);
    expect(identity.validation).toEqual({ images: 1000, seed: 0 });
    expect(identity.evaluation.split).toBe('validation');
  });

  it('are refused when malformed, naming the field, the value and what is allowed', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        evaluation({ split: 'train' }),
        "evaluation.split: Invalid enum value. Expected 'test' | 'validation', received 'train'",
      ],
      [
        evaluation({ split: 'validation' }),
        "evaluation.split: 'validation' needs validation images, and data.validation is absent; allowed: 'test', or 'validation' with data: { validation: { images, seed } }",
      ],
      [
        { ...VALIDATION, ...evaluation({ split: 'validation', images: 1001 }) },
        "evaluation.images: 1001 is more than the validation images (data.validation.images: 1000); allowed: 1 to 1000 where evaluation.split is 'validation'",
      ],
      [{ data: { validation: { images: 0, seed: 0 } } }, 'data.validation.images: Number must be greater than 0'],
      [{ data: { validation: { images: 10.5, seed: 0 } } }, 'data.validation.images: Expected integer, received float'],
      [
        { data: { validation: { images: 10, seed: -1 } } },
        'data.validation.seed: -1 is not valid; expected an integer from 0 to 4294967295',
      ],
      [{ data: { validation: { images: 10 } } }, 'data.validation.seed: Required'],
      [
        { data: { validation: { images: 10, seed: 0, stratify: false } } },
        "data.validation: unknown key(s) 'stratify'; allowed: images, seed",
      ],
      [{ data: { test: 1 } }, "data: unknown key(s) 'test'; allowed: validation"],
    ];
    for (const [changes, message] of cases) expect(() => parse(changes)).toThrow(`preset p.json: ${message}`);
    // Official corruption files are corruptions of the test split: never of validation images.
    const cifar = {
      ...VALIDATION,
      dataset: 'cifar10',
      evaluation: {
        ...smoke.evaluation,
        corruptions: 'cifar10-c-15',
        corruptionSource: 'official',
        split: 'validation',
      },
    };
    expect(() => parse(cifar)).toThrow(
      "evaluation.corruptionSource: 'official' is not valid where evaluation.split is 'validation' (the official files corrupt the test split); allowed: 'generated'",
    );
  });
});

describe('the presets of docs/selection-rule.md', () => {
  const AUGMIX_OPS = ['autocontrast', 'equalize', 'posterize', 'solarize'];
  const selection = ['select-epochs-8', 'select-epochs-16', 'select-alpha', 'select-beta'];

  it('choose on the 1,000 validation images (100 a class, seed 0) and (rules 2, 3) the CIFAR-style suite, never the test split', () => {
    for (const name of selection) {
      const p = loadPreset(name);
      expect(p.dataset, name).toBe('mnist-mini');
      expect(p.data?.validation, name).toEqual({ images: 1000, seed: 0 });
      expect(evaluationSplit(p), name).toBe('validation');
      expect(p.evaluation.images, name).toBe(1000);
      // Rule 1 reads validation clean accuracy only, so its runs evaluate no suite; rules 2 and 3 read the CIFAR-style one.
      expect(presetSuites(p), name).toEqual(name.startsWith('select-epochs') ? [] : ['cifar10-c-15']);
      expect(p.evaluation.corruptionSource, name).toBe('generated');
      expect(p.model, name).toEqual({ arch: 'cnn-small', width: 1 });
      expect(p.train, name).toMatchObject({
        batchSize: 128,
        optimizer: 'adam',
        lr: 0.002,
        schedule: { type: 'cosine' },
      });
    }
  });

  it('rule 1: budgets 8 and 16 over six methods at the package defaults, seeds 0–2', () => {
    for (const epochs of [8, 16]) {
      const p = loadPreset(`select-epochs-${epochs}`);
      expect(p.train.epochs).toBe(epochs);
      expect(p.seeds).toEqual([0, 1, 2]);
      expect(p.methods.map((m) => m.label)).toEqual(['erm', 'mixup', 'cutmix', 'augmix', 'noise', 'mixup+sem']);
      const augmix = p.methods[3];
      expect(augmix.mix?.ops).toEqual(AUGMIX_OPS);
      expect(augmix.sem).toBeNull();
      // The package's AugMix but for its operations (severity 3, width 3, depth 1–3, α 1, JS weight 12).
      const plain = parsePreset({ ...smoke, methods: ['augmix'] }, 'a').methods[0];
      expect(augmix.mix).toEqual({ ...plain.mix, ops: AUGMIX_OPS });
      expect(plain.mix).toMatchObject({ severity: 3, width: 3, depth: -1, alpha: 1, jsd: true, jsdWeight: 12 });
      expect(p.methods[4].mix).toMatchObject({ sigma: 0.5, prob: 0.5 });
    }
  });

  it('rule 2: mixup with α 0.2 and 1, seeds 0–2; rule 3: mixup and mixup+sem with β 0.1, 1, 10, seeds 0–2, at 16 epochs', () => {
    const alpha = loadPreset('select-alpha');
    expect(alpha.seeds).toEqual([0, 1, 2]);
    expect(alpha.train.epochs).toBe(16);
    expect(alpha.methods.map((m) => [m.policy, m.mix?.alpha, m.sem])).toEqual([
      ['mixup', 0.2, null],
      ['mixup', 1, null],
    ]);
    const beta = loadPreset('select-beta');
    expect(beta.seeds).toEqual([0, 1, 2]);
    expect(beta.train.epochs).toBe(16);
    // At rule 2's α (0.2: docs/selection-rule.md, Applied).
    expect(beta.methods.map((m) => [m.policy, m.mix?.alpha, m.sem?.weight ?? null])).toEqual([
      ['mixup', 0.2, null],
      ['mixup', 0.2, 0.1],
      ['mixup', 0.2, 1],
      ['mixup', 0.2, 10],
    ]);
  });

  it('the reporting presets train on the same 6,000 images and report clean and MNIST-C on the test images', () => {
    const rows = {
      quick: ['erm', 'erm (A/A)', 'noise', 'augmix', 'mixup α=0.2', 'mixup+sem α=0.2'],
      'mnist-mini': [
        'erm',
        'erm (A/A)',
        'noise',
        'augmix',
        'augmix+sem',
        'mixup α=0.2',
        'mixup+sem α=0.2',
        'cutmix',
        'cutmix+sem',
        'mixup-cutmix α=0.2',
        'mixup-cutmix+sem α=0.2',
      ],
    };
    for (const [name, labels] of Object.entries(rows)) {
      const p = loadPreset(name);
      expect(
        p.methods.map((m) => m.label),
        name,
      ).toEqual(labels);
      expect(p.data?.validation, name).toEqual({ images: 1000, seed: 0 });
      expect(evaluationSplit(p), name).toBe('test');
      expect(presetSuites(p), name).toEqual(['mnist-c']);
      expect(p.report?.equivalenceMargin, name).toBe(1);
      for (const m of p.methods.filter((x) => x.policy === 'augmix')) expect(m.mix?.ops, name).toEqual(AUGMIX_OPS);
      // Rule 2's α for every mixup-based row; rule 3's β (the package default) for every +sem row.
      for (const m of p.methods.filter((x) => x.policy === 'mixup' || x.policy === 'mixup-cutmix'))
        expect(m.mix?.alpha, m.label).toBe(0.2);
      for (const m of p.methods.filter((x) => x.sem)) expect(m.sem?.weight, m.label).toBe(0.1);
    }
    const thorough = loadPreset('mnist-mini');
    expect(thorough.seeds.length).toBeGreaterThanOrEqual(10);
    expect(thorough.evaluation.images).toBe(1500);
  });

  it('the full-MNIST board carries the thorough board over: its methods, options, seeds and budget, on all 10,000 test images', () => {
    const thorough = loadPreset('mnist-mini');
    const mnist = loadPreset('mnist');
    expect(mnist.dataset).toBe('mnist');
    expect(mnist.methods).toEqual(thorough.methods);
    expect(mnist.seeds).toEqual(thorough.seeds);
    expect(mnist.train).toEqual(thorough.train);
    expect(mnist.model).toEqual(thorough.model);
    expect(mnist.report).toEqual(thorough.report);
    // Nothing is chosen on MNIST, so no validation split is carved: all 60,000 training images train.
    expect(mnist.data?.validation).toBeUndefined();
    expect(mnist.evaluation).toMatchObject({ images: 10000, corruptions: 'mnist-c', corruptionSource: 'official' });
    expect(evaluationSplit(mnist)).toBe('test');
  });

  it("sem-ablation varies one SEM option at a time around the package default (at rule 2's α)", () => {
    const p = loadPreset('sem-ablation');
    const base = p.methods.find((m) => m.label === 'mixup+sem α=0.2');
    const defaults = parsePreset({ ...smoke, methods: [{ name: 'mixup+sem', mix: { alpha: 0.2 } }] }, 'd').methods[0];
    expect(base).toEqual(defaults);
    for (const m of p.methods.filter((x) => x.sem && x.label !== 'mixup+sem α=0.2')) {
      const differing = Object.keys(defaults.sem ?? {}).filter(
        (k) => JSON.stringify(m.sem?.[k as never]) !== JSON.stringify(defaults.sem?.[k as never]),
      );
      expect(differing, m.label).toHaveLength(1);
      expect(m.mix).toEqual(defaults.mix);
    }
  });
});
