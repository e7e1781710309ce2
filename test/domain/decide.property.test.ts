import fc from 'fast-check';
import { decide, initialState } from '../../domain/decide';
import type { ControllerState } from '../../domain/state';
import { RECENT_REQUESTS_KEPT } from '../../domain/state';
import type { ControllerConfig } from '../../domain/config';
import type { DomainEvent } from '../../domain/events';
import { eventArb, scenarioArb } from './arbitraries';

const numRuns = Number(process.env.PROPERTY_RUNS ?? 2000);

/** Run events through the engine, each at its own time, never letting the clock go back. */
function replay(config: ControllerConfig, events: readonly DomainEvent[]) {
  let state = initialState(config);
  let now = 0;
  const states: ControllerState[] = [state];
  for (const e of events) {
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
        ([{ config, events }, extra]) => {
          const { state, now } = replay(config, events);
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
        for (const e of events) {
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
});
