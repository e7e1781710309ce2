import fc from 'fast-check';
import type { ControllerConfig } from '../../domain/config';
import { decide, initialState } from '../../domain/decide';
import type { DomainEvent, Override, WorkflowStatus } from '../../domain/events';
import { MAX_EVENT_SKEW_SECONDS, MAX_OVERRIDE_AGE_SECONDS, MAX_RECENT_OVERRIDES } from '../../domain/limits';
import { GUARDING_CHECKS } from '../../domain/readiness';
import type { ControllerState } from '../../domain/state';
import { inFlightNamed, scenarioArb } from './arbitraries';
import { actionFailed, alarm, decideAll, east2Down, eastDown, nameOf, override, sec, T0, testConfig, tick, workflowEnded } from './fixtures';

/**
 * The rules of choosing a target, the guards on an automatic failover (halt, freeze, cooldown, cap)
 * and the operator's overrides (origin, duplicates, expiry, the bound on recent requests, and each
 * action), stated at their edges: what holds, and the instant where it stops holding.
 */
const numRuns = Number(process.env.PROPERTY_RUNS ?? 2000);

const run = decideAll;

/** The ISO-8601 instant `ms`, as decisions name instants. */
const iso = (ms: number) => new Date(ms).toISOString();
const ISO_RE = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g;

/** A controller halted after a manual failover to us-east-2 that ended `status` (the old region stays active). */
function haltedAfter(config: ControllerConfig, status: Exclude<WorkflowStatus, 'SUCCEEDED'> | 'START_FAILED') {
  const started = run(config, [override('failover', T0, { target: 'us-east-2' })]);
  const end = status === 'START_FAILED' ? actionFailed(nameOf(1, T0), T0 + sec(5), { permanent: true }) : workflowEnded(nameOf(1, T0), status, T0 + sec(5));
  return run(config, [end], started.state);
}

