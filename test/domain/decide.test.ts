import type { ControllerConfig } from '../../domain/config';
import { decide, initialState } from '../../domain/decide';
import type { Decision } from '../../domain/decision';
import type { DomainEvent } from '../../domain/events';
import type { ControllerState } from '../../domain/state';
import { RECENT_REQUESTS_KEPT } from '../../domain/state';
import { alarm, override, sec, T0, testConfig, tick, workflowEnded } from './fixtures';

/** Feed events in order, each decided at its own time (or at `now` when given). */
function run(config: ControllerConfig, steps: readonly (DomainEvent | [DomainEvent, number])[], from?: ControllerState) {
  let state = from ?? initialState(config);
  const decisions: Decision[] = [];
  for (const step of steps) {
    const [event, now] = Array.isArray(step) ? step : [step, step.at];
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
      expect(last).toMatchObject({ target: 'us-east-2', generation: 1, executionName: 'payments-failover-g1', dryRun: false });
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

    it('numbers generations and derives the execution name from them', () => {
      const first = run(config, [override('failover', T0, { target: 'us-east-2' })]);
      const done = run(config, [workflowEnded('payments-failover-g1', 'SUCCEEDED', T0 + sec(60))], first.state);
      const second = run(config, [override('failover', T0 + sec(61), { target: 'us-east-1', force: true })], done.state);
      expect(second.last).toMatchObject({ action: 'start-failover', generation: 2, executionName: 'payments-failover-g2', target: 'us-east-1' });
    });
  });

  describe('no flapping', () => {
    const failedOver = () => {
      const started = run(config, [...outage(), tick(T0 + sec(60))]);
      return run(config, [workflowEnded('payments-failover-g1', 'SUCCEEDED', T0 + sec(200))], started.state).state;
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
      const done = run(three, [workflowEnded('payments-failover-g1', 'SUCCEEDED', T0 + sec(200)), alarm('us-east-1-api-5xx', 'OK', T0 + sec(201)), alarm('us-east-1-health', 'OK', T0 + sec(201))], started.state);
      const { last } = run(three, east2Down(T0 + sec(300)), done.state);
      expect(last.action).toBe('suppressed');
      expect(last.reason).toMatch(/in cooldown until/);
    });

    it('caps automatic failovers per window', () => {
      const p = testConfig({ autoFailback: true, cooldownSeconds: 0, maxAutoFailovers: 1, windowSeconds: 86400 });
      const started = run(p, [...outage(), tick(T0 + sec(60))]);
      const done = run(p, [workflowEnded('payments-failover-g1', 'SUCCEEDED', T0 + sec(200)), alarm('us-east-1-api-5xx', 'OK', T0 + sec(201)), alarm('us-east-1-health', 'OK', T0 + sec(201))], started.state);
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
      const done = run(config, [workflowEnded('payments-failover-g1', 'SUCCEEDED', T0 + sec(60))], started.state);
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
      expect(aborted.last).toMatchObject({ action: 'abort', executionName: 'payments-failover-g1', generation: 1 });
      const { state, last } = run(config, [workflowEnded('payments-failover-g1', 'ABORTED', T0 + sec(71))], aborted.state);
      expect(last.action).toBe('halted');
      expect(last.reason).toMatch(/aborted by an operator/);
      expect(state).toMatchObject({ phase: 'halted', active: 'us-east-1' });
    });

    it('says there is nothing to abort when nothing is in flight', () => {
      expect(run(config, [override('abort', T0)]).last.action).toBe('none');
    });

    it.each(['FAILED', 'TIMED_OUT', 'ABORTED'] as const)('stays halted after a %s workflow until acknowledged', (status) => {
      const started = run(config, [...outage(), tick(T0 + sec(60))]);
      const halted = run(config, [workflowEnded('payments-failover-g1', status, T0 + sec(100), { detail: 'DataLossNotPermitted: lag 9 s > budget 5 s' })], started.state);
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
      const halted = run(config, [workflowEnded('payments-failover-g1', 'FAILED', T0 + sec(100), { detail: 'data loss not permitted: lag 9 s > budget 5 s' })], started.state);
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
      const halted = run(two, [workflowEnded('payments-failover-g1', 'FAILED', T0 + sec(100))], started.state);
      const acked = run(two, [override('acknowledge', T0 + sec(300)), tick(T0 + sec(301))], halted.state);
      expect(acked.last).toMatchObject({ action: 'start-failover', generation: 2, executionName: 'payments-failover-g2' });
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
      const { last, state } = run(config, [workflowEnded('payments-failover-g1', 'SUCCEEDED', T0 + sec(200), { recoverySeconds: 190 })], started.state);
      expect(last).toMatchObject({ action: 'completed', recoverySeconds: 190 });
      expect(state.lastFailover).toMatchObject({ generation: 1, recoverySeconds: 190 });
    });
  });

  describe('dry run', () => {
    it('decides and reports "would have failed over" but starts nothing', () => {
      const dry = testConfig({ dryRun: true });
      const { last, state } = run(dry, [...outage(), tick(T0 + sec(60))]);
      expect(last).toMatchObject({ action: 'start-failover', dryRun: true, target: 'us-east-2' });
      expect(last.reason).toMatch(/^dry run: would have failed over/);
      expect(state).toMatchObject({ phase: 'steady', active: 'us-east-1', generation: 0 });
      expect(state.inFlight).toBeUndefined();
      expect(run(dry, [tick(T0 + sec(120))], state).last.reason).toMatch(/in cooldown/);
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

  it('gives every decision the app, the event id, the clock, the active region and the phase', () => {
    const e = tick(T0);
    const [d] = decide(initialState(config), e, config, T0).decisions;
    expect(d).toMatchObject({ app: 'payments', eventId: e.eventId, at: T0, active: 'us-east-1', phase: 'steady' });
    expect(d.reason.length).toBeGreaterThan(0);
  });
});
