/**
 * The queue's Redis connection with an end: a refused password is final, and a Redis that cannot be reached is
 * given up after a bounded wait. Without this ioredis reconnects forever, so a typo in a URL or a password looked
 * like a queue with nothing to do.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { redactUrl, redisConnection } from './shared';

/** How long the queue waits for an unreachable Redis before giving up, by default (`--connect-timeout`). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

const MARKER = Symbol.for('semix.QueueConnectionError');

/**
 * The queue's connection has ended for good: `auth`, Redis refused the credentials (WRONGPASS, NOAUTH, or an old
 * Redis's "invalid password"); `unreachable`, no connection for `timeoutMs`. `url` is redacted.
 */
export class QueueConnectionError extends Error {
  readonly [MARKER] = true;
  constructor(
    readonly kind: 'auth' | 'unreachable',
    readonly url: string,
    readonly detail: string,
    readonly timeoutMs: number,
  ) {
    super(
      kind === 'auth'
        ? `queue: Redis at ${url} refused the credentials (${detail}); check the password in the URL or SEMIX_QUEUE`
        : `queue: Redis at ${url} was unreachable for ${timeoutMs / 1000} s (${detail}); is it running and reachable from here? --connect-timeout sets how long to wait`,
    );
    this.name = 'QueueConnectionError';
  }

  /** Recognises the error across copies of this package (a class check would not). */
  static isInstance(error: unknown): error is QueueConnectionError {
    return typeof error === 'object' && error !== null && MARKER in error;
  }
}

/**
 * Whether a Redis error refuses the credentials. A Redis error reply starts with its error code (the protocol's
 * convention): WRONGPASS (Redis 6+, a wrong password or user), NOAUTH (a password is required and none was
 * given); Redis 5 and older answer a wrong password with `ERR invalid password`. ioredis prefixes a failed ready
 * check ("Ready check failed: NOAUTH …"), hence the word match rather than a prefix.
 */
export function isAuthError(error: Error): boolean {
  return /\b(WRONGPASS|NOAUTH)\b|^ERR invalid password/.test(error.message);
}

export interface QueueConnection {
  /** For BullMQ: a Queue uses it, a Worker also duplicates it for its blocking reads (watched alike). */
  connection: Redis;
  /** Aborts with a QueueConnectionError when the credentials are refused or Redis stayed unreachable too long. */
  lost: AbortSignal;
  /** Disconnects every connection made from it (no reconnecting, pending commands fail) and stops the timer. */
  close(): void;
}

/**
 * A connection for the queue from a `redis://` or `rediss://` URL that gives up: at once on refused credentials,
 * or once Redis has been unreachable for `connectTimeoutMs` without a break. Until then it reconnects with a capped
 * backoff, so a Redis restart shorter than the timeout pauses a run rather than failing it.
 */
export function openQueueConnection(
  url: string,
  options: { connectTimeoutMs?: number; redis?: RedisOptions } = {},
): QueueConnection {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const controller = new AbortController();
  const connection = redisConnection(url, options.redis);
  const copies: Redis[] = [connection];
  let lastError = 'no connection yet';
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const close = () => {
    closed = true;
    clearTimeout(timer);
    for (const c of copies) c.disconnect();
  };
  const fail = (kind: 'auth' | 'unreachable', detail: string) => {
    if (controller.signal.aborted) return;
    controller.abort(new QueueConnectionError(kind, redactUrl(url), detail, timeoutMs));
    close();
  };
  // The clock runs from the first attempt, and again from each loss of the connection until it is ready again.
  const startClock = () => {
    if (timer === undefined && !closed) timer = setTimeout(() => fail('unreachable', lastError), timeoutMs);
  };
  const watch = (c: Redis) => {
    c.on('error', (error: Error) => {
      lastError = error.message;
      if (isAuthError(error)) fail('auth', error.message);
    });
  };
  watch(connection);
  connection.on('ready', () => {
    clearTimeout(timer);
    timer = undefined;
  });
  connection.on('close', startClock);
  startClock();
  // BullMQ's Worker opens its blocking connection with duplicate(): watched too, so that a refused password ends
  // it and giving up closes it (an unclosed copy would keep reconnecting, and the process alive).
  const duplicate = connection.duplicate.bind(connection);
  connection.duplicate = (override?: Partial<RedisOptions>) => {
    const copy = duplicate(override);
    copies.push(copy);
    watch(copy);
    if (closed) copy.disconnect();
    return copy;
  };
  return { connection, lost: controller.signal, close };
}

/** A promise that rejects with the signal's reason when it aborts (never resolves): for Promise.race. */
export function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