describe('the guards on an automatic failover', () => {
  it('starts no automatic failover while halted, however long the active region is down, and starts one once an operator acknowledges', () => {
    fc.assert(
      fc.property(fc.constantFrom('FAILED' as const, 'TIMED_OUT' as const, 'ABORTED' as const, 'START_FAILED' as const), fc.integer({ min: 60, max: 86_400 }), (status, downFor) => {
        const config = testConfig({ cooldownSeconds: 0 });
        const halted = haltedAfter(config, status);
        expect(halted.state.phase).toBe('halted');
        const held = run(config, [...eastDown(T0 + sec(10)), tick(T0 + sec(10 + downFor))], halted.state);
        expect(held.last.action).toBe('suppressed');
        expect(held.state.inFlight).toBeUndefined();
        expect(held.state.generation).toBe(1);
        // The acknowledgement lifts the halt: the region is still down, so the next tick fails over.
        const acked = run(config, [override('acknowledge', T0 + sec(11 + downFor)), tick(T0 + sec(12 + downFor))], held.state);
        expect(acked.decisions[0]!.action).toBe('acknowledge');
        expect(acked.last.action).toBe('start-failover');
      }),
      { numRuns: Math.min(numRuns, 50) },
    );
  });

  it('holds an automatic failover for the whole cooldown, its last instant included, and lets it go 1 ms later', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 86_400 }), (cooldownSeconds) => {
        const config = testConfig({ autoFailback: true, cooldownSeconds, sustainSeconds: 60 });
        const moved = run(config, [override('failover', T0, { target: 'us-east-2' }), workflowEnded(nameOf(1, T0), 'SUCCEEDED', T0 + sec(10))]);
        const cooldownUntil = T0 + sec(10) + sec(cooldownSeconds);
        expect(moved.state.cooldownUntil).toBe(cooldownUntil);
        // us-east-2 is down (sustained) well before the cooldown ends.
        const down = run(config, east2Down(T0 + sec(20)), moved.state);
        const atEnd = run(config, [tick(cooldownUntil)], down.state);
        expect(atEnd.last.action).toBe('suppressed');
        expect(atEnd.state.inFlight).toBeUndefined();
        const after = run(config, [tick(cooldownUntil + 1)], down.state);
        expect(after.last.action).toBe('start-failover');
        expect(after.state.inFlight?.target).toBe('us-east-1');
      }),
      { numRuns: Math.min(numRuns, 100) },
    );
  });

  it('never counts a manual failover or a failback against the automatic cap', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), (force, dryRun) => {
        const config = testConfig({ maxAutoFailovers: 1, cooldownSeconds: 0, dryRun });
        const manual = run(config, [override('failover', T0, { target: 'us-east-2', force })]);
        expect(manual.last.action).toBe('start-failover');
        expect(manual.state.autoFailovers).toEqual([]);
        expect((manual.state.inFlight ?? manual.state.wouldBe)?.mode).toBe('manual');
      }),
      { numRuns: Math.min(numRuns, 20) },
    );
    // After that manual failover (live) completes, the first automatic one is still allowed.
    const config = testConfig({ maxAutoFailovers: 1, cooldownSeconds: 0, autoFailback: true });
    const moved = run(config, [override('failover', T0, { target: 'us-east-2' }), workflowEnded(nameOf(1, T0), 'SUCCEEDED', T0 + sec(10))]);
    const auto = run(config, [...east2Down(T0 + sec(20)), tick(T0 + sec(90))], moved.state);
    expect(auto.last.action).toBe('start-failover');
    expect(auto.state.autoFailovers).toEqual([T0 + sec(90)]);
  });

  it('tells the operator until when a freeze holds automatic action back, or that it lasts until unfreeze, never an unset time', () => {
    fc.assert(
      fc.property(fc.option(fc.integer({ min: 120, max: 86_400 }), { nil: undefined }), (forSeconds) => {
        const config = testConfig();
        const until = forSeconds === undefined ? undefined : T0 + sec(forSeconds);
        const frozen = run(config, [override('freeze', T0, until === undefined ? {} : { until })]);
        expect(frozen.last.action).toBe('freeze');
        const held = run(config, [...eastDown(T0 + sec(1)), tick(T0 + sec(61))], frozen.state);
        expect(held.last.action).toBe('suppressed');
        for (const reason of [frozen.last.reason, held.last.reason]) {
          expect(reason).not.toMatch(/undefined|NaN|Invalid Date/);
          expect(reason.match(ISO_RE) ?? []).toEqual(until === undefined ? [] : [iso(until)]);
        }
        expect(frozen.last.reason).toContain(until === undefined ? 'unfreeze' : iso(until));
      }),
      { numRuns: Math.min(numRuns, 50) },
    );
  });
});

describe('choosing a target', () => {
  it('lets a readiness result kept without the region it was evaluated under (an older state) still refuse a target', () => {
    const config = testConfig({ cooldownSeconds: 0 });
    const base = initialState(config);
    const legacy: ControllerState = { ...base, readiness: { 'us-east-2': { target: 'us-east-2', evaluatedAt: T0, failing: [GUARDING_CHECKS[0]!] } } };
    const auto = run(config, [...eastDown(T0 + sec(1)), tick(T0 + sec(61))], legacy);
    expect(auto.last.action).toBe('suppressed');
    expect(auto.state.inFlight).toBeUndefined();
    const manual = run(config, [override('failover', T0 + sec(62), { target: 'us-east-2' })], legacy);
    expect(manual.last.action).toBe('suppressed');
    // The same state without the result fails over.
    expect(run(config, [...eastDown(T0 + sec(1)), tick(T0 + sec(61))], base).last.action).toBe('start-failover');
  });

  it('sends a forced failover without a target to the first region in preference order that is not active, whatever its health', () => {
    fc.assert(
      fc.property(fc.constantFrom(['us-east-1', 'us-east-2'], ['us-east-1', 'us-east-2', 'us-west-2'], ['us-west-2', 'us-east-1', 'us-east-2']), fc.nat(), fc.boolean(), (regions, pick, sick) => {
        const active = regions[pick % regions.length]!;
        const config: ControllerConfig = { ...testConfig({}, regions), initialActive: active };
        const expected = regions.find((r) => r !== active)!;
        const events: DomainEvent[] = sick ? [alarm(`${expected}-api-5xx`, 'ALARM', T0)] : [];
        const out = run(config, [...events, override('failover', T0 + sec(1), { force: true })]);
        expect(out.last.action).toBe('start-failover');
        expect(out.state.inFlight?.from).toBe(active);
        expect(out.state.inFlight?.target).toBe(expected);
      }),
      { numRuns: Math.min(numRuns, 50) },
    );
  });

  it('does nothing for a manual failover into the region already active, forced or not', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.boolean(), (force, allowDataLoss, eastIsDown) => {
        const config = testConfig({ cooldownSeconds: 0 });
        const before = run(config, eastIsDown ? eastDown(T0) : [tick(T0)]);
        const out = run(config, [override('failover', T0 + sec(1), { target: 'us-east-1', force, allowDataLoss })], before.state);
        expect(out.last.action).toBe('none');
        expect(out.state.inFlight).toBeUndefined();
        expect(out.state.generation).toBe(before.state.generation);
        expect(out.state.phase).toBe('steady');
      }),
      { numRuns: Math.min(numRuns, 20) },
    );
  });
});

