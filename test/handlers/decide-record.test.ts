import { InMemoryAlarmStates } from '../../adapters/alarm-states/in-memory-alarm-states.twin';
import { InMemoryDeadLetters } from '../../adapters/dead-letters/in-memory-dead-letters.twin';
import { PermanentAdapterError, TransientAdapterError } from '../../adapters/errors';
import { InMemoryPublisher } from '../../adapters/publisher/in-memory-publisher.twin';
import { InMemoryStateStore } from '../../adapters/state-store/in-memory-state-store.twin';
import { InMemoryWakeUps } from '../../adapters/wake-ups/in-memory-wake-ups.twin';
import { InMemoryWorkflow } from '../../adapters/workflow/in-memory-workflow.twin';
import { initialState } from '../../domain/decide';
import type { Decision } from '../../domain/decision';
import type { StateStore } from '../../domain/ports/state-store.port';
import { decideRecord, DEFAULT_MAX_TRANSIENT_ATTEMPTS, MAX_CAS_ATTEMPTS, StateConflictError, type DecideDeps, type DecidePathMetric } from '../../handlers/decide/decide-record';
import { testConfig } from '../domain/fixtures';
import { alarmEvent, overrideEvent, sfnEvent, tickEvent } from './raw-events';

const config = testConfig();
const T = Date.UTC(2026, 10, 26, 3, 0, 0);

/** The production decide path on twins: state store, workflow, publisher, dead letters, alarm states and wake-ups. */
function harness(overrides: Partial<DecideDeps> = {}) {
  let clock = T;
  const now = () => clock;
  const stateStore = new InMemoryStateStore({ now });
  const workflow = new InMemoryWorkflow({ now });
  const publisher = new InMemoryPublisher();
  const deadLetters = new InMemoryDeadLetters();
  const alarmStates = new InMemoryAlarmStates({ now });
  const wakeUps = new InMemoryWakeUps();
  const logged: { level: string; message: string; extra?: Record<string, unknown> }[] = [];
  const metrics: { name: DecidePathMetric; value: number }[] = [];
  const decided: Decision[] = [];
  const deps: DecideDeps = {
    config,
    stateStore,
    workflow,
    publisher,
    deadLetters,
    alarmStates,
    wakeUps,
    controllerRegion: 'us-east-2',
    now,
    log: {
      info: (message, extra) => logged.push({ level: 'info', message, extra }),
      warn: (message, extra) => logged.push({ level: 'warn', message, extra }),
      error: (message, extra) => logged.push({ level: 'error', message, extra }),
    },
    metric: (name, value) => metrics.push({ name, value }),
    observe: (decision) => decided.push(decision),
    sleep: async () => undefined,
    ...overrides,
  };
  let n = 0;
  const send = (body: unknown) => decideRecord(typeof body === 'string' ? body : JSON.stringify(body), `msg-${++n}`, deps);
  const view = () => stateStore.view('payments');
  const tickAt = (t: number) => {
    clock = t;
    return send(tickEvent(t));
  };
  /** The decision made last, in the order the decide path made them. */
  const latest = () => decided.at(-1);
  return { deps, stateStore, workflow, publisher, deadLetters, alarmStates, wakeUps, logged, metrics, decided, latest, send, view, tickAt, setClock: (t: number) => (clock = t) };
}
type Harness = ReturnType<typeof harness>;

/** us-east-1's api-5xx and health check in ALARM at T, then a tick after the sustain period. */
async function outage(h: Harness) {
  await h.send(alarmEvent('us-east-1-api-5xx', 'ALARM', T));
  await h.send(alarmEvent('us-east-1-health', 'ALARM', T));
  return h.tickAt(T + 61_000);
}

/** Name of the failover execution the state has in flight. */
function inFlightName(h: Harness): string {
  const name = h.view().stored?.state.inFlight?.executionName;
  if (name === undefined) throw new Error('test setup: no failover in flight');
  return name;
}

const actions = (h: Harness) => h.decided.map((d) => d.action);
const detailTypes = (h: Harness) => h.publisher.published.map((p) => p.detailType);

