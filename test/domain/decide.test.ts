import type { ControllerConfig } from '../../domain/config';
import { decide, initialState, MAX_ACTION_FAILURES } from '../../domain/decide';
import type { Decision } from '../../domain/decision';
import type { DomainEvent } from '../../domain/events';
import type { ControllerState } from '../../domain/state';
import { RECENT_REQUESTS_KEPT } from '../../domain/state';
import { actionFailed, alarm, heartbeat, nameOf, override, referenceConfig, sec, T0, testConfig, tick, wake, workflowEnded, workflowStarted } from './fixtures';

/** Feed events in order, each decided at its own time (or at `now` when given, or at `clock`). */
function run(config: ControllerConfig, steps: readonly (DomainEvent | [DomainEvent, number])[], from?: ControllerState, clock?: number) {
  let state = from ?? initialState(config);
  const decisions: Decision[] = [];
  for (const step of steps) {
    const [event, now] = Array.isArray(step) ? step : [step, clock ?? step.at];
    const out = decide(state, event, config, now);
    state = out.state;
    decisions.push(out.decisions[0]);
  }
  return { state, decisions, last: decisions[decisions.length - 1]! };
}

/** us-east-1 down: an alarm and a health check in ALARM at T0, then a tick after the sustain. */
const outage = (at = T0) => [alarm('us-east-1-api-5xx', 'ALARM', at), alarm('us-east-1-health', 'ALARM', at)];

