/** What the queue's coordinator and queue workers share: the queue's name, the payload, Redis connections, waiting. */
import type { ComputeIdentity } from '@semix/core';
import { resolveMethod } from '@semix/mixup';
import { Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import type { GridJob } from '../../plan/grid';
import { type DataIdentity, jobId, jobIdentity } from '../../plan/identity';
import { type Preset, parsePreset, SeedSchema } from '../../plan/preset';

export const QUEUE_NAME = 'semix-bench';

/**
 * A job's payload: validated data, never code. The method is a method configuration that the worker resolves
 * and builds itself (it imports nothing a payload names); `data` is the coordinator's data identity, which the
 * worker must reproduce; `compute` is the backend and kernel arithmetic the job is planned for, which the worker
 * must compute with; `id` is the hash of the job's identity, which the worker recomputes.
 */
export const JobPayloadSchema = z
  .object({
    v: z.literal(3),
    id: z.string().regex(/^semix-[0-9a-f]{24}$/),
    preset: z.record(z.unknown()),
    method: z.record(z.unknown()),
    seed: SeedSchema,
    data: z.object({ train: z.string(), test: z.string(), suites: z.array(z.record(z.unknown())) }).strict(),
    compute: z
      .object({
        backend: z.string(),
        kernels: z
          .object({
            multiplyAdd: z.enum(['fused', 'separate']),
            winograd: z.enum(['F(4x4,3x3)', 'F(2x2,3x3)', 'off']),
            winogradFilterGradient: z.enum(['F(3x3,4x4)', 'F(3x3,2x2)', 'off']),
          })
          .strict()
          .optional(),
      })
      .strict(),
  })
  .strict();
export type JobPayload = z.infer<typeof JobPayloadSchema>;

/** Marks a failure that is a result (diverged, near chance), carried through BullMQ's failed reason. */
export const FAILURE_PREFIX = 'semix-job-failed:';

/** Validates a payload completely: its preset, its method, and that its id is the hash of its identity. */
export function parsePayload(value: unknown): {
  preset: Preset;
  job: GridJob;
  data: DataIdentity;
  compute: ComputeIdentity;
} {
  const parsed = JobPayloadSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  const preset = parsePreset(parsed.data.preset, 'payload.preset');
  const method = resolveMethod(parsed.data.method, 'payload.method');
  const data = parsed.data.data as DataIdentity;
  const compute = parsed.data.compute;
  const identity = jobIdentity(preset, method, parsed.data.seed, data, compute);
  if (jobId(identity) !== parsed.data.id)
    throw new Error(`payload.id: ${parsed.data.id} is not the hash of the job's identity (${jobId(identity)})`);
  const job = { id: parsed.data.id, label: method.label, method, seed: parsed.data.seed, identity };
  return { preset, job, data, compute };
}

/**
 * The URL without its password, for messages. One that does not parse (a port out of range, say) still has its
 * user-info's password masked as written, so a typo never prints the secret beside it.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
  }
}

const URL_FORM = 'expected redis://[:password@]host[:port][/db] or rediss://… (TLS)';

/**
 * Checks a queue URL before anything is written or connected: a `redis:` or `rediss:` URL that parses (a port
 * from 0 to 65535), names a host, and selects a database by number if at all (ioredis would send `SELECT db`
 * and fail only once connected). Errors name `field` and the URL with its password redacted.
 */
export function checkQueueUrl(url: string, field = 'queue url'): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${field}: '${redactUrl(url)}' is not a URL; ${URL_FORM}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new Error(`${field}: protocol '${parsed.protocol}' is not allowed; allowed: redis:, rediss: (TLS)`);
  if (parsed.hostname === '') throw new Error(`${field}: '${redactUrl(url)}' names no host; ${URL_FORM}`);
  if (!/^\/?(\d+)?$/.test(parsed.pathname))
    throw new Error(
      `${field}: '${redactUrl(url)}' has database '${parsed.pathname}'; expected a number (redis://host:6379/0) or none`,
    );
  return parsed;
}

/**
 * A Redis connection from a `redis://` or `rediss://` (TLS) URL, with password and database as the URL says.
 * It reconnects forever with a capped backoff, so a Redis restart pauses the run rather than failing it.
 */
export function redisConnection(url: string, extra: RedisOptions = {}): Redis {
  checkQueueUrl(url);
  return new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    lazyConnect: false,
    ...extra,
  });
}

/** Retries an operation while Redis is unreachable (it reconnects by itself), reporting each error once. */
export async function retryRedis<T>(
  op: () => Promise<T>,
  options: { signal?: AbortSignal },
  onEvent?: (e: { type: 'redis-error'; error: string }) => void,
): Promise<T> {
  for (;;) {
    try {
      return await op();
    } catch (error) {
      options.signal?.throwIfAborted();
      const message = (error as Error).message;
      if (!/ECONNREFUSED|ECONNRESET|Connection is closed|connect|EPIPE|LOADING|ETIMEDOUT/i.test(message)) throw error;
      onEvent?.({ type: 'redis-error', error: message });
      await sleep(500, options.signal);
    }
  }
}

/** Waits `ms`, or rejects when the signal aborts; the abort listener is removed either way. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