describe('decideRecord', () => {
  it('decides, saves, audits, starts the workflow, confirms it running and publishes for a real alarm payload', async () => {
    const h = harness();

    const out = await outage(h);

    expect(out).toMatchObject({ type: 'decided', decision: { action: 'start-failover', target: 'us-east-2', generation: 1 } });
    expect(h.view().stored?.state).toMatchObject({ phase: 'failing-over', inFlight: { confirmedAt: T + 61_000 } });
    expect(h.workflow.starts).toEqual([expect.objectContaining({ executionName: inFlightName(h), from: 'us-east-1', target: 'us-east-2' })]);
    expect(actions(h)).toEqual(['none', 'none', 'start-failover', 'none']);
    expect(detailTypes(h)).toEqual(['DR Decision', 'DR Decision', 'DR Decision', 'DR Decision', 'DR Failover Started']);
  });

  it('changes nothing for a duplicate delivery, and says so in the audit log', async () => {
    const h = harness();
    const body = alarmEvent('us-east-1-api-5xx', 'ALARM', T);
    await h.send(body);
    const before = h.view().stored;

    const out = await h.send(body);

    expect(out).toMatchObject({ type: 'decided', decision: { action: 'ignored' } });
    expect(h.view().stored).toEqual(before);
    expect(h.view().decisions.map((d) => d.action).sort()).toEqual(['ignored', 'none']);
    expect(h.view().decisions.find((d) => d.action === 'ignored')!.reason).toMatch(/^duplicate/);
  });

  it.each([
    ['not JSON', '{"truncated', /not JSON/],
    ['not an event', { hello: 'world' }, /id/],
    ['a bad alarm state', alarmEvent('us-east-1-api-5xx', 'BROKEN' as 'OK', T), /detail\.state\.value/],
  ])('sends %s to the dead-letter queue with the reason and acknowledges it', async (_name, body, reason) => {
    const h = harness();

    const out = await h.send(body);

    expect(out).toMatchObject({ type: 'rejected', reason: expect.stringMatching(reason) });
    expect(h.deadLetters.letters).toEqual([expect.objectContaining({ reason: expect.stringMatching(reason), sourceId: 'msg-1' })]);
    expect(h.view().stored).toBeUndefined();
  });

  it('ignores valid events that are not for the controller without dead-lettering them', async () => {
    const h = harness();

    const out = await h.send(sfnEvent('payments-failover-g1', 'RUNNING', T));

    expect(out.type).toBe('ignored');
    expect(h.deadLetters.letters).toHaveLength(0);
  });

  it('completes the failover from the Step Functions status change', async () => {
    const h = harness();
    await outage(h);
    h.workflow.finish(inFlightName(h));

    const out = await h.send(sfnEvent(inFlightName(h), 'SUCCEEDED', T + 200_000, { recoverySeconds: 190 }));

    expect(out).toMatchObject({ decision: { action: 'completed', active: 'us-east-2', recoverySeconds: 190 } });
  });

  it('stops the running workflow on an abort override and follows it to its end', async () => {
    const h = harness();
    await outage(h);
    const name = inFlightName(h);

    const out = await h.send(overrideEvent({ action: 'abort', requestId: 'r-1', operator: 'alice', reason: 'wrong call' }, T + 70_000));

    expect(out).toMatchObject({ decision: { action: 'abort' } });
    expect(h.workflow.executions[0]).toMatchObject({ name, status: 'ABORTED', stopCause: expect.stringMatching(/wrong call/) });
    expect(h.view().stored?.state.inFlight).toBeUndefined();
  });

  it('decides again on the fresh state when another writer saved first', async () => {
    const inner = new InMemoryStateStore();
    let raced = false;
    const racing: StateStore = {
      load: (app) => inner.load(app),
      appendDecisions: (app, d) => inner.appendDecisions(app, d),
      recentDecisions: (app, l) => inner.recentDecisions(app, l),
      async save(app, state, expected, decisions) {
        if (!raced) {
          raced = true;
          await inner.save(app, { ...initialState(config), frozen: { operator: 'bob', reason: 'other writer' } }, expected);
          return { type: 'conflict' };
        }
        return inner.save(app, state, expected, decisions);
      },
    };
    const h = harness({ stateStore: racing });

    await h.send(alarmEvent('us-east-1-api-5xx', 'ALARM', T));

    // Both writes survive: bob's freeze, and our alarm decided again on top of it.
    expect(await inner.load('payments')).toMatchObject({
      version: 2,
      state: { frozen: { operator: 'bob' }, signals: { 'us-east-1-api-5xx': { state: 'ALARM' } } },
    });
  });

  it('gives the record back to SQS after repeated compare-and-set conflicts', async () => {
    const always: StateStore = {
      load: async () => undefined,
      save: async () => ({ type: 'conflict' }),
      appendDecisions: async () => undefined,
      recentDecisions: async () => [],
    };
    const h = harness({ stateStore: always });

    await expect(h.send(alarmEvent('us-east-1-api-5xx', 'ALARM', T))).rejects.toBeInstanceOf(StateConflictError);
    expect(h.logged.filter((l) => l.message.startsWith('state changed under us'))).toHaveLength(MAX_CAS_ATTEMPTS);
  });

  it('logs a publish failure instead of failing the record: the decision is in the audit log', async () => {
    const h = harness();
    h.publisher.failNext(5);

    const out = await h.send(alarmEvent('us-east-1-api-5xx', 'ALARM', T));

    expect(out.type).toBe('decided');
    expect(h.view().decisions).toHaveLength(1);
    expect(h.logged).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringMatching(/could not publish/) }));
  });
});

