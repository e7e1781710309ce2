import fc from 'fast-check';
import { decide, evaluationTime, initialState, MAX_ACTION_FAILURES } from '../../domain/decide';
import { executionNameFor } from '../../domain/decision';
import type { ControllerState } from '../../domain/state';
import { RECENT_REQUESTS_KEPT } from '../../domain/state';
import type { ControllerConfig } from '../../domain/config';
import type { DomainEvent } from '../../domain/events';
import { APP_PATTERN } from '../../edge/config.schema';
import { LATEST_TIME_MS } from '../../edge/aws-formats';
import { eventArb, inFlightNamed, scenarioArb, scenarioOver } from './arbitraries';
import { T0 } from './fixtures';

const numRuns = Number(process.env.PROPERTY_RUNS ?? 2000);

/** Run events through the engine, each at its own time, never letting the clock go back. */
function replay(config: ControllerConfig, events: readonly DomainEvent[]) {
  let state = initialState(config);
  let now = 0;
  const states: ControllerState[] = [state];
  for (const generated of events) {
    const e = inFlightNamed(generated, state);
    now = Math.max(now, e.at);
    state = decide(state, e, config, now).state;
    states.push(state);
  }
  return { state, now, states };
}

describe('decide (properties)', () => {
  it('is deterministic: the same state, event and time give the same result', () => {
    fc.assert(
      fc.property(scenarioArb, ({ config, events }) => {
        const a = replay(config, events);
        const b = replay(config, events);
        expect(b.state).toEqual(a.state);
      }),
      { numRuns },
    );
  });

  it('treats a duplicate delivery as a no-op', () => {
    fc.assert(
      fc.property(
        scenarioArb.chain((s) => fc.tuple(fc.constant(s), eventArb(s.config))),
        ([{ config, events }, generated]) => {
          // A failed action is the shell's own report, never redelivered: each one is a new failure.
          fc.pre(generated.type !== 'action-failed');
          const { state, now } = replay(config, events);
          const extra = inFlightNamed(generated, state);
          const at = Math.max(now, extra.at);
          const once = decide(state, extra, config, at);
          const twice = decide(once.state, { ...extra, eventId: 'redelivery' }, config, at);
          expect(twice.state).toEqual(once.state);
          expect(['start-failover', 'abort']).not.toContain(twice.decisions[0].action);
        },
      ),
      { numRuns },
    );
  });

  it('ignores a signal event older than the last one seen for that signal', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 1, max: 3_600_000 }), ({ config, events }, back) => {
        const { state, now } = replay(config, events);
        const seen = Object.entries(state.signals);
        fc.pre(seen.length > 0);
        const [alarmName, rec] = seen[0]!;
        const stale: DomainEvent = { type: 'signal-changed', eventId: 'late', alarmName, state: rec.state === 'ALARM' ? 'OK' : 'ALARM', at: rec.lastAt - back };
        const out = decide(state, stale, config, now);
        expect(out.decisions[0].action).toBe('ignored');
        expect(out.decisions[0].reason).toMatch(/^stale/);
        expect(out.state.signals).toEqual(state.signals);
      }),
      { numRuns },
    );
  });

  it('keeps the state bounded however many events pass', () => {
    fc.assert(
      fc.property(scenarioArb, ({ config, events }) => {
        const { states } = replay(config, events);
        for (const s of states) {
          expect(Object.keys(s.signals).length).toBeLessThanOrEqual(config.signals.length);
          expect(s.recentRequests.length).toBeLessThanOrEqual(RECENT_REQUESTS_KEPT);
          expect(s.autoFailovers.length).toBeLessThanOrEqual(config.policy.maxAutoFailovers);
          // One heartbeat time per region that has a heartbeat signal, whatever regions sent them.
          const heartbeatRegions = new Set(config.signals.filter((x) => x.kind === 'heartbeat').map((x) => x.region));
          expect(Object.keys(s.heartbeats ?? {}).filter((region) => !heartbeatRegions.has(region))).toEqual([]);
          expect(s.inFlight?.actionFailures ?? 0).toBeLessThan(MAX_ACTION_FAILURES);
        }
      }),
      { numRuns },
    );
  });

  it('gives every decision a non-empty reason and the fields a record needs', () => {
    fc.assert(
      fc.property(scenarioArb, ({ config, events }) => {
        let state = initialState(config);
        let now = 0;
        for (const generated of events) {
          const e = inFlightNamed(generated, state);
          now = Math.max(now, e.at);
          const out = decide(state, e, config, now);
          const [d] = out.decisions;
          expect(d.reason.trim().length).toBeGreaterThan(0);
          expect(d).toMatchObject({ app: config.app, eventId: e.eventId, at: now, active: out.state.active, phase: out.state.phase });
          state = out.state;
        }
      }),
      { numRuns },
    );
  });

  it('keeps phase and in-flight consistent: failing-over exactly when a failover is in flight', () => {
    fc.assert(
      fc.property(scenarioArb, ({ config, events }) => {
        for (const s of replay(config, events).states) {
          expect(s.phase === 'failing-over').toBe(s.inFlight !== undefined);
          expect(s.phase === 'halted').toBe(s.halted !== undefined);
          expect(config.regions).toContain(s.active);
        }
      }),
      { numRuns },
    );
  });
  it('judges evidence at its own time bounded by the delivery clock, and says so when that is earlier', () => {
    fc.assert(
      fc.property(
        scenarioArb.chain((sc) => fc.tuple(fc.constant(sc), eventArb(sc.config), fc.integer({ min: -3_600_000, max: 3_600_000 }))),
        ([{ config, events }, generated, skew]) => {
          const { state, now } = replay(config, events);
          const e = inFlightNamed(generated, state);
          const clock = Math.max(now, e.at + skew);
          const [d] = decide(state, e, config, clock).decisions;
          const judged = ['signal-changed', 'tick', 'heartbeat'].includes(e.type) ? Math.min(e.at, clock) : clock;
          expect(evaluationTime(e, clock)).toBe(judged);
          expect(d.at).toBe(clock);
          expect(d.evaluatedAt).toBe(judged < clock ? judged : undefined);
        },
      ),
      { numRuns },
    );
  });

  it('asks to be woken exactly in time: never at or before the instant judged, with the active region down by then, and no failover could start earlier', () => {
    // Events minutes apart, so that sustain periods, heartbeat windows and cooldowns end in between.
    fc.assert(
      fc.property(scenarioOver(15 * 60_000, 25), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), ({ config, events }, where) => {
        let state = initialState(config);
        let now = 0;
        for (const generated of events) {
          const e = inFlightNamed(generated, state);
          now = Math.max(now, e.at);
          const out = decide(state, e, config, now);
          state = out.state;
          const [d] = out.decisions;
          const judged = d.evaluatedAt ?? d.at;
          const tickAt = (x: number) => decide(out.state, { type: 'tick', eventId: 'wake-check', at: x }, config, x).decisions[0];
          const problems: string[] = [];
          if (d.wakeAt !== undefined && d.wakeAt <= judged) problems.push(`wakeAt ${d.wakeAt} is not after the instant judged ${judged}`);
          if (d.wakeAt !== undefined && !/ is down: /.test(tickAt(d.wakeAt).reason)) problems.push(`at wakeAt the active region is not down: ${tickAt(d.wakeAt).reason}`);
          // Without a wake-up nothing starts on its own later; with one, nothing starts before it.
          // (A wake-up at or before the decision's clock, for late evidence, is due at once.)
          if (tickAt(d.at).action !== 'start-failover' && (d.wakeAt === undefined || d.wakeAt > d.at)) {
            const until = d.wakeAt ?? d.at + 2 * 86_400_000;
            const x = Math.min(until - 1, Math.floor(d.at + 1 + where * (until - d.at - 1)));
            if (x > d.at && tickAt(x).action === 'start-failover') problems.push(`a failover starts at ${x}, before the wake-up at ${until}: ${tickAt(x).reason}`);
          }
          expect(problems).toEqual([]);
        }
      }),
      { numRuns },
    );
  });

  it('names executions within Step Functions rules for every valid app, generation and start time', () => {
    const app = fc.stringMatching(APP_PATTERN);
    fc.assert(
      fc.property(app, fc.integer({ min: 1, max: 999_999 }), fc.integer({ min: T0, max: LATEST_TIME_MS }), (name, generation, startedAt) => {
        const executionName = executionNameFor(name, generation, startedAt);
        expect(executionName.length).toBeLessThanOrEqual(80);
        expect(executionName).toMatch(/^[a-zA-Z0-9_-]+$/);
        expect(executionNameFor(name, generation, startedAt + 1000)).not.toBe(executionName);
      }),
      { numRuns },
    );
  });
});
