 
import type { ControllerState } from '../../domain/state';
import type { Decision } from '../../domain/decision';
import type { StateExpectations, StateStore } from '../../domain/ports/state-store.port';
import { PermanentAdapterError } from '../../adapters/errors';
import { StateUnreadableError } from '../../adapters/state-store/state-unreadable.error';
import { aControllerState, aDecision, aFullControllerState, aHaltedControllerState } from './state-store.contract-fixtures';

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
 * `setup` gives each test a fresh, empty store (checking loaded states against `expectations` when given).
 */
export function stateStoreContract(implementation: string, setup: (expectations?: StateExpectations) => Promise<StateStoreFixture>): void {
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

    it.each([
      ['in flight', aFullControllerState('payments')],
      ['halted', aHaltedControllerState('payments')],
    ])(`round-trips a state %s with every optional field it may have present (${implementation})`, async (_phase, state) => {
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

    const item = (state: unknown, version: unknown = 4) => ({ version, state: JSON.stringify(state), updatedAt: 0 });
    const valid = aControllerState('payments', { generation: 2, recentRequests: ['r-1'] });
    it.each([
      ['version', { version: 'seven', state: JSON.stringify(valid), updatedAt: 0 }, /attribute version must be a positive integer/, undefined],
      ['state', { version: 4, state: '{not json', updatedAt: 0 }, /attribute state is not valid JSON/, 4],
      ['state.phase', item({ ...valid, phase: 'sleeping' }), /attribute state\.phase/, 4],
      ['state.app', item(aControllerState('orders')), /attribute state\.app/, 4],
      ['an unsafe generation', item({ ...valid, generation: 2 ** 53 }), /attribute state\.generation/, 4],
      ['a negative generation', item({ ...valid, generation: -1 }), /attribute state\.generation/, 4],
      ['halted without a halt record', item({ ...valid, phase: 'halted' }), /inconsistent: phase is 'halted' but no halt is recorded/, 4],
      ['a halt record while steady', item({ ...valid, halted: aHaltedControllerState('payments').halted }), /inconsistent: a halt is recorded but phase is 'steady'/, 4],
      ['failing over without a failover', item({ ...valid, phase: 'failing-over' }), /inconsistent: phase is 'failing-over' but no failover is in flight/, 4],
      ['a failover while steady', item({ ...aFullControllerState('payments'), phase: 'steady' }), /inconsistent: a failover is in flight but phase is 'steady'/, 4],
      ['a failover of another generation', item({ ...aFullControllerState('payments'), generation: 9 }), /failover in flight is generation 3 but the state's generation is 9/, 4],
    ])(`reports a state item with %s as unreadable, with the reason, the stored version and what can be salvaged (${implementation})`, async (_what, attributes, message, version) => {
      await f.seedItem('payments', attributes);

      const error = await f.store.load('payments').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(StateUnreadableError);
      expect(error).toBeInstanceOf(PermanentAdapterError);
      const { unreadable } = error as StateUnreadableError;
      expect(unreadable.reason).toMatch(message);
      expect(unreadable.version).toBe(version);
      expect((error as Error).message).toMatch(message);
    });

    it(`salvages the well-formed active region, generation and request ids of an unreadable state (${implementation})`, async () => {
      await f.seedItem('payments', item({ ...valid, active: 'us-east-2', phase: 'halted' }, 7));

      const error = (await f.store.load('payments').catch((e: unknown) => e)) as StateUnreadableError;

      expect(error.unreadable).toEqual({ reason: expect.stringMatching(/phase is 'halted'/), version: 7, salvage: { active: 'us-east-2', generation: 2, recentRequests: ['r-1'] } });
    });

    it.each([
      ['an active region not configured', { active: 'eu-west-1' }, /active region eu-west-1 is not one of the configured regions \[us-east-1, us-east-2\]/],
      ['a signal not configured', { signals: { 'us-east-1-api-5xx': { state: 'OK', since: 0, lastAt: 0 }, 'forged-alarm': { state: 'ALARM', since: 0, lastAt: 0 } } }, /signal forged-alarm is not configured/],
      ['a heartbeat of a region not configured', { heartbeats: { 'eu-west-1': 0 } }, /heartbeat of eu-west-1, not a configured region/],
    ])(`reports a state with %s as unreadable when given the configuration (${implementation})`, async (_what, fields, message) => {
      const configured = await setup({ regions: ['us-east-1', 'us-east-2'], signalNames: ['us-east-1-api-5xx'] });
      await configured.seed('payments', aControllerState('payments', fields as Partial<ControllerState>), 3);

      const error = await configured.store.load('payments').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(StateUnreadableError);
      expect((error as StateUnreadableError).unreadable).toMatchObject({ reason: expect.stringMatching(message), version: 3 });
    });

    it(`refuses to save an inconsistent state, naming the inconsistency, and writes nothing (${implementation})`, async () => {
      const error = await f.store.save('payments', aControllerState('payments', { phase: 'halted' }), undefined, [aDecision('payments', 1_000)]).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PermanentAdapterError);
      expect((error as Error).message).toMatch(/save: state is inconsistent: phase is 'halted' but no halt is recorded/);
      await expect(f.store.load('payments')).resolves.toBeUndefined();
      await expect(f.store.recentDecisions('payments', 10)).resolves.toEqual([]);
    });

    it(`refuses a decision whose event id makes a sort key over 1024 bytes, naming the limit, and writes nothing (${implementation})`, async () => {
      const long = aDecision('payments', 1_000, 'e'.repeat(1_000));

      const saving = await f.store.save('payments', aControllerState('payments'), undefined, [long]).catch((e: unknown) => e);
      const appending = await f.store.appendDecisions('payments', [long]).catch((e: unknown) => e);

      for (const error of [saving, appending]) {
        expect(error).toBeInstanceOf(PermanentAdapterError);
        expect((error as Error).message).toMatch(/sort keys are at most 1024 bytes/);
      }
      await expect(f.store.load('payments')).resolves.toBeUndefined();
      await expect(f.store.recentDecisions('payments', 10)).resolves.toEqual([]);
    });

    it(`writes the decisions of a save together with the state (${implementation})`, async () => {
      const next = aFullControllerState('payments');
      const decision = aDecision('payments', 2_000, 'evt-tick', { phase: 'failing-over', reason: 'us-east-1 down' });

      const result = await f.store.save('payments', next, undefined, [decision]);

      expect(result).toEqual({ type: 'saved', version: 1 });
      await expect(f.store.load('payments')).resolves.toEqual({ state: next, version: 1 });
      await expect(f.store.recentDecisions('payments', 10)).resolves.toEqual([decision]);
    });

    it(`writes neither the state nor the decisions of a save that conflicts (${implementation})`, async () => {
      const stored = aControllerState('payments', { generation: 2 });
      await f.seed('payments', stored, 3);

      const result = await f.store.save('payments', aControllerState('payments', { generation: 9 }), 2, [aDecision('payments', 3_000)]);

      expect(result).toEqual({ type: 'conflict' });
      await expect(f.store.load('payments')).resolves.toEqual({ state: stored, version: 3 });
      await expect(f.store.recentDecisions('payments', 10)).resolves.toEqual([]);
    });

    it(`writes neither the state nor any decision when one decision is unusable (${implementation})`, async () => {
      const error = await f.store
        .save('payments', aControllerState('payments'), undefined, [aDecision('payments', 1_000), aDecision('orders', 1_000)])
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PermanentAdapterError);
      await expect(f.store.load('payments')).resolves.toBeUndefined();
      await expect(f.store.recentDecisions('payments', 10)).resolves.toEqual([]);
    });

    it(`refuses more decisions than one transaction holds, naming the limit, and writes nothing (${implementation})`, async () => {
      const decisions = Array.from({ length: 100 }, (_, i) => aDecision('payments', 1_000 + i));

      const error = await f.store.save('payments', aControllerState('payments'), undefined, decisions).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PermanentAdapterError);
      expect((error as Error).message).toMatch(/at most 100/);
      await expect(f.store.load('payments')).resolves.toBeUndefined();
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