describe('decideRecord: the controller converges (issue 14)', () => {
  it('recovers a lost SUCCEEDED status-change event on the next tick and completes the failover', async () => {
    const h = harness();
    await outage(h);
    h.setClock(T + 250_000);
    h.workflow.finish(inFlightName(h), 'SUCCEEDED', { output: { recoverySeconds: 240 } });

    const out = await h.tickAt(T + 300_000);

    expect(out.type).toBe('decided');
    expect(h.view().stored?.state).toMatchObject({ phase: 'steady', active: 'us-east-2' });
    expect(h.latest()).toMatchObject({ action: 'completed', active: 'us-east-2', recoverySeconds: 240 });
    expect(h.workflow.executions).toHaveLength(1);
  });

  it('recovers a lost FAILED status-change event on the next tick and halts with the run error and cause', async () => {
    const h = harness();
    await outage(h);
    h.workflow.finish(inFlightName(h), 'FAILED', { error: 'WriterNotPromoted', cause: 'us-east-2 still reader after 20 polls' });

    await h.tickAt(T + 300_000);

    expect(h.view().stored?.state).toMatchObject({ phase: 'halted', active: 'us-east-1' });
    expect(h.latest()).toMatchObject({ action: 'halted', reason: expect.stringMatching(/WriterNotPromoted: us-east-2 still reader/) });
  });

  it('turns a permanent StartExecution error into a halted decision and does not throw the record back', async () => {
    const h = harness();
    h.workflow.failNext(1, new PermanentAdapterError('sfn StartExecution failed (StateMachineDoesNotExist: State Machine Does Not Exist)'), 'start');

    const out = await outage(h);

    expect(out).toMatchObject({ type: 'decided', decision: { action: 'start-failover' } });
    expect(h.view().stored?.state).toMatchObject({ phase: 'halted', active: 'us-east-1' });
    expect(h.view().stored?.state.inFlight).toBeUndefined();
    expect(h.latest()).toMatchObject({ action: 'halted', reason: expect.stringMatching(/StateMachineDoesNotExist/) });
    expect(detailTypes(h)).not.toContain('DR Failover Started');
  });

  it('counts Halted when it halts and on every tick while halted, so the halted alarm lasts as long as the halt', async () => {
    const h = harness();
    h.workflow.failNext(1, new PermanentAdapterError('sfn StartExecution failed (StateMachineDoesNotExist: State Machine Does Not Exist)'), 'start');
    const halted = () => h.metrics.filter((m) => m.name === 'Halted');

    await outage(h);
    expect(halted()).toEqual([{ name: 'Halted', value: 1 }]);
    await h.tickAt(T + 121_000);
    await h.tickAt(T + 181_000);

    expect(h.view().stored?.state.phase).toBe('halted');
    expect(halted()).toEqual([1, 1, 1].map((value) => ({ name: 'Halted', value })));
  });

  it('decides a transient StartExecution error, and the next tick starts the run that was never sent', async () => {
    const h = harness();
    h.workflow.failNext(1, new TransientAdapterError('sfn StartExecution failed transiently (ThrottlingException)'), 'start');

    await expect(outage(h)).resolves.toMatchObject({ type: 'decided' });
    expect(h.view().stored?.state).toMatchObject({ phase: 'failing-over', inFlight: { actionFailures: 1 } });
    expect(h.workflow.executions).toHaveLength(0);
    expect(detailTypes(h)).not.toContain('DR Failover Started');

    await h.tickAt(T + 121_000);

    expect(h.workflow.starts).toEqual([expect.objectContaining({ executionName: inFlightName(h), requestedAt: T + 61_000 })]);
    expect(h.view().stored?.state.inFlight?.confirmedAt).toBe(T + 121_000);
    expect(detailTypes(h).filter((t) => t === 'DR Failover Started')).toHaveLength(1);
  });

  it('halts when the execution name is taken by another execution with another input', async () => {
    const h = harness();
    await h.send(alarmEvent('us-east-1-api-5xx', 'ALARM', T));
    await h.send(alarmEvent('us-east-1-health', 'ALARM', T));
    // A run of a restored state's generation 1 already holds the name this failover will get.
    const taken = `payments-failover-g1-${(T + 61_000) / 1000}`;
    await h.workflow.start({ app: 'payments', generation: 1, executionName: taken, from: 'us-east-1', target: 'us-east-2', mode: 'manual', allowDataLoss: false, requestedBy: 'bob', reason: 'before the restore', requestedAt: T - 86_400_000 });

    await h.tickAt(T + 61_000);

    expect(h.view().stored?.state.phase).toBe('halted');
    expect(h.latest()).toMatchObject({ action: 'halted', reason: expect.stringMatching(/taken by another execution/) });
  });

  it('follows the real outcome when StopExecution fails and the run then finishes', async () => {
    const h = harness();
    await outage(h);
    const name = inFlightName(h);
    h.workflow.failNext(1, new PermanentAdapterError('sfn StopExecution failed (AccessDeniedException: not authorized)'), 'stop');

    await h.send(overrideEvent({ action: 'abort', requestId: 'r-1', operator: 'alice', reason: 'wrong call' }, T + 70_000));

    expect(h.view().stored?.state).toMatchObject({ phase: 'failing-over', inFlight: { abortRequested: true } });
    expect(h.latest()).toMatchObject({ action: 'none', reason: expect.stringMatching(/AccessDeniedException/) });

    h.workflow.finish(name, 'SUCCEEDED');
    await h.tickAt(T + 120_000);

    expect(h.view().stored?.state).toMatchObject({ phase: 'steady', active: 'us-east-2' });
    expect(h.latest()).toMatchObject({ action: 'completed', active: 'us-east-2' });
  });

  it('saves the state and its audit record in one write, and a failing write changes neither', async () => {
    const h = harness();
    h.stateStore.failNext(DEFAULT_MAX_TRANSIENT_ATTEMPTS, new TransientAdapterError('dynamodb TransactWriteItems failed transiently (TransactionConflict)'), 'save');

    await expect(h.send(alarmEvent('us-east-1-api-5xx', 'ALARM', T))).rejects.toThrow(/TransactionConflict/);
    expect(h.view().stored).toBeUndefined();
    expect(h.view().decisions).toEqual([]);

    await h.send(alarmEvent('us-east-1-api-5xx', 'ALARM', T));

    expect(h.view().stored?.state.signals['us-east-1-api-5xx']).toMatchObject({ state: 'ALARM' });
    expect(h.view().decisions).toHaveLength(1);
    expect(h.stateStore.calls.map((c) => c.operation)).not.toContain('appendDecisions');
  });

  it('publishes "DR Failover Started" once, when the run is first confirmed running', async () => {
    const h = harness();
    await outage(h);
    await h.tickAt(T + 121_000);
    await h.tickAt(T + 181_000);

    const started = h.publisher.published.filter((p) => p.detailType === 'DR Failover Started');
    expect(started).toEqual([{ detailType: 'DR Failover Started', detail: expect.objectContaining({ executionName: inFlightName(h), target: 'us-east-2', confirmedAt: T + 61_000 }) }]);
  });

  it('counts ticks and the seconds a failover has been in flight', async () => {
    const h = harness();
    await outage(h);

    await h.tickAt(T + 181_000);

    expect(h.metrics.filter((m) => m.name === 'Ticks')).toHaveLength(2);
    expect(h.metrics.filter((m) => m.name === 'FailoverInFlightSeconds').map((m) => m.value)).toEqual([0, 120]);
  });

  it('keeps a tick going when DescribeExecution fails, and counts the failure', async () => {
    const h = harness();
    await outage(h);
    h.workflow.failNext(1, new TransientAdapterError('sfn DescribeExecution failed transiently'), 'describe');

    await expect(h.tickAt(T + 121_000)).resolves.toMatchObject({ type: 'decided' });
    expect(h.metrics).toContainEqual({ name: 'ReconcileFailures', value: 1 });
  });
});

