import { describe, expect, it } from 'vitest';
import { AUGMIX_DEFAULT_OPS, AUGMIX_GEOMETRIC_OPS } from './constants';
import { parseMethodName, resolveMethod } from './spec';

describe('augmix and noise as methods', () => {
  it("resolve to the references' defaults", () => {
    expect(resolveMethod('augmix')).toEqual({
      policy: 'augmix',
      label: 'augmix',
      mix: {
        alpha: 1,
        width: 3,
        depth: -1,
        severity: 3,
        ops: AUGMIX_DEFAULT_OPS,
        jsd: true,
        jsdWeight: 12,
        labelSmoothing: 0,
      },
      sem: null,
    });
    // noise's prob is its own default (half of each batch), not the mixing policies' 1.
    expect(resolveMethod('noise')).toEqual({
      policy: 'noise',
      label: 'noise',
      mix: { sigma: 0.5, prob: 0.5, labelSmoothing: 0 },
      sem: null,
    });
    expect(resolveMethod('augmix+sem').sem).not.toBeNull();
    expect(parseMethodName('augmix+sem')).toEqual({ policy: 'augmix', sem: {} });
  });

  it('label the options that differ from the defaults', () => {
    const photometric = AUGMIX_DEFAULT_OPS.filter((op) => !AUGMIX_GEOMETRIC_OPS.includes(op));
    expect(resolveMethod({ policy: 'augmix', mix: { ops: photometric } }).label).toBe(
      'augmix ops=[autocontrast,equalize,posterize,solarize]',
    );
    expect(resolveMethod({ policy: 'augmix', sem: { weight: 1 }, mix: { jsd: false, severity: 5 } }).label).toBe(
      'augmix+sem β=1 severity=5 no-jsd',
    );
    expect(resolveMethod({ policy: 'noise', mix: { sigma: 0.2, prob: 1 } }).label).toBe('noise p=1 σ=0.2');
  });

  it('refuse SEM on noise, options of other policies, and bad values, naming the field', () => {
    expect(() => resolveMethod('noise+sem')).toThrow(
      /method: sem does not apply to noise: a noisy image is no convex combination of images.*allowed with: .*augmix/,
    );
    expect(() => resolveMethod({ policy: 'noise', sem: true })).toThrow(/method\.sem: sem does not apply to noise/);
    expect(() => resolveMethod({ policy: 'augmix', mix: { sigma: 0.1 } })).toThrow(
      /method\.mix\.sigma: does not apply to augmix; augmix takes: alpha, width, depth, severity, ops, jsd/,
    );
    expect(() => resolveMethod({ policy: 'augmix', mix: { ops: ['blur'] } } as never)).toThrow(
      /method\.mix\.ops: \["blur"\] is not valid; allowed: a non-empty list of distinct operations from: autocontrast/,
    );
    expect(() => resolveMethod({ policy: 'augmix', mix: { depth: 0 } })).toThrow(
      /method\.mix\.depth: 0 is not valid; allowed: -1 \(random 1-3\) or an integer >= 1/,
    );
    expect(() => resolveMethod({ policy: 'noise', mix: { sigma: -0.1 } })).toThrow(
      /method\.mix\.sigma: -0.1 is not valid; allowed: a number >= 0/,
    );
  });
});
