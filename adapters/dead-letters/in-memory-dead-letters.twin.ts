import type { DeadLetter, DeadLetters } from '../../domain/ports/dead-letters.port';
import { toAdapterError } from '../errors';

/** In-memory dead-letter queue: keeps letters in order, deduplicated by source id like a FIFO queue. */
export class InMemoryDeadLetters implements DeadLetters {
  private readonly stored: DeadLetter[] = [];
  private failures: unknown[] = [];

  /** Letters received, oldest first. */
  get letters(): readonly DeadLetter[] {
    return this.stored;
  }

  /** Make the next `count` sends fail with `error` (mapped like an SDK error). */
  failNext(count: number, error: unknown): void {
    this.failures = Array.from({ length: count }, () => error);
  }

  async send(letter: DeadLetter): Promise<void> {
    const failure = this.failures.shift();
    if (failure !== undefined) throw toAdapterError(failure, 'dead-letters send');
    if (this.stored.some((l) => l.sourceId === letter.sourceId)) return;
    this.stored.push({ ...letter });
  }
}
