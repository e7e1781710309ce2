import { PermanentAdapterError, TransientAdapterError } from '../../adapters/errors';
import { InMemoryTraffic } from '../../adapters/traffic/in-memory-traffic.twin';

describe('InMemoryTraffic', () => {
  const twin = (options: Partial<ConstructorParameters<typeof InMemoryTraffic>[0]> = {}) =>
    new InMemoryTraffic({ weights: { 'us-east-1': 100, 'us-east-2': 0 }, ...options });

  it('records one change per shift that changed weights, none for a shift that changed nothing', async () => {
    const traffic = twin();

    await traffic.shiftTo('us-east-2');
    await traffic.shiftTo('us-east-2');

    expect(traffic.changes).toEqual([{ 'us-east-1': 0, 'us-east-2': 100 }]);
    expect(traffic.lastChangeStatus).toBe('INSYNC');
  });

  it('rejects the next n calls with the injected error, then recovers', async () => {
    const traffic = twin();
    const fault = new PermanentAdapterError('access denied');
    traffic.failNext(2, fault);

    await expect(traffic.activeRegion()).rejects.toBe(fault);
    await expect(traffic.shiftTo('us-east-2')).rejects.toBe(fault);
    await expect(traffic.activeRegion()).resolves.toBe('us-east-1');
  });

  it('retries PriorRequestNotComplete within maxAttempts and shifts', async () => {
    const traffic = twin({ maxAttempts: 3 });
    traffic.priorRequestNotComplete(2);

    await expect(traffic.shiftTo('us-east-2')).resolves.toEqual({ changed: true });
  });

  it('raises a TransientAdapterError caused by PriorRequestNotComplete when it outlasts maxAttempts, changing nothing', async () => {
    const traffic = twin({ maxAttempts: 3 });
    traffic.priorRequestNotComplete(3);

    const error = await traffic.shiftTo('us-east-2').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientAdapterError);
    expect(((error as Error).cause as Error).name).toBe('PriorRequestNotComplete');
    expect(traffic.weightsNow()).toEqual({ 'us-east-1': 100, 'us-east-2': 0 });
  });

  it('waits out a change that is PENDING for fewer polls than it makes', async () => {
    const traffic = twin({ pendingPolls: 3, maxPolls: 4 });

    await expect(traffic.shiftTo('us-east-2')).resolves.toEqual({ changed: true });
    expect(traffic.lastChangeStatus).toBe('INSYNC');
  });

  it('raises a TransientAdapterError for a change still PENDING after maxPolls, with the new weights applied', async () => {
    const traffic = twin({ maxPolls: 4 });
    traffic.setPendingPolls(4);

    await expect(traffic.shiftTo('us-east-2')).rejects.toThrow(TransientAdapterError);
    expect(traffic.lastChangeStatus).toBe('PENDING');
    await expect(traffic.activeRegion()).resolves.toBe('us-east-2');
  });

  it('answers the health set for a region, unknown otherwise', async () => {
    const traffic = twin();
    traffic.setHealth('us-east-2', 'unhealthy');

    await expect(traffic.healthOf('us-east-2')).resolves.toBe('unhealthy');
    await expect(traffic.healthOf('us-east-1')).resolves.toBe('unknown');
  });

  it('reports no active region while an operator has split the weights', async () => {
    const traffic = twin();
    traffic.setWeight('us-east-2', 50);

    await expect(traffic.activeRegion()).resolves.toBeUndefined();
  });
});
