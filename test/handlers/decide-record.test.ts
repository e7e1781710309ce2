import { InMemoryDeadLetters } from '../../adapters/dead-letters/in-memory-dead-letters.twin';
import { TransientAdapterError } from '../../adapters/errors';
import { InMemoryPublisher } from '../../adapters/publisher/in-memory-publisher.twin';
import { InMemoryStateStore } from '../../adapters/state-store/in-memory-state-store.twin';
import { InMemoryWorkflow } from '../../adapters/workflow/in-memory-workflow.twin';
import { initialState } from '../../domain/decide';
import type { StateStore } from '../../domain/ports/state-store.port';
import { decideRecord, MAX_CAS_ATTEMPTS, StateConflictError, type DecideDeps } from '../../handlers/decide/decide-record';
import { testConfig } from '../domain/fixtures';
import { alarmEvent, overrideEvent, sfnEvent, tickEvent } from './raw-events';

const config = testConfig();
const T = Date.UTC(2026, 10, 26, 3, 0, 0);

function harness(overrides: Partial<DecideDeps> = {}) {
  const stateStore = new InMemoryStateStore();
  const workflow = new InMemoryWorkflow();
  const publisher = new InMemoryPublisher();
  const deadLetters = new InMemoryDeadLetters();
  const logged: { level: string; message: string; extra?: Record<string, unknown> }[] = [];
  let clock = T;
  const deps: DecideDeps = {
    config,
    stateStore,
    workflow,
    publisher,
    deadLetters,
    now: () => clock,
    log: {
      info: (message, extra) => logged.push({ level: 'info', message, extra }),
      warn: (message, extra) => logged.push({ level: 'warn', message, extra }),
      error: (message, extra) => logged.push({ level: 'error', message, extra }),
    },
    ...overrides,
  };
  let n = 0;
  const send = (body: unknown) => decideRecord(typeof body === 'string' ? body : JSON.stringify(body), `msg-${++n}`, deps);
  return { deps, stateStore, workflow, publisher, deadLetters, logged, send, setClock: (t: number) => (clock = t) };
}

/** us-east-1's api-5xx and health check in ALARM at T, then a tick after the sustain period. */
async function outage(h: ReturnType<typeof harness>) {
  await h.send(alarmEvent('us-east-1-api-5xx', 'ALARM', T));
  await h.send(alarmEvent('us-east-1-health', 'ALARM', T));
  h.setClock(T + 61_000);
  return h.send(tickEvent(T + 61_000));
}

describe('decideRecord', () => {
  it('decides, saves, audits, starts the workflow and publishes for a real alarm payload', async () => {
    const h = harness();
    const out = await outage(h);
    expect(out).toMatchObject({ type: 'decided', decision: { action: 'start-failover', target: 'us-east-2', generation: 1 } });
    expect(h.stateStore.view('payments').stored).toMatchObject({ version: 3, state: { phase: 'failing-over' } });
    expect(h.stateStore.view('payments').decisions).toHaveLength(3);
    expect(h.workflow.starts).toEqual([expect.objectContaining({ executionName: 'payments-failover-g1', from: 'us-east-1', target: 'us-east-2' })]);
    expect(h.publisher.published.map((p) => p.detailType)).toEqual(['DR Decision', 'DR Decision', 'DR Decision', 'DR Failover Started']);
  });

  it('changes nothing for a duplicate delivery, and says so in the audit log', async () => {
    const h = harness();
    const body = alarmEvent('us-east-1-api-5xx', 'ALARM', T);
    await h.send(body);
    const before = h.stateStore.view('payments').stored;
    const out = await h.send(body);
    expect(out).toMatchObject({ type: 'decided', decision: { action: 'ignored' } });
    expect(h.stateStore.view('payments').stored).toEqual(before);
    expect(h.stateStore.view('payments').decisions.map((d) => d.action).sort()).toEqual(['ignored', 'none']);
    expect(h.stateStore.view('payments').decisions.find((d) => d.action === 'ignored')!.reason).toMatch(/^duplicate/);
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
    expect(h.stateStore.view('payments').stored).toBeUndefined();
  });

  it('ignores valid events that are not for the controller without dead-lettering them', async () => {
    const h = harness();
    const out = await h.send(sfnEvent('payments-failover-g1', 'RUNNING', T));
    expect(out.type).toBe('ignored');
    expect(h.deadLetters.letters).toHaveLength(0);
  });

  it('starts the workflow on the next tick when the start was lost after the state was saved', async () => {
    const h = harness();
    h.workflow.failNext(1, new TransientAdapterError('throttled'));
    await expect(outage(h)).rejects.toThrow('throttled');
    expect(h.stateStore.view('payments').stored?.state.phase).toBe('failing-over');
    expect(h.workflow.starts).toHaveLength(0);
    h.setClock(T + 121_000);
    await h.send(tickEvent(T + 121_000));
    expect(h.workflow.starts).toEqual([expect.objectContaining({ executionName: 'payments-failover-g1', requestedAt: T + 61_000 })]);
    await h.send(tickEvent(T + 181_000));
    expect(h.workflow.executions).toHaveLength(1);
  });

  it('completes the failover from the Step Functions status change', async () => {
    const h = harness();
    await outage(h);
    h.workflow.finish('payments-failover-g1');
    const out = await h.send(sfnEvent('payments-failover-g1', 'SUCCEEDED', T + 200_000, { recoverySeconds: 190 }));
    expect(out).toMatchObject({ decision: { action: 'completed', active: 'us-east-2', recoverySeconds: 190 } });
  });

  it('stops the running workflow on an abort override', async () => {
    const h = harness();
    await outage(h);
    const out = await h.send(overrideEvent({ action: 'abort', requestId: 'r-1', operator: 'alice', reason: 'wrong call' }, T + 70_000));
    expect(out).toMatchObject({ decision: { action: 'abort' } });
    expect(h.workflow.executions[0]).toMatchObject({ status: 'ABORTED', stopCause: expect.stringMatching(/wrong call/) });
  });

  it('decides again on the fresh state when another writer saved first', async () => {
    const inner = new InMemoryStateStore();
    let raced = false;
    const racing: StateStore = {
      load: (app) => inner.load(app),
      appendDecisions: (app, d) => inner.appendDecisions(app, d),
      recentDecisions: (app, l) => inner.recentDecisions(app, l),
      async save(app, state, expected) {
        if (!raced) {
          raced = true;
          await inner.save(app, { ...initialState(config), frozen: { operator: 'bob', reason: 'other writer' } }, expected);
          return { type: 'conflict' };
        }
        return inner.save(app, state, expected);
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
    expect(h.stateStore.view('payments').decisions).toHaveLength(1);
    expect(h.logged).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringMatching(/could not publish/) }));
  });
});
