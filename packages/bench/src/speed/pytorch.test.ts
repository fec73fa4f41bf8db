import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  findPython,
  PYTORCH_MODELS,
  type PytorchStep,
  parsePytorchSteps,
  pytorchArgs,
  pytorchReference,
  pytorchRows,
  pytorchScript,
} from './pytorch';
import type { RunProgram } from './run_program';

/** The value after `flag` in an argument list. */
const arg = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

/**
 * A stand-in for the processes: `import torch` fails for pythons named 'no-torch'; the script prints one line per
 * model and step asked for, echoing batch, threads and width as reference_step.py does, with a step time of
 * `msPerImage` × batch ÷ threads.
 */
function fakePython(msPerImage = 0.5) {
  const calls: Array<{ file: string; args: string[]; env?: NodeJS.ProcessEnv }> = [];
  const run: RunProgram = (file, args, options) => {
    calls.push({ file, args, env: options.env });
    if (args[0] === '-c') {
      if (file === 'no-torch') throw new Error("ModuleNotFoundError: No module named 'torch'");
      return '';
    }
    const batch = Number(arg(args, '--batch'));
    const threads = Number(arg(args, '--threads'));
    const lines = arg(args, '--models')
      .split(',')
      .flatMap((model) =>
        arg(args, '--steps')
          .split(',')
          .map((step) => {
            const ms = (msPerImage * batch) / threads;
            const width = model === 'preact-resnet18' ? Number(arg(args, '--width')) : 1;
            const line = { model, step, threads, batch, width, torch: '2.1.0', steps: 9 };
            return JSON.stringify({ ...line, ms_per_step: ms, min_ms_per_step: ms - 1, max_ms_per_step: ms + 2 });
          }),
      );
    return `${lines.join('\n')}\n`;
  };
  return { run, calls };
}

