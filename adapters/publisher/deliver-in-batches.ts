import type { PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import type { Notice } from '../../domain/ports/publisher.port';
import { PermanentAdapterError, TransientAdapterError, toAdapterError, type AdapterError } from '../errors';
import { backoffDelayMs } from '../retry';

/** What one PutEvents request answered: the failed count and one result per entry, by index. */
export interface PutResult {
  readonly FailedEntryCount?: number;
  readonly Entries?: readonly PutEventsResultEntry[];
}

/** Sends one PutEvents request for `notices` (at most 10, under 256 KB). */
export type PutBatch = (notices: readonly Notice[]) => Promise<PutResult>;

/** Where notices go and how hard {@link deliverInBatches} tries. */
export interface DeliveryOptions {
  readonly busName: string;
  readonly source: string;
  /** Tries per batch, the first included. */
  readonly maxAttempts: number;
  /** Delay before the first retry; doubles per retry. */
  readonly baseDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html (1 to 10 entries) */
export const MAX_ENTRIES_PER_REQUEST = 10;
/** @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html (total entry size under 256 KB) */
export const MAX_REQUEST_BYTES = 256 * 1024;

/**
 * Entry error codes that a retry cannot fix; `InternalFailure` and `ThrottlingException` are the
 * retryable ones, and an unknown code is retried too.
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsResultEntry.html
 */
const NON_RETRYABLE_CODES = new Set([
  'AccessDeniedException',
  'InvalidAccountIdException',
  'InvalidArgument',
  'MalformedDetail',
  'RedactionFailure',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
]);

interface EntryFailure {
  readonly notice: Notice;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/**
 * Delivers `notices` in PutEvents-sized batches, in order. A batch whose response reports failed
 * entries resends only those (matched by index) with bounded exponential backoff; what still fails
 * is raised as a TransientAdapterError naming the error codes, or a PermanentAdapterError when every
 * code is one a retry cannot fix. Shared by the adapter and its twin so both behave the same.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevents.html (handling failures: resend the failed entries)
 */
export async function deliverInBatches(notices: readonly Notice[], put: PutBatch, options: DeliveryOptions): Promise<void> {
  for (const batch of batches(notices, options)) await deliverBatch(batch, put, options);
}

/**
 * Size of the entry a notice becomes, as EventBridge counts it (no `Time`, no `Resources`).
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
export function entrySize(notice: Notice, source: string): number {
  return Buffer.byteLength(source) + Buffer.byteLength(notice.detailType) + Buffer.byteLength(JSON.stringify(notice.detail));
}

function batches(notices: readonly Notice[], { busName, source }: DeliveryOptions): Notice[][] {
  const all: Notice[][] = [];
  let batch: Notice[] = [];
  let bytes = 0;
  for (const notice of notices) {
    const size = entrySize(notice, source);
    if (size >= MAX_REQUEST_BYTES) {
      throw new PermanentAdapterError(
        `eventbridge PutEvents on bus ${busName}: the "${notice.detailType}" notice is ${size} bytes, over the 256 KB PutEvents limit; ` +
          'shrink its detail (keep large payloads in S3 and publish a reference)',
      );
    }
    if (batch.length === MAX_ENTRIES_PER_REQUEST || bytes + size >= MAX_REQUEST_BYTES) {
      all.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(notice);
    bytes += size;
  }
  if (batch.length > 0) all.push(batch);
  return all;
}

async function deliverBatch(batch: readonly Notice[], put: PutBatch, options: DeliveryOptions): Promise<void> {
  const context = `eventbridge PutEvents on bus ${options.busName}`;
  const unfixable: EntryFailure[] = [];
  let pending = batch;
  for (let attempt = 1; ; attempt++) {
    let failures: EntryFailure[];
    try {
      failures = failuresOf(pending, await put(pending));
    } catch (error) {
      const adapterError = toAdapterError(error, context);
      if (!adapterError.retryable || attempt >= options.maxAttempts) throw adapterError;
      await options.sleep(backoffDelayMs(options, attempt));
      continue;
    }
    unfixable.push(...failures.filter((f) => NON_RETRYABLE_CODES.has(f.errorCode)));
    const retryable = failures.filter((f) => !NON_RETRYABLE_CODES.has(f.errorCode));
    if (retryable.length === 0 || attempt >= options.maxAttempts) {
      const failed = [...unfixable, ...retryable];
      if (failed.length > 0) throw failureError(failed, batch.length, attempt, context);
      return;
    }
    pending = retryable.map((f) => f.notice);
    await options.sleep(backoffDelayMs(options, attempt));
  }
}

/** Failed entries carry `ErrorCode`/`ErrorMessage` and no `EventId`; results match requests by index. */
function failuresOf(pending: readonly Notice[], result: PutResult): EntryFailure[] {
  if (result.FailedEntryCount === 0) return [];
  return pending.flatMap((notice, i) => {
    const entry = result.Entries?.[i];
    if (entry?.EventId && !entry.ErrorCode) return [];
    return [{ notice, errorCode: entry?.ErrorCode ?? 'MissingResultEntry', errorMessage: entry?.ErrorMessage ?? 'PutEvents answered no result for this entry' }];
  });
}

function failureError(failed: readonly EntryFailure[], total: number, attempts: number, context: string): AdapterError {
  const reasons = [...new Set(failed.map((f) => `${f.errorCode}: ${f.errorMessage}`))].join('; ');
  const message = `${context}: ${failed.length} of ${total} entries not accepted after ${attempts} attempt(s) (${reasons})`;
  const cause = failed.map(({ notice, errorCode, errorMessage }) => ({ detailType: notice.detailType, errorCode, errorMessage }));
  return failed.every((f) => NON_RETRYABLE_CODES.has(f.errorCode))
    ? new PermanentAdapterError(message, { cause })
    : new TransientAdapterError(message, { cause });
}