describe('decide', () => {
  const config = testConfig();

  describe('quorum and sustain', () => {
    it('starts a failover when two kinds of signal agree for the sustain period', () => {
      const { last, state } = run(config, [...outage(), tick(T0 + sec(60))]);
      expect(last.action).toBe('start-failover');
      expect(last).toMatchObject({ target: 'us-east-2', generation: 1, executionName: nameOf(1, T0 + sec(60)), dryRun: false });
      expect(state.phase).toBe('failing-over');
      expect(state.inFlight).toMatchObject({ generation: 1, from: 'us-east-1', target: 'us-east-2', mode: 'auto', detectedAt: T0 });
    });

    it('does not fail over before the sustain period has elapsed', () => {
      const { last, state } = run(config, [...outage(), tick(T0 + sec(59))]);
      expect(last.action).toBe('none');
      expect(last.reason).toMatch(/not down yet.*sustain/);
      expect(state.phase).toBe('steady');
    });

    it('does not fail over on one signal, however long it lasts', () => {
      const { last } = run(config, [alarm('us-east-1-api-5xx', 'ALARM', T0), tick(T0 + sec(3600))]);
      expect(last.action).toBe('none');
      expect(last.reason).toMatch(/1 of 3 critical signals in ALARM/);
    });

    it('does not fail over when the quorum is of one kind only', () => {
      const { last } = run(config, [alarm('us-east-1-api-5xx', 'ALARM', T0), alarm('us-east-1-lambda-errors', 'ALARM', T0), tick(T0 + sec(600))]);
      expect(last.action).toBe('none');
      expect(last.reason).toMatch(/1 kind\(s\)/);
    });

    it('does not count INSUFFICIENT_DATA as ALARM', () => {
      const { last } = run(config, [alarm('us-east-1-api-5xx', 'ALARM', T0), alarm('us-east-1-health', 'INSUFFICIENT_DATA', T0), tick(T0 + sec(600))]);
      expect(last.action).toBe('none');
    });

    it('does not count non-critical signals towards the quorum', () => {
      const { last } = run(config, [alarm('us-east-1-api-5xx', 'ALARM', T0), alarm('us-east-1-replication-lag', 'ALARM', T0), tick(T0 + sec(600))]);
      expect(last.action).toBe('none');
    });

    it('restarts the sustain clock when a signal recovers and alarms again', () => {
      const { last } = run(config, [
        ...outage(),
        alarm('us-east-1-health', 'OK', T0 + sec(30)),
        alarm('us-east-1-health', 'ALARM', T0 + sec(40)),
        tick(T0 + sec(70)),
      ]);
      expect(last.action).toBe('none');
      const later = run(config, [tick(T0 + sec(100))], run(config, [...outage(), alarm('us-east-1-health', 'OK', T0 + sec(30)), alarm('us-east-1-health', 'ALARM', T0 + sec(40))]).state);
      expect(later.last.action).toBe('start-failover');
    });

    it('ignores alarms that are not configured signals, saying so', () => {
      const { last, state } = run(config, [alarm('someone-elses-alarm', 'ALARM', T0)]);
      expect(last.action).toBe('ignored');
      expect(last.reason).toMatch(/not a configured signal/);
      expect(state).toEqual(initialState(config));
    });
  });

  describe('never into a worse place', () => {
    it('does not fail over automatically into a target with any signal in ALARM', () => {
      const { last } = run(config, [...outage(), alarm('us-east-2-replication-lag', 'ALARM', T0), tick(T0 + sec(60))]);
      expect(last.action).toBe('suppressed');
      expect(last.reason).toMatch(/us-east-2 has signals in ALARM \(us-east-2-replication-lag\)/);
    });

    it('picks the first healthy region in preference order', () => {
      const three = testConfig({}, ['us-east-1', 'us-east-2', 'us-west-2']);
      const { last } = run(three, [...outage(), alarm('us-east-2-api-5xx', 'ALARM', T0), tick(T0 + sec(60))]);
      expect(last).toMatchObject({ action: 'start-failover', target: 'us-west-2' });
    });
  });

  describe('one at a time', () => {
    it('refuses a second failover while one is in flight, even a forced manual one', () => {
      const first = run(config, [...outage(), tick(T0 + sec(60))]);
      const { last, state } = run(config, [tick(T0 + sec(120)), override('failover', T0 + sec(130), { target: 'us-east-2', force: true })], first.state);
      expect(last.action).toBe('suppressed');
      expect(last.reason).toMatch(/one failover at a time/);
      expect(state.generation).toBe(1);
    });

    it('numbers generations and derives the execution name from the generation and the start time', () => {
      const first = run(config, [override('failover', T0, { target: 'us-east-2' })]);
      const done = run(config, [workflowEnded(nameOf(1, T0), 'SUCCEEDED', T0 + sec(60))], first.state);
      const second = run(config, [override('failover', T0 + sec(61), { target: 'us-east-1', force: true })], done.state);
      expect(second.last).toMatchObject({ action: 'start-failover', generation: 2, executionName: nameOf(2, T0 + sec(61)), target: 'us-east-1' });
    });
  });

  describe('no flapping', () => {
    const failedOver = () => {
      const started = run(config, [...outage(), tick(T0 + sec(60))]);
      return run(config, [workflowEnded(nameOf(1, T0 + sec(60)), 'SUCCEEDED', T0 + sec(200))], started.state).state;
    };
    const east2Down = (at: number) => [alarm('us-east-2-api-5xx', 'ALARM', at), alarm('us-east-2-health', 'ALARM', at), tick(at + sec(60))];

    it('completes a failover: the target becomes active and a cooldown starts', () => {
      const state = failedOver();
      expect(state).toMatchObject({ active: 'us-east-2', phase: 'steady', cooldownUntil: T0 + sec(200) + sec(3600) });
      expect(state.inFlight).toBeUndefined();
    });

    it('starts no automatic failover during the cooldown', () => {
      const three = testConfig({ autoFailback: true });
      const started = run(three, [...outage(), tick(T0 + sec(60))]);
      const done = run(three, [workflowEnded(nameOf(1, T0 + sec(60)), 'SUCCEEDED', T0 + sec(200)), alarm('us-east-1-api-5xx', 'OK', T0 + sec(201)), alarm('us-east-1-health', 'OK', T0 + sec(201))], started.state);
      const { last } = run(three, east2Down(T0 + sec(300)), done.state);
      expect(last.action).toBe('suppressed');
      expect(last.reason).toMatch(/in cooldown until/);
    });

    it('caps automatic failovers per window', () => {
      const p = testConfig({ autoFailback: true, cooldownSeconds: 0, maxAutoFailovers: 1, windowSeconds: 86400 });
      const started = run(p, [...outage(), tick(T0 + sec(60))]);
      const done = run(p, [workflowEnded(nameOf(1, T0 + sec(60)), 'SUCCEEDED', T0 + sec(200)), alarm('us-east-1-api-5xx', 'OK', T0 + sec(201)), alarm('us-east-1-health', 'OK', T0 + sec(201))], started.state);
      const { last } = run(p, east2Down(T0 + sec(300)), done.state);
      expect(last.action).toBe('suppressed');
      expect(last.reason).toMatch(/cap reached: 1 automatic failover/);
      const nextDay = run(p, [tick(T0 + sec(86400 + 61))], run(p, east2Down(T0 + sec(300)), done.state).state);
      expect(nextDay.last).toMatchObject({ action: 'start-failover', target: 'us-east-1' });
    });

    it('does not fail back to the home region automatically by default', () => {
      const state = failedOver();
      const { last } = run(config, east2Down(T0 + sec(86400 * 2)), state);
      expect(last.action).toBe('suppressed');
      expect(last.reason).toMatch(/automatic failback to the home region is off/);
    });
  });

  describe('humans win', () => {
    it('stops all automatic action while frozen', () => {
      const { last } = run(config, [override('freeze', T0 - sec(10)), ...outage(), tick(T0 + sec(60))]);
      expect(last.action).toBe('suppressed');
      expect(last.reason).toMatch(/frozen by alice/);
    });

    it('lets a freeze expire at its until time', () => {
      const { last } = run(config, [override('freeze', T0 - sec(10), { until: T0 + sec(90) }), ...outage(), tick(T0 + sec(60)), tick(T0 + sec(90))]);
      expect(last.action).toBe('start-failover');
      expect(last.reason).toMatch(/freeze by alice expired/);
    });

    it('rejects a freeze whose until is in the past', () => {
      const { last, state } = run(config, [override('freeze', T0, { until: T0 - 1 })]);
      expect(last.action).toBe('rejected');
      expect(state.frozen).toBeUndefined();
    });

    it('resumes automatic action on unfreeze', () => {
      const { last } = run(config, [override('freeze', T0 - sec(10)), ...outage(), override('unfreeze', T0 + sec(30)), tick(T0 + sec(60))]);
      expect(last.action).toBe('start-failover');
    });

    it('runs a manual failover while frozen', () => {
      const { last, state } = run(config, [override('freeze', T0), override('failover', T0 + sec(1), { target: 'us-east-2', allowDataLoss: true })]);
      expect(last).toMatchObject({ action: 'start-failover', target: 'us-east-2' });
      expect(last.reason).toMatch(/while frozen/);
      expect(state.inFlight).toMatchObject({ mode: 'manual', allowDataLoss: true });
      expect(state.frozen).toBeDefined();
    });

    it('refuses a manual failover into an alarming target unless forced', () => {
      const steps = [alarm('us-east-2-health', 'ALARM', T0)];
      expect(run(config, [...steps, override('failover', T0 + 1, { target: 'us-east-2' })]).last.action).toBe('suppressed');
      expect(run(config, [...steps, override('failover', T0 + 1, { target: 'us-east-2', force: true })]).last.action).toBe('start-failover');
    });

    it('lets force skip the cooldown', () => {
      const started = run(config, [override('failover', T0, { target: 'us-east-2' })]);
      const done = run(config, [workflowEnded(nameOf(1, T0), 'SUCCEEDED', T0 + sec(60))], started.state);
      expect(run(config, [override('failover', T0 + sec(61), { target: 'us-east-1' })], done.state).last.reason).toMatch(/in cooldown.*use force/);
      expect(run(config, [override('failover', T0 + sec(61), { target: 'us-east-1', force: true })], done.state).last.action).toBe('start-failover');
    });

    it('chooses the first eligible region when a manual failover names no target', () => {
      expect(run(config, [override('failover', T0)]).last).toMatchObject({ action: 'start-failover', target: 'us-east-2' });
    });

    it('rejects a manual failover to a region that is not configured', () => {
      expect(run(config, [override('failover', T0, { target: 'eu-west-9' })]).last.action).toBe('rejected');
    });

    it('aborts the running workflow and halts when it reports ABORTED', () => {
      const started = run(config, [...outage(), tick(T0 + sec(60))]);
      const aborted = run(config, [override('abort', T0 + sec(70))], started.state);
      expect(aborted.last).toMatchObject({ action: 'abort', executionName: nameOf(1, T0 + sec(60)), generation: 1 });
      const { state, last } = run(config, [workflowEnded(nameOf(1, T0 + sec(60)), 'ABORTED', T0 + sec(71))], aborted.state);
      expect(last.action).toBe('halted');
      expect(last.reason).toMatch(/aborted by an operator/);
      expect(state).toMatchObject({ phase: 'halted', active: 'us-east-1' });
    });

    it('says there is nothing to abort when nothing is in flight', () => {
      expect(run(config, [override('abort', T0)]).last.action).toBe('none');
    });

    it.each(['FAILED', 'TIMED_OUT', 'ABORTED'] as const)('stays halted after a %s workflow until acknowledged', (status) => {
      const started = run(config, [...outage(), tick(T0 + sec(60))]);
      const halted = run(config, [workflowEnded(nameOf(1, T0 + sec(60)), status, T0 + sec(100), { detail: 'DataLossNotPermitted: lag 9 s > budget 5 s' })], started.state);
      expect(halted.state.phase).toBe('halted');
      expect(halted.last.reason).toMatch(/lag 9 s > budget 5 s/);
      const blocked = run(config, [tick(T0 + sec(200)), override('failover', T0 + sec(201), { target: 'us-east-2', force: true })], halted.state);
      expect(blocked.decisions.map((d) => d.action)).toEqual(['suppressed', 'suppressed']);
      const acked = run(config, [override('acknowledge', T0 + sec(300)), tick(T0 + sec(301))], halted.state);
      expect(acked.decisions[0]!.action).toBe('acknowledge');
      expect(acked.state.phase).toBe('steady');
      // The halted attempt counted towards the cap of one automatic failover per window.
      expect(acked.last.action).toBe('suppressed');
      expect(acked.last.reason).toMatch(/cap reached/);
    });

    it('lets an operator fail over with data loss after an acknowledged halt, without force: the cap limits automatic failovers only', () => {
      const started = run(config, [...outage(), tick(T0 + sec(60))]);
      const halted = run(config, [workflowEnded(nameOf(1, T0 + sec(60)), 'FAILED', T0 + sec(100), { detail: 'data loss not permitted: lag 9 s > budget 5 s' })], started.state);
      const { decisions, state } = run(
        config,
        [override('acknowledge', T0 + sec(200)), tick(T0 + sec(201)), override('failover', T0 + sec(202), { target: 'us-east-2', allowDataLoss: true })],
        halted.state,
      );
      expect(decisions.map((d) => d.action)).toEqual(['acknowledge', 'suppressed', 'start-failover']);
      expect(state.inFlight).toMatchObject({ generation: 2, mode: 'manual', allowDataLoss: true });
    });

    it('retries automatically after an acknowledged halt when the cap allows', () => {
      const two = testConfig({ maxAutoFailovers: 2 });
      const started = run(two, [...outage(), tick(T0 + sec(60))]);
      const halted = run(two, [workflowEnded(nameOf(1, T0 + sec(60)), 'FAILED', T0 + sec(100))], started.state);
      const acked = run(two, [override('acknowledge', T0 + sec(300)), tick(T0 + sec(301))], halted.state);
      expect(acked.last).toMatchObject({ action: 'start-failover', generation: 2, executionName: nameOf(2, T0 + sec(301)) });
    });

    it('treats the same requestId twice as one request', () => {
      const req = override('failover', T0, { target: 'us-east-2' });
      const { decisions, state } = run(config, [req, { ...req, eventId: 'redelivered', at: T0 + 5 }]);
      expect(decisions.map((d) => d.action)).toEqual(['start-failover', 'ignored']);
      expect(state.generation).toBe(1);
    });
  });

  describe('workflow results', () => {
    it('ignores status changes of another execution', () => {
      const started = run(config, [...outage(), tick(T0 + sec(60))]);
      const { last, state } = run(config, [workflowEnded('payments-failover-g7', 'SUCCEEDED', T0 + sec(100))], started.state);
      expect(last.action).toBe('ignored');
      expect(state).toEqual(started.state);
    });

    it('records the recovery time the workflow measured', () => {
      const started = run(config, [...outage(), tick(T0 + sec(60))]);
      const { last, state } = run(config, [workflowEnded(nameOf(1, T0 + sec(60)), 'SUCCEEDED', T0 + sec(200), { recoverySeconds: 190 })], started.state);
      expect(last).toMatchObject({ action: 'completed', recoverySeconds: 190 });
      expect(state.lastFailover).toMatchObject({ generation: 1, recoverySeconds: 190 });
    });
  });

  describe('dry run', () => {
    it('decides and reports "would have failed over" but starts nothing: the would-be failover holds later ones back, as a live one in flight would', () => {
      const dry = testConfig({ dryRun: true });
      const { last, state } = run(dry, [...outage(), tick(T0 + sec(60))]);
      expect(last).toMatchObject({ action: 'start-failover', dryRun: true, target: 'us-east-2', generation: 1 });
      expect(last.reason).toMatch(/^dry run: would have failed over/);
      expect(state).toMatchObject({ phase: 'steady', active: 'us-east-1', generation: 1, wouldBe: { generation: 1, target: 'us-east-2' } });
      expect(state.inFlight).toBeUndefined();
      const next = run(dry, [tick(T0 + sec(120))], state).last;
      expect(next).toMatchObject({ action: 'suppressed' });
      expect(next.reason).toMatch(/would-be failover g1 to us-east-2 in flight \(dry run: nothing executed/);
      expect(next.reason).not.toMatch(/cooldown/);
    });

    it('never has two would-be failovers under one generation, and force does not skip one-at-a-time', () => {
      const dry = testConfig({ dryRun: true });
      const first = run(dry, [...outage(), tick(T0 + sec(60))]);
      const forced = run(dry, [override('failover', T0 + sec(61), { target: 'us-east-2', force: true })], first.state);
      expect(forced.last.action).toBe('suppressed');
      expect(forced.last.reason).toMatch(/one failover at a time/);
      // The operator clears the would-be failover; the next one has the next generation.
      const cleared = run(dry, [override('abort', T0 + sec(62))], first.state);
      expect(cleared.last).toMatchObject({ action: 'abort', generation: 1 });
      expect(cleared.last.reason).toMatch(/would-be failover g1 to us-east-2 cleared/);
      expect(cleared.state.wouldBe).toBeUndefined();
      const again = run(dry, [override('failover', T0 + sec(63), { target: 'us-east-2', force: true })], cleared.state);
      expect(again.last).toMatchObject({ action: 'start-failover', dryRun: true, generation: 2 });
    });

    it('forgets the would-be failover when dry run is turned off, saying so', () => {
      const first = run(testConfig({ dryRun: true, maxAutoFailovers: 2 }), [...outage(), tick(T0 + sec(60))]);
      const live = run(testConfig({ maxAutoFailovers: 2 }), [tick(T0 + sec(61))], first.state);
      expect(live.state.wouldBe).toBeUndefined();
      expect(live.last.reason).toMatch(/^dry run is off: would-be failover g1 to us-east-2 \(never executed\) is forgotten/);
      expect(live.last).toMatchObject({ action: 'start-failover', generation: 2, dryRun: false });
    });

    it('says which failover a cooldown follows, and never blames one that did not happen', () => {
      const { state } = run(config, [...outage(), tick(T0 + sec(60))]);
      const done = run(config, [workflowEnded(state.inFlight!.executionName, 'SUCCEEDED', T0 + sec(120))], state);
      const healed = [alarm('us-east-1-api-5xx', 'OK', T0 + sec(125)), alarm('us-east-1-health', 'OK', T0 + sec(125))];
      const manual = run(config, [...healed, override('failover', T0 + sec(130), { target: 'us-east-1' })], done.state);
      expect(manual.last.reason).toMatch(/in cooldown until .* after failover g1 from us-east-1 to us-east-2 completed at/);
    });
  });

  describe('idempotent and ordered', () => {
    it('ignores the same alarm event twice', () => {
      const e = alarm('us-east-1-api-5xx', 'ALARM', T0);
      const once = run(config, [e]);
      const twice = run(config, [{ ...e, eventId: 'again' }], once.state);
      expect(twice.last.action).toBe('ignored');
      expect(twice.state).toEqual(once.state);
    });

    it('ignores an event older than the last one seen for its signal', () => {
      const { last, state } = run(config, [alarm('us-east-1-api-5xx', 'OK', T0 + sec(10)), alarm('us-east-1-api-5xx', 'ALARM', T0)]);
      expect(last.action).toBe('ignored');
      expect(last.reason).toMatch(/^stale/);
      expect(state.signals['us-east-1-api-5xx']!.state).toBe('OK');
    });

    it('keeps the sustain clock when an alarm is re-reported in the same state', () => {
      const { state } = run(config, [alarm('us-east-1-api-5xx', 'ALARM', T0), alarm('us-east-1-api-5xx', 'ALARM', T0 + sec(30))]);
      expect(state.signals['us-east-1-api-5xx']).toEqual({ state: 'ALARM', since: T0, lastAt: T0 + sec(30) });
    });

    it('remembers a bounded number of request ids', () => {
      const steps = Array.from({ length: RECENT_REQUESTS_KEPT * 3 }, (_, i) => override(i % 2 ? 'freeze' : 'unfreeze', T0 + i));
      expect(run(config, steps).state.recentRequests).toHaveLength(RECENT_REQUESTS_KEPT);
    });
  });

  describe('heartbeats', () => {
    const ref = referenceConfig();
    /** us-east-2 keeps sending heartbeats up to `until`, so it stays an eligible target. */
    const standbyAlive = (until: number) => Array.from({ length: Math.floor((until - T0) / sec(60)) + 1 }, (_, i) => heartbeat('us-east-2', T0 + sec(60 * i)));
    const inOrder = (events: readonly DomainEvent[]) => [...events].sort((a, b) => a.at - b.at);

    it('starts a failover under a blackout: the probe in ALARM and no heartbeat for the window plus the sustain period', () => {
      const steps = inOrder([heartbeat('us-east-1', T0), alarm('us-east-1-probe', 'ALARM', T0 + sec(10)), ...standbyAlive(T0 + sec(119))]);
      const before = run(ref, [...steps, tick(T0 + sec(119))]);
      expect(before.last.action).toBe('none');
      const { last, state } = run(ref, [tick(T0 + sec(120))], before.state);
      expect(last).toMatchObject({ action: 'start-failover', target: 'us-east-2' });
      expect(last.reason).toMatch(/us-east-1-probe, us-east-1-heartbeat|us-east-1-heartbeat, us-east-1-probe/);
      // Detection starts when the probe alarmed, the earliest of the two.
      expect(state.inFlight?.detectedAt).toBe(T0 + sec(10));
    });

    it('does not fail over on a heartbeat loss alone, however long it lasts', () => {
      const { last } = run(ref, [heartbeat('us-east-1', T0), tick(T0 + sec(3600))]);
      expect(last.action).toBe('none');
      expect(last.reason).toMatch(/1 of 5 critical signals in ALARM \(us-east-1-heartbeat\)/);
    });

    it('does not count a heartbeat never seen as evidence, so a freshly deployed controller does not fail over', () => {
      const { last } = run(ref, [alarm('us-east-1-probe', 'ALARM', T0), tick(T0 + sec(3600))]);
      expect(last.action).toBe('none');
      expect(last.reason).toMatch(/1 of 5 critical signals in ALARM \(us-east-1-probe\)/);
    });

    it('ends the heartbeat ALARM when a heartbeat arrives again', () => {
      const { last } = run(ref, [heartbeat('us-east-1', T0), alarm('us-east-1-probe', 'ALARM', T0), heartbeat('us-east-1', T0 + sec(100)), tick(T0 + sec(150))]);
      expect(last.action).toBe('none');
      expect(last.reason).toMatch(/not down: 1 of 5/);
    });

    it('never moves the last heartbeat backwards, and ignores a duplicate', () => {
      const { decisions, state } = run(ref, [heartbeat('us-east-1', T0 + sec(60)), heartbeat('us-east-1', T0), heartbeat('us-east-1', T0 + sec(60))], undefined, T0 + sec(60));
      expect(decisions.map((d) => d.action)).toEqual(['none', 'ignored', 'ignored']);
      expect(decisions[1]!.reason).toMatch(/^stale: heartbeat from us-east-1/);
      expect(decisions[2]!.reason).toMatch(/^duplicate: heartbeat from us-east-1/);
      expect(state.heartbeats).toEqual({ 'us-east-1': T0 + sec(60) });
    });

    it('ignores heartbeats from a region that is not configured or has no heartbeat signal, keeping the state bounded', () => {
      const unknown = run(ref, [heartbeat('eu-west-9', T0)]);
      expect(unknown.last.action).toBe('ignored');
      expect(unknown.last.reason).toMatch(/eu-west-9, which is not one of the regions/);
      expect(unknown.state).toEqual(initialState(ref));
      const noSignal = run(config, [heartbeat('us-east-1', T0)]);
      expect(noSignal.last.reason).toMatch(/no heartbeat signal configured/);
      expect(noSignal.state).toEqual(initialState(config));
    });

    it('ignores an alarm event that names a heartbeat signal: heartbeats judge it', () => {
      const { last, state } = run(ref, [alarm('us-east-1-heartbeat', 'ALARM', T0)]);
      expect(last.action).toBe('ignored');
      expect(last.reason).toMatch(/heartbeat signal/);
      expect(state.signals).toEqual({});
    });

    it('keeps a target whose heartbeats stopped out of an automatic failover', () => {
      const { last } = run(ref, [heartbeat('us-east-2', T0 - sec(200)), alarm('us-east-1-api-5xx', 'ALARM', T0), alarm('us-east-1-health', 'ALARM', T0), tick(T0 + sec(30))]);
      expect(last.action).toBe('suppressed');
      expect(last.reason).toMatch(/us-east-2 has signals in ALARM \(us-east-2-heartbeat\)/);
    });

    it('never records a heartbeat later than the delivery clock: a skewed region cannot keep itself alive', () => {
      const { state, last } = run(ref, [[heartbeat('us-east-1', T0 + sec(120)), T0]]);
      expect(state.heartbeats).toEqual({ 'us-east-1': T0 });
      expect(last.reason).toMatch(/heartbeat from us-east-1 at 2026-11-26T03:00:00.000Z/);
    });

    it('rejects a heartbeat stamped beyond the allowed skew, recording nothing', () => {
      const { state, last } = run(ref, [[heartbeat('us-east-1', T0 + sec(3600)), T0]]);
      expect(state.heartbeats).toBeUndefined();
      expect(last.action).toBe('rejected');
      expect(last.reason).toMatch(/^time: heartbeat .* 3600 s after the delivery clock .* more than the 300 s skew allowed/);
    });
  });

  describe('probes', () => {
    const ref = referenceConfig();

    it('counts the prober as its own kind of evidence: probe and health check together make the quorum', () => {
      const { last } = run(ref, [alarm('us-east-1-probe', 'ALARM', T0), alarm('us-east-1-health', 'ALARM', T0), tick(T0 + sec(30))]);
      expect(last).toMatchObject({ action: 'start-failover', target: 'us-east-2' });
    });

    it('does not fail over on the probe alone (a broken prober), nor on a probe with INSUFFICIENT_DATA', () => {
      expect(run(ref, [alarm('us-east-1-probe', 'ALARM', T0), heartbeat('us-east-1', T0 + sec(600)), tick(T0 + sec(601))]).last.action).toBe('none');
      expect(run(ref, [alarm('us-east-1-probe', 'INSUFFICIENT_DATA', T0), alarm('us-east-1-health', 'ALARM', T0), tick(T0 + sec(600))]).last.action).toBe('none');
    });
  });

  describe('event time', () => {
    it('judges alarm changes at the time they describe: a blip delivered twenty minutes late starts nothing', () => {
      const late = T0 + sec(20 * 60);
      const blip = [
        alarm('us-east-1-api-5xx', 'ALARM', T0),
        alarm('us-east-1-health', 'ALARM', T0),
        alarm('us-east-1-api-5xx', 'OK', T0 + sec(30)),
        alarm('us-east-1-health', 'OK', T0 + sec(30)),
      ];
      const { decisions, state } = run(config, [[tick(late), late], ...blip.map((e): [DomainEvent, number] => [e, late + sec(1)]), [tick(late + sec(60)), late + sec(60)]]);
      expect(decisions.map((d) => d.action)).toEqual(['none', 'none', 'none', 'none', 'none', 'none']);
      expect(decisions[2]).toMatchObject({ at: late + sec(1), evaluatedAt: T0 });
      expect(decisions[2]!.reason).toMatch(/not down yet.*judged at 2026-11-26T03:00:00.000Z, the time it describes \(delivered 1201 s later\)$/);
      expect(state.phase).toBe('steady');
    });

    it('judges a tick at its own time: a tick delivered late does not see a sustain period that had not ended', () => {
      const { last } = run(config, [...outage(), [tick(T0 + sec(30)), T0 + sec(600)]]);
      expect(last).toMatchObject({ action: 'none', evaluatedAt: T0 + sec(30), at: T0 + sec(600) });
    });

    it('never records evidence later than the delivery clock: an alarm stamped ahead (within the skew) counts from its arrival', () => {
      const { state, decisions } = run(config, [[alarm('us-east-1-api-5xx', 'ALARM', T0 + sec(120)), T0], [alarm('us-east-1-health', 'ALARM', T0 + sec(120)), T0], tick(T0 + sec(59))]);
      expect(state.signals['us-east-1-api-5xx']).toEqual({ state: 'ALARM', since: T0, lastAt: T0 });
      expect(decisions.map((d) => d.action)).toEqual(['none', 'none', 'none']);
      expect(decisions[2]!.reason).toMatch(/not down yet/);
    });

    it('starts a failover found on a late tick at the delivery clock: the start time, the cap and the execution name use it', () => {
      const { last, state } = run(config, [...outage(), [tick(T0 + sec(60)), T0 + sec(300)]]);
      expect(last).toMatchObject({ action: 'start-failover', evaluatedAt: T0 + sec(60), executionName: nameOf(1, T0 + sec(300)) });
      expect(state.inFlight).toMatchObject({ startedAt: T0 + sec(300) });
      expect(state.autoFailovers).toEqual([T0 + sec(300)]);
    });

    it('acts on overrides and workflow results at the delivery clock', () => {
      const [d] = decide(initialState(config), override('freeze', T0), config, T0 + sec(5)).decisions;
      expect(d.evaluatedAt).toBeUndefined();
      expect(d.at).toBe(T0 + sec(5));
    });

    it('restarts the sustain clock when an ALARM comes from OK while the stored state is ALARM: the OK in between was lost', () => {
      const steps = [...outage(), alarm('us-east-1-health', 'ALARM', T0 + sec(50), { previousState: 'OK' })];
      const { state, last } = run(config, [...steps, tick(T0 + sec(60))]);
      expect(state.signals['us-east-1-health']).toEqual({ state: 'ALARM', since: T0 + sec(50), lastAt: T0 + sec(50) });
      expect(last.action).toBe('none');
      expect(run(config, [...steps, tick(T0 + sec(110))]).last.action).toBe('start-failover');
    });
  });

  describe('wake-ups', () => {
    it('asks to be woken when the sustain period of a quorum ends, and that wake-up starts the failover', () => {
      const { last, state } = run(config, outage());
      expect(last.wakeAt).toBe(T0 + sec(60));
      expect(run(config, [wake(last.wakeAt!)], state).last).toMatchObject({ action: 'start-failover', reason: expect.stringMatching(/^wake-up for 2026-11-26T03:01:00.000Z; us-east-1 is down/) });
    });

    it('asks to be woken at the end of the heartbeat window plus the sustain period under a blackout', () => {
      const { last } = run(referenceConfig(), [heartbeat('us-east-1', T0), alarm('us-east-1-probe', 'ALARM', T0 + sec(10))]);
      expect(last.wakeAt).toBe(T0 + sec(90 + 30));
    });

    it('asks for no wake-up when no quorum can form without new evidence', () => {
      expect(run(config, [alarm('us-east-1-api-5xx', 'ALARM', T0)]).last.wakeAt).toBeUndefined();
      expect(run(referenceConfig(), [heartbeat('us-east-1', T0)]).last.wakeAt).toBeUndefined();
      expect(run(config, [tick(T0)]).last.wakeAt).toBeUndefined();
    });

    it('asks to be woken when a freeze with an end holds back a failover, and not for a freeze without one', () => {
      const timed = run(config, [override('freeze', T0 - sec(10), { until: T0 + sec(300) }), ...outage(), tick(T0 + sec(60))]);
      expect(timed.last).toMatchObject({ action: 'suppressed', wakeAt: T0 + sec(300) });
      const open = run(config, [override('freeze', T0 - sec(10)), ...outage(), tick(T0 + sec(60))]);
      expect(open.last).toMatchObject({ action: 'suppressed' });
      expect(open.last.wakeAt).toBeUndefined();
    });

    it('asks to be woken just after a cooldown that holds back a failover', () => {
      const p = testConfig({ autoFailback: true, maxAutoFailovers: 2, cooldownSeconds: 600 });
      const started = run(p, [...outage(), tick(T0 + sec(60))]);
      const done = run(p, [workflowEnded(nameOf(1, T0 + sec(60)), 'SUCCEEDED', T0 + sec(200)), alarm('us-east-2-api-5xx', 'ALARM', T0 + sec(300)), alarm('us-east-2-health', 'ALARM', T0 + sec(300)), tick(T0 + sec(360))], started.state);
      expect(done.last).toMatchObject({ action: 'suppressed', wakeAt: T0 + sec(200 + 600) + 1 });
    });

    it('asks for no wake-up while a failover is in flight or the controller is halted: only an event ends those', () => {
      const started = run(config, [...outage(), tick(T0 + sec(60))]);
      expect(started.last.wakeAt).toBeUndefined();
      const halted = run(config, [workflowEnded(nameOf(1, T0 + sec(60)), 'FAILED', T0 + sec(100)), tick(T0 + sec(160))], started.state);
      expect(halted.decisions.map((d) => d.wakeAt)).toEqual([undefined, undefined]);
    });
  });

  describe('execution names', () => {
    it('does not reuse a name when a generation number comes back after a state restore', () => {
      const first = run(config, [override('failover', T0, { target: 'us-east-2' })]);
      const restored = run(config, [override('failover', T0 + sec(3600), { target: 'us-east-2' })]);
      expect(first.last).toMatchObject({ generation: 1, executionName: `payments-failover-g1-${T0 / 1000}` });
      expect(restored.last).toMatchObject({ generation: 1, executionName: `payments-failover-g1-${T0 / 1000 + 3600}` });
    });

    it('keeps the name of a failover in flight when its start is re-sent: the request is rebuilt from state', () => {
      const { state } = run(config, [...outage(), tick(T0 + sec(60)), tick(T0 + sec(120))]);
      expect(state.inFlight?.executionName).toBe(nameOf(1, T0 + sec(60)));
    });
  });

  describe('workflow started', () => {
    const started = () => run(config, [...outage(), tick(T0 + sec(60))]);
    const name = nameOf(1, T0 + sec(60));

    it('confirms the failover the first time the run is seen running, marking the decision started', () => {
      const { last, state } = run(config, [[workflowStarted(name, T0 + sec(61)), T0 + sec(62)]], started().state);
      expect(last).toMatchObject({ action: 'none', started: true, phase: 'failing-over', reason: expect.stringMatching(/^failover g1 running/) });
      expect(state.inFlight?.confirmedAt).toBe(T0 + sec(62));
    });

    it('ignores a second report of the same run, and a report of another execution', () => {
      const once = run(config, [workflowStarted(name, T0 + sec(61))], started().state);
      const twice = run(config, [workflowStarted(name, T0 + sec(120)), workflowStarted('payments-failover-g9-1', T0 + sec(121))], once.state);
      expect(twice.decisions.map((d) => d.action)).toEqual(['ignored', 'ignored']);
      expect(twice.decisions.some((d) => d.action === 'none' && d.started)).toBe(false);
      expect(twice.state).toEqual(once.state);
    });
  });

  describe('failed actions', () => {
    const started = () => run(config, [...outage(), tick(T0 + sec(60))]);
    const name = nameOf(1, T0 + sec(60));

    it('halts on a permanent StartExecution failure, naming the error: nothing ran, so the old region stays active', () => {
      const { last, state } = run(config, [actionFailed(name, T0 + sec(61), { permanent: true, reason: 'StateMachineDoesNotExist: no such state machine' })], started().state);
      expect(last).toMatchObject({ action: 'halted', generation: 1, executionName: name, active: 'us-east-1', phase: 'halted' });
      expect(last.reason).toMatch(/could not start: StartExecution failed: StateMachineDoesNotExist: no such state machine; us-east-1 stays active/);
      expect(state.inFlight).toBeUndefined();
      expect(state.halted).toMatchObject({ status: 'START_FAILED', generation: 1 });
    });

    it(`counts transient StartExecution failures and halts at the ${MAX_ACTION_FAILURES}th`, () => {
      const failures = Array.from({ length: MAX_ACTION_FAILURES }, (_, i) => actionFailed(name, T0 + sec(61 + i * 60)));
      const { decisions, state } = run(config, failures, started().state);
      expect(decisions.map((d) => d.action)).toEqual([...Array<string>(MAX_ACTION_FAILURES - 1).fill('none'), 'halted']);
      expect(decisions[0]!.reason).toMatch(/failed \(transient, 1 of 5\).*re-sent on the next tick/);
      expect(decisions[MAX_ACTION_FAILURES - 1]!.reason).toMatch(/StartExecution failed 5 times \(max 5\), last: ThrottlingException/);
      expect(state.phase).toBe('halted');
    });

    it('forgets earlier transient failures once the run is seen running', () => {
      const failed = run(config, [actionFailed(name, T0 + sec(61)), workflowStarted(name, T0 + sec(62))], started().state);
      expect(failed.state.inFlight?.actionFailures).toBeUndefined();
      expect(failed.state.inFlight?.confirmedAt).toBe(T0 + sec(62));
    });

    it('ignores a start failure once the run was seen running: reconciliation reports how it ends', () => {
      const running = run(config, [workflowStarted(name, T0 + sec(61))], started().state);
      const { last, state } = run(config, [actionFailed(name, T0 + sec(120), { permanent: true })], running.state);
      expect(last.action).toBe('ignored');
      expect(state).toEqual(running.state);
    });

    it('does not halt when StopExecution fails: the run may go on, and the abort stays requested', () => {
      const aborting = run(config, [override('abort', T0 + sec(70))], started().state);
      const { last, state } = run(config, [actionFailed(name, T0 + sec(71), { action: 'stop', permanent: true, reason: 'AccessDeniedException: not authorized' })], aborting.state);
      expect(last).toMatchObject({ action: 'none', phase: 'failing-over' });
      expect(last.reason).toMatch(/StopExecution of failover g1 failed \(permanent\): AccessDeniedException: not authorized/);
      expect(state.inFlight?.abortRequested).toBe(true);
      expect(state).toEqual(aborting.state);
    });

    it('halts at once when a start fails after an operator asked to abort it', () => {
      const aborting = run(config, [override('abort', T0 + sec(70))], started().state);
      const { last } = run(config, [actionFailed(name, T0 + sec(71))], aborting.state);
      expect(last.action).toBe('halted');
      expect(last.reason).toMatch(/aborted by an operator before it started/);
    });

    it('ignores a failure of an execution that is not in flight', () => {
      const s = started().state;
      const { last, state } = run(config, [actionFailed('payments-failover-g0-1', T0 + sec(61), { permanent: true })], s);
      expect(last.action).toBe('ignored');
      expect(state).toEqual(s);
    });

    it('lets an operator acknowledge the halt after a failed start', () => {
      const halted = run(config, [actionFailed(name, T0 + sec(61), { permanent: true })], started().state);
      expect(run(config, [override('acknowledge', T0 + sec(120))], halted.state).state).toMatchObject({ phase: 'steady', active: 'us-east-1' });
    });
  });

  describe('reconciliation', () => {
    it('ends a failover from a reconciled SUCCEEDED exactly as from the event, and ignores the event arriving after it', () => {
      const started = run(config, [...outage(), tick(T0 + sec(60))]);
      const name = nameOf(1, T0 + sec(60));
      const viaEvent = run(config, [workflowEnded(name, 'SUCCEEDED', T0 + sec(200))], started.state);
      const viaReconcile = run(config, [workflowEnded(name, 'SUCCEEDED', T0 + sec(200), { via: 'reconcile' }), workflowEnded(name, 'SUCCEEDED', T0 + sec(210))], started.state);
      expect(viaReconcile.decisions[0]).toMatchObject({ action: 'completed', generation: 1, target: 'us-east-2' });
      expect(viaReconcile.decisions[0]!.reason).toMatch(/status-change event was lost/);
      expect(viaReconcile.decisions[1]!.action).toBe('ignored');
      expect(viaReconcile.state).toEqual(viaEvent.state);
    });
  });

  it('gives every decision the app, the event id, the clock, the active region and the phase', () => {
    const e = tick(T0);
    const [d] = decide(initialState(config), e, config, T0).decisions;
    expect(d).toMatchObject({ app: 'payments', eventId: e.eventId, at: T0, active: 'us-east-1', phase: 'steady' });
    expect(d.reason.length).toBeGreaterThan(0);
  });
});

describe('decide: trust boundaries', () => {
  const config = testConfig();
  const bound: ControllerConfig = { ...referenceConfig(), account: '111122223333', controllerRegion: 'us-east-2', stateMachineArn: 'arn:aws:states:us-east-2:111122223333:stateMachine:payments-failover' };
  const from = (region: string, account = '111122223333') => ({ origin: { region, account } });

  describe('signals bound to their alarm ARN', () => {
    it('counts an alarm raised where its signal lives, in the controller account', () => {
      const { state, last } = run(bound, [alarm('us-east-1-api-5xx', 'ALARM', T0, from('us-east-1')), alarm('us-east-1-health', 'ALARM', T0, from('us-east-1')), alarm('us-east-1-probe', 'ALARM', T0, from('us-east-2'))]);
      expect(Object.keys(state.signals)).toEqual(['us-east-1-api-5xx', 'us-east-1-health', 'us-east-1-probe']);
      expect(last.action).toBe('none');
    });

    it.each([
      ['an alarm raised in another region', 'us-east-1-api-5xx', from('eu-west-1'), /raised in region eu-west-1, but the alarm alarm of this signal lives in us-east-1/],
      ["a health-check alarm outside us-east-1 (Route 53's only metrics region)", 'us-east-2-health', from('us-east-2'), /the health-check alarm of this signal lives in us-east-1/],
      ['a probe alarm outside the controller region', 'us-east-1-probe', from('us-east-1'), /the probe alarm of this signal lives in us-east-2/],
      ['an alarm raised in another account', 'us-east-1-api-5xx', from('us-east-1', '999999999999'), /raised in account 999999999999, not the controller's account 111122223333/],
    ])('ignores %s, naming the mismatch, and records nothing', (_case, alarmName, origin, reason) => {
      const { state, last } = run(bound, [alarm(alarmName, 'ALARM', T0, origin)]);
      expect(last.action).toBe('ignored');
      expect(last.reason).toMatch(reason);
      expect(state.signals).toEqual({});
    });

    it('cannot be faked into a failover, nor into blocking one, by same-named alarms elsewhere', () => {
      const steps = [
        alarm('us-east-1-api-5xx', 'ALARM', T0, from('us-east-1', '999999999999')),
        alarm('us-east-1-health', 'ALARM', T0, from('eu-west-1')),
        alarm('us-east-2-api-5xx', 'ALARM', T0, from('ap-south-1')),
        tick(T0 + sec(600)),
      ];
      expect(run(bound, steps).decisions.map((d) => d.action)).toEqual(['ignored', 'ignored', 'ignored', 'none']);
    });

    it('accepts any account when none is configured (the documented risk), still checking the region', () => {
      const open = referenceConfig();
      expect(run(open, [alarm('us-east-1-api-5xx', 'ALARM', T0, from('us-east-1', '999999999999'))]).last.action).toBe('none');
      expect(run(open, [alarm('us-east-1-api-5xx', 'ALARM', T0, from('eu-west-1'))]).last.action).toBe('ignored');
    });

    it('ignores a heartbeat from a rule in another account', () => {
      const { state, last } = run(bound, [{ ...heartbeat('us-east-1', T0), account: '999999999999' }]);
      expect(last).toMatchObject({ action: 'ignored', reason: expect.stringMatching(/account 999999999999, not the controller's account/) });
      expect(state.heartbeats).toBeUndefined();
    });
  });

  describe('envelopes of workflow status and overrides', () => {
    const failingOver = () => run(bound, [heartbeat('us-east-1', T0), heartbeat('us-east-2', T0), override('failover', T0 + sec(1), { target: 'us-east-2', origin: { account: '111122223333', region: 'us-east-2' } })]);

    it("ignores a status event of another state machine, even for the in-flight execution's name", () => {
      const { state } = failingOver();
      const name = state.inFlight!.executionName;
      const forged = run(bound, [workflowEnded(name, 'SUCCEEDED', T0 + sec(60), { stateMachineArn: 'arn:aws:states:us-east-2:111122223333:stateMachine:other' })], state);
      expect(forged.last).toMatchObject({ action: 'ignored', reason: expect.stringMatching(/not the controller's failover state machine/) });
      expect(forged.state).toMatchObject({ phase: 'failing-over', active: 'us-east-1' });
      const real = run(bound, [workflowEnded(name, 'SUCCEEDED', T0 + sec(60), { stateMachineArn: bound.stateMachineArn })], state);
      expect(real.last.action).toBe('completed');
      // The shell's own reading (reconciliation) names no ARN: it asked the state machine itself.
      expect(run(bound, [workflowEnded(name, 'SUCCEEDED', T0 + sec(60), { via: 'reconcile' })], state).last.action).toBe('completed');
    });

    it.each([
      ['another account', { account: '999999999999', region: 'us-east-2' }, /account 999999999999 is not the controller's account/],
      ['another region', { account: '111122223333', region: 'eu-west-1' }, /region eu-west-1 is not the controller's region us-east-2/],
      ['no envelope identity', undefined, /account \(none\)/],
    ])('rejects an override from %s', (_case, origin, reason) => {
      const { state, last } = run(bound, [override('freeze', T0, origin ? { origin } : {})]);
      expect(last).toMatchObject({ action: 'rejected', reason: expect.stringMatching(reason) });
      expect(state.frozen).toBeUndefined();
      expect(state.recentRequests).toEqual([]);
    });
  });

  describe('time', () => {
    it('rejects an alarm stamped beyond the skew, so a real change after it is not "stale"', () => {
      const { decisions, state } = run(config, [[alarm('us-east-2-api-5xx', 'OK', T0 + sec(86_400)), T0], alarm('us-east-2-api-5xx', 'ALARM', T0 + sec(10))]);
      expect(decisions[0]).toMatchObject({ action: 'rejected', reason: expect.stringMatching(/^time: signal-changed .* 86400 s after the delivery clock/) });
      expect(decisions[1]!.reason).toMatch(/us-east-2-api-5xx \(us-east-2, alarm\) is ALARM/);
      expect(state.signals['us-east-2-api-5xx']).toMatchObject({ state: 'ALARM', lastAt: T0 + sec(10) });
    });

    it('never lets the clock go back: a decision at an earlier now is made at the last clock', () => {
      const first = run(config, [alarm('us-east-1-api-5xx', 'ALARM', T0 + sec(100))]);
      expect(first.state.clock).toBe(T0 + sec(100));
      const earlier = run(config, [[override('freeze', T0 + sec(50), { until: T0 + sec(150) }), T0 + sec(50)]], first.state);
      expect(earlier.last).toMatchObject({ action: 'freeze', at: T0 + sec(100) });
    });

    it('accepts a tick from the future (an early wake-up) and judges it at the clock', () => {
      const { last } = run(config, [[wake(T0 + sec(3600)), T0]]);
      expect(last).toMatchObject({ action: 'none', at: T0 });
    });
  });

  describe('overrides applied at most once', () => {
    it('rejects an override older than MAX_OVERRIDE_AGE_SECONDS as expired, and applies nothing', () => {
      const { state, last } = run(config, [[override('failover', T0, { target: 'us-east-2' }), T0 + sec(901)]]);
      expect(last).toMatchObject({ action: 'rejected', reason: expect.stringMatching(/^expired: failover by alice .* 901 s ago, more than MAX_OVERRIDE_AGE_SECONDS \(900 s\)/) });
      expect(state.phase).toBe('steady');
    });

    it('remembers a request id until every delivery of its override has expired, then forgets it', () => {
      const o = override('freeze', T0);
      const once = run(config, [o]);
      expect(run(config, [[{ ...o, eventId: 'again' }, T0 + sec(900)]], once.state).last.action).toBe('ignored');
      expect(run(config, [[{ ...o, eventId: 'late' }, T0 + sec(901)]], once.state).last.action).toBe('ignored');
      // Forgotten 1200 s (age + skew) after it was accepted: by then every delivery of it is expired.
      expect(run(config, [tick(T0 + sec(1201))], once.state).state.recentRequests).toEqual([]);
      expect(run(config, [[{ ...o, eventId: 'later' }, T0 + sec(1201)]], once.state).last).toMatchObject({ action: 'rejected', reason: expect.stringMatching(/^expired/) });
    });

    it('remembers ids of a state written before their times were kept, as if accepted now', () => {
      const legacy: ControllerState = { ...initialState(config), recentRequests: ['old-1'] };
      const { state, last } = run(config, [override('freeze', T0, { requestId: 'old-1' })], legacy);
      expect(last.action).toBe('ignored');
      expect(state.recentRequestTimes).toEqual([T0]);
    });
  });

  describe('redrive', () => {
    const failed = () => {
      const { state } = run(config, [...outage(), tick(T0 + sec(60))]);
      const name = state.inFlight!.executionName;
      return { name, ...run(config, [workflowEnded(name, 'FAILED', T0 + sec(120), { detail: 'States.TaskFailed: database switchover timed out' })], state) };
    };

    it('completes a failover whose halted execution was redriven and SUCCEEDED: the database and traffic moved', () => {
      const { name, state } = failed();
      expect(state.halted).toMatchObject({ status: 'FAILED', from: 'us-east-1', target: 'us-east-2' });
      const { last, state: after } = run(config, [workflowEnded(name, 'SUCCEEDED', T0 + sec(900))], state);
      expect(last).toMatchObject({ action: 'completed', target: 'us-east-2', generation: 1, active: 'us-east-2', phase: 'steady' });
      expect(last.reason).toMatch(/succeeded after a redrive of the execution that halted the controller \(FAILED: States.TaskFailed/);
      expect(after).toMatchObject({ active: 'us-east-2', phase: 'steady', cooldownUntil: T0 + sec(900) + sec(3600), lastFailover: { generation: 1, target: 'us-east-2' } });
      expect(after.halted).toBeUndefined();
    });

    it('does not complete a halt whose execution never ran (its name may be another execution), nor another name', () => {
      const { state } = run(config, [...outage(), tick(T0 + sec(60))]);
      const name = state.inFlight!.executionName;
      const startFailed = run(config, [actionFailed(name, T0 + sec(61), { permanent: true })], state).state;
      expect(run(config, [workflowEnded(name, 'SUCCEEDED', T0 + sec(600))], startFailed).last).toMatchObject({ action: 'ignored', phase: 'halted' });
      expect(run(config, [workflowEnded('other', 'SUCCEEDED', T0 + sec(600))], failed().state).last).toMatchObject({ action: 'ignored', phase: 'halted' });
    });
  });
});
