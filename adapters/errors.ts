import { isServerError, isThrottlingError, isTransientError } from '@smithy/service-error-classification';

/**
 * The two kinds of failure every adapter reports. Their `name`s are what the failover state
 * machine's Retry (`TransientAdapterError`) and Catch (`PermanentAdapterError`, `States.ALL`)
 * match, so never rename them without changing the state machine.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export class TransientAdapterError extends Error {
  override readonly name = 'TransientAdapterError';
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Not found, access denied, validation: retrying the same call will not help. */
export class PermanentAdapterError extends Error {
  override readonly name = 'PermanentAdapterError';
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type AdapterError = TransientAdapterError | PermanentAdapterError;

interface SdkLikeError {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
  code?: string;
}

/** Error names that mean "try again later" beyond the SDK's own throttling/transient lists. */
const EXTRA_TRANSIENT_NAMES = new Set([
  'PriorRequestNotComplete', // Route 53: a previous change is still being applied
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerError',
  'InternalServiceError',
  'TimeoutError',
  'ConcurrentModificationException',
  'TooManyUpdates', // SSM: concurrent updates to one parameter
]);

/** True when the SDK (or our own list) says the error is throttling, a 5xx or a network glitch. */
export function isTransient(error: unknown): boolean {
  if (error instanceof TransientAdapterError) return true;
  if (error instanceof PermanentAdapterError) return false;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkLikeError;
  const status = e.$metadata?.httpStatusCode;
  const sdkError = { $metadata: {}, ...e } as Parameters<typeof isThrottlingError>[0];
  return (
    isThrottlingError(sdkError) ||
    isTransientError(sdkError) ||
    isServerError(sdkError) ||
    e.$fault === 'server' ||
    (status !== undefined && status >= 500) ||
    EXTRA_TRANSIENT_NAMES.has(e.name ?? '') ||
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE'].includes(e.code ?? '')
  );
}

/**
 * Map any SDK error to an adapter error, keeping the original as `cause`. `context` says what was
 * being done, e.g. `route53 ChangeResourceRecordSets on Z123`.
 */
export function toAdapterError(error: unknown, context: string): AdapterError {
  if (error instanceof TransientAdapterError || error instanceof PermanentAdapterError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkLikeError;
  const detail = `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
  return isTransient(error)
    ? new TransientAdapterError(`${context} failed transiently (${detail})`, { cause: error })
    : new PermanentAdapterError(`${context} failed (${detail})`, { cause: error });
}
