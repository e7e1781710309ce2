import fc from 'fast-check';
import type { ControllerConfig } from '../../domain/config';
import { decide, initialState } from '../../domain/decide';
import type { DomainEvent } from '../../domain/events';
import type { ControllerState } from '../../domain/state';
import { MAX_EVENT_SKEW_SECONDS, MAX_OVERRIDE_AGE_SECONDS } from '../../domain/limits';
import { alarm, decideAll, eastDown, heartbeat, override, readiness, referenceConfig, sec, T0, testConfig, tick } from './fixtures';
import { alarmStates } from './arbitraries';

/**
 * The rules by which the engine weighs evidence and keeps its memory exact: how far ahead of the
 * clock an event may be stamped, when a cooldown and a remembered override id end, whose heartbeats
 * count, when a sustain clock restarts, what the detection clock is.
 */
const numRuns = Math.min(Number(process.env.PROPERTY_RUNS ?? 2000), 300);

const SKEW_MS = MAX_EVENT_SKEW_SECONDS * 1000;
const REMEMBER_MS = (MAX_OVERRIDE_AGE_SECONDS + MAX_EVENT_SKEW_SECONDS) * 1000;

const run = decideAll;

/** The number a reason states where `pattern`'s first group is, if it states one. */
const numberIn = (reason: string, pattern: RegExp): number | undefined => {
  const m = pattern.exec(reason);
  return m ? Number(m[1]) : undefined;
};


describe('how far ahead of the clock an event may be stamped', () => {
  it('accepts evidence stamped exactly the allowed skew ahead and rejects one stamped 1 ms more; a readiness result is judged by the later of its two times', () => {
    const config = referenceConfig();
    const kinds = ['signal', 'heartbeat', 'override', 'readiness-at', 'readiness-evaluated'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.integer({ min: 0, max: 3600_000 }), fc.boolean(), (kind, offset, beyond) => {
        const now = T0 + offset;
        const ahead = now + SKEW_MS + (beyond ? 1 : 0);
        const event: DomainEvent =
          kind === 'signal'
            ? alarm('us-east-1-api-5xx', 'ALARM', ahead)
            : kind === 'heartbeat'
              ? heartbeat('us-east-1', ahead)
              : kind === 'override'
                ? override('freeze', ahead)
                : kind === 'readiness-at'
                  ? readiness('us-east-2', now, [], { at: ahead })
                  : readiness('us-east-2', ahead, [], { at: now });
        const out = decide(initialState(config), event, config, now);
        expect(out.decisions[0].action === 'rejected').toBe(beyond);
      }),
      { numRuns },
    );
  });
});

describe('the cooldown', () => {
  it('holds an automatic failover back through its last instant, lets it go 1 ms later, and is gone from the state once over', () => {
    const config = testConfig({ sustainSeconds: 60 });
    fc.assert(
      fc.property(fc.integer({ min: sec(60), max: sec(86_400) }), (afterDown) => {
        const until = T0 + afterDown;
        const cooling: ControllerState = { ...initialState(config), cooldownUntil: until };
        const down = run(config, eastDown(T0), cooling);
        const atEdge = run(config, [tick(until)], down.state);
        expect(atEdge.last.action).toBe('suppressed');
        expect(atEdge.state.cooldownUntil).toBe(until);
        const after = run(config, [tick(until + 1)], down.state);
        expect(after.last.action).toBe('start-failover');
        // Nothing else happening: an expired cooldown is not kept in the state.
        const quiet = run(config, [tick(until + 1)], cooling);
        expect(quiet.last.action).toBe('none');
        expect(quiet.state.cooldownUntil).toBeUndefined();
      }),
      { numRuns },
    );
  });
});

