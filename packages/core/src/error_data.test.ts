import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from './checkpoint_error';
import { errorFromData, errorToData } from './error_data';
import { TrainingDivergedError } from './step';

// What crosses a thread is structured-cloned: the same data a postMessage delivers.
const across = (error: unknown, context?: string) => errorFromData(structuredClone(errorToData(error)), context);

describe('errorToData / errorFromData', () => {
  it('a TrainingDivergedError keeps its kind, step, losses (NaN, ∞) and message, whatever the message says', () => {
    const sent = new TrainingDivergedError(7, { ce: Number.NaN, sem: Number.NEGATIVE_INFINITY, total: 2 });
    sent.message = 'any wording';
    const got = across(sent, 'thread 2: ');
    expect(TrainingDivergedError.isInstance(got)).toBe(true);
    expect(got).toBeInstanceOf(TrainingDivergedError);
    expect(got).toMatchObject({ name: 'TrainingDivergedError', step: 7, message: 'thread 2: any wording' });
    expect((got as TrainingDivergedError).losses).toEqual({ ce: Number.NaN, sem: Number.NEGATIVE_INFINITY, total: 2 });
  });

  it('a CheckpointError keeps its kind and fields', () => {
    const sent = new CheckpointError('other-run', '/tmp/run', 'not this run', { expected: 'a', found: 'b' });
    const got = across(sent);
    expect(CheckpointError.isInstance(got)).toBe(true);
    expect(got).toMatchObject({
      kind: 'other-run',
      dir: '/tmp/run',
      expected: 'a',
      found: 'b',
      message: 'not this run',
    });
    const damaged = across(new CheckpointError('damaged', '/tmp/x', 'bad bytes', { tensor: 'conv1/kernel' }));
    expect(damaged).toMatchObject({ kind: 'damaged', tensor: 'conv1/kernel' });
    expect((damaged as CheckpointError).expected).toBeUndefined();
  });

  it('any other error crosses as an Error with its name, message and stack; a thrown non-error as its text', () => {
    const sent = new RangeError('out of range');
    const got = across(sent, 'worker 1: ');
    expect(got).toBeInstanceOf(Error);
    expect(got).toMatchObject({ name: 'RangeError', message: 'worker 1: out of range' });
    expect(got.stack).toContain('out of range');
    expect(TrainingDivergedError.isInstance(got)).toBe(false);
    expect(CheckpointError.isInstance(got)).toBe(false);
    expect(across('a string')).toMatchObject({ name: 'Error', message: 'a string' });
  });

  it('isInstance recognises an error of another realm by its marker, never by its name or message', () => {
    const foreign = runInNewContext(
      "const e = new Error('x'); e.name = 'TrainingDivergedError'; e[Symbol.for('semix.TrainingDivergedError')] = true; e.step = 1; e.losses = { ce: NaN }; e",
    );
    expect(foreign).not.toBeInstanceOf(Error);
    expect(TrainingDivergedError.isInstance(foreign)).toBe(true);
    expect(errorToData(foreign)).toMatchObject({ name: 'TrainingDivergedError', step: 1 });
    const lookalike = Object.assign(new Error('training diverged at step 3: non-finite loss (ce=NaN)'), {
      name: 'TrainingDivergedError',
    });
    expect(TrainingDivergedError.isInstance(lookalike)).toBe(false);
  });
});
