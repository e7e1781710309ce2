import { InMemoryAuroraDatabase } from '../../adapters/database/in-memory-database.twin';
import { PermanentAdapterError, TransientAdapterError } from '../../adapters/errors';

const clusterArns = {
  'us-east-1': 'arn:aws:rds:us-east-1:123456789012:cluster:app-primary',
  'us-east-2': 'arn:aws:rds:us-east-2:123456789012:cluster:app-secondary',
};

describe('InMemoryAuroraDatabase', () => {
  it('refuses a switchover like InvalidGlobalClusterStateFault when the old writer region is unreachable, and records nothing', async () => {
    const db = new InMemoryAuroraDatabase({ clusterArns, writer: 'us-east-1' });
    db.setReachable('us-east-1', false);

    const error = await db.promote('us-east-2', 'switchover').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PermanentAdapterError);
    expect((error as Error).cause).toMatchObject({ name: 'InvalidGlobalClusterStateFault' });
    expect(db.promotions).toEqual([]);
    expect((await db.status()).writerRegion).toBe('us-east-1');
  });

  it('fails over without the old writer and records the promotion', async () => {
    const db = new InMemoryAuroraDatabase({ clusterArns, writer: 'us-east-1' });
    db.setReachable('us-east-1', false);

    const result = await db.promote('us-east-2', 'failover');

    expect(result).toEqual({ type: 'started', mode: 'failover' });
    expect(db.promotions).toEqual([{ region: 'us-east-2', mode: 'failover', from: 'us-east-1' }]);
  });

  it('keeps a promotion in progress for the configured number of status polls', async () => {
    const db = new InMemoryAuroraDatabase({ clusterArns, writer: 'us-east-1', promotionPolls: 3 });
    await db.promote('us-east-2', 'switchover');

    const polls = [await db.status(), await db.status(), await db.status(), await db.status()];

    expect(polls.map((s) => [s.status, s.writerRegion])).toEqual([
      ['switching-over', 'us-east-1'],
      ['switching-over', 'us-east-1'],
      ['switching-over', 'us-east-1'],
      ['available', 'us-east-2'],
    ]);
  });

  it('completes a promotion inside promote when promotionPolls is 0', async () => {
    const db = new InMemoryAuroraDatabase({ clusterArns, writer: 'us-east-1', promotionPolls: 0 });

    await db.promote('us-east-2', 'failover');

    expect(await db.status()).toMatchObject({ writerRegion: 'us-east-2', promotionInProgress: false });
  });

  it('throws injected faults for the next n calls of the chosen operation, mapped like SDK errors', async () => {
    const db = new InMemoryAuroraDatabase({ clusterArns, writer: 'us-east-1' });
    const throttled = { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' };
    db.failNext(2, throttled, 'status');

    const first = await db.status().catch((e: unknown) => e);
    const lag = await db.replicationLagSeconds('us-east-2');
    const second = await db.status().catch((e: unknown) => e);
    const third = await db.status();

    expect(first).toBeInstanceOf(TransientAdapterError);
    expect((first as Error).cause).toBe(throttled);
    expect(lag).toBeUndefined();
    expect(second).toBeInstanceOf(TransientAdapterError);
    expect(third.writerRegion).toBe('us-east-1');
  });

  it('throws an injected access-denied fault as a PermanentAdapterError with cause', async () => {
    const db = new InMemoryAuroraDatabase({ clusterArns, writer: 'us-east-1' });
    const denied = { name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'not authorized' };
    db.failNext(1, denied);

    const error = await db.promote('us-east-2', 'failover').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PermanentAdapterError);
    expect((error as Error).cause).toBe(denied);
    expect(db.promotions).toEqual([]);
  });

  it('reports seeded lag and seeded synchronization status, omitting an absent one', async () => {
    const db = new InMemoryAuroraDatabase({ clusterArns, writer: 'us-east-1' });
    db.setReplicationLag('us-east-2', 12);
    db.setSynchronizationStatus('us-east-2', 'pending-resync');
    db.setSynchronizationStatus('us-east-1', undefined);

    const [lag, status] = [await db.replicationLagSeconds('us-east-2'), await db.status()];

    expect(lag).toBe(12);
    expect(status.members).toEqual([
      { region: 'us-east-1', clusterArn: clusterArns['us-east-1'], isWriter: true, clusterStatus: 'available' },
      { region: 'us-east-2', clusterArn: clusterArns['us-east-2'], isWriter: false, synchronizationStatus: 'pending-resync', clusterStatus: 'available' },
    ]);
  });

  it('reports a lag whose datapoint is older than maxLagAgeSeconds as unknown', async () => {
    const db = new InMemoryAuroraDatabase({ clusterArns, writer: 'us-east-1', maxLagAgeSeconds: 60 });
    db.setReplicationLag('us-east-2', 3, 61);

    await expect(db.replicationLagSeconds('us-east-2')).resolves.toBeUndefined();
  });

  it('can keep reporting a finished promotion in progress, with the new writer in place', async () => {
    const db = new InMemoryAuroraDatabase({ clusterArns, writer: 'us-east-1', promotionPolls: 0 });
    db.setPromotionLingers(true);

    await db.promote('us-east-2', 'failover');

    await expect(db.status()).resolves.toMatchObject({ writerRegion: 'us-east-2', promotionInProgress: true, status: 'failing-over' });
    await expect(db.promote('us-east-2', 'failover')).resolves.toEqual({ type: 'already-writer' });
  });

  it('rejects a writer that is not a member, naming it and the fix', () => {
    expect(() => new InMemoryAuroraDatabase({ clusterArns, writer: 'eu-west-1' })).toThrow(
      'writer "eu-west-1" is not in clusterArns: add its DB cluster ARN or pick one of us-east-1, us-east-2',
    );
  });
});
