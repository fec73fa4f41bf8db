import { resolve } from 'node:path';
import { evaluateOn, loadPresetData, type Preset, parsePreset } from '@semix/bench';
import { type BackendName, selectBackend } from '@semix/core';
import { loadModel } from '@semix/core/node';
import { writeAtomic } from '@semix/env/node';
import { BACKENDS, checkOutFile, choiceOption, UsageError } from '../options';

export interface EvalFlags {
  checkpoint: string;
  corruptions?: string;
  backend?: string;
  out?: string;
  json?: boolean;
}

/**
 * `semix eval`: rebuilds the model of a checkpoint (the architecture is stored in it) and evaluates it on the
 * clean test data and the corruption suite of the run that trained it.
 */
export async function evaluateCheckpoint(flags: EvalFlags): Promise<void> {
  const corruptions = choiceOption('--corruptions', flags.corruptions, ['generated', 'official', 'none'] as const);
  const backend = choiceOption('--backend', flags.backend, BACKENDS) ?? 'auto';
  // Before the evaluation: a --out that cannot be written would fail only once it is done.
  if (flags.out !== undefined) checkOutFile('--out', flags.out);
  const selection = await selectBackend(backend as BackendName | 'auto');
  const dir = resolve(flags.checkpoint);
  const { model, header } = await loadModel(dir);
  try {
    if (!header.meta.preset)
      throw new UsageError(`checkpoint ${dir}: its meta names no preset, so the test data is unknown`);
    let preset: Preset = parsePreset(header.meta.preset, `checkpoint ${dir}`);
    if (corruptions === 'none') preset = { ...preset, evaluation: { ...preset.evaluation, corruptions: 'none' } };
    else if (corruptions) {
      try {
        preset = parsePreset(
          {
            ...preset,
            evaluation: {
              ...preset.evaluation,
              corruptions: preset.evaluation.corruptions === 'none' ? 'cifar10-c-15' : preset.evaluation.corruptions,
              corruptionSource: corruptions,
            },
          },
          '--corruptions',
        );
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    const data = await loadPresetData(preset);
    const r = await evaluateOn(model, data, preset.evaluation.gapImages);
    const result = {
      checkpoint: dir,
      epoch: header.epoch,
      backend: selection.name,
      dataset: preset.dataset,
      method: header.meta.method,
      job_id: header.meta.job_id,
      seed: header.meta.seed,
      clean_acc: r.clean.accuracy,
      nll: r.clean.nll,
      ece: r.clean.ece,
      per_class_acc: r.clean.perClassAccuracy,
      test_images: data.test.labels.length,
      suites: r.suites,
      equivariance_gap: r.gap.angular,
      equivariance_gap_l2: r.gap.relativeL2,
    };
    if (flags.out) await writeAtomic(resolve(flags.out), `${JSON.stringify(result, null, 2)}\n`);
    if (flags.json) console.log(JSON.stringify(result, null, 2));
    else {
      const m = header.meta.method as { label?: string } | string | undefined;
      const label = typeof m === 'string' ? m : (m?.label ?? '?');
      console.log(`${dir} (epoch ${header.epoch}, ${label}, seed ${String(header.meta.seed)}) on ${selection.name}`);
      console.log(
        `clean accuracy ${(100 * r.clean.accuracy).toFixed(2)}%, NLL ${r.clean.nll.toFixed(4)}, ECE ${(100 * r.clean.ece).toFixed(2)}% (${data.test.labels.length} test images)`,
      );
      for (const [name, s] of Object.entries(r.suites)) {
        console.log(
          `${name} accuracy ${(100 * s.acc_mean).toFixed(2)}%, ECE ${(100 * s.ece_mean).toFixed(2)}% (${s.description})`,
        );
      }
      console.log(
        `equivariance gap ${r.gap.angular.toFixed(4)} (1 − cos), relative L2 ${r.gap.relativeL2.toFixed(4)} (${preset.evaluation.gapImages} test images, random pairs)`,
      );
    }
  } finally {
    model.dispose();
  }
}
