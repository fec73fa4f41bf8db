import { describe, expect, it } from 'vitest';
import { DEFAULT_MIX_OPTIONS, DEFAULT_SEM_OPTIONS } from './constants';
import { createMethod } from './methods';
import {
  defaultLabel,
  methodName,
  methodNames,
  methodOverrides,
  parseMethodName,
  resolveMethod,
  withOption,
} from './spec';

/** The 14 method names of the releases before policies (constants.ts's METHOD_NAMES), as records hold them. */
const OLD_NAMES = [
  'erm',
  'mixup',
  'mixup+sem',
  'cutmix',
  'cutmix+sem',
  'manifold',
  'manifold+sem',
  'fmix',
  'fmix+sem',
  'resizemix',
  'resizemix+sem',
  'saliencymix',
  'saliencymix+sem',
  'regmixup',
];

const MIXUP_MIX = {
  alpha: 1,
  prob: DEFAULT_MIX_OPTIONS.prob,
  mode: DEFAULT_MIX_OPTIONS.mode,
  pairing: DEFAULT_MIX_OPTIONS.pairing,
  labelSmoothing: 0,
};

describe('method configurations', () => {
  it('a bare name resolves to its policy and every option it takes, defaults filled in', () => {
    expect(resolveMethod('mixup+sem')).toEqual({
      policy: 'mixup',
      label: 'mixup+sem',
      mix: MIXUP_MIX,
      sem: DEFAULT_SEM_OPTIONS,
    });
    expect(resolveMethod('erm')).toEqual({ policy: 'erm', label: 'erm', mix: { labelSmoothing: 0 }, sem: null });
    expect(resolveMethod('manifold').mix?.alpha).toBe(2);
    expect(resolveMethod('manifold').layers).toEqual([0, 1, 2]);
    expect(resolveMethod('regmixup').eta).toBe(1);
    expect(resolveMethod('cutmix').mix).toMatchObject({ correctLam: true, cutmixMinMax: null });
    expect(resolveMethod('resizemix').mix).not.toHaveProperty('alpha');
    expect(resolveMethod('mixup-cutmix').mix).toEqual({
      ...MIXUP_MIX,
      alpha: 0.8,
      cutmixAlpha: 1,
      switchProb: 0.5,
      correctLam: true,
      cutmixMinMax: null,
    });
  });

  it('SEM is an option of the policy: sem true, {} or a name X+sem give the defaults; options merge over them', () => {
    const twin = resolveMethod('mixup+sem');
    expect(resolveMethod({ policy: 'mixup', sem: true })).toEqual(twin);
    expect(resolveMethod({ policy: 'mixup', sem: {} })).toEqual(twin);
    expect(resolveMethod({ name: 'mixup+sem' })).toEqual(twin);
    expect(resolveMethod({ policy: 'mixup', name: 'mixup+sem' })).toEqual(twin);
    expect(resolveMethod({ policy: 'mixup', sem: { weight: 1 } }).sem).toEqual({ ...DEFAULT_SEM_OPTIONS, weight: 1 });
    expect(resolveMethod({ policy: 'mixup', sem: null })).toEqual(resolveMethod('mixup'));
    expect(resolveMethod({ policy: 'mixup' }).sem).toBeNull();
    // Any policy with a mixed batch takes it, the combined one and RegMixup included.
    expect(resolveMethod({ policy: 'mixup-cutmix', sem: true }).label).toBe('mixup-cutmix+sem');
    expect(resolveMethod({ policy: 'regmixup', sem: { weight: 2 } }).label).toBe('regmixup+sem β=2');
  });

  it('parseMethodName: each old name round-trips to the same label, and reads X+sem once', () => {
    for (const name of OLD_NAMES) {
      const parsed = parseMethodName(name);
      expect(parsed.policy).toBe(name.replace(/\+sem$/, ''));
      expect(parsed.sem, name).toEqual(name.endsWith('+sem') ? {} : undefined);
      const m = resolveMethod(name);
      expect(m.label).toBe(name);
      expect(methodName(m)).toBe(name);
      expect(resolveMethod(parsed)).toEqual(m);
    }
    expect(parseMethodName('mixup-cutmix+sem')).toEqual({ policy: 'mixup-cutmix', sem: {} });
    // Every name it takes, each policy and each SEM twin; erm has none.
    expect(methodNames()).toEqual(expect.arrayContaining([...OLD_NAMES, 'mixup-cutmix', 'mixup-cutmix+sem']));
    expect(methodNames()).not.toContain('erm+sem');
    expect(() => parseMethodName('mixup+sam', 'methods[1]')).toThrow(
      /^methods\[1\]: "mixup\+sam" is not a method; allowed: erm, mixup, mixup\+sem, cutmix, cutmix\+sem, mixup-cutmix, /,
    );
  });

  it('the label lists the non-default options in the field’s symbols, in a fixed order', () => {
    const m = resolveMethod({ name: 'mixup+sem', mix: { alpha: 0.4 }, sem: { distance: 'cosine', weight: 10 } });
    expect(m.label).toBe('mixup+sem β=10 cosine α=0.4');
    expect(methodOverrides(m)).toEqual([
      ['sem.weight', 10],
      ['sem.distance', 'cosine'],
      ['mix.alpha', 0.4],
    ]);
    expect(resolveMethod({ name: 'mixup+sem', sem: { stopGradTarget: false, normalize: false } }).label).toBe(
      'mixup+sem no-stop-grad no-normalize',
    );
    // Setting an option to its default value changes nothing, label included.
    expect(resolveMethod({ name: 'mixup+sem', sem: { weight: 0.1 }, mix: { alpha: 1 } })).toEqual(
      resolveMethod('mixup+sem'),
    );
    expect(resolveMethod({ name: 'cutmix', label: 'my cutmix' }).label).toBe('my cutmix');
    expect(defaultLabel(resolveMethod({ name: 'regmixup', eta: 2 }))).toBe('regmixup η=2');
    expect(
      resolveMethod({ policy: 'mixup-cutmix', mix: { switchProb: 0.3, cutmixAlpha: 0.5, mode: 'elem' } }).label,
    ).toBe('mixup-cutmix cutmix-α=0.5 switch=0.3 mode=elem');
    // A resolved method resolves to itself (records and queue payloads are re-validated).
    for (const m of [
      resolveMethod('erm'),
      resolveMethod('manifold+sem'),
      resolveMethod({ name: 'cutmix', label: 'c' }),
      resolveMethod({ policy: 'mixup-cutmix', sem: { weight: 1 } }),
    ])
      expect(resolveMethod(JSON.parse(JSON.stringify(m)))).toEqual(m);
  });

  it('an old resolved method, as records and grids stored it, upgrades to the new shape with the same label', () => {
    // The first four as the committed sem-ablation board's grid.json has them (packages/bench/src/report/__fixtures__).
    const stored = [
      { name: 'erm', mix: { labelSmoothing: 0 }, sem: null, label: 'erm' },
      { name: 'mixup', mix: MIXUP_MIX, sem: null, label: 'mixup' },
      {
        name: 'mixup+sem',
        mix: MIXUP_MIX,
        sem: { distance: 'mse', weight: 1, stopGradTarget: false, normalize: true, temperature: 0.1 },
        label: 'mixup+sem β=1 no-stop-grad',
      },
      {
        name: 'mixup+sem',
        mix: MIXUP_MIX,
        sem: { distance: 'infonce', weight: 1, stopGradTarget: true, normalize: true, temperature: 0.1 },
        label: 'mixup+sem β=1 infonce',
      },
      // Shaped as the releases before policies wrote them.
      {
        name: 'manifold+sem',
        mix: { ...MIXUP_MIX, alpha: 2 },
        sem: DEFAULT_SEM_OPTIONS,
        layers: [1],
        label: 'manifold+sem layers=[1]',
      },
      { name: 'regmixup', mix: { ...MIXUP_MIX, alpha: 20 }, sem: null, eta: 2, label: 'regmixup η=2' },
    ];
    for (const old of stored) {
      const m = resolveMethod(old);
      const { name, ...rest } = old;
      expect(m).toEqual({ ...rest, policy: name.replace('+sem', '') });
      expect(defaultLabel(m)).toBe(old.label);
    }
  });

  it('unknown keys, wrong values and options a method does not take are errors naming the field', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['mixup+sam', /^method: "mixup\+sam" is not a method; allowed: erm, mixup/],
      [
        { name: 'mixup', alpah: 1 },
        /^method\.alpah: unknown key; allowed: policy, name, label, mix, sem, layers, eta$/,
      ],
      [{ policy: 'mixdown' }, /^method\.policy: "mixdown" is not a policy; allowed: erm, mixup, cutmix, mixup-cutmix/],
      [{}, /^method\.policy: missing; allowed: erm, mixup/],
      [
        { policy: 'cutmix', name: 'mixup+sem' },
        /^method\.policy: "cutmix" disagrees with method\.name "mixup\+sem" \(policy mixup\); give one of them$/,
      ],
      [
        { name: 'mixup+sem', sem: null },
        /^method\.sem: null \(no SEM\) disagrees with method\.name "mixup\+sem", which asks for SEM; give one of them$/,
      ],
      [{ policy: 'mixup', sem: 1 }, /^method\.sem: 1 is not valid; allowed: an object of SEM options, true/],
      [
        'erm+sem',
        /^method: sem does not apply to erm: it has no mixed batch; allowed with: mixup, cutmix, mixup-cutmix, /,
      ],
      [{ policy: 'erm', sem: true }, /^method\.sem: sem does not apply to erm: it has no mixed batch; allowed with/],
      [{ name: 'mixup', mix: { alpah: 1 } }, /^method\.mix\.alpah: unknown key; allowed for mixup: alpha, prob/],
      [{ name: 'mixup', mix: { alpha: -1 } }, /^method\.mix\.alpha: -1 is not valid; allowed: a number > 0$/],
      [{ name: 'mixup', mix: { mode: 'row' } }, /^method\.mix\.mode: "row" is not valid; allowed: batch, pair, elem$/],
      [{ name: 'mixup', mix: { cutmixMinMax: [0.2, 0.8] } }, /^method\.mix\.cutmixMinMax: does not apply to mixup/],
      [{ name: 'cutmix', mix: { switchProb: 0.5 } }, /^method\.mix\.switchProb: does not apply to cutmix/],
      [
        { policy: 'mixup-cutmix', mix: { switchProb: 1.5 } },
        /^method\.mix\.switchProb: 1\.5 is not valid; allowed: a probability in \[0, 1\]$/,
      ],
      [{ policy: 'mixup-cutmix', mix: { cutmixAlpha: 0 } }, /^method\.mix\.cutmixAlpha: 0 is not valid/],
      [{ name: 'erm', mix: { alpha: 1 } }, /^method\.mix\.alpha: does not apply to erm; erm takes: labelSmoothing$/],
      [{ name: 'mixup+sem', sem: { wieght: 1 } }, /^method\.sem\.wieght: unknown key; allowed: distance, weight/],
      [
        { name: 'mixup+sem', sem: { distance: 'kl' } },
        /^method\.sem\.distance: "kl" is not valid; allowed: mse, cosine, l1, infonce$/,
      ],
      [{ name: 'mixup+sem', sem: { weight: '1' } }, /^method\.sem\.weight: "1" is not valid; allowed: a number >= 0$/],
      [
        { name: 'mixup+sem', sem: { stopGradTarget: 'no' } },
        /^method\.sem\.stopGradTarget: "no" is not valid; allowed: true, false$/,
      ],
      [{ name: 'mixup', layers: [0] }, /^method\.layers: does not apply to mixup; only to manifold$/],
      [{ name: 'manifold', layers: [] }, /^method\.layers: \[\] is not valid/],
      [{ name: 'mixup', eta: 1 }, /^method\.eta: does not apply to mixup; only to regmixup$/],
      [{ name: 'mixup', label: '' }, /^method\.label: "" is not valid; allowed: a non-empty string$/],
      [42, /^method: 42 is not valid; allowed: a method name or an object$/],
    ];
    for (const [value, message] of cases) expect(() => resolveMethod(value), JSON.stringify(value)).toThrow(message);
    expect(() => resolveMethod({ name: 'mixup', mix: { alpha: 0 } }, 'methods[3]')).toThrow(
      /^methods\[3\]\.mix\.alpha:/,
    );
    expect(() => createMethod({ name: 'mixup+sem', sem: { weight: -1 } })).toThrow(
      /method\.sem\.weight: -1 is not valid/,
    );
  });

  it('withOption sets one option path and refuses anything else', () => {
    expect(withOption({ name: 'mixup+sem' }, 'sem.weight', 3)).toEqual({ name: 'mixup+sem', sem: { weight: 3 } });
    expect(withOption({ policy: 'mixup', sem: true }, 'sem.weight', 3)).toEqual({
      policy: 'mixup',
      sem: { weight: 3 },
    });
    expect(withOption({ name: 'mixup', mix: { prob: 0.5 } }, 'mix.alpha', 2)).toEqual({
      name: 'mixup',
      mix: { prob: 0.5, alpha: 2 },
    });
    expect(withOption({ name: 'regmixup' }, 'eta', 2)).toEqual({ name: 'regmixup', eta: 2 });
    expect(() => withOption({ name: 'mixup' }, 'sem.weight.x', 1)).toThrow(/sem\.weight\.x: is not an option path/);
    expect(() => withOption({ name: 'mixup' }, 'alpha', 1)).toThrow(/alpha: is not an option path/);
    // A SEM option does not turn SEM on.
    expect(() => withOption({ name: 'mixup' }, 'sem.weight', 1)).toThrow(
      /^sem\.weight: mixup has no SEM term to set it on; give sem \(true or its options\) or name mixup\+sem$/,
    );
    expect(() => withOption({ policy: 'cutmix', sem: null }, 'sem.weight', 1)).toThrow(/cutmix has no SEM term/);
  });
});
