 
import type { ControllerState } from '../../domain/state';
import type { Decision } from '../../domain/decision';
import type { StateStore } from '../../domain/ports/state-store.port';
import { PermanentAdapterError } from '../../adapters/errors';
import { aControllerState, aDecision, aFullControllerState } from './state-store.contract-fixtures';

/** What the contract needs of an implementation under test, plus ways to arrange stored data. */
export interface StateStoreFixture {
  readonly store: StateStore;
  /** Store `state` as the item a save at `version` would have written (twin: its seed API; AWS: PutItem). */
  seed(app: string, state: ControllerState, version: number): Promise<void>;
  /** Store raw state-item attributes next to the item's key, e.g. a corrupt item. */
  seedItem(app: string, attributes: Record<string, unknown>): Promise<void>;
}

/**
 * The one behaviour every StateStore must show. Registers jest tests named after `implementation`;
 * `setup` gives each test a fresh, empty store.
 */
export function stateStoreContract(implementation: string, setup: () => Promise<StateStoreFixture>): void {
  describe(`StateStore contract: ${implementation}`, () => {
    let f: StateStoreFixture;
    beforeEach(async () => {
      f = await setup();
    });

    it(`returns undefined when loading an app never saved (${implementation})`, async () => {
      await expect(f.store.load('payments')).resolves.toBeUndefined();
    });

    it(`saves the first state as version 1 when expectedVersion is undefined (${implementation})`, async () => {
      const state = aControllerState('payments');

      const result = await f.store.save('payments', state, undefined);

      expect(result).toEqual({ type: 'saved', version: 1 });
      await expect(f.store.load('payments')).resolves.toEqual({ state, version: 1 });
    });

    it(`saves version n+1 when expectedVersion is the stored version (${implementation})`, async () => {
      await f.seed('payments', aControllerState('payments'), 7);
      const next = aControllerState('payments', { generation: 1 });

      const result = await f.store.save('payments', next, 7);

      expect(result).toEqual({ type: 'saved', version: 8 });
      await expect(f.store.load('payments')).resolves.toEqual({ state: next, version: 8 });
    });

    it(`reports a conflict and keeps the stored state when expectedVersion is stale (${implementation})`, async () => {
      const stored = aControllerState('payments', { generation: 2 });
      await f.seed('payments', stored, 3);

      const result = await f.store.save('payments', aControllerState('payments', { generation: 9 }), 2);

      expect(result).toEqual({ type: 'conflict' });
      await expect(f.store.load('payments')).resolves.toEqual({ state: stored, version: 3 });
    });

    it(`reports a conflict when expectedVersion is undefined but a state is stored (${implementation})`, async () => {
      const stored = aControllerState('payments');
      await f.seed('payments', stored, 1);

      const result = await f.store.save('payments', aControllerState('payments', { generation: 5 }), undefined);

      expect(result).toEqual({ type: 'conflict' });
      await expect(f.store.load('payments')).resolves.toEqual({ state: stored, version: 1 });
    });

    it(`reports a conflict when expectedVersion is given but nothing is stored (${implementation})`, async () => {
      const result = await f.store.save('payments', aControllerState('payments'), 1);

      expect(result).toEqual({ type: 'conflict' });
      await expect(f.store.load('payments')).resolves.toBeUndefined();
    });

    it(`lets exactly one of two concurrent writers with the same expected version win (${implementation})`, async () => {
      await f.seed('payments', aControllerState('payments'), 1);
      const a = aControllerState('payments', { generation: 1, active: 'us-east-2' });
      const b = aControllerState('payments', { generation: 1, active: 'eu-west-1' });

      const [ra, rb] = await Promise.all([f.store.save('payments', a, 1), f.store.save('payments', b, 1)]);

      expect([ra.type, rb.type].sort()).toEqual(['conflict', 'saved']);
      const winner = ra.type === 'saved' ? a : b;
      await expect(f.store.load('payments')).resolves.toEqual({ state: winner, version: 2 });
    });

    it(`round-trips a state with every optional field present (${implementation})`, async () => {
      const state = aFullControllerState('payments');

      await f.store.save('payments', state, undefined);

      await expect(f.store.load('payments')).resolves.toStrictEqual({ state, version: 1 });
    });

    it(`round-trips a state whose optional fields are absent or explicitly undefined (${implementation})`, async () => {
      const state: ControllerState = { ...aControllerState('payments'), inFlight: undefined, frozen: undefined, cooldownUntil: undefined };

      await f.store.save('payments', state, undefined);

      const loaded = await f.store.load('payments');
      expect(loaded).toStrictEqual({ state: aControllerState('payments'), version: 1 });
    });

    it(`hands out copies, so callers cannot change what is stored (${implementation})`, async () => {
      const state = aFullControllerState('payments');
      await f.store.save('payments', state, undefined);
      const loaded = await f.store.load('payments');

      (state.recentRequests as string[]).push('mutated-after-save');
      (loaded?.state.autoFailovers as number[] | undefined)?.push(1);

      await expect(f.store.load('payments')).resolves.toEqual({ state: aFullControllerState('payments'), version: 1 });
    });

    it(`keeps each app's state apart (${implementation})`, async () => {
      await f.store.save('payments', aControllerState('payments'), undefined);

      await expect(f.store.load('orders')).resolves.toBeUndefined();
      await expect(f.store.save('orders', aControllerState('orders'), undefined)).resolves.toEqual({ type: 'saved', version: 1 });
    });

    it(`rejects a state saved under another app's name, naming state.app (${implementation})`, async () => {
      await expect(f.store.save('payments', aControllerState('orders'), undefined)).rejects.toThrow(/state\.app/);
      await expect(f.store.load('payments')).resolves.toBeUndefined();
    });

    it(`rejects an expectedVersion that is not a positive integer, naming it (${implementation})`, async () => {
      const error = await f.store.save('payments', aControllerState('payments'), 0).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PermanentAdapterError);
      expect((error as Error).message).toMatch(/expectedVersion/);
    });

    it.each([
      ['version', { version: 'seven', state: JSON.stringify(aControllerState('payments')), updatedAt: 0 }, /attribute version/],
      ['state', { version: 1, state: '{not json', updatedAt: 0 }, /attribute state is not valid JSON/],
      ['state.phase', { version: 1, state: JSON.stringify({ ...aControllerState('payments'), phase: 'sleeping' }), updatedAt: 0 }, /attribute state\.phase/],
      ['state.app', { version: 1, state: JSON.stringify(aControllerState('orders')), updatedAt: 0 }, /attribute state\.app/],
    ])(`rejects a corrupt state item with a PermanentAdapterError naming %s (${implementation})`, async (_attribute, attributes, message) => {
      await f.seedItem('payments', attributes);

      const error = await f.store.load('payments').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PermanentAdapterError);
      expect((error as Error).message).toMatch(message);
    });

    it(`returns no decisions for an app without any (${implementation})`, async () => {
      await expect(f.store.recentDecisions('payments', 10)).resolves.toEqual([]);
    });

    it(`returns appended decisions newest first, limited (${implementation})`, async () => {
      const decisions = [1_000, 3_000, 2_000, 5_000, 4_000].map((at) => aDecision('payments', at));
      await f.store.appendDecisions('payments', decisions);
      await f.store.appendDecisions('orders', [aDecision('orders', 9_000)]);

      const recent = await f.store.recentDecisions('payments', 3);

      expect(recent.map((d) => d.at)).toEqual([5_000, 4_000, 3_000]);
      expect(recent[0]).toEqual(decisions[3]);
    });

    it(`round-trips every field of a decision, including a start-failover with its request (${implementation})`, async () => {
      const start = aDecision('payments', 7_000, 'evt-alarm', {
        action: 'start-failover',
        target: 'us-east-2',
        generation: 4,
        executionName: 'payments-failover-g4',
        dryRun: false,
        request: {
          app: 'payments', generation: 4, executionName: 'payments-failover-g4', from: 'us-east-1', target: 'us-east-2',
          mode: 'auto', allowDataLoss: false, requestedBy: 'controller', reason: 'quorum held 60 s', requestedAt: 7_000, detectedAt: 6_000,
        },
      } as Partial<Decision>);

      await f.store.appendDecisions('payments', [start]);

      await expect(f.store.recentDecisions('payments', 1)).resolves.toStrictEqual([start]);
    });

    it(`does not duplicate decisions appended twice, and keeps two decisions of one event at one time (${implementation})`, async () => {
      const first = aDecision('payments', 5_000, 'evt-1', { action: 'completed', generation: 1, target: 'us-east-2' } as Partial<Decision>);
      const second = aDecision('payments', 5_000, 'evt-1', { reason: 'second decision of the same event' });

      await f.store.appendDecisions('payments', [first, second]);
      await f.store.appendDecisions('payments', [first, second]);

      const recent = await f.store.recentDecisions('payments', 10);
      expect(recent).toHaveLength(2);
      expect(recent).toEqual(expect.arrayContaining([first, second]));
    });

    it(`appends more decisions than one batch holds (${implementation})`, async () => {
      const decisions = Array.from({ length: 30 }, (_, i) => aDecision('payments', 10_000 + i));

      await f.store.appendDecisions('payments', decisions);

      const recent = await f.store.recentDecisions('payments', 100);
      expect(recent.map((d) => d.at)).toEqual(decisions.map((d) => d.at).reverse());
    });

    it(`accepts an empty append (${implementation})`, async () => {
      await f.store.appendDecisions('payments', []);

      await expect(f.store.recentDecisions('payments', 1)).resolves.toEqual([]);
    });

    it(`rejects a limit that is not a positive integer, naming limit (${implementation})`, async () => {
      await expect(f.store.recentDecisions('payments', 0)).rejects.toThrow(/limit must be a positive integer/);
    });
  });
}
