import { PermanentAdapterError, TransientAdapterError } from '../../adapters/errors';
import { InMemoryPublisher } from '../../adapters/publisher/in-memory-publisher.twin';
import type { Notice } from '../../domain/ports/publisher.port';

const notice = (i: number): Notice => ({ detailType: 'DR Decision', detail: { eventId: `evt-${i}` } });

describe('InMemoryPublisher', () => {
  it('resends entries failed with a retryable code and accepts them', async () => {
    const twin = new InMemoryPublisher();
    twin.failEntries(1);

    await twin.publish([notice(1), notice(2)]);

    expect(twin.requests).toEqual([[notice(1), notice(2)], [notice(1)]]);
    expect(twin.published).toEqual([notice(2), notice(1)]);
  });

  it('raises a TransientAdapterError naming the code when an entry fails on every attempt', async () => {
    const twin = new InMemoryPublisher({ maxAttempts: 2 });
    twin.failEntries(2, 'ThrottlingException', 'Rate exceeded');

    const publish = twin.publish([notice(1)]);

    await expect(publish).rejects.toThrow(TransientAdapterError);
    await expect(publish).rejects.toThrow('1 of 1 entries not accepted after 2 attempt(s) (ThrottlingException: Rate exceeded)');
    expect(twin.published).toEqual([]);
  });

  it('raises a PermanentAdapterError without resending when the code cannot be fixed by a retry', async () => {
    const twin = new InMemoryPublisher();
    twin.failEntries(1, 'NotAuthorizedForSourceException', 'Not authorized for the source.');

    await expect(twin.publish([notice(1)])).rejects.toThrow(PermanentAdapterError);
    expect(twin.requests).toHaveLength(1);
  });

  it('retries requests rejected by a transient fault, and raises a permanent one at once', async () => {
    const twin = new InMemoryPublisher();
    twin.failNext(2);
    await twin.publish([notice(1)]);
    const denied = new PermanentAdapterError('access denied');
    twin.failNext(1, denied);

    await expect(twin.publish([notice(2)])).rejects.toBe(denied);
    expect(twin.requests).toHaveLength(4);
    expect(twin.published).toEqual([notice(1)]);
  });
});
