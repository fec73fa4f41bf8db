/**
 * A bench run's grid: the jobs of the preset as it was last run, with their ids. `grid.json` in the results
 * directory is what the leaderboard is built from: records of jobs not in the grid (an older configuration of
 * the preset) stay on disk but are never shown under the current one.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComputeIdentity } from '@semix/core';
import { writeAtomic } from '@semix/env/node';
import type { ResolvedMethod } from '@semix/mixup';
import { z } from 'zod';
import { type DataIdentity, type JobIdentity, jobId, jobIdentity } from './identity';
import { type Preset, parsePreset, presetSuites } from './preset';

export interface GridJob {
  id: string;
  label: string;
  method: ResolvedMethod;
  seed: number;
  identity: JobIdentity;
}

export interface Grid {
  schema: 'semix-grid-v1';
  preset: Preset;
  /** Suites evaluated, the headline first. */
  suites: string[];
  jobs: GridJob[];
}

/** One job per (method, seed), methods in preset order, seeds in preset order, each to be computed by `compute`. */
export function planGrid(preset: Preset, data: DataIdentity, compute: ComputeIdentity): Grid {
  const jobs = preset.methods.flatMap((method) =>
    preset.seeds.map((seed) => {
      const identity = jobIdentity(preset, method, seed, data, compute);
      return { id: jobId(identity), label: method.label, method, seed, identity };
    }),
  );
  return { schema: 'semix-grid-v1', preset, suites: presetSuites(preset), jobs };
}

export const gridFile = (dir: string) => join(dir, 'grid.json');

export async function writeGrid(dir: string, grid: Grid): Promise<void> {
  await writeAtomic(gridFile(dir), `${JSON.stringify(grid, null, 2)}\n`);
}

const GridFileSchema = z.object({
  schema: z.literal('semix-grid-v1'),
  preset: z.unknown(),
  suites: z.array(z.string()),
  jobs: z.array(
    z.object({ id: z.string(), label: z.string(), method: z.unknown(), seed: z.number(), identity: z.unknown() }),
  ),
});

/** Reads `grid.json`; its preset is validated again and every id checked against its identity. */
export async function readGrid(dir: string): Promise<Grid> {
  const file = gridFile(dir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`leaderboard: no ${file}; run \`semix bench --out ${dir}\` first (it writes the grid)`);
  }
  let grid: z.infer<typeof GridFileSchema>;
  try {
    grid = GridFileSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new Error(`leaderboard: ${file} is not a semix grid (${(error as Error).message}); run semix bench again`);
  }
  const preset = parsePreset(grid.preset, file);
  for (const job of grid.jobs) {
    if (jobId(job.identity as JobIdentity) !== job.id)
      throw new Error(
        `leaderboard: ${file}: job ${job.id} does not match its identity (edited?); run semix bench again`,
      );
  }
  return { ...grid, preset, jobs: grid.jobs as GridJob[] };
}
