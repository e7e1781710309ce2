import type { DeadLetter, DeadLetters } from '../../domain/ports/dead-letters.port';
import { PermanentAdapterError, toAdapterError } from '../errors';
import { deadLetterMessage, isSqsText, SQS_MAX_MESSAGE_BYTES, sqsMessageBytes } from './dead-letter-message';

/** A letter as the queue holds it: what SQS would return, plus the attributes the adapter adds. */
export interface StoredDeadLetter extends DeadLetter {
  /** Every String attribute of the message, e.g. `bodyTruncatedFromBytes`. */
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * In-memory dead-letter queue: builds the same message the SQS adapter sends, refuses what
 * SendMessage refuses (characters outside SQS's set, a message over 256 KiB), keeps letters in
 * order, deduplicated by source id like a FIFO queue.
 */
export class InMemoryDeadLetters implements DeadLetters {
  private readonly stored: StoredDeadLetter[] = [];
  private failures: unknown[] = [];

  /** Letters received, oldest first, as the queue holds them (cleaned and bounded). */
  get letters(): readonly StoredDeadLetter[] {
    return this.stored;
  }

  /** Make the next `count` sends fail with `error` (mapped like an SDK error). */
  failNext(count: number, error: unknown): void {
    this.failures = Array.from({ length: count }, () => error);
  }

  async send(letter: DeadLetter): Promise<void> {
    const failure = this.failures.shift();
    if (failure !== undefined) throw toAdapterError(failure, 'dead-letters send');
    const message = deadLetterMessage(letter);
    const refused = [message.body, ...Object.values(message.attributes)].find((text) => !isSqsText(text));
    if (refused !== undefined) throw new PermanentAdapterError(`dead-letters send failed (InvalidMessageContents: Invalid characters found in ${JSON.stringify(refused.slice(0, 50))})`);
    if (sqsMessageBytes(message) > SQS_MAX_MESSAGE_BYTES) throw new PermanentAdapterError(`dead-letters send failed (InvalidParameterValue: message of ${sqsMessageBytes(message)} bytes is longer than ${SQS_MAX_MESSAGE_BYTES})`);
    if (this.stored.some((l) => l.sourceId === message.attributes.sourceId)) return;
    const { reason, sourceId, field } = message.attributes;
    this.stored.push({ body: message.body, reason: reason!, sourceId: sourceId!, ...(field !== undefined ? { field } : {}), attributes: { ...message.attributes } });
  }
}
