import { PermanentAdapterError, TransientAdapterError } from '../../adapters/errors';
import { InMemoryConfigStore } from '../../adapters/config-store/in-memory-config-store.twin';

describe('InMemoryConfigStore test hooks', () => {
  it('fails every call in an unreachable region transiently, leaves other regions working, and recovers', async () => {
    const twin = new InMemoryConfigStore();
    twin.seed('us-east-1', { activeRegion: 'us-east-1', fenced: false });
    twin.setReachable('us-east-1', false);

    await expect(twin.read('us-east-1')).rejects.toBeInstanceOf(TransientAdapterError);
    await expect(twin.write('us-east-1', { fenced: true })).rejects.toBeInstanceOf(TransientAdapterError);
    await expect(twin.write('us-east-2', { activeRegion: 'us-east-2' })).resolves.toEqual({ changed: ['activeRegion'] });

    twin.setReachable('us-east-1', true);
    await expect(twin.read('us-east-1')).resolves.toStrictEqual({ activeRegion: 'us-east-1', fenced: false });
  });

  it('fails the next n calls in one region with the given error', async () => {
    const twin = new InMemoryConfigStore();
    const denied = new PermanentAdapterError('access denied (injected)');
    twin.failNext(1, denied, { region: 'us-east-2' });

    await expect(twin.read('us-east-1')).resolves.toStrictEqual({});
    await expect(twin.read('us-east-2')).rejects.toBe(denied);
    await expect(twin.read('us-east-2')).resolves.toStrictEqual({});
  });

  it('fails a write between its parameter puts, leaving the first one written (a partial write)', async () => {
    const twin = new InMemoryConfigStore();
    twin.failNext(1, undefined, { operation: 'put', skip: 1 });

    await expect(twin.write('us-east-1', { activeRegion: 'us-east-2', fenced: true })).rejects.toBeInstanceOf(TransientAdapterError);
    expect(twin.raw('us-east-1')).toEqual({ activeRegion: 'us-east-2' });

    await expect(twin.write('us-east-1', { activeRegion: 'us-east-2', fenced: true })).resolves.toEqual({ changed: ['fenced'] });
  });

  it('records reads, writes and each parameter put, and counts versions like Parameter Store', async () => {
    const twin = new InMemoryConfigStore();
    twin.seed('us-east-1', { fenced: false });

    await twin.write('us-east-1', { activeRegion: 'us-east-2', fenced: true });

    expect(twin.calls).toEqual([
      { operation: 'write', region: 'us-east-1' },
      { operation: 'put', region: 'us-east-1', key: 'activeRegion' },
      { operation: 'put', region: 'us-east-1', key: 'fenced' },
    ]);
    expect(twin.versions('us-east-1')).toEqual({ activeRegion: 1, fenced: 2 });
  });
});
