import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** One job's result. Field names follow RobustBench's model records where they overlap. */
export const RecordSchema = z.object({
  schema: z.literal('semix-record-v1'),
  job_id: z.string(),
  preset: z.string(),
  method: z.record(z.unknown()).and(z.object({ name: z.string() })),
  seed: z.number().int(),
  dataset: z.object({ name: z.string(), checksum: z.string(), train_images: z.number(), test_images: z.number() }),
  architecture: z.string(),
  model: z.object({ arch: z.string(), width: z.number() }),
  train: z.record(z.unknown()),
  backend: z.string(),
  versions: z.record(z.string()),
  git_commit: z.string().nullable(),
  wall_time_s: z.number(),
  samples_per_s: z.number(),
  clean_acc: z.number(),
  nll: z.number(),
  ece: z.number(),
  /** accuracy per corruption per severity (index 0 = severity 1). */
  corruptions_acc: z.record(z.array(z.number()).length(5)),
  /** ECE per corruption per severity. */
  corruptions_ece: z.record(z.array(z.number()).length(5)),
  /** Mean accuracy over corruptions × severities; null when the preset evaluates no corruptions. */
  corruption_acc_mean: z.number().nullable(),
  /** Mean ECE over corruptions × severities. */
  corruption_ece_mean: z.number().nullable(),
  equivariance_gap: z.number(),
  corruption_suite: z.string(),
  created_at: z.string(),
});
export type ResultRecord = z.infer<typeof RecordSchema>;

export const jobId = (preset: string, method: string, seed: number) => `${preset}__${method}__seed${seed}`;
export const recordFile = (dir: string, id: string) => join(dir, 'records', `${id}.json`);

export type RecordRead = { ok: true; record: ResultRecord } | { ok: false; file: string; error: string };

/** Reads and validates a record file; a file that cannot be parsed is reported, never treated as absent. */
export async function readRecord(file: string): Promise<RecordRead | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { ok: false, file, error: (error as Error).message };
  }
  try {
    const parsed = RecordSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      return { ok: false, file, error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
    }
    return { ok: true, record: parsed.data };
  } catch (error) {
    return { ok: false, file, error: `not valid JSON (${(error as Error).message})` };
  }
}

/** All records of a results directory, with the files that could not be read. */
export async function readRecords(
  dir: string,
): Promise<{ records: ResultRecord[]; bad: Array<{ file: string; error: string }> }> {
  let names: string[] = [];
  try {
    names = (await readdir(join(dir, 'records'))).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return { records: [], bad: [] };
  }
  const records: ResultRecord[] = [];
  const bad: Array<{ file: string; error: string }> = [];
  for (const name of names) {
    const r = await readRecord(join(dir, 'records', name));
    if (r?.ok) records.push(r.record);
    else if (r) bad.push({ file: r.file, error: r.error });
  }
  return { records, bad };
}

/** A job that failed for good (after its retries): kept so the leaderboard shows it, never silently dropped. */
export const FailedRecordSchema = z.object({
  schema: z.literal('semix-failed-v1'),
  job_id: z.string(),
  preset: z.string(),
  method: z.string(),
  seed: z.number().int(),
  error: z.string(),
  attempts: z.number().int(),
  failed_at: z.string(),
});
export type FailedRecord = z.infer<typeof FailedRecordSchema>;
export const failedFile = (dir: string, id: string) => join(dir, 'failed', `${id}.json`);

/** Failed-job records of a results directory (unreadable ones are reported as failures too). */
export async function readFailed(dir: string): Promise<FailedRecord[]> {
  let names: string[] = [];
  try {
    names = (await readdir(join(dir, 'failed'))).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const out: FailedRecord[] = [];
  for (const name of names) {
    const file = join(dir, 'failed', name);
    try {
      out.push(FailedRecordSchema.parse(JSON.parse(await readFile(file, 'utf8'))));
    } catch (error) {
      out.push({
        schema: 'semix-failed-v1',
        job_id: name.replace(/\.json$/, ''),
        preset: '?',
        method: '?',
        seed: -1,
        error: `unreadable failure record ${file}: ${(error as Error).message}`,
        attempts: 0,
        failed_at: '',
      });
    }
  }
  return out;
}
