import type { LrSchedule } from './train_options';

/** The learning rate at a (fractional) epoch. */
export function learningRate(base: number, schedule: LrSchedule, epoch: number, epochs: number): number {
  const warm = schedule.warmupEpochs ?? 0;
  if (warm > 0 && epoch < warm) return (base * epoch) / warm;
  switch (schedule.type) {
    case 'constant':
      return base;
    case 'cosine': {
      const minLr = schedule.minLr ?? 0;
      const t = Math.min(1, (epoch - warm) / Math.max(1e-12, epochs - warm));
      return minLr + 0.5 * (base - minLr) * (1 + Math.cos(Math.PI * t));
    }
    case 'step': {
      const passed = (schedule.milestones ?? []).filter((m) => epoch >= m).length;
      return base * (schedule.gamma ?? 0.1) ** passed;
    }
  }
}
