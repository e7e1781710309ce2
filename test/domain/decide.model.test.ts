/* eslint-disable jest/no-standalone-expect -- the commands assert inside their run(), which fc.modelRun calls from within the it() below */
import fc from 'fast-check';
import type { ControllerConfig } from '../../domain/config';
import { decide, initialState } from '../../domain/decide';
import type { Decision } from '../../domain/decision';
import type { AlarmState, DomainEvent, Override, WorkflowStatus } from '../../domain/events';
import type { ControllerState } from '../../domain/state';
import { alarmStates, configArb, workflowStatuses } from './arbitraries';
import { T0 } from './fixtures';

/**
 * Model-based test of the engine (fast-check `fc.commands`, one small class per command).
 *
 * The model is deliberately simpler than the engine: it keeps the last state of each signal, the
 * freeze/halt/cooldown facts and the failover in flight, and judges every decision the engine
 * makes against the safety rules, plus one liveness rule. Duplicated and reordered delivery are
 * commands of their own (redeliver an earlier event; deliver an old alarm late), which plays the
 * part `fc.scheduler()` plays for async code: the engine is synchronous, so explicit commands are
 * the simpler way to cover every interleaving.
 */

interface SignalFact {
  state: AlarmState;
  since: number;
  lastAt: number;
}

interface Model {
  readonly config: ControllerConfig;
  now: number;
  signals: Map<string, SignalFact>;
  active: string;
  inFlight?: { name: string; target: string };
  halted: boolean;
  frozenUntil?: number;
  frozen: boolean;
  cooldownUntil?: number;
  autoStarts: number[];
  seenRequests: Set<string>;
  delivered: DomainEvent[];
  nextRequest: number;
  nextGeneration: number;
}

interface Real {
  state: ControllerState;
}

// ---- the model's own, simple reading of the rules ------------------------------------------

function frozenAt(m: Model, now: number): boolean {
  return m.frozen && (m.frozenUntil === undefined || now < m.frozenUntil);
}

function inCooldown(m: Model, now: number): boolean {
  return m.cooldownUntil !== undefined && now <= m.cooldownUntil;
}

function autoStartsInWindow(m: Model, now: number): number {
  return m.autoStarts.filter((t) => t > now - m.config.policy.windowSeconds * 1000).length;
}

function regionDown(m: Model, region: string, now: number): boolean {
  const { quorum, minKinds, sustainSeconds } = m.config.policy;
  const sustained = m.config.signals.filter((s) => {
    const f = m.signals.get(s.alarmName);
    return s.region === region && s.critical && f?.state === 'ALARM' && f.since <= now - sustainSeconds * 1000;
  });
  return sustained.length >= quorum && new Set(sustained.map((s) => s.kind)).size >= minKinds;
}

function hasAlarm(m: Model, region: string): boolean {
  return m.config.signals.some((s) => s.region === region && m.signals.get(s.alarmName)?.state === 'ALARM');
}

function eligibleAutoTargets(m: Model): string[] {
  const { regions, initialActive, policy } = m.config;
  return regions.filter((r) => r !== m.active && !(r === initialActive && !policy.autoFailback) && !hasAlarm(m, r));
}

// ---- delivering one event and judging the engine's decision --------------------------------

/**
 * Deliver one event to the engine and judge its decision. `liveness` says whether this event
 * must start a failover when the model says one is due: true for ticks and applied alarm
 * changes; false for duplicates and stale alarms, which the engine ignores by design (the next
 * tick then starts it).
 */
function deliver(m: Model, r: Real, event: DomainEvent, liveness = false): Decision {
  const now = m.now;
  const wasFrozen = frozenAt(m, now);
  const { state, decisions } = decide(r.state, event, m.config, now);
  const [d] = decisions;
  r.state = state;
  m.delivered.push(event);

  const isAuto = event.type === 'signal-changed' || event.type === 'tick';
  if (d.action === 'start-failover' && !d.dryRun) {
    // Never two failovers in flight, never while halted.
    expect(m.inFlight).toBeUndefined();
    expect(m.halted).toBe(false);
    if (isAuto) {
      // No automatic action while frozen or in cooldown, and never over the cap.
      expect(wasFrozen).toBe(false);
      expect(inCooldown(m, now)).toBe(false);
      expect(autoStartsInWindow(m, now)).toBeLessThan(m.config.policy.maxAutoFailovers);
      // Only when the active region really is down, and never into a target with an alarm.
      expect(regionDown(m, m.active, now)).toBe(true);
      expect(hasAlarm(m, d.target)).toBe(false);
      expect(eligibleAutoTargets(m)).toContain(d.target);
      m.autoStarts.push(now);
    } else if (event.type === 'override' && !event.force) {
      expect(hasAlarm(m, d.target)).toBe(false);
    }
    m.inFlight = { name: d.executionName, target: d.target };
    m.nextGeneration++;
  } else if (d.action === 'start-failover' && d.dryRun && isAuto) {
    expect(wasFrozen || inCooldown(m, now) || m.halted).toBe(false);
    m.autoStarts.push(now);
    m.cooldownUntil = now + m.config.policy.cooldownSeconds * 1000;
  } else if (liveness) {
    // Liveness: a sustained outage of the active region with an eligible target, not frozen,
    // not halted, not in flight, not in cooldown and under the cap, starts a failover.
    const mustStart =
      regionDown(m, m.active, now) &&
      eligibleAutoTargets(m).length > 0 &&
      !wasFrozen &&
      !m.halted &&
      !m.inFlight &&
      !inCooldown(m, now) &&
      autoStartsInWindow(m, now) < m.config.policy.maxAutoFailovers;
    if (mustStart && d.action !== 'start-failover') {
      throw new Error(`liveness: the active region ${m.active} is down and a failover may start, but the engine said ${d.action}: ${d.reason}`);
    }
  }
  expect(r.state.generation).toBe(m.nextGeneration - 1);
  return d;
}

