import { isServerError, isThrottlingError, isTransientError } from '@smithy/service-error-classification';

/**
 * The base of every error this project throws on purpose: a message that says what failed and how
 * to fix it, and the error that caused it as the standard `cause` (kept through every wrap, so a
 * log line or the CLI can show the root). Subclasses set their own `name`: that is what Lambda
 * reports as `errorType`, what the state machine's Retry and Catch match and what the CLI prints.
 * It lives here, not in `domain/` (the domain declares no classes and throws nothing of its own),
 * because every outer layer (adapters, handlers, cli, local) may import adapters/.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Error/cause
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html
 */
export class DrError extends Error {
  override readonly name: string = 'DrError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A deployment's configuration is unusable (an environment variable missing or malformed, a
 * resource identifier absent): the message lists every problem and its fix. Thrown at a
 * function's cold start, so the function fails on its first invocation instead of acting on a guess.
 */
export class ConfigurationError extends DrError {
  override readonly name = 'ConfigurationError';
}

/**
 * The two kinds of failure every adapter reports. Their `name`s are what the failover state
 * machine's Retry (`TransientAdapterError`) and Catch (`PermanentAdapterError`, `States.ALL`)
 * match, so never rename them without changing the state machine.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export class TransientAdapterError extends DrError {
  override readonly name = 'TransientAdapterError';
  readonly retryable = true;
}

/** Not found, access denied, validation: retrying the same call will not help. */
export class PermanentAdapterError extends DrError {
  override readonly name = 'PermanentAdapterError';
  readonly retryable = false;
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