describe('decideRecord: evidence that survives a lost event (issue 9)', () => {
  it("recovers alarm changes whose events were lost from a tick's DescribeAlarms, and fails over on them", async () => {
    const h = harness();
    h.alarmStates.set('us-east-1', 'us-east-1-api-5xx', 'ALARM', T, 'threshold crossed');
    h.alarmStates.set('us-east-1', 'us-east-1-health', 'ALARM', T);

    await h.tickAt(T + 5_000);

    expect(h.view().stored?.state.signals).toMatchObject({
      'us-east-1-api-5xx': { state: 'ALARM', since: T },
      'us-east-1-health': { state: 'ALARM', since: T },
    });
    expect(h.view().decisions.map((d) => d.eventId)).toEqual(expect.arrayContaining([`reconcile:us-east-1-api-5xx:${T}`, `reconcile:us-east-1-health:${T}`]));

    await h.tickAt(T + 61_000);

    expect(h.view().stored?.state.phase).toBe('failing-over');
  });

  it('reads each alarm in the region that evaluates it: workload alarms in theirs, health checks in us-east-1, no heartbeat', async () => {
    const h = harness({
      config: { ...config, signals: [...config.signals, { alarmName: 'payments-us-east-1-probe', region: 'us-east-1', kind: 'probe', critical: true }, { alarmName: 'payments-us-east-1-heartbeat', region: 'us-east-1', kind: 'heartbeat', critical: true }] },
    });

    await h.tickAt(T);

    const asked = Object.fromEntries(h.alarmStates.calls.map((c) => [c.region, [...c.alarmNames].sort()]));
    expect(asked).toEqual({
      'us-east-1': ['us-east-1-api-5xx', 'us-east-1-health', 'us-east-1-lambda-errors', 'us-east-1-replication-lag', 'us-east-2-health'],
      'us-east-2': ['payments-us-east-1-probe', 'us-east-2-api-5xx', 'us-east-2-lambda-errors', 'us-east-2-replication-lag'],
    });
  });

  it("does not feed a reading the state already reflects", async () => {
    const h = harness();
    await h.send(alarmEvent('us-east-1-api-5xx', 'ALARM', T));
    h.alarmStates.set('us-east-1', 'us-east-1-api-5xx', 'ALARM', T);

    await h.tickAt(T + 30_000);

    expect(h.view().decisions.filter((d) => d.eventId.startsWith('reconcile:'))).toEqual([]);
  });

  it("does not let an unreachable region's DescribeAlarms delay or fail the tick", async () => {
    const h = harness({ alarmReadDeadlineMs: 50 });
    h.alarmStates.hang('us-east-1');
    h.alarmStates.set('us-east-2', 'us-east-2-api-5xx', 'ALARM', T);
    const started = Date.now();

    const out = await h.tickAt(T + 5_000);

    expect(out.type).toBe('decided');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(h.view().stored?.state.signals['us-east-2-api-5xx']).toMatchObject({ state: 'ALARM' });
    expect(h.metrics).toContainEqual({ name: 'ReconcileFailures', value: 1 });
    expect(h.logged).toContainEqual(expect.objectContaining({ level: 'warn', extra: expect.objectContaining({ region: 'us-east-1', error: expect.stringMatching(/no answer within 50 ms/) }) }));
  });

  it("schedules a wake-up for a decision's wakeAt, so the sustain period ends on time", async () => {
    const h = harness();
    h.setClock(T + 1_000);
    await h.send(alarmEvent('us-east-1-api-5xx', 'ALARM', T));

    await h.send(alarmEvent('us-east-1-health', 'ALARM', T));

    expect(h.latest()?.wakeAt).toBe(T + 60_000);
    expect(h.wakeUps.scheduled).toContainEqual(expect.objectContaining({ app: 'payments', at: T + 60_000, delaySeconds: 59 }));
    expect(h.wakeUps.scheduled.every((w) => w.at > T + 1_000)).toBe(true);
  });

  it('fails over at the end of the sustain period when the wake-up arrives, without waiting for the next tick', async () => {
    const h = harness();
    h.setClock(T + 1_000);
    await h.send(alarmEvent('us-east-1-api-5xx', 'ALARM', T));
    await h.send(alarmEvent('us-east-1-health', 'ALARM', T));

    h.setClock(T + 60_000);
    const [wakeUp, ...rest] = h.wakeUps.due(T + 60_000);
    const out = await h.send(wakeUp);

    expect(rest).toEqual([]);
    expect(out).toMatchObject({ type: 'decided', decision: { action: 'start-failover', target: 'us-east-2' } });
  });

  it('retries a transient state-store error inside the handler instead of giving the record back to SQS', async () => {
    const h = harness();
    h.stateStore.failNext(DEFAULT_MAX_TRANSIENT_ATTEMPTS - 1, new TransientAdapterError('dynamodb GetItem failed transiently (ProvisionedThroughputExceededException)'), 'load');

    const out = await h.send(alarmEvent('us-east-1-api-5xx', 'ALARM', T));

    expect(out.type).toBe('decided');
    expect(h.view().stored?.state.signals['us-east-1-api-5xx']).toMatchObject({ state: 'ALARM' });
    expect(h.logged.filter((l) => l.message.includes('failed transiently; retrying'))).toHaveLength(DEFAULT_MAX_TRANSIENT_ATTEMPTS - 1);
  });
});