// ---- commands --------------------------------------------------------------------------------

type Cmd = fc.Command<Model, Real>;

class AlarmChanges implements Cmd {
  constructor(readonly alarmName: string, readonly state: AlarmState, readonly afterSeconds: number) {}
  check = () => true;
  run(m: Model, r: Real) {
    m.now += this.afterSeconds * 1000;
    const applied = applySignal(m, this.alarmName, this.state, m.now);
    deliver(m, r, { type: 'signal-changed', eventId: `a${m.delivered.length}`, alarmName: this.alarmName, state: this.state, at: m.now }, applied);
  }
  toString = () => `+${this.afterSeconds}s ${this.alarmName}=${this.state}`;
}

/** An old alarm event that arrives late: EventBridge does not guarantee order. */
class LateAlarm implements Cmd {
  constructor(readonly alarmName: string, readonly state: AlarmState, readonly ageSeconds: number) {}
  check = () => true;
  run(m: Model, r: Real) {
    const at = m.now - this.ageSeconds * 1000;
    const applied = applySignal(m, this.alarmName, this.state, at);
    deliver(m, r, { type: 'signal-changed', eventId: `late${m.delivered.length}`, alarmName: this.alarmName, state: this.state, at }, applied);
  }
  toString = () => `late(${this.ageSeconds}s ago) ${this.alarmName}=${this.state}`;
}

class Tick implements Cmd {
  constructor(readonly afterSeconds: number) {}
  check = () => true;
  run(m: Model, r: Real) {
    m.now += this.afterSeconds * 1000;
    expireFreeze(m);
    deliver(m, r, { type: 'tick', eventId: `t${m.delivered.length}`, at: m.now }, true);
  }
  toString = () => `+${this.afterSeconds}s tick`;
}

/** Redeliver an earlier event unchanged: EventBridge delivers at least once. */
class Redeliver implements Cmd {
  constructor(readonly back: number) {}
  check = (m: Readonly<Model>) => m.delivered.length > 0;
  run(m: Model, r: Real) {
    const event = m.delivered[Math.max(0, m.delivered.length - 1 - this.back)]!;
    const before = structuredClone(r.state);
    if (event.type === 'tick') {
      expireFreeze(m);
      deliver(m, r, event, true);
      return;
    }
    const d = deliver(m, r, event);
    if (event.type !== 'signal-changed' || m.signals.get(event.alarmName)!.lastAt > event.at || sameFact(m, event)) {
      // A duplicate of an override, a workflow result or an already-applied alarm changes nothing.
      expect(['start-failover', 'abort']).not.toContain(d.action);
      if (event.type !== 'signal-changed') expect(r.state).toEqual(before);
    }
  }
  toString = () => `redeliver(-${this.back})`;
}

class OperatorOverride implements Cmd {
  constructor(
    readonly action: Override['action'],
    readonly target: string | undefined,
    readonly force: boolean,
    readonly untilSeconds: number | undefined,
  ) {}
  check = () => true;
  run(m: Model, r: Real) {
    m.now += 1000;
    expireFreeze(m);
    const requestId = `req-${m.nextRequest++}`;
    const until = this.action === 'freeze' && this.untilSeconds !== undefined ? m.now + this.untilSeconds * 1000 : undefined;
    const event: Override = {
      type: 'override',
      eventId: `o${m.delivered.length}`,
      action: this.action,
      requestId,
      operator: 'model',
      reason: 'model',
      at: m.now,
      force: this.force,
      ...(this.target !== undefined ? { target: this.target } : {}),
      ...(until !== undefined ? { until } : {}),
    };
    const d = deliver(m, r, event);
    m.seenRequests.add(requestId);
    if (this.action === 'freeze') {
      m.frozen = true;
      m.frozenUntil = until;
    }
    if (this.action === 'unfreeze') m.frozen = false;
    if (this.action === 'acknowledge' && m.halted) {
      expect(d.action).toBe('acknowledge');
      m.halted = false;
    }
    if (this.action === 'abort') expect(d.action).toBe(m.inFlight ? 'abort' : 'none');
  }
  toString = () => `override ${this.action}${this.target ? ` ${this.target}` : ''}${this.force ? ' force' : ''}${this.untilSeconds !== undefined ? ` until+${this.untilSeconds}s` : ''}`;
}

