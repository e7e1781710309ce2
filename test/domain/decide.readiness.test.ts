import type { ControllerConfig } from '../../domain/config';
import { decide, initialState } from '../../domain/decide';
import type { Decision, StartFailover } from '../../domain/decision';
import type { DomainEvent } from '../../domain/events';
import type { ControllerState } from '../../domain/state';
import { alarm, override, readiness, sec, T0, testConfig, tick, workflowEnded } from './fixtures';

/** Feed events in order, each decided at its own time (or at the paired clock). */
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

/** us-east-1 down: an alarm and a health check in ALARM at `at`. */
const outage = (at = T0) => [alarm('us-east-1-api-5xx', 'ALARM', at), alarm('us-east-1-health', 'ALARM', at)];
const MAX_AGE_MS = sec(2700);

describe('decide: the readiness guard', () => {
  const config = testConfig();

  it('refuses an automatic failover into a target whose fresh readiness failed a guarding check, naming the checks and that a forced manual failover still works', () => {
    const { last, state } = run(config, [readiness('us-east-2', T0 - sec(600), ['weighted-records', 'replication-lag']), ...outage(), tick(T0 + sec(60))]);

    expect(last.action).toBe('suppressed');
    expect(last.reason).toMatch(
      /us-east-1 is down: .*no eligible target: us-east-2 failed readiness at 2026-11-26T02:50:00\.000Z \(weighted-records\): automatic failover into it refused; a manual failover with force still works/,
    );
    expect(state.inFlight).toBeUndefined();
    expect(state.phase).toBe('steady');
  });

  it('does not refuse for replication lag or controller health alone: the data-loss gate judges the lag when the failover runs', () => {
    const { last } = run(config, [readiness('us-east-2', T0 - sec(600), ['replication-lag', 'controller-health']), ...outage(), tick(T0 + sec(60))]);

    expect(last).toMatchObject({ action: 'start-failover', target: 'us-east-2' });
  });

  it('skips an unready target for the next ready one in preference order', () => {
    const three = testConfig({ autoFailback: false }, ['us-east-1', 'us-east-2', 'us-west-2']);

    const { last } = run(three, [readiness('us-east-2', T0 - sec(60), ['step-permissions']), ...outage(), tick(T0 + sec(60))]);

    expect(last).toMatchObject({ action: 'start-failover', target: 'us-west-2' });
    expect(last.reason).toMatch(/failing over to us-west-2/);
  });

  it('refuses a manual failover into it without force, asking for force', () => {
    const before = run(config, [readiness('us-east-2', T0 - sec(60), ['health-check'])]).state;

    const named = run(config, [override('failover', T0, { target: 'us-east-2' })], before).last;
    const unnamed = run(config, [override('failover', T0)], before).last;

    expect(named.action).toBe('suppressed');
    expect(named.reason).toMatch(/^failover by alice \(drill\): target us-east-2 failed readiness at .* \(health-check\): a failover into it without force is refused; use force to override$/);
    expect(unnamed.action).toBe('suppressed');
    expect(unnamed.reason).toMatch(/no eligible target: us-east-2 failed readiness .*use force to override; name a --target with force to override/);
  });

  it('lets a forced manual failover into it go', () => {
    const before = run(config, [readiness('us-east-2', T0 - sec(60), ['health-check', 'parameters'])]).state;

    const { last, state } = run(config, [override('failover', T0, { target: 'us-east-2', force: true })], before);

    expect(last).toMatchObject({ action: 'start-failover', target: 'us-east-2', request: { mode: 'manual', allowDataLoss: false } });
    expect((last as StartFailover).request.planned).toBeUndefined();
    expect(state.phase).toBe('failing-over');
  });

  it('ignores a result older than policy.readinessMaxAgeSeconds: readiness that stopped running never blocks a failover', () => {
    const { last } = run(config, [readiness('us-east-2', T0 + sec(60) - MAX_AGE_MS - 1, ['workflow']), ...outage(), tick(T0 + sec(60))]);

    expect(last).toMatchObject({ action: 'start-failover', target: 'us-east-2' });
  });

  it('schedules a wake-up for the instant the refusing result goes stale, and fails over then', () => {
    const evaluatedAt = T0 - sec(2000);
    const refused = run(config, [readiness('us-east-2', evaluatedAt, ['endpoint']), ...outage(), tick(T0 + sec(60))]);
    expect(refused.last.action).toBe('suppressed');
    expect(refused.last.wakeAt).toBe(evaluatedAt + MAX_AGE_MS + 1);

    const woken = run(config, [tick(evaluatedAt + MAX_AGE_MS + 1)], refused.state);

    expect(woken.last).toMatchObject({ action: 'start-failover', target: 'us-east-2' });
  });

  it('starts the pending failover when a newer result passes', () => {
    const refused = run(config, [readiness('us-east-2', T0 - sec(60), ['weighted-records']), ...outage(), tick(T0 + sec(60))]);

    const { last, state } = run(config, [readiness('us-east-2', T0 + sec(90))], refused.state);

    expect(last).toMatchObject({ action: 'start-failover', target: 'us-east-2' });
    expect(last.reason).toMatch(/^readiness of us-east-2 evaluated at .*: ready; us-east-1 is down/);
    expect(state.readiness).toEqual({ 'us-east-2': { target: 'us-east-2', evaluatedAt: T0 + sec(90), failing: [], active: 'us-east-1' } });
  });

  it('does not let a result evaluated while another region was active guard a failover', () => {
    const { last } = run(config, [readiness('us-east-2', T0 - sec(60), ['weighted-records'], { active: 'us-west-2' }), ...outage(), tick(T0 + sec(60))]);

    expect(last).toMatchObject({ action: 'start-failover', target: 'us-east-2' });
  });

  describe('keeping results', () => {
    it('keeps the newest result per configured region and ignores older or repeated ones', () => {
      const first = readiness('us-east-2', T0, ['health-check']);
      const { state, decisions } = run(config, [first, readiness('us-east-2', T0 - sec(1), [], { at: T0 + sec(1) }), first, readiness('us-east-1', T0 + sec(2))]);

      expect(decisions.map((d) => d.action)).toEqual(['none', 'ignored', 'ignored', 'none']);
      expect(decisions[1]!.reason).toMatch(/^stale: readiness of us-east-2/);
      expect(decisions[2]!.reason).toMatch(/^duplicate: readiness of us-east-2/);
      expect(Object.keys(state.readiness ?? {})).toEqual(['us-east-1', 'us-east-2']);
      expect(state.readiness?.['us-east-2']?.failing).toEqual(['health-check']);
    });

    it('ignores a result for another app or an unconfigured region, leaving the state as it was', () => {
      const other = run(config, [readiness('us-east-2', T0, [], { app: 'orders' })]);
      const unknown = run(config, [readiness('eu-west-9', T0)]);

      expect(other.last).toMatchObject({ action: 'ignored', reason: expect.stringMatching(/it is for app orders, not payments/) });
      expect(unknown.last).toMatchObject({ action: 'ignored', reason: expect.stringMatching(/eu-west-9 is not one of the regions/) });
      expect(other.state).toEqual(initialState(config));
      expect(unknown.state).toEqual(initialState(config));
    });

    it("ignores a result not published from the controller's own account and region, when they are configured", () => {
      const guarded: ControllerConfig = { ...config, account: '111111111111', controllerRegion: 'us-east-2' };

      const foreign = run(guarded, [readiness('us-east-2', T0, ['workflow'], { origin: { account: '222222222222', region: 'us-east-2' } })]);
      const own = run(guarded, [readiness('us-east-2', T0, ['workflow'], { origin: { account: '111111111111', region: 'us-east-2' } })]);

      expect(foreign.last).toMatchObject({ action: 'ignored', reason: expect.stringMatching(/account 222222222222 is not the controller's account 111111111111/) });
      expect(foreign.state.readiness).toBeUndefined();
      expect(own.state.readiness?.['us-east-2']).toMatchObject({ failing: ['workflow'] });
    });

    it('rejects a result evaluated beyond the allowed clock skew, and keeps one within it at the clock', () => {
      const ahead = run(config, [[readiness('us-east-2', T0 + sec(301), ['workflow']), T0]]);
      const within = run(config, [[readiness('us-east-2', T0 + sec(200), ['workflow']), T0]]);

      expect(ahead.last.action).toBe('rejected');
      expect(ahead.state.readiness).toBeUndefined();
      expect(within.state.readiness?.['us-east-2']?.evaluatedAt).toBe(T0);
    });
  });
});

describe('decide: failback', () => {
  const config = testConfig();
  /** After an outage of us-east-1 and a completed failover to us-east-2, us-east-1 recovers (its alarms OK). */
  function failedOver() {
    const started = run(config, [...outage(), tick(T0 + sec(60))]);
    const name = started.state.inFlight!.executionName;
    return run(
      config,
      [workflowEnded(name, 'SUCCEEDED', T0 + sec(400)), alarm('us-east-1-api-5xx', 'OK', T0 + sec(3000)), alarm('us-east-1-health', 'OK', T0 + sec(3000))],
      started.state,
    ).state;
  }
  const AT = T0 + sec(4000);
  const homeResult = (failing: Parameters<typeof readiness>[2] = [], evaluatedAt = AT - sec(600)) => readiness('us-east-1', evaluatedAt, failing, { active: 'us-east-2' });

  it('reports on the home region\'s readiness result whether failback is possible', () => {
    const possible = run(config, [homeResult()], failedOver()).last;
    const notYet = run(config, [homeResult(['replication-lag'])], failedOver()).last;

    expect(possible.reason).toMatch(/readiness of us-east-1 evaluated at .*: ready; failback to us-east-1 possible/);
    expect(notYet.reason).toMatch(/not ready \(failing: replication-lag\); failback to us-east-1 not possible yet/);
  });

  it('starts a planned switchover home, without data loss, once a fresh result shows the home region a member and in sync', () => {
    const { last, state } = run(config, [homeResult(), override('failback', AT)], failedOver());

    expect(last).toMatchObject({
      action: 'start-failover',
      target: 'us-east-1',
      request: { from: 'us-east-2', target: 'us-east-1', mode: 'manual', allowDataLoss: false, planned: true, requestedBy: 'alice' },
    });
    expect(last.reason).toMatch(/^failback by alice \(drill\): failback from us-east-2 to the home region us-east-1: planned switchover, no data loss/);
    expect(state.inFlight).toMatchObject({ target: 'us-east-1', planned: true, allowDataLoss: false });
  });

  it('goes within the cooldown of the failover it undoes: a person asks, and readiness is the evidence', () => {
    const state = failedOver();
    expect(state.cooldownUntil).toBeGreaterThanOrEqual(AT);

    expect(run(config, [homeResult(), override('failback', AT)], state).last.action).toBe('start-failover');
  });

  it.each([
    ['out of sync', ['replication-lag'] as const, /\(replication-lag\): it is not in sync \(replication lag over the budget or unknown\); failback waits until readiness passes/],
    ['not a member of the global cluster', ['global-cluster-member', 'engine-version'] as const, /\(global-cluster-member, engine-version\): its cluster is not a connected secondary of the global cluster/],
    ['failing a guarding check', ['weighted-records'] as const, /\(weighted-records\); failback waits until readiness passes/],
  ])('refuses while the home region is %s, naming the checks', (_what, failing, reason) => {
    const { last, state } = run(config, [homeResult([...failing]), override('failback', AT)], failedOver());

    expect(last.action).toBe('suppressed');
    expect(last.reason).toMatch(/^failback by alice \(drill\): failback refused: us-east-1 failed readiness at /);
    expect(last.reason).toMatch(reason);
    expect(state.inFlight).toBeUndefined();
  });

  it('refuses with a stale result, or none, or one evaluated while another region served', () => {
    const stale = run(config, [homeResult([], AT - MAX_AGE_MS - 1), override('failback', AT)], failedOver()).last;
    const none = run(config, [override('failback', AT)], failedOver()).last;
    const otherActive = run(config, [readiness('us-east-1', AT - sec(60), [], { active: 'us-west-2' }), override('failback', AT)], failedOver()).last;

    expect(stale).toMatchObject({ action: 'suppressed', reason: expect.stringMatching(/older than 2700 s: failback needs a fresh one/) });
    expect(none).toMatchObject({ action: 'suppressed', reason: expect.stringMatching(/no readiness result for us-east-1 yet/) });
    expect(otherActive).toMatchObject({ action: 'suppressed', reason: expect.stringMatching(/no readiness result for us-east-1 yet/) });
  });

  it('refuses while the home region has a signal in ALARM', () => {
    const { last } = run(config, [homeResult(), alarm('us-east-1-health', 'ALARM', AT - sec(5)), override('failback', AT)], failedOver());

    expect(last).toMatchObject({ action: 'suppressed', reason: expect.stringMatching(/home region us-east-1 has signals in ALARM \(us-east-1-health\)/) });
  });

  it('rejects a failback while the home region is active', () => {
    const { last } = run(config, [readiness('us-east-2', T0), override('failback', T0)]);

    expect(last).toMatchObject({ action: 'rejected', reason: 'failback by alice (drill): the home region us-east-1 is already active; nothing to fail back' });
  });

  it('refuses while a failover is in flight or the controller is halted', () => {
    const home = failedOver();
    const inFlight = run(config, [homeResult(), override('failback', AT), override('failback', AT + sec(1))], home).last;
    const started = run(config, [homeResult(), override('failback', AT)], home).state;
    const halted = run(config, [workflowEnded(started.inFlight!.executionName, 'FAILED', AT + sec(60)), override('failback', AT + sec(61))], started).last;

    expect(inFlight).toMatchObject({ action: 'suppressed', reason: expect.stringMatching(/failover g2 to us-east-1 in flight; one failover at a time/) });
    expect(halted).toMatchObject({ action: 'suppressed', reason: expect.stringMatching(/halted after failover g2; acknowledge first/) });
  });
});