describe('decideRecord: a corrupt state is safe mode, never a crash loop (issue 10)', () => {
  const SAFE = /^state unreadable: .+; automatic action stopped; send acknowledge to rebuild the state from the observed world$/;
  const ack = (requestId = 'ack-1') => overrideEvent({ action: 'acknowledge', requestId, operator: 'alice', reason: 'state restored by hand' }, T);
  const counted = (h: Harness, name: DecidePathMetric) => h.metrics.filter((m) => m.name === name).length;

  it.each([
    ['not JSON', { version: 4, state: '{"app":"payments", trunc', updatedAt: 0 }, /attribute state is not valid JSON/],
    ['halted without a halt record', { version: 4, state: JSON.stringify({ ...initialState(config), phase: 'halted', generation: 2 }), updatedAt: 0 }, /phase is 'halted' but no halt is recorded/],
    ['a generation that is not a safe integer', { version: 4, state: JSON.stringify({ ...initialState(config), generation: 1e300 }), updatedAt: 0 }, /state\.generation/],
  ])('records a suppressed decision for an ALARM over a state item %s, counts StateUnreadable, and acknowledges the record', async (_what, item, why) => {
    const h = harness();
    h.stateStore.seedItem('payments', item);

    const out = await h.send(alarmEvent('us-east-1-api-5xx', 'ALARM', T));

    expect(out).toMatchObject({ type: 'decided', decision: { action: 'suppressed', reason: expect.stringMatching(SAFE), phase: 'halted' } });
    expect((out as { decision: Decision }).decision.reason).toMatch(why);
    expect(h.view().decisions).toEqual([(out as { decision: Decision }).decision]);
    expect(h.view().unreadable).toMatchObject({ version: 4 });
    expect(counted(h, 'StateUnreadable')).toBe(1);
    expect(detailTypes(h)).toEqual(['DR Decision']);
    expect(h.deadLetters.letters).toEqual([]);
  });

  it('stops all automatic action in safe mode: an outage is suppressed event after event, tick after tick, and nothing throws', async () => {
    const h = harness();
    h.stateStore.seedItem('payments', { version: 9, state: '[]', updatedAt: 0 });
    h.alarmStates.set('us-east-1', 'us-east-1-api-5xx', 'ALARM', T);

    const outcomes = [await h.send(alarmEvent('us-east-1-api-5xx', 'ALARM', T)), await h.send(alarmEvent('us-east-1-health', 'ALARM', T))];
    for (let minute = 1; minute <= 5; minute++) outcomes.push(await h.tickAt(T + minute * 60_000));

    expect(outcomes.map((o) => (o as { decision: Decision }).decision.action)).toEqual(Array(7).fill('suppressed'));
    expect(h.workflow.starts).toEqual([]);
    expect(h.alarmStates.calls).toEqual([]);
    expect(counted(h, 'StateUnreadable')).toBe(7);
    expect(counted(h, 'Ticks')).toBe(5);
    expect(h.view().unreadable).toMatchObject({ version: 9, reason: expect.stringMatching(/must hold a JSON object/) });
  });

  it('treats a state that does not fit the configuration (an active region not configured) as unreadable', async () => {
    const h = harness();
    h.stateStore.seed('payments', { ...initialState(config), active: 'eu-west-1' }, 3);

    const out = await h.send(alarmEvent('us-east-1-api-5xx', 'ALARM', T));

    expect(out).toMatchObject({ decision: { action: 'suppressed', reason: expect.stringMatching(/active region eu-west-1 is not one of the configured regions/) } });
    expect(h.view().stored).toMatchObject({ version: 3 });
  });

  it.each([
    ['failover', { target: 'us-east-2' }],
    ['freeze', {}],
    ['abort', {}],
  ])('does not apply a %s override in safe mode and says to acknowledge first', async (action, extra) => {
    const h = harness();
    h.stateStore.seedItem('payments', { version: 2, state: '{}', updatedAt: 0 });

    const out = await h.send(overrideEvent({ action, requestId: 'r-1', operator: 'bob', reason: 'drill', ...extra }, T));

    expect(out).toMatchObject({ decision: { action: 'suppressed', reason: expect.stringMatching(new RegExp(`^${action} by bob \\(drill\\) not applied: state unreadable: .*acknowledge first`)) } });
    expect(h.workflow.starts).toEqual([]);
    expect(h.view().unreadable).toBeDefined();
  });

  it('rebuilds the state from the observed world on acknowledge, over the corrupt item, keeping generation and request ids, and decides normally after', async () => {
    const h = harness({ observeActiveRegion: async () => 'us-east-2' });
    h.stateStore.seedItem('payments', { version: 6, state: JSON.stringify({ ...initialState(config), phase: 'halted', generation: 3, recentRequests: ['r-old'] }), updatedAt: 0 });

    const out = await h.send(ack());

    expect(out).toMatchObject({ type: 'decided', decision: { action: 'acknowledge', active: 'us-east-2', phase: 'steady' } });
    const { reason } = (out as { decision: Decision }).decision;
    expect(reason).toMatch(/^acknowledge by alice \(state restored by hand\): state unreadable: .*phase is 'halted' but no halt is recorded; state rebuilt from the observed world: us-east-2 observed active; generation 3;/);
    expect(h.view().stored).toMatchObject({ version: 7, state: { active: 'us-east-2', phase: 'steady', generation: 3, signals: {}, recentRequests: ['r-old', 'ack-1'] } });
    expect(h.view().decisions).toEqual([(out as { decision: Decision }).decision]);

    // The same acknowledge redelivered is a duplicate; an ALARM is decided from the rebuilt state.
    await expect(h.send(ack())).resolves.toMatchObject({ decision: { action: 'ignored' } });
    await expect(h.send(alarmEvent('us-east-2-api-5xx', 'ALARM', T, 'us-east-2'))).resolves.toMatchObject({ decision: { action: 'none', active: 'us-east-2' } });
  });

  it.each([
    ['nothing observes the active region', {}, /nothing observes the active region here; assumed the configured initial region us-east-1 active/],
    ['the observation names no region', { observeActiveRegion: async () => undefined }, /no active region was observed; assumed the configured initial region us-east-1 active/],
    ['the observation names an unconfigured region', { observeActiveRegion: async () => 'eu-west-1' }, /the observed active region eu-west-1 is not configured; assumed/],
    ['the observation fails permanently', { observeActiveRegion: async () => Promise.reject(new PermanentAdapterError('ssm GetParameters failed (AccessDeniedException)')) }, /observing the active region failed \(ssm GetParameters failed \(AccessDeniedException\)\); assumed/],
  ])('falls back to the configured initial region when %s, and says so', async (_what, extra, reason) => {
    const h = harness(extra as Partial<DecideDeps>);
    h.stateStore.seedItem('payments', { version: 1, state: 'null', updatedAt: 0 });

    const out = await h.send(ack());

    expect(out).toMatchObject({ decision: { action: 'acknowledge', active: 'us-east-1', reason: expect.stringMatching(reason) } });
    expect(h.view().stored?.state.active).toBe('us-east-1');
  });

  it('gives an acknowledge back to SQS when observing the active region fails transiently, leaving the item as it was', async () => {
    const h = harness({ observeActiveRegion: async () => Promise.reject(new TransientAdapterError('ssm GetParameters failed transiently')) });
    h.stateStore.seedItem('payments', { version: 1, state: 'null', updatedAt: 0 });

    await expect(h.send(ack())).rejects.toBeInstanceOf(TransientAdapterError);
    expect(h.view().unreadable).toMatchObject({ version: 1 });
  });

  it('cannot compare-and-set over an item whose version is unusable: says to delete the item instead', async () => {
    const h = harness({ observeActiveRegion: async () => 'us-east-2' });
    h.stateStore.seedItem('payments', { version: 'x', state: JSON.stringify(initialState(config)), updatedAt: 0 });

    const out = await h.send(ack());

    expect(out).toMatchObject({ decision: { action: 'suppressed', reason: expect.stringMatching(/version is unusable too, so it cannot be replaced safely: delete the state item and send acknowledge again/) } });
    expect(h.view().unreadable).toMatchObject({ reason: expect.stringMatching(/attribute version/) });
  });

  it('decides an acknowledge again when another writer replaced the corrupt item first', async () => {
    const inner = new InMemoryStateStore();
    inner.seedItem('payments', { version: 2, state: '{}', updatedAt: 0 });
    let raced = false;
    const racing: StateStore = {
      load: (app) => inner.load(app),
      appendDecisions: (app, d) => inner.appendDecisions(app, d),
      recentDecisions: (app, l) => inner.recentDecisions(app, l),
      async save(app, state, expected, decisions) {
        if (!raced) {
          raced = true;
          // Someone restored a halted state by hand in between.
          inner.seed('payments', { ...initialState(config), phase: 'halted', halted: { generation: 1, executionName: 'x', status: 'FAILED', reason: 'restored', at: T } }, 3);
          return { type: 'conflict' };
        }
        return inner.save(app, state, expected, decisions);
      },
    };
    const h = harness({ stateStore: racing });

    const out = await h.send(ack());

    expect(out).toMatchObject({ decision: { action: 'acknowledge', reason: expect.stringMatching(/halt after failover g1 acknowledged/) } });
    expect(await inner.load('payments')).toMatchObject({ version: 4, state: { phase: 'steady' } });
  });
});