class WorkflowEnds implements Cmd {
  constructor(readonly status: WorkflowStatus, readonly afterSeconds: number) {}
  check = (m: Readonly<Model>) => m.inFlight !== undefined;
  run(m: Model, r: Real) {
    m.now += this.afterSeconds * 1000;
    expireFreeze(m);
    const flight = m.inFlight!;
    const d = deliver(m, r, { type: 'workflow-ended', eventId: `w${m.delivered.length}`, executionName: flight.name, status: this.status, at: m.now });
    m.inFlight = undefined;
    if (this.status === 'SUCCEEDED') {
      expect(d.action).toBe('completed');
      m.active = flight.target;
      m.cooldownUntil = m.now + m.config.policy.cooldownSeconds * 1000;
    } else {
      expect(d.action).toBe('halted');
      m.halted = true;
    }
    expect(r.state.active).toBe(m.active);
  }
  toString = () => `+${this.afterSeconds}s workflow ${this.status}`;
}

/** Apply an alarm change to the model; false when it is unknown, stale or a duplicate. */
function applySignal(m: Model, alarmName: string, state: AlarmState, at: number): boolean {
  if (!m.config.signals.some((s) => s.alarmName === alarmName)) return false;
  const prev = m.signals.get(alarmName);
  if (prev && (at < prev.lastAt || (at === prev.lastAt && state === prev.state))) return false;
  m.signals.set(alarmName, { state, since: prev?.state === state ? prev.since : at, lastAt: at });
  return true;
}

function sameFact(m: Model, e: Extract<DomainEvent, { type: 'signal-changed' }>) {
  const f = m.signals.get(e.alarmName);
  return f !== undefined && f.lastAt === e.at && f.state === e.state;
}

function expireFreeze(m: Model) {
  if (m.frozen && m.frozenUntil !== undefined && m.frozenUntil <= m.now) m.frozen = false;
}

// ---- the test ----------------------------------------------------------------------------------

const numRuns = Number(process.env.MODEL_RUNS ?? 10_000);

describe('decide (model-based)', () => {
  it(`keeps every safety rule and starts a failover when it must, over ${numRuns} runs with duplicated and reordered delivery`, () => {
    const scenario = configArb.chain((config) => {
        const names = config.signals.map((s) => s.alarmName);
        const alarmName = fc.constantFrom(...names);
        const state = fc.constantFrom(...alarmStates);
        const target = fc.option(fc.constantFrom(...config.regions), { nil: undefined });
        const commands = fc.commands(
          [
            fc.tuple(alarmName, fc.constantFrom<AlarmState>('ALARM', 'ALARM', 'OK', 'INSUFFICIENT_DATA'), fc.integer({ min: 0, max: 90 })).map(([a, s, t]) => new AlarmChanges(a, s, t)),
            fc.tuple(alarmName, state, fc.integer({ min: 1, max: 600 })).map(([a, s, t]) => new LateAlarm(a, s, t)),
            fc.integer({ min: 1, max: 400 }).map((t) => new Tick(t)),
            fc.integer({ min: 0, max: 5 }).map((b) => new Redeliver(b)),
            fc
              .tuple(fc.constantFrom<Override['action']>('failover', 'freeze', 'unfreeze', 'abort', 'acknowledge'), target, fc.boolean(), fc.option(fc.integer({ min: 1, max: 900 }), { nil: undefined }))
              .map(([a, t, f, u]) => new OperatorOverride(a, t, f, u)),
            fc.tuple(fc.constantFrom(...workflowStatuses), fc.integer({ min: 1, max: 300 })).map(([s, t]) => new WorkflowEnds(s, t)),
          ],
          { maxCommands: 40 },
        );
        return fc.tuple(fc.constant(config), commands);
      });

    fc.assert(
      fc.property(scenario, ([config, commands]) => {
        const setup = () => ({
          model: {
            config,
            now: T0,
            signals: new Map(),
            active: config.initialActive,
            halted: false,
            frozen: false,
            autoStarts: [],
            seenRequests: new Set<string>(),
            delivered: [],
            nextRequest: 1,
            nextGeneration: 1,
          } satisfies Model,
          real: { state: initialState(config) },
        });
        fc.modelRun(setup, commands);
      }),
      { numRuns, seed: process.env.MODEL_SEED ? Number(process.env.MODEL_SEED) : undefined, path: process.env.MODEL_PATH },
    );
  });
});