describe("an override's request id", () => {
  it('is remembered as long as any delivery of the override can still be valid, so a redelivery is never applied twice', () => {
    const config = testConfig();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3600_000 }),
        fc.oneof(fc.constant(SKEW_MS), fc.integer({ min: 0, max: SKEW_MS })),
        fc.oneof(fc.constant(REMEMBER_MS), fc.integer({ min: 1, max: REMEMBER_MS })),
        (offset, ahead, later) => {
          const t = T0 + offset;
          // Accepted at t, stamped up to the skew ahead of it.
          const freeze = override('freeze', t + ahead);
          const first = run(config, [freeze], undefined, t);
          expect(first.state.frozen).toBeDefined();
          const unfrozen = run(config, [override('unfreeze', t)], first.state, t);
          expect(unfrozen.state.frozen).toBeUndefined();
          const again = run(config, [freeze], unfrozen.state, t + later);
          expect(again.last.action).toBe('ignored');
          expect(again.state.frozen).toBeUndefined();
        },
      ),
      { numRuns },
    );
  });

  it('is kept, as if accepted now, when the state holds acceptance times that do not line up with the ids; after any decision each id has one time', () => {
    const config = testConfig();
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom('r1', 'r2', 'r3', 'r4'), { maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 86_400_000 }), { maxLength: 6 }),
        (ids, ages) => {
          fc.pre(ages.length !== ids.length);
          const now = T0 + 86_400_000;
          const state: ControllerState = { ...initialState(config), recentRequests: ids, recentRequestTimes: ages.map((a) => T0 - REMEMBER_MS - a) };
          const out = run(config, [tick(now)], state);
          expect(out.state.recentRequests).toEqual(ids);
          expect(out.state.recentRequestTimes ?? []).toEqual(ids.map(() => now));
          for (const id of ids) {
            const redelivered = run(config, [override('freeze', now, { requestId: id })], state);
            expect(redelivered.last.action).toBe('ignored');
            expect(redelivered.state.frozen).toBeUndefined();
          }
        },
      ),
      { numRuns },
    );
  });
});

describe('the sustain clock of an alarm', () => {
  it('keeps running when the same state is reported again (previousState equal to state), and restarts on a transition into the state it had', () => {
    const config = testConfig();
    fc.assert(
      fc.property(fc.constantFrom(...alarmStates), fc.constantFrom(...alarmStates), fc.integer({ min: 1, max: sec(600) }), (state, other, later) => {
        const name = 'us-east-1-api-5xx';
        const first = run(config, [alarm(name, state, T0)]);
        const repeat = run(config, [alarm(name, state, T0 + later, { previousState: other })], first.state);
        expect(repeat.state.signals[name]?.since).toBe(other === state ? T0 : T0 + later);
      }),
      { numRuns },
    );
  });
});

describe('heartbeats', () => {
  it("count only from a region with a heartbeat signal configured, and only from the controller's account when both accounts are known", () => {
    const accounts = [undefined, '111111111111', '222222222222'];
    fc.assert(
      fc.property(
        fc.constantFrom('us-east-1', 'us-east-2'),
        fc.constantFrom('us-east-1', 'us-east-2', undefined),
        fc.constantFrom(...accounts),
        fc.constantFrom(...accounts),
        (region, without, configured, sent) => {
          const base = referenceConfig();
          const config: ControllerConfig = {
            ...base,
            ...(configured !== undefined ? { account: configured } : {}),
            signals: base.signals.filter((s) => !(s.kind === 'heartbeat' && s.region === without)),
          };
          const out = run(config, [heartbeat(region, T0, sent !== undefined ? { account: sent } : {})]);
          const counts = region !== without && !(configured !== undefined && sent !== undefined && sent !== configured);
          expect(out.last.action === 'ignored').toBe(!counts);
          expect(out.state.heartbeats?.[region]).toBe(counts ? T0 : undefined);
        },
      ),
      { numRuns },
    );
  });

  it('never seen do not count toward the quorum, wherever the heartbeat signal is listed: the wake-up is when the alarms become sustained', () => {
    const base = referenceConfig();
    fc.assert(
      fc.property(fc.shuffledSubarray([...base.signals], { minLength: base.signals.length }), (signals) => {
        const config: ControllerConfig = { ...base, signals };
        const out = run(config, eastDown(T0));
        expect(out.last.action).toBe('none');
        expect(out.last.wakeAt).toBe(T0 + sec(30));
      }),
      { numRuns },
    );
  });
});

describe('the detection clock', () => {
  it("of an automatic failover is the earliest time one of the failed region's critical signals entered ALARM, whatever their order", () => {
    const config = testConfig({ quorum: 3, minKinds: 2, sustainSeconds: 60 });
    const names = ['us-east-1-api-5xx', 'us-east-1-lambda-errors', 'us-east-1-health'];
    fc.assert(
      fc.property(fc.tuple(fc.nat(sec(600)), fc.nat(sec(600)), fc.nat(sec(600))), (offsets) => {
        const events = names.map((n, i) => alarm(n, 'ALARM', T0 + offsets[i]!)).sort((a, b) => a.at - b.at);
        const out = run(config, [...events, tick(T0 + Math.max(...offsets) + sec(60))]);
        expect(out.last.action).toBe('start-failover');
        expect(out.state.inFlight?.detectedAt).toBe(T0 + Math.min(...offsets));
      }),
      { numRuns },
    );
  });
});

