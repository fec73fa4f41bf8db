import { describe, expect, it } from 'vitest';
import { DEFAULT_MIX_OPTIONS, DEFAULT_SEM_OPTIONS } from './constants';
import { createMethod } from './methods';
import { defaultLabel, methodOverrides, resolveMethod, withOption } from './spec';

describe('method configurations', () => {
  it('a bare name resolves to every option the method takes, defaults filled in', () => {
    const m = resolveMethod('mixup+sem');
    expect(m).toEqual({
      name: 'mixup+sem',
      label: 'mixup+sem',
      mix: {
        alpha: 1,
        prob: DEFAULT_MIX_OPTIONS.prob,
        mode: DEFAULT_MIX_OPTIONS.mode,
        pairing: DEFAULT_MIX_OPTIONS.pairing,
        labelSmoothing: 0,
      },
      sem: DEFAULT_SEM_OPTIONS,
    });
    expect(resolveMethod('erm')).toEqual({ name: 'erm', label: 'erm', mix: { labelSmoothing: 0 }, sem: null });
    expect(resolveMethod('manifold').mix?.alpha).toBe(2);
    expect(resolveMethod('manifold').layers).toEqual([0, 1, 2]);
    expect(resolveMethod('regmixup').eta).toBe(1);
    expect(resolveMethod('cutmix').mix).toMatchObject({ correctLam: true, cutmixMinMax: null });
    expect(resolveMethod('resizemix').mix).not.toHaveProperty('alpha');
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
    // A resolved method resolves to itself (records and queue payloads are re-validated).
    for (const m of [
      resolveMethod('erm'),
      resolveMethod('manifold+sem'),
      resolveMethod({ name: 'cutmix', label: 'c' }),
    ])
      expect(resolveMethod(JSON.parse(JSON.stringify(m)))).toEqual(m);
  });

  it('unknown keys, wrong values and options a method does not take are errors naming the field', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['mixup+sam', /^method: "mixup\+sam" is not a method; allowed: erm, mixup/],
      [{ name: 'mixup', alpah: 1 }, /^method\.alpah: unknown key; allowed: name, label, mix, sem, layers, eta$/],
      [{ name: 'mixup', mix: { alpah: 1 } }, /^method\.mix\.alpah: unknown key; allowed for mixup: alpha, prob/],
      [{ name: 'mixup', mix: { alpha: -1 } }, /^method\.mix\.alpha: -1 is not valid; allowed: a number > 0$/],
      [{ name: 'mixup', mix: { mode: 'row' } }, /^method\.mix\.mode: "row" is not valid; allowed: batch, pair, elem$/],
      [{ name: 'mixup', mix: { cutmixMinMax: [0.2, 0.8] } }, /^method\.mix\.cutmixMinMax: does not apply to mixup/],
      [{ name: 'erm', mix: { alpha: 1 } }, /^method\.mix\.alpha: does not apply to erm; erm takes: labelSmoothing$/],
      [{ name: 'mixup', sem: { weight: 1 } }, /^method\.sem: does not apply to mixup; SEM options go with mixup\+sem$/],
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
      [{ name: 'mixup', layers: [0] }, /^method\.layers: does not apply to mixup/],
      [{ name: 'manifold', layers: [] }, /^method\.layers: \[\] is not valid/],
      [{ name: 'mixup', eta: 1 }, /^method\.eta: does not apply to mixup; only to regmixup$/],
      [{ name: 'mixup', label: '' }, /^method\.label: "" is not valid; allowed: a non-empty string$/],
      [42, /^method: 42 is not valid; allowed: a method name or an object$/],
    ];
    for (const [value, message] of cases) expect(() => resolveMethod(value), JSON.stringify(value)).toThrow(message);
    expect(() => resolveMethod({ name: 'mixup', mix: { alpha: 0 } }, 'methods[3]')).toThrow(
      /^methods\[3\]\.mix\.alpha:/,
    );
    expect(() => createMethod('mixup+sem', { sem: { weight: -1 } })).toThrow(/method\.sem\.weight: -1 is not valid/);
  });

  it('withOption sets one option path and refuses anything else', () => {
    expect(withOption({ name: 'mixup+sem' }, 'sem.weight', 3)).toEqual({ name: 'mixup+sem', sem: { weight: 3 } });
    expect(withOption({ name: 'mixup', mix: { prob: 0.5 } }, 'mix.alpha', 2)).toEqual({
      name: 'mixup',
      mix: { prob: 0.5, alpha: 2 },
    });
    expect(withOption({ name: 'regmixup' }, 'eta', 2)).toEqual({ name: 'regmixup', eta: 2 });
    expect(() => withOption({ name: 'mixup' }, 'sem.weight.x', 1)).toThrow(/sem\.weight\.x: is not an option path/);
    expect(() => withOption({ name: 'mixup' }, 'alpha', 1)).toThrow(/alpha: is not an option path/);
  });
});
