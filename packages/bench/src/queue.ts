/**
 * The leaderboard grid across machines, on BullMQ (Redis). The coordinator enqueues one job per (method, seed)
 * with a stable id, follows them, validates each returned record and is the only writer of the records store;
 * queue workers on any number of machines take jobs, train, evaluate and return records. Stalled jobs (a worker
 * killed mid-job) are re-run by BullMQ; failing jobs are retried with backoff and then recorded as failed. A refused
 * password ends a coordinator or queue worker at once, an unreachable Redis after a bounded wait (QueueConnectionError).
 */
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  openQueueConnection,
  type QueueConnection,
  QueueConnectionError,
} from './run/queue/connection';
export {
  type QueuedBenchOptions,
  type QueuedBenchResult,
  type QueueEvent,
  runQueuedBench,
} from './run/queue/coordinator';
export {
  checkQueueUrl,
  type JobPayload,
  JobPayloadSchema,
  parsePayload,
  QUEUE_NAME,
  redactUrl,
  redisConnection,
  sleep,
} from './run/queue/shared';
export { runWorker, type WorkerEvent, type WorkerOptions } from './run/queue/worker';
