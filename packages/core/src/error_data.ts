// How an error crosses a thread (a data-parallel replica's, a bench job thread's): as data that keeps its kind and
// fields, rebuilt on the other side, so no caller reads a kind back out of a message. No Node built-in here.
import { CheckpointError } from './checkpoint_error';
import { TrainingDivergedError } from './step';

/** An error as structured-clonable data: the kinds semix recognises with their fields, any other by name. */
export type ErrorData =
  | { name: 'TrainingDivergedError'; message: string; stack?: string; step: number; losses: Record<string, number> }
  | {
      name: 'CheckpointError';
      message: string;
      stack?: string;
      kind: CheckpointError['kind'];
      dir: string;
      tensor?: string;
      expected?: string;
      found?: string;
    }
  | { name: string; message: string; stack?: string };

/**
 * `error` as data for `postMessage` (structured clone keeps NaN and ±∞ in the losses). Kinds are recognised by
 * their `isInstance` markers, so an error of another copy of this module or another realm keeps its kind too.
 */
export function errorToData(error: unknown): ErrorData {
  if (TrainingDivergedError.isInstance(error)) {
    const { message, stack, step, losses } = error;
    return { name: 'TrainingDivergedError', message, stack, step, losses: { ...losses } };
  }
  if (CheckpointError.isInstance(error)) {
    const { message, stack, kind, dir, tensor, expected, found } = error;
    return { name: 'CheckpointError', message, stack, kind, dir, tensor, expected, found };
  }
  if (typeof error === 'object' && error !== null && typeof (error as Error).message === 'string') {
    const { name, message, stack } = error as Error;
    return { name: typeof name === 'string' ? name : 'Error', message, stack };
  }
  return { name: 'Error', message: String(error) };
}

/**
 * The error `data` describes, of its kind with its fields (`isInstance` and `instanceof` hold); `context` (e.g.
 * `data-parallel replica 1: `) is put before its message, to say where it was thrown.
 */
export function errorFromData(data: ErrorData, context = ''): Error {
  const message = context + data.message;
  let error: Error;
  if (isData(data, 'TrainingDivergedError')) {
    error = new TrainingDivergedError(data.step, data.losses, message);
  } else if (isData(data, 'CheckpointError')) {
    const { tensor, expected, found } = data;
    error = new CheckpointError(data.kind, data.dir, message, { tensor, expected, found });
  } else {
    error = new Error(message);
    error.name = data.name;
  }
  // The stack of where it was thrown, which says more than where it was rebuilt.
  if (data.stack) error.stack = context + data.stack;
  return error;
}

function isData<N extends 'TrainingDivergedError' | 'CheckpointError'>(
  data: ErrorData,
  name: N,
): data is Extract<ErrorData, { name: N }> {
  return (
    data.name === name &&
    (name !== 'TrainingDivergedError' || 'step' in data) &&
    (name !== 'CheckpointError' || 'kind' in data)
  );
}
