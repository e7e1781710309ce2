import fc from 'fast-check';
import type { ControllerConfig } from '../../domain/config';
import { decide, initialState } from '../../domain/decide';
import type { WorkflowStatus } from '../../domain/events';
import { GUARDING_CHECKS, READINESS_CHECKS } from '../../domain/readiness';
import type { ControllerState } from '../../domain/state';
import { workflowStatuses } from './arbitraries';
import { actionFailed, alarm, decideAll, east2Down, eastDown, override, readiness, sec, T0, testConfig, tick, workflowEnded } from './fixtures';

/**
 * The rules of the workflow's reports (how a run ends, a redrive, a failback), of readiness results
 * and of wake-ups, stated where a one-character change would break them while the examples stay
 * green: which end completes a halted failover, what a decision records when nothing was reported,
 * when the controller must wake up, and that the engine stays total for any time it is given.
 */
const numRuns = Math.min(Number(process.env.PROPERTY_RUNS ?? 2000), 200);

const run = decideAll;

const HOME = 'us-east-1';
const AWAY = 'us-east-2';

/** A manual failover from the home region to us-east-2, started at T0 and in flight. */
function inFlight(config: ControllerConfig = testConfig()) {
  const { state, last } = run(config, [override('failover', T0, { target: AWAY })]);
  expect(last.action).toBe('start-failover');
  return { state, name: state.inFlight!.executionName };
}

/** The controller halted after that failover ended with `status` (START_FAILED: StartExecution failed for good). */
function haltedWith(status: string, config: ControllerConfig = testConfig()) {
  const { state, name } = inFlight(config);
  const end = status === 'START_FAILED' ? actionFailed(name, T0 + sec(1), { permanent: true }) : workflowEnded(name, status as WorkflowStatus, T0 + sec(60));
  const halted = run(config, [end], state);
  expect(halted.last.action).toBe('halted');
  return { state: halted.state, name };
}

/** Failed over to us-east-2 (SUCCEEDED at T0 + 60 s): us-east-1 is the home region to fail back to. */
function away(config: ControllerConfig = testConfig()) {
  const { state, name } = inFlight(config);
  const done = run(config, [workflowEnded(name, 'SUCCEEDED', T0 + sec(60))], state);
  expect(done.state.active).toBe(AWAY);
  return done.state;
}

describe('a redriven execution that ends after a halt', () => {
  const haltStatuses = ['FAILED', 'TIMED_OUT', 'ABORTED', 'START_FAILED'];

  it('completes the halted failover only when the execution that halted it ran, was redriven and now SUCCEEDED; any other end leaves the controller halted', () => {
    fc.assert(
      fc.property(fc.constantFrom(...haltStatuses), fc.constantFrom(...workflowStatuses), fc.constantFrom('event' as const, 'reconcile' as const), (haltStatus, endStatus, via) => {
        const { state, name } = haltedWith(haltStatus);
        const out = run(testConfig(), [workflowEnded(name, endStatus, T0 + sec(900), { via })], state);
        const completes = endStatus === 'SUCCEEDED' && haltStatus !== 'START_FAILED';
        expect(out.last.action).toBe(completes ? 'completed' : 'ignored');
        expect(out.state.active).toBe(completes ? AWAY : HOME);
        expect(out.state.phase).toBe(completes ? 'steady' : 'halted');
        expect(out.state.halted).toEqual(completes ? undefined : state.halted);
      }),
      { numRuns: Math.min(numRuns, 50) },
    );
  });

  it('tells the operator which halt status is not redriven when a run that never started "succeeds"', () => {
    const { state, name } = haltedWith('START_FAILED');
    const out = run(testConfig(), [workflowEnded(name, 'SUCCEEDED', T0 + sec(900))], state);
    expect(out.last.action).toBe('ignored');
    expect(out.last.reason).toContain('START_FAILED');
  });

  it('does not complete a halt that does not record where it went from or to (a state written before they were kept)', () => {
    const { state, name } = haltedWith('FAILED');
    for (const key of ['target', 'from'] as const) {
      const { [key]: _dropped, ...legacy } = state.halted!;
      const before: ControllerState = { ...state, halted: legacy };
      const out = run(testConfig(), [workflowEnded(name, 'SUCCEEDED', T0 + sec(900))], before);
      expect(out.last.action).toBe('ignored');
      expect(out.state).toMatchObject({ active: HOME, phase: 'halted', halted: legacy });
      expect(out.last.reason).not.toMatch(/undefined/);
    }
  });

  it('does not complete a halted failover that went from a region other than the one active now', () => {
    const { state, name } = haltedWith('FAILED', testConfig({}, ['us-east-1', 'us-east-2', 'us-west-2']));
    const before: ControllerState = { ...state, halted: { ...state.halted!, from: 'us-west-2' } };
    const out = run(testConfig({}, ['us-east-1', 'us-east-2', 'us-west-2']), [workflowEnded(name, 'SUCCEEDED', T0 + sec(900))], before);
    expect(out.last.action).toBe('ignored');
    expect(out.state).toMatchObject({ active: HOME, phase: 'halted' });
  });
});