describe('operator overrides', () => {
  it('accepts an override from any account and region when the controller has none configured, and rejects a foreign one when it has', () => {
    const origin = fc.record({ account: fc.constantFrom('111111111111', '222222222222'), region: fc.constantFrom('us-east-1', 'eu-west-1') }, { requiredKeys: [] });
    fc.assert(
      fc.property(origin, fc.boolean(), fc.boolean(), (from, withAccount, withRegion) => {
        const config: ControllerConfig = {
          ...testConfig(),
          ...(withAccount ? { account: '111111111111' } : {}),
          ...(withRegion ? { controllerRegion: 'us-east-1' } : {}),
        };
        const out = run(config, [override('freeze', T0, { origin: from })]);
        const foreign = (withAccount && from.account !== '111111111111') || (withRegion && from.region !== 'us-east-1');
        expect(out.last.action).toBe(foreign ? 'rejected' : 'freeze');
        expect(out.state.frozen !== undefined).toBe(!foreign);
      }),
      { numRuns: Math.min(numRuns, 100) },
    );
  });

  it('applies an override published up to MAX_OVERRIDE_AGE_SECONDS ago, and rejects an older one', () => {
    const age = MAX_OVERRIDE_AGE_SECONDS * 1000;
    for (const offset of [-1, 0, 1]) {
      const out = run(testConfig(), [override('freeze', T0)], undefined, T0 + age + offset);
      expect(out.last.action).toBe(offset > 0 ? 'rejected' : 'freeze');
    }
  });

  it(`refuses a new override once ${MAX_RECENT_OVERRIDES} are remembered, and names the first instant it is accepted again`, () => {
    const remember = (MAX_OVERRIDE_AGE_SECONDS + MAX_EVENT_SKEW_SECONDS) * 1000;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 15_000 }), fc.integer({ min: 0, max: 60_000 }), (gap, wait) => {
        const config = testConfig();
        const accepted = Array.from({ length: MAX_RECENT_OVERRIDES }, (_, i) => override('unfreeze', T0 + i * gap));
        const full = run(config, accepted);
        expect(full.state.recentRequests).toHaveLength(MAX_RECENT_OVERRIDES);
        const last = T0 + (MAX_RECENT_OVERRIDES - 1) * gap;
        const refused = run(config, [override('freeze', last + wait)], full.state);
        expect(refused.last.action).toBe('rejected');
        expect(refused.state.frozen).toBeUndefined();
        const named = refused.last.reason.match(ISO_RE) ?? [];
        expect(named).toHaveLength(1);
        const retryAt = Date.parse(named[0]!);
        // The oldest id is forgotten exactly then: the same request, published again, is accepted.
        expect(retryAt).toBe(T0 + remember + 1);
        expect(run(config, [override('freeze', retryAt - 1)], full.state).last.action).toBe('rejected');
        const again = run(config, [override('freeze', retryAt)], full.state);
        expect(again.last.action).toBe('freeze');
        expect(again.state.recentRequests).toHaveLength(MAX_RECENT_OVERRIDES);
      }),
      { numRuns: Math.min(numRuns, 30) },
    );
  });

  it('refuses a freeze until an instant not after the clock, and keeps one until a later instant', () => {
    for (const offset of [-1, 0, 1]) {
      const out = run(testConfig(), [override('freeze', T0, { until: T0 + offset })]);
      expect(out.last.action).toBe(offset > 0 ? 'freeze' : 'rejected');
      expect(out.state.frozen?.until).toBe(offset > 0 ? T0 + offset : undefined);
    }
  });

  it('answers an unfreeze with nothing to unfreeze and an acknowledgement with nothing halted by doing nothing', () => {
    fc.assert(
      fc.property(fc.constantFrom('unfreeze' as const, 'acknowledge' as const), fc.boolean(), (action, busy) => {
        const config = testConfig();
        // Not frozen and not halted; maybe a failover in flight (which is not a halt).
        const before = busy ? run(config, [override('failover', T0, { target: 'us-east-2' })]).state : initialState(config);
        const out = run(config, [override(action, T0 + sec(1))], before);
        expect(out.last.action).toBe('none');
        const { recentRequests: _r, recentRequestTimes: _t, clock: _c, ...rest } = out.state;
        const { recentRequests: _r0, recentRequestTimes: _t0, clock: _c0, ...restBefore } = before;
        expect(rest).toStrictEqual(restBefore);
      }),
      { numRuns: Math.min(numRuns, 20) },
    );
  });

  it('unfreezes a frozen controller and acknowledges a halted one, each decision saying what it did', () => {
    const config = testConfig();
    const frozen = run(config, [override('freeze', T0)]);
    const unfrozen = run(config, [override('unfreeze', T0 + sec(1))], frozen.state);
    expect(unfrozen.last.action).toBe('unfreeze');
    expect(unfrozen.state.frozen).toBeUndefined();
    const halted = haltedAfter(config, 'FAILED');
    const acked = run(config, [override('acknowledge', T0 + sec(10))], halted.state);
    expect(acked.last.action).toBe('acknowledge');
    expect(acked.state.phase).toBe('steady');
    expect(acked.state.halted).toBeUndefined();
  });

  it('throws, naming it, on an override action it does not know rather than deciding nothing', () => {
    const config = testConfig();
    const bogus = { ...override('freeze', T0), action: 'reboot' } as unknown as Override;
    expect(() => decide(initialState(config), bogus, config, T0)).toThrow(/reboot/);
  });
});

describe('the state the engine returns', () => {
  it('is exactly what the store gives back after writing it as JSON: an optional field with no value is absent, not undefined', () => {
    const config = testConfig({ cooldownSeconds: 0 });
    // A manual failover while nothing alarms has no detection time; a freeze without until has no end.
    const manual = run(config, [override('failover', T0, { target: 'us-east-2' })]);
    expect(manual.state.inFlight).toBeDefined();
    expect(manual.state).toStrictEqual(JSON.parse(JSON.stringify(manual.state)));
    const frozen = run(config, [override('freeze', T0)]);
    expect(frozen.state.frozen).toBeDefined();
    expect(frozen.state).toStrictEqual(JSON.parse(JSON.stringify(frozen.state)));
    fc.assert(
      fc.property(scenarioArb, ({ config: c, events }) => {
        let state = initialState(c);
        for (const e of events) {
          state = decide(state, inFlightNamed(e, state), c, e.at).state;
          expect(state).toStrictEqual(JSON.parse(JSON.stringify(state)));
        }
      }),
      { numRuns: Math.min(numRuns, 100) },
    );
  });
});
