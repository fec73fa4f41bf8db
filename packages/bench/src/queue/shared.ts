/** What the queue's coordinator and workers share: the queue's name, the payload, Redis connections, waiting. */
import type { ComputeIdentity } from '@semix/core';
import { resolveMethod } from '@semix/mixup';
import { Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import type { GridJob } from '../grid';
import { type DataIdentity, jobId, jobIdentity } from '../identity';
import { type Preset, parsePreset, SeedSchema } from '../preset';

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

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}

/**
 * A Redis connection from a `redis://` or `rediss://` (TLS) URL, with password and database as the URL says.
 * It reconnects forever with a capped backoff, so a Redis restart pauses the run rather than failing it.
 */
export function redisConnection(url: string, extra: RedisOptions = {}): Redis {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(
      `queue url: '${redactUrl(url)}' is not a URL; expected redis://[:password@]host:port[/db] or rediss://…`,
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`queue url: protocol '${parsed.protocol}' is not allowed; allowed: redis:, rediss: (TLS)`);
  }
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