describe('the phase says whether the controller is halted', () => {
  it('a halt record left on a steady state neither blocks a failback nor lets a SUCCEEDED of its execution move the active region', () => {
    const config = testConfig();
    const { state: halted, name } = haltedWith('FAILED', config);
    // Away from home, steady, with a passing fresh readiness result for home, and the old halt record left behind.
    const steady: ControllerState = { ...run(config, [readiness(HOME, T0 + sec(120), [], { active: AWAY })], away(config)).state, halted: halted.halted! };
    expect(run(config, [override('failback', T0 + sec(130))], steady).last.action).toBe('start-failover');

    const leftover: ControllerState = { ...halted, phase: 'steady' };
    const ended = run(config, [workflowEnded(name, 'SUCCEEDED', T0 + sec(900))], leftover);
    expect(ended.last.action).toBe('ignored');
    expect(ended.state.active).toBe(HOME);
  });

  it('a halted phase without its record does not break the engine: an end of any execution is not in flight', () => {
    const config = testConfig();
    const { state: halted, name } = haltedWith('FAILED', config);
    const { halted: _record, ...bare } = halted;
    const out = run(config, [workflowEnded(name, 'SUCCEEDED', T0 + sec(900))], bare as ControllerState);
    expect(out.last.action).toBe('ignored');
    expect(out.state.active).toBe(HOME);
  });
});

describe('the end of the failover in flight', () => {
  const machine = 'arn:aws:states:us-east-1:111122223333:stateMachine:payments-dr-failover';
  const other = 'arn:aws:states:us-east-1:111122223333:stateMachine:someone-elses';

  it('accepts an end naming any state machine when no state machine is configured', () => {
    const config = testConfig();
    const { state, name } = inFlight(config);
    const out = run(config, [workflowEnded(name, 'SUCCEEDED', T0 + sec(60), { stateMachineArn: other, via: 'event' })], state);
    expect(out.last.action).toBe('completed');
    expect(out.state.active).toBe(AWAY);
  });

  it("ignores an end from another state machine and names that machine (or says none was named)", () => {
    const config: ControllerConfig = { ...testConfig(), stateMachineArn: machine };
    const { state, name } = inFlight(config);
    const named = run(config, [workflowEnded(name, 'SUCCEEDED', T0 + sec(60), { stateMachineArn: other, via: 'event' })], state);
    expect(named.last.action).toBe('ignored');
    expect(named.last.reason).toContain(other);
    const unnamed = run(config, [workflowEnded(name, 'SUCCEEDED', T0 + sec(60), { via: 'event' })], state);
    expect(unnamed.last.action).toBe('ignored');
    expect(unnamed.last.reason).not.toMatch(/undefined/);
  });

  it('records the recovery time exactly when the workflow reported one, says in the reason when the end was read by reconciliation, and never prints "undefined"', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...workflowStatuses),
        fc.constantFrom('event' as const, 'reconcile' as const, undefined),
        fc.option(fc.integer({ min: 100, max: 3600 }), { nil: undefined }),
        (status, via, recoverySeconds) => {
          const config = testConfig();
          const { state, name } = inFlight(config);
          const extra = { ...(via !== undefined ? { via } : {}), ...(recoverySeconds !== undefined ? { recoverySeconds } : {}) };
          const out = run(config, [workflowEnded(name, status, T0 + sec(60), extra)], state);
          expect(out.last.action).toBe(status === 'SUCCEEDED' ? 'completed' : 'halted');
          expect(out.last.reason).not.toMatch(/undefined/);
          expect(/event was lost/.test(out.last.reason)).toBe(via === 'reconcile');
          const reported = status === 'SUCCEEDED' && recoverySeconds !== undefined;
          expect('recoverySeconds' in out.last).toBe(reported);
          expect(out.state.lastFailover !== undefined && 'recoverySeconds' in out.state.lastFailover).toBe(reported);
          // A SUCCEEDED run's reason reports the recovery time it was given.
          expect(status !== 'SUCCEEDED' || out.last.reason.includes(` ${recoverySeconds} s `) === reported).toBe(true);
        },
      ),
      { numRuns: Math.min(numRuns, 60) },
    );
  });
});

