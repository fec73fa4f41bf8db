// No Node built-in here: the trainer, part of the browser entry, throws it.

const CHECKPOINT_ERROR = Symbol.for('semix.CheckpointError');

/**
 * Why a checkpoint is refused, as data: `damaged` (a checksum fails, or the file is truncated or not a
 * checkpoint; `tensor` names the tensor when it is one), `unverifiable` (written before checksums), `other-run`
 * (its `runId`, `found`, is not the resuming run's, `expected`). `dir` is the checkpoint's directory. Lives apart from
 * checkpoint.ts, which needs Node, so that the trainer of the browser entry can throw it. Recognised across packages and realms by
 * `CheckpointError.isInstance`, never by its message.
 */
export class CheckpointError extends Error {
  readonly [CHECKPOINT_ERROR] = true;
  readonly tensor?: string;
  readonly expected?: string;
  readonly found?: string;
  constructor(
    readonly kind: 'damaged' | 'unverifiable' | 'other-run',
    readonly dir: string,
    message: string,
    fields: { tensor?: string; expected?: string; found?: string } = {},
  ) {
    super(message);
    this.name = 'CheckpointError';
    Object.assign(this, fields);
  }
  static isInstance(error: unknown): error is CheckpointError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[CHECKPOINT_ERROR] === true;
  }
}
