import fc from 'fast-check';
import { initialState } from '../../domain/decide';
import type { DomainEvent } from '../../domain/events';
import { MAX_EVENT_SKEW_SECONDS, MAX_OVERRIDE_AGE_SECONDS } from '../../domain/limits';
import { alarm, decideAll, east2Down, eastDown, heartbeat, nameOf, override, readiness, referenceConfig, sec, T0, testConfig, tick, workflowEnded } from './fixtures';

/**
 * The edges of the engine's rules, stated as properties: where a window ends, which of two equal
 * times wins, what a flag is when nobody set it. Each is a rule a one-character change (a `<` for a
 * `<=`, a default flipped) would break while the examples elsewhere stay green.
 */
const numRuns = Number(process.env.PROPERTY_RUNS ?? 2000);

const run = decideAll;


describe('the edges of the rules', () => {
  it('counts an automatic failover against the cap for exactly the window: held back 1 ms before its end, free at it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 700, max: 7 * 86_400 }), fc.integer({ min: 1, max: 3 }), (windowSeconds, maxAutoFailovers) => {
        const config = testConfig({ autoFailback: true, cooldownSeconds: 0, sustainSeconds: 60, maxAutoFailovers, windowSeconds });
        // maxAutoFailovers failovers back and forth, each started at `starts[i]` and done 100 s later.
        let state = initialState(config);
        const starts: number[] = [];
        let t = T0;
        for (let i = 0; i < maxAutoFailovers; i++) {
          const down = state.active === 'us-east-1' ? eastDown : east2Down;
          const healed = state.active === 'us-east-1' ? 'us-east-1' : 'us-east-2';
          const started = run(config, [...down(t), tick(t + sec(60))], state);
          expect(started.last.action).toBe('start-failover');
          starts.push(t + sec(60));
          const done = run(
            config,
            [workflowEnded(nameOf(i + 1, t + sec(60)), 'SUCCEEDED', t + sec(160)), alarm(`${healed}-api-5xx`, 'OK', t + sec(161)), alarm(`${healed}-health`, 'OK', t + sec(161))],
            started.state,
          );
          state = done.state;
          t += sec(200);
        }
        // The active region goes down, sustained well before the first start's window ends.
        const down = run(config, (state.active === 'us-east-1' ? eastDown : east2Down)(t), state);
        const edge = starts[0]! + windowSeconds * 1000;
        // (The window is at least 700 s: the region is down for its sustain before the edge.)
        const before = run(config, [tick(edge - 1)], down.state);
        expect(before.last.action).toBe('suppressed');
        expect(before.state.autoFailovers).toEqual(starts);
        const at = run(config, [tick(edge)], down.state);
        expect(at.last.action).toBe('start-failover');
        expect(at.state.autoFailovers).toEqual([...starts.slice(1), edge]);
      }),
      { numRuns: Math.min(numRuns, 300) },
    );
  });

  it("sends a failover request whose data-loss flag is exactly the operator's for a manual failover, and false for an automatic one", () => {
    fc.assert(
      fc.property(fc.option(fc.boolean(), { nil: undefined }), fc.boolean(), (allowDataLoss, auto) => {
        const config = testConfig();
        const out = auto
          ? run(config, [...eastDown(T0), tick(T0 + sec(60))])
          : run(config, [override('failover', T0, { target: 'us-east-2', ...(allowDataLoss !== undefined ? { allowDataLoss } : {}) })]);
        expect(out.last.action).toBe('start-failover');
        const request = out.last.action === 'start-failover' ? out.last.request : undefined;
        expect(request?.allowDataLoss).toBe(auto ? false : allowDataLoss === true);
        expect(request?.mode).toBe(auto ? 'auto' : 'manual');
        expect(out.state.inFlight?.allowDataLoss).toBe(request?.allowDataLoss);
      }),
      { numRuns: Math.min(numRuns, 100) },
    );
  });

  it('ignores a signal event strictly older than the last one seen, and applies one at the same instant that says something new', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3_600_000 }), fc.constantFrom('ALARM', 'OK', 'INSUFFICIENT_DATA' as const), (gap, state) => {
        const config = testConfig();
        const first = run(config, [alarm('us-east-1-api-5xx', 'OK', T0)]);
        const older = run(config, [alarm('us-east-1-api-5xx', state, T0 - gap)], first.state, T0);
        expect(older.last.action).toBe('ignored');
        expect(older.state.signals).toEqual(first.state.signals);
        // The same instant: a duplicate when it says the same, applied when it says something new.
        const same = run(config, [alarm('us-east-1-api-5xx', state, T0)], first.state, T0);
        expect(same.last.action === 'ignored').toBe(state === 'OK');
        expect(same.state.signals['us-east-1-api-5xx']).toEqual({ state, since: T0, lastAt: T0 });
      }),
      { numRuns: Math.min(numRuns, 300) },
    );
  });

  it('takes a heartbeat only when strictly newer than the last one from its region', () => {
    fc.assert(
      fc.property(fc.integer({ min: -600_000, max: 600_000 }), (offset) => {
        const config = referenceConfig();
        const first = run(config, [heartbeat('us-east-1', T0)]);
        const next = run(config, [heartbeat('us-east-1', T0 + offset)], first.state, T0 + Math.max(offset, 0));
        expect(next.state.heartbeats?.['us-east-1']).toBe(offset > 0 ? T0 + offset : T0);
        expect(next.last.action).toBe(offset > 0 ? 'none' : 'ignored');
      }),
      { numRuns: Math.min(numRuns, 300) },
    );
  });

  it('accepts an event stamped up to MAX_EVENT_SKEW_SECONDS after the delivery clock, and rejects one stamped later', () => {
    const skew = MAX_EVENT_SKEW_SECONDS * 1000;
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 5 }), fc.constantFrom('signal', 'heartbeat', 'override', 'readiness'), (offset, kind) => {
        const config = referenceConfig();
        const at = T0 + skew + offset;
        const event: DomainEvent =
          kind === 'signal'
            ? alarm('us-east-1-api-5xx', 'ALARM', at)
            : kind === 'heartbeat'
              ? heartbeat('us-east-1', at)
              : kind === 'override'
                ? override('freeze', at)
                : readiness('us-east-2', at);
        const out = run(config, [event], undefined, T0);
        expect(out.last.action === 'rejected').toBe(offset > 0);
      }),
      { numRuns: Math.min(numRuns, 100) },
    );
  });

  it('applies an override published up to MAX_OVERRIDE_AGE_SECONDS ago, and rejects an older one', () => {
    const age = MAX_OVERRIDE_AGE_SECONDS * 1000;
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 5 }), (offset) => {
        const config = testConfig();
        const out = run(config, [override('freeze', T0)], undefined, T0 + age + offset);
        expect(out.last.action).toBe(offset > 0 ? 'rejected' : 'freeze');
        expect(out.state.frozen !== undefined).toBe(offset <= 0);
      }),
      { numRuns: Math.min(numRuns, 50) },
    );
  });

  it('freezes only until a time after the clock: a freeze until now or earlier is refused, and a freeze ends at its until', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 5 }), fc.integer({ min: 1, max: 3600 }), (offset, later) => {
        const config = testConfig();
        const refused = run(config, [override('freeze', T0, { until: T0 + offset })]);
        expect(refused.last.action).toBe(offset > 0 ? 'freeze' : 'rejected');
        const frozen = run(config, [override('freeze', T0, { until: T0 + sec(later) })]);
        const before = run(config, [tick(T0 + sec(later) - 1)], frozen.state);
        expect(before.state.frozen).toBeDefined();
        const atEnd = run(config, [tick(T0 + sec(later))], frozen.state);
        expect(atEnd.state.frozen).toBeUndefined();
      }),
      { numRuns: Math.min(numRuns, 100) },
    );
  });
});
