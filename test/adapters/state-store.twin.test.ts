import { PermanentAdapterError, TransientAdapterError } from '../../adapters/errors';
import { InMemoryStateStore } from '../../adapters/state-store/in-memory-state-store.twin';
import { aControllerState, aDecision } from '../contracts/state-store.contract-fixtures';

describe('InMemoryStateStore test hooks', () => {
  it('fails the next n calls with a TransientAdapterError by default, then works again', async () => {
    const twin = new InMemoryStateStore();
    twin.failNext(2);

    await expect(twin.load('payments')).rejects.toBeInstanceOf(TransientAdapterError);
    await expect(twin.save('payments', aControllerState('payments'), undefined)).rejects.toBeInstanceOf(TransientAdapterError);

    await expect(twin.load('payments')).resolves.toBeUndefined();
  });

  it('fails only the named operation, with the given error, and changes nothing', async () => {
    const twin = new InMemoryStateStore();
    twin.seed('payments', aControllerState('payments'), 1);
    const denied = new PermanentAdapterError('access denied (injected)');
    twin.failNext(1, denied, 'save');

    await expect(twin.load('payments')).resolves.toEqual({ state: aControllerState('payments'), version: 1 });
    await expect(twin.save('payments', aControllerState('payments', { generation: 1 }), 1)).rejects.toBe(denied);

    expect(twin.view('payments').stored).toEqual({ state: aControllerState('payments'), version: 1 });
  });

  it('writes part of an append before failing, and a retried append completes it without duplicates', async () => {
    const twin = new InMemoryStateStore();
    const decisions = [1, 2, 3].map((at) => aDecision('payments', at));
    twin.failNextAppendAfter(1);

    await expect(twin.appendDecisions('payments', decisions)).rejects.toBeInstanceOf(TransientAdapterError);
    expect(twin.view('payments').decisions).toEqual([decisions[0]]);

    await twin.appendDecisions('payments', decisions);
    expect(twin.view('payments').decisions).toEqual([...decisions].reverse());
  });

  it('shows stored items in the table layout, with updatedAt and the TTL from its clock', async () => {
    const twin = new InMemoryStateStore({ now: () => 1_700_000_000_500, decisionRetentionDays: 1 });

    await twin.save('payments', aControllerState('payments'), undefined);
    await twin.appendDecisions('payments', [aDecision('payments', 7, 'evt-7')]);

    expect(twin.view('payments').items).toEqual([
      { pk: 'app#payments', sk: 'state', version: 1, state: JSON.stringify(aControllerState('payments')), updatedAt: 1_700_000_000_500 },
      expect.objectContaining({ pk: 'app#payments', sk: 'decision#000000000000007#evt-7#none#000', expiresAt: 1_700_000_000 + 86_400 }),
    ]);
  });

  it('records every call in order', async () => {
    const twin = new InMemoryStateStore();

    await twin.load('payments');
    await twin.save('payments', aControllerState('payments'), undefined);
    await twin.recentDecisions('payments', 1);

    expect(twin.calls).toEqual([
      { operation: 'load', app: 'payments' },
      { operation: 'save', app: 'payments' },
      { operation: 'recentDecisions', app: 'payments' },
    ]);
  });
});