describe('readiness results', () => {
  it('keeps a result only for the regions that have one: no region maps to nothing', () => {
    fc.assert(
      fc.property(fc.constantFrom<string[]>(['us-east-1', 'us-east-2'], ['us-east-1', 'us-east-2', 'us-west-2']).chain((regions) => fc.tuple(fc.constant(regions), fc.subarray(regions, { minLength: 1 }))), ([regions, reported]) => {
        const config = testConfig({}, regions);
        const out = run(config, reported.map((target, i) => readiness(target, T0 + sec(i))));
        expect(Object.keys(out.state.readiness ?? {}).sort()).toEqual([...reported].sort());
      }),
      { numRuns: Math.min(numRuns, 50) },
    );
  });

  it('says whether a failback is possible exactly for a result about the home region, while away from it, evaluated against the active region, and says what the failback would do', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.constantFrom(HOME, AWAY), fc.constantFrom(HOME, AWAY), fc.subarray([...READINESS_CHECKS]), (isAway, target, evaluatedWhile, failing) => {
        const config = testConfig();
        const from = isAway ? away(config) : initialState(config);
        const out = run(config, [readiness(target, T0 + sec(120), failing, { active: evaluatedWhile })], from);
        const note = /failback to us-east-1 (possible|not possible yet)/.exec(out.last.reason);
        expect(note !== null).toBe(target === HOME && from.active !== HOME && evaluatedWhile === from.active);
        const failback = run(config, [override('failback', T0 + sec(121))], out.state).last.action;
        expect(note === null || (note[1] === 'possible') === (failback === 'start-failover')).toBe(true);
      }),
      { numRuns: Math.min(numRuns, 80) },
    );
  });

  it('stays total for any evaluation time: NaN, infinite or beyond the range of dates', () => {
    fc.assert(
      fc.property(fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1e16, 1e16, -8.7e15), (evaluatedAt) => {
        const config = testConfig();
        const out = decide(initialState(config), { ...readiness(AWAY, T0), evaluatedAt }, config, T0);
        expect(out.decisions).toHaveLength(1);
      }),
      { numRuns: Math.min(numRuns, 20) },
    );
  });
});

describe('wake-ups', () => {
  it('wakes a controller held back by the cap exactly when the oldest counted automatic failover leaves the window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 700, max: 7 * 86_400 }), (windowSeconds) => {
        const config = testConfig({ autoFailback: true, cooldownSeconds: 0, sustainSeconds: 60, maxAutoFailovers: 1, windowSeconds });
        const started = run(config, [...eastDown(T0), tick(T0 + sec(60))]);
        expect(started.last.action).toBe('start-failover');
        const name = started.state.inFlight!.executionName;
        const held = run(
          config,
          [workflowEnded(name, 'SUCCEEDED', T0 + sec(160)), alarm('us-east-1-api-5xx', 'OK', T0 + sec(161)), alarm('us-east-1-health', 'OK', T0 + sec(161)), ...east2Down(T0 + sec(200)), tick(T0 + sec(260))],
          started.state,
        );
        expect(held.last).toMatchObject({ action: 'suppressed', wakeAt: T0 + sec(60) + windowSeconds * 1000 });
      }),
      { numRuns: Math.min(numRuns, 50) },
    );
  });

  it("wakes for a readiness result only when it is fresh, failed a guarding check and is about a target (never the active region's own)", () => {
    fc.assert(
      fc.property(fc.constantFrom(HOME, AWAY), fc.subarray([...READINESS_CHECKS]), (target, failing) => {
        const config = testConfig();
        const until = T0 + sec(4 * 3600);
        const out = run(config, [...eastDown(T0), readiness(target, T0 + sec(10), failing), override('freeze', T0 + sec(20), { until }), tick(T0 + sec(60))]);
        expect(out.last.action).toBe('suppressed');
        const refuses = target !== HOME && failing.some((check) => GUARDING_CHECKS.includes(check));
        expect(out.last.wakeAt).toBe(refuses ? T0 + sec(10) + config.policy.readinessMaxAgeSeconds * 1000 + 1 : until);
      }),
      { numRuns: Math.min(numRuns, 60) },
    );
  });

  it('never wakes before the active region is down: a guard that ends earlier wakes nobody', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 59 }), (untilSeconds) => {
        const config = testConfig({ sustainSeconds: 60 });
        const out = run(config, [...eastDown(T0), override('freeze', T0 + sec(1), { until: T0 + sec(untilSeconds) })]);
        expect(out.last).toMatchObject({ action: 'freeze', wakeAt: T0 + sec(60) });
      }),
      { numRuns: Math.min(numRuns, 30) },
    );
  });
});