describe('the PyTorch reference', () => {
  it('the script sits beside the package (python/reference_step.py)', () => {
    expect(pytorchScript()).toMatch(/packages\/bench\/python\/reference_step\.py$/);
  });

  it("PYTORCH_MODELS are the keys of the script's MODELS", () => {
    const source = readFileSync(pytorchScript() as string, 'utf8');
    const models = /^MODELS = \{(.*)\}$/m.exec(source)?.[1];
    expect(models).toBeDefined();
    const keys = [...(models as string).matchAll(/"([^"]+)":/g)].map((m) => m[1]);
    expect([...PYTORCH_MODELS].sort()).toEqual(keys.sort());
  });

  it("the command line carries the batch, the threads, the models and semix's preact-resnet18 width", () => {
    const args = pytorchArgs('/s.py', { batch: 32, models: ['mlp', 'preact-resnet18'], threads: 3 });
    expect(args).toEqual([
      '/s.py',
      '--batch',
      '32',
      '--models',
      'mlp,preact-resnet18',
      '--steps',
      'train,eval',
      '--width',
      '0.25',
      '--threads',
      '3',
    ]);
  });

  it('the batch given reaches every run of the script and its samples/s; cnn-small is timed for the headline', () => {
    const { run, calls } = fakePython();
    const reference = pytorchReference(
      { batch: 32, models: ['mlp'], threads: [1, 4, 2, 1] },
      run,
      ['no-torch', 'py'],
      '/s.py',
    );
    const scriptRuns = calls.filter((c) => c.args[0] === '/s.py');
    expect(calls.filter((c) => c.args[0] === '-c').map((c) => c.file)).toEqual(['no-torch', 'py']);
    // one run per thread count, fewest first
    expect(scriptRuns.map((c) => arg(c.args, '--threads'))).toEqual(['1', '2', '4']);
    for (const c of scriptRuns) {
      expect(c.file).toBe('py');
      expect(arg(c.args, '--batch')).toBe('32');
      expect(arg(c.args, '--models')).toBe('mlp,cnn-small');
      // every thread pool the script's libraries may start is sized to the row's threads, not left at the core count
      const threads = arg(c.args, '--threads');
      expect([c.env?.OMP_NUM_THREADS, c.env?.OPENBLAS_NUM_THREADS, c.env?.MKL_NUM_THREADS]).toEqual([
        threads,
        threads,
        threads,
      ]);
      expect(c.env?.PATH).toBe(process.env.PATH);
    }
    // only the models asked for become steps: mlp's train and eval on 1, 2 and 4 threads
    expect(reference.steps.map((p) => `${p.model} ${p.step} ${p.threads}`)).toEqual([
      'mlp train 1',
      'mlp eval 1',
      'mlp train 2',
      'mlp eval 2',
      'mlp train 4',
      'mlp eval 4',
    ]);
    // the headline: cnn-small's train step on the most threads: 0.5 ms × 32 ÷ 4 = 4 ms, 32 images → 8000 samples/s
    expect(reference.headline).toEqual({ samplesPerSec: 8000, msPerStep: 4, torch: '2.1.0', threads: 4, python: 'py' });
    expect(reference.note).toBe('torch 2.1.0 (py, 4 threads): 8000 samples/s');
    const rows = pytorchRows(reference.steps);
    // mlp on 2 threads: 8 ms a step of 32 images → 4000 samples/s (at batch 128 it would have read 16000)
    expect(rows[2]).toEqual({
      backend: 'pytorch, 2 threads',
      task: 'train step: mlp 28×28×1',
      key: { model: 'mlp', step: 'train', threads: 2 },
      msPerOp: 8,
      coldMs: null,
      samplesPerSec: 4000,
      vsTrainStep: null,
      note: 'torch 2.1.0; steps 7–10 ms',
    });
    expect(rows[1].backend).toBe('pytorch, 1 thread');
    expect(rows[1].task).toBe('eval step: mlp');
  });

  it('no Python with torch: skipped, with the ones tried and how to install it', () => {
    const { run } = fakePython();
    expect(findPython(['no-torch'], run)).toEqual({ python: null, tried: ['no-torch'] });
    const reference = pytorchReference({ batch: 32, models: ['mlp'], threads: [1] }, run, ['no-torch'], '/s.py');
    expect(reference.headline).toBeNull();
    expect(reference.steps).toEqual([]);
    expect(reference.note).toMatch(/^skipped: no Python with torch \(tried no-torch\); on Debian: apt-get install/);
  });

  it("the script's output is checked against what was asked: batch, width, model, step", () => {
    const asked = { batch: 64, models: ['cnn-small', 'preact-resnet18'] as const, threads: 2 };
    const line = (fields: Partial<PytorchStep>) =>
      JSON.stringify({
        model: 'cnn-small',
        step: 'train',
        threads: 2,
        batch: 64,
        width: 1,
        torch: '2.1.0',
        ms_per_step: 10,
        min_ms_per_step: 9,
        max_ms_per_step: 12,
        ...fields,
      });
    expect(parsePytorchSteps(`${line({})}\n${line({ step: 'eval' })}\n`, asked).map((p) => p.step)).toEqual([
      'train',
      'eval',
    ]);
    expect(() => parsePytorchSteps(line({ batch: 128 }), asked)).toThrow(
      "PyTorch's script: cnn-small train step timed at batch 128; asked 64",
    );
    expect(() => parsePytorchSteps(line({ model: 'preact-resnet18', width: 1 }), asked)).toThrow(
      "PyTorch's script: preact-resnet18 timed at width 1; semix times it at 0.25",
    );
    expect(() => parsePytorchSteps(line({ model: 'mlp' }), asked)).toThrow(
      "PyTorch's script: model 'mlp' was not asked for; asked: cnn-small, preact-resnet18",
    );
    expect(() => parsePytorchSteps(line({ step: 'test' as never }), asked)).toThrow(
      "PyTorch's script: step 'test' is not valid; allowed: train, eval",
    );
  });
});
