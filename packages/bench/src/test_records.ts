/** Hand-made records for the tests: a grid job's identity with the measured fields a test chooses. */
import type { GridJob } from './plan/grid';
import type { ResultRecord } from './run/records';

/** A record of `job` measured as `fields` say; the rest are plain placeholders (no suite, gap 0.1, one epoch). */
export function handMadeRecord(job: GridJob, fields: Partial<ResultRecord> = {}): ResultRecord {
  return {
    schema: 'semix-record-v2',
    job_id: job.id,
    identity: job.identity as unknown as Record<string, unknown>,
    preset: 'p',
    method: job.method as unknown as ResultRecord['method'],
    seed: job.seed,
    dataset: { name: 'mnist-mini', checksum: 't', train_images: 1, test_images: 500 },
    architecture: 'cnn-small',
    model: { arch: 'cnn-small', width: 1 },
    train: {},
    evaluation: {},
    backend: 'wasm',
    versions: {},
    git_commit: null,
    wall_time_s: 1,
    samples_per_s: 1,
    clean_acc: 0.9,
    nll: 0.3,
    ece: 0.02,
    suites: {},
    equivariance_gap: 0.1,
    equivariance_gap_l2: 1,
    history: [{ ce: 1 }],
    created_at: '',
    ...fields,
  };
}
