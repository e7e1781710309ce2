import { isTransient } from '../../adapters/errors';
import { realSleep } from '../../adapters/retry';

/** Delay before the first in-handler retry; it doubles per retry. */
export const BASE_RETRY_DELAY_MS = 100;

/**
 * Run `work` again while it fails transiently (throttling, a 5xx, a timeout, a
 * TransientAdapterError), at most `maxAttempts` times in all, with exponential backoff; then, or on
 * any other error, rethrow the error unchanged. Keeps a blip of DynamoDB from sending a record (and
 * every later record of the app's FIFO group) back to SQS, where it would wait out the visibility
 * timeout.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 * @see https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/
 */
export async function retryTransient<T>(
  work: () => Promise<T>,
  options: { maxAttempts: number; sleep?: (ms: number) => Promise<void>; onRetry?: (attempt: number, error: unknown) => void },
): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isTransient(error) || attempt >= options.maxAttempts) throw error;
      options.onRetry?.(attempt, error);
      await sleep(BASE_RETRY_DELAY_MS * 2 ** (attempt - 1));
    }
  }
}
