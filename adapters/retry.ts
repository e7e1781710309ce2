import { isTransient, PermanentAdapterError, toAdapterError } from './errors';

/** Wait `ms` milliseconds; adapters take it as an option so tests can wait for nothing. */
export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryOptions {
  /** Calls in all, the first one included; at least 1. */
  readonly maxAttempts: number;
  /** Delay before the first retry; it doubles per retry up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs?: number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** What an adapter's options may say about its own retries; absent fields take the adapter's defaults. */
export interface RetryTuning {
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * An adapter's {@link RetryOptions}: its options over its defaults, `sleep` real time unless given.
 * `maxAttempts` must be an integer of at least 1, else a PermanentAdapterError naming `adapter`.
 */
export function retryOptions(adapter: string, tuning: RetryTuning, defaults: Omit<RetryOptions, 'sleep'>): RetryOptions {
  const maxAttempts = tuning.maxAttempts ?? defaults.maxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new PermanentAdapterError(`${adapter}: maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  return { ...defaults, maxAttempts, baseDelayMs: tuning.baseDelayMs ?? defaults.baseDelayMs, sleep: tuning.sleep ?? realSleep };
}

/**
 * The wait before retry number `retry` (1 for the first): `baseDelayMs`, doubled per retry, at most
 * `maxDelayMs` when there is one.
 */
export function backoffDelayMs(options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, retry: number): number {
  return Math.min(options.baseDelayMs * 2 ** (retry - 1), options.maxDelayMs ?? Number.POSITIVE_INFINITY);
}

/**
 * Run one SDK call; retry it with bounded exponential backoff while the error is transient
 * (throttling, 5xx, timeouts, Route 53's `PriorRequestNotComplete`), then raise it as an adapter
 * error. `context(attempt)` says what was being done, for the error message. An adapter that
 * retries here gets SDK clients that make a single attempt each (see the composition root's
 * `clientConfig`), so retries are layered once; the failover workflow's Retry is the layer above.
 *
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 * @see https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/
 */
export async function callWithRetry<T>(send: () => Promise<T>, context: (attempt: number) => string, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!isTransient(error) || attempt >= options.maxAttempts) throw toAdapterError(error, context(attempt));
      await options.sleep(backoffDelayMs(options, attempt));
    }
  }
}
