import { resolve } from 'node:path';
import { evaluateOn, loadPresetData, type Preset, parsePreset } from '@semix/bench';
import { type BackendName, selectBackend } from '@semix/core';
import { loadModel } from '@semix/core/node';
import { writeAtomic } from '@semix/datasets';
import { BACKENDS, choiceOption, UsageError } from '../options';

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
            evaluation: { ...preset.evaluation, corruptions: 'cifar10-c-15', corruptionSource: corruptions },
          },
          '--corruptions',
        );
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    const data = await loadPresetData(preset);
    const r = await evaluateOn(model, data, preset.evaluation.gapImages);
    const all = Object.values(r.corruptionsAcc).flat();
    const result = {
      checkpoint: dir,
      epoch: header.epoch,
      backend: selection.name,
      dataset: preset.dataset,
      method: header.meta.method,
      seed: header.meta.seed,
      clean_acc: r.clean.accuracy,
      nll: r.clean.nll,
      ece: r.clean.ece,
      per_class_acc: r.clean.perClassAccuracy,
      corruptions_acc: r.corruptionsAcc,
      corruptions_ece: r.corruptionsEce,
      corruption_acc_mean: all.length ? all.reduce((a, b) => a + b, 0) / all.length : null,
      corruption_suite: data.corruption?.description ?? 'none',
      equivariance_gap: r.gap,
    };
    if (flags.out) await writeAtomic(resolve(flags.out), `${JSON.stringify(result, null, 2)}\n`);
    if (flags.json) console.log(JSON.stringify(result, null, 2));
    else {
      console.log(
        `${dir} (epoch ${header.epoch}, ${String(header.meta.method)}, seed ${String(header.meta.seed)}) on ${selection.name}`,
      );
      console.log(
        `clean accuracy ${(100 * r.clean.accuracy).toFixed(2)}%, NLL ${r.clean.nll.toFixed(4)}, ECE ${r.clean.ece.toFixed(4)}`,
      );
      if (result.corruption_acc_mean !== null) {
        console.log(
          `corruption accuracy ${(100 * result.corruption_acc_mean).toFixed(2)}% (${result.corruption_suite})`,
        );
      }
      console.log(`equivariance gap ${r.gap.toFixed(4)}`);
    }
  } finally {
    model.dispose();
  }
}
