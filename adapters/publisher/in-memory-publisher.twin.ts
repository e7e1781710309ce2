import type { Notice, Publisher } from '../../domain/ports/publisher.port';
import { TransientAdapterError } from '../errors';
import { deliverInBatches, type DeliveryOptions, type PutResult } from './deliver-in-batches';

/** The twin's bus name and source (they appear in error messages) and its retry bound. */
export interface InMemoryPublisherOptions {
  /** @default 'in-memory' */
  readonly busName?: string;
  /** @default 'dr.controller' */
  readonly source?: string;
  /** Tries per batch, as the adapter. @default 4 */
  readonly maxAttempts?: number;
}

/**
 * In-memory {@link Publisher} with the adapter's batching and retry rules (it shares
 * {@link deliverInBatches}); records what was accepted and every request made, and injects
 * whole-request faults and per-entry failures as PutEvents reports them.
 */
export class InMemoryPublisher implements Publisher {
  /** Notices accepted, in the order they were accepted. */
  readonly published: Notice[] = [];
  /** Every request, as sent (retries included). */
  readonly requests: (readonly Notice[])[] = [];
  private readonly delivery: DeliveryOptions;
  private requestFaults: { remaining: number; error: Error }[] = [];
  private entryFaults: { remaining: number; errorCode: string; errorMessage: string }[] = [];
  private eventIds = 0;

  constructor(options: InMemoryPublisherOptions = {}) {
    this.delivery = {
      busName: options.busName ?? 'in-memory',
      source: options.source ?? 'dr.controller',
      maxAttempts: options.maxAttempts ?? 4,
      baseDelayMs: 0,
      sleep: async () => {},
    };
  }

  /** The next `n` requests reject with `error` (as a throttled or failing PutEvents call would). */
  failNext(n: number, error: Error = new TransientAdapterError('in-memory publisher: injected fault')): void {
    this.requestFaults.push({ remaining: n, error });
  }

  /**
   * The next `n` entries sent fail with `errorCode`/`errorMessage` in an otherwise successful
   * response (a partial failure; non-retryable codes such as `AccessDeniedException` are not resent).
   */
  failEntries(n: number, errorCode = 'InternalFailure', errorMessage = 'Internal Service Failure'): void {
    this.entryFaults.push({ remaining: n, errorCode, errorMessage });
  }

  async publish(notices: readonly Notice[]): Promise<void> {
    await deliverInBatches(notices, async (batch) => this.put(batch), this.delivery);
  }

  private put(batch: readonly Notice[]): PutResult {
    this.requests.push(batch);
    const fault = this.requestFaults[0];
    if (fault) {
      if (--fault.remaining <= 0) this.requestFaults.shift();
      throw fault.error;
    }
    const Entries = batch.map((notice) => {
      const entryFault = this.entryFaults[0];
      if (entryFault) {
        if (--entryFault.remaining <= 0) this.entryFaults.shift();
        return { ErrorCode: entryFault.errorCode, ErrorMessage: entryFault.errorMessage };
      }
      this.published.push(notice);
      return { EventId: `in-memory-${++this.eventIds}` };
    });
    return { FailedEntryCount: Entries.filter((e) => 'ErrorCode' in e).length, Entries };
  }
}
