import { describe, expect, it } from 'vitest';
import { UsageError } from '../options';
import { resolveRun } from './train';

/** The method `semix train` would run for these flags (on the smoke preset; nothing is trained or loaded). */
const methodOf = (flags: Record<string, unknown>) => resolveRun({ preset: 'smoke', ...flags }).method;

describe('semix train: the method from --method, --sem / --no-sem and the method flags', () => {
  it('--sem adds the SEM term to a policy, as naming X+sem does; --no-sem removes it', () => {
    const twin = methodOf({ method: 'mixup+sem' });
    expect(twin.policy).toBe('mixup');
    expect(twin.label).toBe('mixup+sem');
    expect(methodOf({ method: 'mixup', sem: true })).toEqual(twin);
    expect(methodOf({ method: 'mixup+sem', sem: false })).toEqual(methodOf({ method: 'mixup' }));
    // The default method is mixup+sem.
    expect(methodOf({})).toEqual(twin);
    expect(methodOf({ sem: false }).label).toBe('mixup');
    expect(methodOf({ method: 'cutmix', sem: true, semWeight: '2' }).label).toBe('cutmix+sem β=2');
  });

  it("mixup-cutmix takes timm's switch probability and CutMix α as flags", () => {
    const m = methodOf({ method: 'mixup-cutmix', switchProb: '0.3', cutmixAlpha: '0.5', sem: true });
    expect(m.mix).toMatchObject({ alpha: 0.8, cutmixAlpha: 0.5, switchProb: 0.3 });
    expect(m.label).toBe('mixup-cutmix+sem cutmix-α=0.5 switch=0.3');
  });

  it('refuses SEM flags without SEM, SEM with erm, and mixup-cutmix flags on other policies, naming the flag', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [
        { method: 'mixup', semWeight: '2' },
        /^--sem-weight: mixup has no SEM term here; add --sem \(or --method mixup\+sem\)$/,
      ],
      [{ method: 'mixup+sem', sem: false, semWeight: '2' }, /^--sem-weight: --no-sem turns the SEM term off$/],
      [{ method: 'erm', semWeight: '2' }, /^--sem-weight: sem does not apply to erm: it has no mixed batch$/],
      [{ method: 'erm', sem: true }, /^--sem: sem does not apply to erm: it has no mixed batch; allowed with: mixup, /],
      [{ method: 'erm+sem' }, /^--method: sem does not apply to erm: it has no mixed batch/],
      [{ method: 'mixup', switchProb: '0.5' }, /^--switch-prob: does not apply to mixup; mixup takes: alpha/],
      [
        { method: 'mixup-cutmix', switchProb: '2' },
        /^--switch-prob: 2 is not valid; allowed: a probability in \[0, 1\]$/,
      ],
    ];
    for (const [flags, message] of cases) {
      expect(() => methodOf(flags), JSON.stringify(flags)).toThrow(UsageError);
      expect(() => methodOf(flags), JSON.stringify(flags)).toThrow(message);
    }
  });
});
