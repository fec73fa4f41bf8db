import { createHash } from 'node:crypto';
import type { ComputeIdentity } from '@semix/core';
import { describe, expect, it } from 'vitest';
import { AA_MARKER, aaTwinLabel, isAaLabel } from './controls';
import { planGrid } from './grid';
import { aaTrainingSeed, type DataIdentity, jobId, jobIdentity, trainingSeed } from './identity';
import { BUILTIN_PRESETS, overrideMethods, parsePreset } from './preset';

const DATA: DataIdentity = { train: 'a'.repeat(64), test: 'b'.repeat(64), suites: [] };
const COMPUTE: ComputeIdentity = { backend: 'cpu' };
const smoke = BUILTIN_PRESETS.smoke as Record<string, unknown>;
const withMethods = (methods: unknown[], seeds = [0, 1, 2]) => parsePreset({ ...smoke, methods, seeds }, 'aa.json');

describe('the A/A control', () => {
  it('is marked by its label, as the leaderboard reads it', () => {
    expect(AA_MARKER).toBe(' (A/A)');
    expect(isAaLabel('erm (A/A)')).toBe(true);
    expect(isAaLabel('erm')).toBe(false);
    expect(aaTwinLabel('erm (A/A)')).toBe('erm');
    expect(aaTwinLabel('mixup')).toBe('mixup');
  });

  it('trains from a fixed, documented mapping of the preset seed: SHA-256 of semix-aa-stream/<seed>, 32 bits', () => {
    // Computed here from the documented formula, independently of the module: the first 4 bytes, big-endian.
    const expected = (seed: number) =>
      Number.parseInt(createHash('sha256').update(`semix-aa-stream/${seed}`).digest('hex').slice(0, 8), 16);
    for (const seed of [0, 1, 2, 9, 4294967295]) expect(aaTrainingSeed(seed)).toBe(expected(seed));
    // The same seed list gives streams of their own: no seed of 0–999 maps into 0–999, nor two onto one.
    const mapped = Array.from({ length: 1000 }, (_, s) => aaTrainingSeed(s));
    expect(mapped.every((m) => m > 999 && Number.isInteger(m) && m <= 4294967295)).toBe(true);
    expect(new Set(mapped).size).toBe(1000);
    expect(trainingSeed({ seed: 3 })).toBe(3);
    expect(trainingSeed({ seed: 3, control: 'aa' })).toBe(expected(3));
  });

  it('is its twin again in every option, under another id, paired by the same preset seed', () => {
    const preset = withMethods(['erm', { name: 'erm', label: 'erm (A/A)' }, 'mixup']);
    const grid = planGrid(preset, DATA, COMPUTE);
    const erm = grid.jobs.filter((j) => j.label === 'erm');
    const aa = grid.jobs.filter((j) => j.label === 'erm (A/A)');
    expect(aa.map((j) => j.seed)).toEqual([0, 1, 2]);
    aa.forEach((job, i) => {
      expect(job.identity.control).toBe('aa');
      expect(job.identity.method).toEqual(erm[i].identity.method);
      expect(job.identity.seed).toBe(erm[i].identity.seed);
      expect(job.id).not.toBe(erm[i].id);
      expect(trainingSeed(job.identity)).not.toBe(trainingSeed(erm[i].identity));
    });
    // Other jobs' identities have no `control` key at all: their ids are those they had before the field existed.
    expect('control' in erm[0].identity).toBe(false);
    const { control: _control, ...withoutControl } = aa[0].identity;
    expect(jobId(withoutControl)).toBe(erm[0].id);
    // A relabelled twin is the same job; only the marker changes the stream.
    expect(jobId(jobIdentity(preset, { ...preset.methods[0], label: 'baseline' }, 0, DATA, COMPUTE))).toBe(erm[0].id);
  });

  it('needs its twin, with the same options; the errors name the field, the value and what is allowed', () => {
    expect(() => withMethods(['mixup', { name: 'erm', label: 'erm (A/A)' }])).toThrow(
      "methods[1].label: 'erm (A/A)' is an A/A control (a label ending in ' (A/A)': its method run again on an independent seed stream, compared with its twin 'erm'), but no method is labelled 'erm'; allowed: an A/A label whose twin is in methods",
    );
    expect(() => withMethods(['erm', 'mixup', { name: 'mixup', label: 'erm (A/A)' }])).toThrow(
      "methods[2]: 'erm (A/A)' is an A/A control (a label ending in ' (A/A)': its method run again on an independent seed stream, compared with its twin 'erm'), but its options differ from methods[0]'s; allowed: the same method and options as its twin",
    );
    // An A/A row is another job than its twin, but two A/A rows of one twin are one job twice.
    expect(() =>
      withMethods(['erm', { name: 'erm', label: 'erm (A/A)' }, { name: 'erm', label: 'erm (A/A)' }]),
    ).toThrow("methods[2]: the label 'erm (A/A)' is also used by methods[1]");
    // Any method can have one: mixup+sem's twin is labelled by its options.
    const p = withMethods([
      { name: 'mixup+sem', sem: { weight: 1 } },
      { name: 'mixup+sem', sem: { weight: 1 }, label: 'mixup+sem β=1 (A/A)' },
    ]);
    expect(p.methods.map((m) => m.label)).toEqual(['mixup+sem β=1', 'mixup+sem β=1 (A/A)']);
  });

  it('keeps its marker when flags change its twin, so it stays the control of the changed twin', () => {
    const preset = withMethods([
      'erm',
      { name: 'erm', label: 'erm (A/A)' },
      'mixup',
      { name: 'mixup', label: 'mixup (A/A)' },
    ]);
    const changed = overrideMethods(preset, { mix: { alpha: 0.4 } });
    expect(changed.methods.map((m) => m.label)).toEqual(['erm', 'erm (A/A)', 'mixup α=0.4', 'mixup α=0.4 (A/A)']);
    expect(changed.methods[3].mix).toEqual(changed.methods[2].mix);
    const chosen = withMethods(['erm', { name: 'mixup', label: 'mine' }, { name: 'mixup', label: 'mine (A/A)' }]);
    expect(overrideMethods(chosen, { mix: { alpha: 0.4 } }).methods.map((m) => m.label)).toEqual([
      'erm',
      'mine (α=0.4)',
      'mine (α=0.4) (A/A)',
    ]);
  });
});