/**
 * The code below exists only to tell the operator why: its sole output is the decision's reason, so
 * the rule is what the reason says. These assert the facts it states (a number, whether the region is
 * called healthy, whether a missed change is mentioned), not its phrasing.
 */
describe('what the reason states about the evidence', () => {
  it('says a change was missed exactly when a transition arrives into the state the signal already had', () => {
    const config = testConfig();
    const name = 'us-east-1-api-5xx';
    fc.assert(
      fc.property(
        fc.option(fc.constantFrom(...alarmStates), { nil: undefined }),
        fc.constantFrom(...alarmStates),
        fc.option(fc.constantFrom(...alarmStates), { nil: undefined }),
        (stored, state, previousState) => {
          const before = stored === undefined ? initialState(config) : run(config, [alarm(name, stored, T0)]).state;
          const out = run(config, [alarm(name, state, T0 + sec(10), previousState !== undefined ? { previousState } : {})], before);
          const missed = stored === state && previousState !== undefined && previousState !== state;
          expect(/missed/.test(out.last.reason)).toBe(missed);
        },
      ),
      { numRuns },
    );
  });

  it('calls the active region healthy only with none of its critical signals in ALARM; otherwise counts the kinds in ALARM, or the whole seconds the quorum has held so far', () => {
    const critical = [
      { name: 'us-east-1-api-5xx', kind: 'alarm' },
      { name: 'us-east-1-lambda-errors', kind: 'alarm' },
      { name: 'us-east-1-health', kind: 'health-check' },
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 2 }),
        fc.array(fc.option(fc.integer({ min: 0, max: sec(50) }), { nil: undefined, freq: 2 }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 0, max: sec(9) }),
        (quorum, minKinds, offsets, extra) => {
          const config = testConfig({ quorum, minKinds: Math.min(quorum, minKinds), sustainSeconds: 60 });
          const alarming = critical.flatMap((c, i) => (offsets[i] !== undefined ? [{ ...c, since: T0 + offsets[i]! }] : []));
          const events = alarming.map((c) => alarm(c.name, 'ALARM', c.since)).sort((a, b) => a.at - b.at);
          const at = T0 + sec(50) + extra;
          const out = run(config, [...events, tick(at)]);
          // Nothing is sustained yet (every ALARM is younger than 60 s): never down.
          expect(out.last.action).toBe('none');
          const reason = out.last.reason;
          const kinds = new Set(alarming.map((c) => c.kind)).size;
          const quorumMet = alarming.length >= quorum && kinds >= Math.min(quorum, minKinds);
          const said = { healthy: /healthy/.test(reason), held: numberIn(reason, /\((-?\d+|NaN) s so far\)/), kinds: numberIn(reason, /(\d+) kind\(s\)/) };
          const latest = Math.max(...alarming.map((c) => c.since));
          expect(said).toEqual(
            alarming.length === 0
              ? { healthy: true, held: undefined, kinds: undefined }
              : quorumMet
                ? { healthy: false, held: Math.floor((at - latest) / 1000), kinds: undefined }
                : { healthy: false, held: undefined, kinds },
          );
        },
      ),
      { numRuns },
    );
  });

  it('never reports a negative time held: evidence judged before the last ALARM began says 0 s', () => {
    const config = testConfig({ quorum: 2, minKinds: 2, sustainSeconds: 60 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: sec(30) }), fc.integer({ min: sec(1), max: sec(20) }), (gap, early) => {
        const down = run(config, [alarm('us-east-1-api-5xx', 'ALARM', T0), alarm('us-east-1-health', 'ALARM', T0 + gap)]);
        // A tick describing an instant before the health check's ALARM, delivered after it.
        const out = run(config, [tick(T0 + gap - early)], down.state, T0 + gap);
        expect(numberIn(out.last.reason, /\((-?\d+) s so far\)/)).toBe(0);
      }),
      { numRuns },
    );
  });
});

describe('an event the engine does not know', () => {
  it('is a programming error that names the event, never a silent missing decision', () => {
    const config = testConfig();
    const bogus = { type: 'bogus-event', eventId: 'e-1', at: T0 } as unknown as DomainEvent;
    expect(() => decide(initialState(config), bogus, config, T0)).toThrow(/bogus-event/);
  });
});
