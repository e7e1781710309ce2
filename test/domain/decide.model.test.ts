/* eslint-disable jest/no-standalone-expect -- the commands assert inside their run(), which fc.modelRun calls from within the it() below */
import fc from 'fast-check';
import type { ControllerConfig, SignalConfig } from '../../domain/config';
import { decide, initialState, MAX_ACTION_FAILURES } from '../../domain/decide';
import type { Decision } from '../../domain/decision';
import type { AlarmState, DomainEvent, Override, WorkflowStatus } from '../../domain/events';
import type { ControllerState } from '../../domain/state';
import { MAX_EVENT_SKEW_SECONDS, MAX_OVERRIDE_AGE_SECONDS } from '../../domain/limits';
import { FAILBACK_CHECKS, GUARDING_CHECKS, READINESS_CHECKS, type ReadinessCheckName } from '../../domain/readiness';
import { alarmStates, configArb, workflowStatuses } from './arbitraries';
import { T0 } from './fixtures';

/**
 * Model-based test of the engine (fast-check `fc.commands`, one small class per command).
 *
 * The model is deliberately simpler than the engine: it keeps the last state of each signal, the
 * last heartbeat of each region, the freeze/halt/cooldown facts and the failover in flight, and
 * judges every decision the engine makes against the safety rules and the liveness rules. It also
 * plays the world around the controller: the alarms' real states (which reconciliation re-reads
 * when an event was lost), whether a region still sends heartbeats, and what became of the
 * failover's execution (which reconciliation reports when its terminal event was lost).
 *
 * Duplicated, reordered and late delivery are commands of their own (redeliver an earlier event;
 * deliver an old alarm, tick or heartbeat late), which plays the part `fc.scheduler()` plays for
 * async code: the engine is synchronous, so explicit commands are the simpler way to cover every
 * interleaving. Evidence is judged at the time it describes (bounded by the delivery clock); the
 * guards (freeze, cooldown, cap) and the target's health at the delivery clock.
 *
 * Readiness results arrive as commands too (fresh or old, passing or failing, for any region, now
 * and then for another app): an automatic failover never goes into a target whose fresh result
 * (evaluated while the region active now was active) failed a guarding check, a manual one without
 * force neither, and a failback starts exactly when the home region's fresh result passes every
 * failback check and nothing else holds it back.
 *
 * Once the commands are done the world stops changing, and the controller must reach steady or
 * halted within a bounded number of ticks: the shell's tick reconciliation reports the run's
 * outcome, re-sends a start that never ran, and feeds every failed start back as a decision.
 */

interface SignalFact {
  state: AlarmState;
  since: number;
  lastAt: number;
}

interface Flight {
  readonly name: string;
  readonly target: string;
  confirmed: boolean;
  failures: number;
  abortRequested: boolean;
}

/** What became of the in-flight failover's execution in the workflow service: the source of truth. */
type Execution = 'never-started' | 'RUNNING' | WorkflowStatus;

/** How StartExecution answers for the rest of a run, once the world stops changing. */
type StartOutcome = 'works' | 'transient' | 'permanent';

interface Model {
  readonly config: ControllerConfig;
  readonly startOutcome: StartOutcome;
  now: number;
  /** The controller's view of each alarm, by the model's own reading of the rules. */
  signals: Map<string, SignalFact>;
  /** The alarms' real states (CloudWatch's), which a lost event leaves behind the controller's view. */
  truth: Map<string, { state: AlarmState; since: number }>;
  heartbeats: Map<string, number>;
  /** The newest readiness result kept per region. */
  readiness: Map<string, { evaluatedAt: number; failing: readonly ReadinessCheckName[]; active: string }>;
  /** Regions whose heartbeats no longer arrive. */
  silent: Set<string>;
  active: string;
  inFlight?: Flight;
  /** Dry run: the would-be failover, which nothing will end but an operator's abort. */
  wouldBe?: { readonly name: string; readonly target: string };
  /** The failover whose end halted the controller, while halted: a redrive may still complete it. */
  lastHalt?: { readonly name: string; readonly from: string; readonly target: string; readonly status: string };
  execution: Execution;
  halted: boolean;
  frozenUntil?: number;
  frozen: boolean;
  cooldownUntil?: number;
  autoStarts: number[];
  delivered: DomainEvent[];
  /** Wake-ups the shell has scheduled (decisions' wakeAt), earliest first. */
  wakeUps: number[];
  names: Set<string>;
  nextRequest: number;
  nextGeneration: number;
}

interface Real {
  state: ControllerState;
}

// ---- the model's own, simple reading of the rules ------------------------------------------

const windowMs = (m: Model) => m.config.policy.heartbeatWindowSeconds * 1000;
const sustainMs = (m: Model) => m.config.policy.sustainSeconds * 1000;

/** A signal's state at `at`: a heartbeat signal is ALARM once no heartbeat came for the window. */
function signalAt(m: Model, sig: SignalConfig, at: number): { state: AlarmState; since: number } | undefined {
  if (sig.kind !== 'heartbeat') return m.signals.get(sig.alarmName);
  const last = m.heartbeats.get(sig.region);
  if (last === undefined) return undefined;
  return at >= last + windowMs(m) ? { state: 'ALARM', since: last + windowMs(m) } : { state: 'OK', since: last };
}

function frozenAt(m: Model, now: number): boolean {
  return m.frozen && (m.frozenUntil === undefined || now < m.frozenUntil);
}

function inCooldown(m: Model, now: number): boolean {
  return m.cooldownUntil !== undefined && now <= m.cooldownUntil;
}

function autoStartsInWindow(m: Model, now: number): number {
  return m.autoStarts.filter((t) => t > now - m.config.policy.windowSeconds * 1000).length;
}

function regionDown(m: Model, region: string, at: number, ignoring: ReadonlySet<string> = new Set()): boolean {
  const { quorum, minKinds } = m.config.policy;
  const sustained = m.config.signals.filter((s) => {
    if (s.region !== region || !s.critical || ignoring.has(s.alarmName)) return false;
    const f = signalAt(m, s, at);
    return f?.state === 'ALARM' && f.since <= at - sustainMs(m);
  });
  return sustained.length >= quorum && new Set(sustained.map((s) => s.kind)).size >= minKinds;
}

/** The earliest instant ≥ `from` at which `region` is down if nothing new arrives, if any. */
function downFrom(m: Model, region: string, from: number): number | undefined {
  const candidates = [from];
  for (const s of m.config.signals) {
    if (s.region !== region || !s.critical) continue;
    const last = m.heartbeats.get(s.region);
    if (s.kind === 'heartbeat' && last !== undefined) candidates.push(last + windowMs(m) + sustainMs(m));
    const f = m.signals.get(s.alarmName);
    if (s.kind !== 'heartbeat' && f?.state === 'ALARM') candidates.push(f.since + sustainMs(m));
  }
  return candidates
    .filter((x) => x >= from)
    .sort((a, b) => a - b)
    .find((x) => regionDown(m, region, x));
}

function hasAlarm(m: Model, region: string, at: number): boolean {
  return m.config.signals.some((s) => s.region === region && signalAt(m, s, at)?.state === 'ALARM');
}

/** The region's readiness result that counts at `now`: kept, evaluated while the region active now was active, and fresh. */
function freshReadiness(m: Model, region: string, now: number) {
  const last = m.readiness.get(region);
  return last !== undefined && last.active === m.active && now - last.evaluatedAt <= m.config.policy.readinessMaxAgeSeconds * 1000 ? last : undefined;
}

/** A failover into `region` at `now` is refused by readiness (unless forced): its fresh result failed a guarding check. */
function readinessRefuses(m: Model, region: string, now: number): boolean {
  return freshReadiness(m, region, now)?.failing.some((c) => GUARDING_CHECKS.includes(c)) ?? false;
}

function eligibleAutoTargets(m: Model, now: number): string[] {
  const { regions, initialActive, policy } = m.config;
  return regions.filter((r) => r !== m.active && !(r === initialActive && !policy.autoFailback) && !hasAlarm(m, r, now) && !readinessRefuses(m, r, now));
}

/** Nothing stands in the way of an automatic failover at `now` but the evidence. */
function mayAutoStart(m: Model, now: number): boolean {
  return (
    eligibleAutoTargets(m, now).length > 0 &&
    !frozenAt(m, now) &&
    !m.halted &&
    !m.inFlight &&
    !m.wouldBe &&
    !inCooldown(m, now) &&
    autoStartsInWindow(m, now) < m.config.policy.maxAutoFailovers
  );
}

/**
 * The earliest instant ≥ now at which, with no new event, an automatic failover becomes due: the
 * active region is down and nothing holds it back. The shell must hold a wake-up for it by then.
 */
function nextDue(m: Model): number | undefined {
  const { windowSeconds } = m.config.policy;
  const readinessEnds = [...m.readiness.values()].map((r) => r.evaluatedAt + m.config.policy.readinessMaxAgeSeconds * 1000 + 1);
  const candidates = [m.now, m.frozenUntil ?? m.now, (m.cooldownUntil ?? m.now) + 1, ...m.autoStarts.map((t) => t + windowSeconds * 1000), ...readinessEnds];
  for (const s of m.config.signals) {
    if (s.region !== m.active) continue;
    const last = m.heartbeats.get(s.region);
    if (s.kind === 'heartbeat' && last !== undefined) candidates.push(last + windowMs(m) + sustainMs(m));
    const f = m.signals.get(s.alarmName);
    if (s.kind !== 'heartbeat' && f?.state === 'ALARM') candidates.push(f.since + sustainMs(m));
  }
  return candidates
    .filter((x) => x >= m.now)
    .sort((a, b) => a - b)
    .find((x) => regionDown(m, m.active, x) && mayAutoStart(m, x));
}

function judgedAt(event: DomainEvent, now: number): number {
  return event.type === 'signal-changed' || event.type === 'tick' || event.type === 'heartbeat' ? Math.min(event.at, now) : now;
}

// ---- delivering one event and judging the engine's decision --------------------------------

/**
 * Deliver one event to the engine and judge its decision. `liveness` says whether this event
 * must start a failover when the model says one is due: true for ticks, heartbeats and applied
 * alarm changes; false for duplicates and stale alarms, which the engine ignores by design (the
 * next tick then starts it).
 */
function deliver(m: Model, r: Real, event: DomainEvent, liveness = false): Decision {
  const now = m.now;
  const at = judgedAt(event, now);
  const wasFrozen = frozenAt(m, now);
  const { state, decisions } = decide(r.state, event, m.config, now);
  const [d] = decisions;
  r.state = state;
  m.delivered.push(event);

  // A readiness result is judged like a tick: one that lifts a refusal may start the pending failover.
  const isAuto = event.type === 'signal-changed' || event.type === 'tick' || event.type === 'heartbeat' || event.type === 'readiness-evaluated';
  if (d.action === 'start-failover' && !d.dryRun) {
    // Never two failovers in flight, never while halted, never an execution name used before.
    expect(m.inFlight).toBeUndefined();
    expect(m.halted).toBe(false);
    expect(m.names.has(d.executionName)).toBe(false);
    m.names.add(d.executionName);
    if (isAuto) {
      // No automatic action while frozen or in cooldown, and never over the cap.
      expect(wasFrozen).toBe(false);
      expect(inCooldown(m, now)).toBe(false);
      expect(autoStartsInWindow(m, now)).toBeLessThan(m.config.policy.maxAutoFailovers);
      // Only when the active region was down at the time the evidence describes, and never into a target with an alarm.
      expect(regionDown(m, m.active, at)).toBe(true);
      expect(hasAlarm(m, d.target, now)).toBe(false);
      // Never automatically into a target whose fresh readiness failed a guarding check.
      if (readinessRefuses(m, d.target, now)) throw new Error(`safety: automatic failover into ${d.target}, whose fresh readiness failed (${freshReadiness(m, d.target, now)!.failing.join(', ')}): ${d.reason}`);
      expect(eligibleAutoTargets(m, now)).toContain(d.target);
      m.autoStarts.push(now);
    } else if (event.type === 'override' && !event.force) {
      expect(hasAlarm(m, d.target, now)).toBe(false);
      if (readinessRefuses(m, d.target, now)) throw new Error(`safety: unforced ${event.action} into ${d.target}, whose fresh readiness failed: ${d.reason}`);
    }
    m.inFlight = { name: d.executionName, target: d.target, confirmed: false, failures: 0, abortRequested: false };
    m.execution = 'never-started';
    m.nextGeneration++;
  } else if (d.action === 'start-failover' && d.dryRun) {
    // Dry run is faithful: the same rules as live, one (would-be) failover at a time, each under
    // its own generation, and no cooldown invented for a failover that never happened.
    expect(m.inFlight).toBeUndefined();
    expect(m.wouldBe).toBeUndefined();
    expect(m.halted).toBe(false);
    expect(m.names.has(d.executionName)).toBe(false);
    m.names.add(d.executionName);
    if (isAuto) {
      expect(wasFrozen || inCooldown(m, now)).toBe(false);
      expect(autoStartsInWindow(m, now)).toBeLessThan(m.config.policy.maxAutoFailovers);
      expect(regionDown(m, m.active, at)).toBe(true);
      expect(eligibleAutoTargets(m, now)).toContain(d.target);
      m.autoStarts.push(now);
    } else if (event.type === 'override' && !event.force) {
      expect(hasAlarm(m, d.target, now)).toBe(false);
      expect(readinessRefuses(m, d.target, now)).toBe(false);
    }
    m.wouldBe = { name: d.executionName, target: d.target };
    m.nextGeneration++;
  } else if (liveness && regionDown(m, m.active, at) && mayAutoStart(m, now)) {
    // Liveness: a sustained outage of the active region with an eligible target, not frozen,
    // not halted, not in flight, not in cooldown and under the cap, starts a failover.
    throw new Error(`liveness: the active region ${m.active} is down and a failover may start, but the engine said ${d.action}: ${d.reason}`);
  }
  if (d.wakeAt !== undefined) {
    // A wake-up is never at or before the instant judged; the shell schedules it.
    expect(d.wakeAt).toBeGreaterThan(at);
    m.wakeUps = [...new Set([...m.wakeUps, d.wakeAt])].sort((a, b) => a - b).slice(0, 6);
  }
  // LIVENESS of deadlines: a failover that falls due later with no new event has a wake-up by then.
  const due = nextDue(m);
  if (due !== undefined && due > now && !m.wakeUps.some((w) => w <= due)) {
    throw new Error(`liveness: a failover falls due at ${new Date(due).toISOString()} but no wake-up is scheduled by then (decision: ${d.action}: ${d.reason})`);
  }
  expect(r.state.generation).toBe(m.nextGeneration - 1);
  // The clock never goes back, and no recorded time passes it.
  expect(d.at).toBe(now);
  expect(r.state.clock ?? now).toBeLessThanOrEqual(now);
  for (const rec of Object.values(r.state.signals)) expect(rec.lastAt).toBeLessThanOrEqual(now);
  // Sizes stay far under the AWS limits (the worst case is proven in sizes.property.test.ts).
  expect(JSON.stringify(r.state).length).toBeLessThan(64 * 1024);
  expect(JSON.stringify(d).length).toBeLessThan(32 * 1024);
  return d;
}

/** After the commands that end a failover or halt: the engine agrees with the model. */
function expectAgreement(m: Model, r: Real) {
  expect(r.state.active).toBe(m.active);
  expect(r.state.wouldBe?.executionName).toBe(m.wouldBe?.name);
  expect(r.state.inFlight?.executionName).toBe(m.inFlight?.name);
  expect(r.state.phase === 'halted').toBe(m.halted);
}

/** The model's side of a workflow ending (as the status-change event or reconciliation reports it). */
function workflowEnded(m: Model, d: Decision, status: WorkflowStatus) {
  const flight = m.inFlight!;
  m.inFlight = undefined;
  if (status === 'SUCCEEDED') {
    expect(d.action).toBe('completed');
    m.active = flight.target;
    m.cooldownUntil = m.now + m.config.policy.cooldownSeconds * 1000;
  } else {
    expect(d.action).toBe('halted');
    m.halted = true;
    m.lastHalt = { name: flight.name, from: m.active, target: flight.target, status };
  }
}

/** The model's side of a failed StartExecution: once the run was seen running, it changes nothing. */
function startFailed(m: Model, d: Decision, permanent: boolean) {
  const flight = m.inFlight!;
  if (flight.confirmed) {
    expect(d.action).toBe('ignored');
    return;
  }
  flight.failures++;
  if (permanent || flight.abortRequested || flight.failures >= MAX_ACTION_FAILURES) {
    expect(d.action).toBe('halted');
    m.inFlight = undefined;
    m.halted = true;
    m.lastHalt = { name: flight.name, from: m.active, target: flight.target, status: 'START_FAILED' };
  } else {
    expect(d.action).toBe('none');
  }
}

// ---- commands: evidence --------------------------------------------------------------------------

type Cmd = fc.Command<Model, Real>;

/** Apply an alarm change to the model; false when it is unknown, a heartbeat signal, stale or a duplicate. */
function applySignal(m: Model, alarmName: string, state: AlarmState, at: number, previousState?: AlarmState): boolean {
  const sig = m.config.signals.find((s) => s.alarmName === alarmName);
  if (!sig || sig.kind === 'heartbeat' || at > m.now + MAX_EVENT_SKEW_SECONDS * 1000) return false;
  const prev = m.signals.get(alarmName);
  if (prev && (at < prev.lastAt || (at === prev.lastAt && state === prev.state))) return false;
  const restarted = prev?.state !== state || (previousState !== undefined && previousState !== state);
  m.signals.set(alarmName, { state, since: restarted ? at : prev.since, lastAt: at });
  return true;
}

/** An alarm changes in the world; `lost` drops its event on the way (only reconciliation finds it). */
function changeAlarm(m: Model, r: Real, alarmName: string, state: AlarmState, lost: boolean): Decision | undefined {
  const before = m.truth.get(alarmName);
  m.truth.set(alarmName, { state, since: before?.state === state ? before.since : m.now });
  if (lost) return undefined;
  // A state-change event says where the alarm came from; a re-report in the same state does not.
  const previousState = before && before.state !== state ? before.state : undefined;
  const applied = applySignal(m, alarmName, state, m.now, previousState);
  return deliver(
    m,
    r,
    { type: 'signal-changed', eventId: `a${m.delivered.length}`, alarmName, state, at: m.now, ...(previousState ? { previousState } : {}) },
    applied,
  );
}

class AlarmChanges implements Cmd {
  constructor(readonly alarmName: string, readonly state: AlarmState, readonly afterSeconds: number, readonly lost: boolean) {}
  check = () => true;
  run(m: Model, r: Real) {
    m.now += this.afterSeconds * 1000;
    changeAlarm(m, r, this.alarmName, this.state, this.lost);
  }
  toString = () => `+${this.afterSeconds}s ${this.alarmName}=${this.state}${this.lost ? ' (event lost)' : ''}`;
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

/**
 * Two alarms of the active region go to ALARM and back to OK within the sustain period, and the four
 * events arrive `lateSeconds` later (a backlog): judged at their own times, they never make a
 * sustained outage.
 */
class LateBlip implements Cmd {
  constructor(readonly pick: number, readonly blipSeconds: number, readonly lateSeconds: number) {}
  check = (m: Readonly<Model>) => m.config.policy.sustainSeconds > 0;
  run(m: Model, r: Real) {
    const alarms = m.config.signals.filter((s) => s.region === m.active && s.kind !== 'heartbeat');
    const pair = [alarms[this.pick % alarms.length]!, alarms[(this.pick + 1) % alarms.length]!].map((s) => s.alarmName);
    // Only what the blip brought into ALARM is the blip; an alarm already in ALARM before it was not.
    const blip = new Set(pair.filter((a) => m.signals.get(a)?.state !== 'ALARM'));
    const from = m.now - this.lateSeconds * 1000;
    const to = from + Math.min(this.blipSeconds, m.config.policy.sustainSeconds - 1) * 1000;
    const events = [...pair.map((a) => [a, 'ALARM', from] as const), ...pair.map((a) => [a, 'OK', to] as const)];
    for (const [alarmName, state, at] of events) {
      const applied = applySignal(m, alarmName, state, at);
      const d = deliver(m, r, { type: 'signal-changed', eventId: `blip${m.delivered.length}`, alarmName, state, at }, applied);
      if (d.action === 'start-failover' && !d.dryRun) {
        // Whatever started it, it was not the blip.
        expect(regionDown(m, r.state.inFlight!.from, judgedAt(m.delivered[m.delivered.length - 1]!, m.now), blip)).toBe(true);
      }
    }
  }
  toString = () => `late blip #${this.pick} for ${this.blipSeconds}s, delivered ${this.lateSeconds}s late`;
}

/** The shell's tick reconciliation re-reads one alarm's real state and feeds it when it differs or is newer. */
class ReconcileAlarm implements Cmd {
  constructor(readonly alarmName: string) {}
  check = (m: Readonly<Model>) => {
    const truth = m.truth.get(this.alarmName);
    const seen = m.signals.get(this.alarmName);
    return truth !== undefined && (seen === undefined || seen.state !== truth.state || truth.since > seen.lastAt);
  };
  run(m: Model, r: Real) {
    const truth = m.truth.get(this.alarmName)!;
    const applied = applySignal(m, this.alarmName, truth.state, truth.since);
    deliver(m, r, { type: 'signal-changed', eventId: `reconcile:${this.alarmName}:${truth.since}`, alarmName: this.alarmName, state: truth.state, at: truth.since }, applied);
  }
  toString = () => `reconcile ${this.alarmName}`;
}

class Tick implements Cmd {
  constructor(readonly afterSeconds: number, readonly lateSeconds: number) {}
  check = () => true;
  run(m: Model, r: Real) {
    m.now += this.afterSeconds * 1000;
    expireFreeze(m);
    deliver(m, r, { type: 'tick', eventId: `t${m.delivered.length}`, at: m.now - this.lateSeconds * 1000 }, true);
  }
  toString = () => `+${this.afterSeconds}s tick${this.lateSeconds > 0 ? ` delivered ${this.lateSeconds}s late` : ''}`;
}

/** The minute schedule stops (a disabled rule, a broken target): time passes with no tick; only wake-ups still arrive. */
class TicksMissing implements Cmd {
  constructor(readonly minutes: number) {}
  check = () => true;
  run(m: Model) {
    m.now += this.minutes * 60_000;
    expireFreeze(m);
  }
  toString = () => `no ticks for ${this.minutes} min`;
}

/**
 * The state item is lost: deleted, or restored to a point before its first write (a point-in-time
 * restore takes minutes, so the clock has moved on past any override's age). The controller starts
 * again from its initial state, generation 0, while the world (alarms, heartbeats, execution names
 * already used) stays as it is: the next failover is g1 again and must not collide with the old g1.
 * Only between failovers, and the queue has drained: nothing from before the loss is redelivered.
 */
class StateItemLost implements Cmd {
  constructor(readonly afterSeconds: number) {}
  check = (m: Readonly<Model>) => !m.inFlight && !m.wouldBe;
  run(m: Model, r: Real) {
    m.now += (MAX_OVERRIDE_AGE_SECONDS + MAX_EVENT_SKEW_SECONDS + this.afterSeconds) * 1000;
    r.state = initialState(m.config);
    m.signals = new Map();
    m.heartbeats = new Map();
    m.readiness = new Map();
    m.active = m.config.initialActive;
    m.lastHalt = undefined;
    m.execution = 'never-started';
    m.halted = false;
    m.frozen = false;
    m.frozenUntil = undefined;
    m.cooldownUntil = undefined;
    m.autoStarts = [];
    m.delivered = [];
    m.wakeUps = [];
    m.nextGeneration = 1;
  }
  toString = () => `state item lost (+${MAX_OVERRIDE_AGE_SECONDS + MAX_EVENT_SKEW_SECONDS + this.afterSeconds}s)`;
}

/** The shell delivers the earliest wake-up it scheduled, within seconds of its time. */
class WakeUp implements Cmd {
  constructor(readonly jitterSeconds: number) {}
  check = (m: Readonly<Model>) => m.wakeUps.length > 0;
  run(m: Model, r: Real) {
    wakeUp(m, r, this.jitterSeconds);
  }
  toString = () => `wake-up (+${this.jitterSeconds}s)`;
}

function wakeUp(m: Model, r: Real, jitterSeconds: number): Decision {
  const at = m.wakeUps.shift()!;
  m.now = Math.max(m.now, at + jitterSeconds * 1000);
  expireFreeze(m);
  return deliver(m, r, { type: 'tick', eventId: `wake-${at}`, at, wake: true }, true);
}

/** A heartbeat is kept only for a region with a heartbeat signal, never later than the clock, never going back. */
function heartbeatFrom(m: Model, r: Real, region: string, at: number, eventId = `hb${m.delivered.length}`): Decision {
  const configured = m.config.signals.some((s) => s.kind === 'heartbeat' && s.region === region);
  const stored = Math.min(at, m.now);
  const last = m.heartbeats.get(region);
  const applied = configured && (last === undefined || stored > last);
  if (applied) m.heartbeats.set(region, stored);
  const d = deliver(m, r, { type: 'heartbeat', eventId, region, at }, applied);
  if (!applied) expect(d.action).toBe('ignored');
  expect(r.state.heartbeats ?? {}).toEqual(Object.fromEntries(m.heartbeats));
  return d;
}

class HeartbeatArrives implements Cmd {
  constructor(readonly region: string, readonly afterSeconds: number, readonly lateSeconds: number) {}
  check = (m: Readonly<Model>) => !m.silent.has(this.region);
  run(m: Model, r: Real) {
    m.now += this.afterSeconds * 1000;
    expireFreeze(m);
    heartbeatFrom(m, r, this.region, m.now - this.lateSeconds * 1000);
  }
  toString = () => `+${this.afterSeconds}s heartbeat ${this.region}${this.lateSeconds !== 0 ? ` (${this.lateSeconds}s late)` : ''}`;
}

/** A region's heartbeats stop arriving (or start again). */
class HeartbeatsStop implements Cmd {
  constructor(readonly region: string, readonly stop: boolean) {}
  check = (m: Readonly<Model>) => m.silent.has(this.region) !== this.stop;
  run(m: Model) {
    if (this.stop) m.silent.add(this.region);
    else m.silent.delete(this.region);
  }
  toString = () => `heartbeats from ${this.region} ${this.stop ? 'stop' : 'resume'}`;
}

/**
 * LIVENESS under a blackout: the active region goes dark (no heartbeat, no event at all from it)
 * while the prober, from outside, sees it fail. Following only the wake-ups it asks for, the
 * controller starts a failover by the time the heartbeat window and the sustain period have passed
 * (plus one wake-up's delay), whenever a target is eligible and nothing holds it back.
 */
class Blackout implements Cmd {
  constructor(readonly jitterSeconds: number) {}
  check = (m: Readonly<Model>) =>
    !m.silent.has(m.active) &&
    m.heartbeats.has(m.active) &&
    m.config.signals.some((s) => s.region === m.active && s.kind === 'probe') &&
    m.config.signals.some((s) => s.region === m.active && s.kind === 'heartbeat');
  run(m: Model, r: Real) {
    const region = m.active;
    m.silent.add(region);
    const probe = m.config.signals.find((s) => s.region === region && s.kind === 'probe')!;
    let started = changeAlarm(m, r, probe.alarmName, 'ALARM', false)!.action === 'start-failover';
    const { quorum, minKinds } = m.config.policy;
    const probeSince = m.signals.get(probe.alarmName)!.since;
    const byBlackout = Math.max(m.heartbeats.get(region)! + windowMs(m), probeSince) + sustainMs(m);
    const deadline = downFrom(m, region, m.now);
    // The probe and the missing heartbeat alone are two signals of two kinds; a larger quorum needs more.
    if (quorum <= 2 && minKinds <= 2) expect(deadline).toBeLessThanOrEqual(Math.max(byBlackout, m.now));
    if (deadline === undefined) return;
    for (let i = 0; i < 10 && !started && m.wakeUps.length > 0 && m.wakeUps[0]! <= deadline; i++) {
      started = wakeUp(m, r, this.jitterSeconds).action === 'start-failover';
    }
    const due = Math.max(deadline, m.now);
    if (m.active === region && !started && !m.inFlight && mayAutoStart(m, due)) {
      throw new Error(`liveness: blackout of ${region} from ${new Date(probeSince).toISOString()}: down by ${new Date(deadline).toISOString()}, a failover may start, but none did by ${new Date(m.now).toISOString()}`);
    }
    if (started) expect(m.now).toBeLessThanOrEqual(due + this.jitterSeconds * 1000);
  }
  toString = () => `blackout of the active region (wake-ups +${this.jitterSeconds}s)`;
}

/** The active region's heartbeats stop, and nothing else happens: with a quorum of two, that alone is no outage. */
class HeartbeatLossAlone implements Cmd {
  check = (m: Readonly<Model>) => m.heartbeats.has(m.active) && m.config.signals.some((s) => s.region === m.active && s.kind === 'heartbeat');
  run(m: Model, r: Real) {
    const region = m.active;
    m.silent.add(region);
    const othersQuiet = m.config.signals.every((s) => s.region !== region || s.kind === 'heartbeat' || m.signals.get(s.alarmName)?.state !== 'ALARM');
    const until = m.heartbeats.get(region)! + windowMs(m) + sustainMs(m) + 60_000;
    const actions: string[] = [];
    while (m.now < until) {
      m.now = Math.min(until, m.now + 30_000);
      expireFreeze(m);
      actions.push(deliver(m, r, { type: 'tick', eventId: `t${m.delivered.length}`, at: m.now }, true).action);
    }
    if (othersQuiet && m.config.policy.quorum >= 2) expect(actions).not.toContain('start-failover');
  }
  toString = () => 'heartbeats of the active region stop, nothing else';
}

// ---- commands: duplicates, operators, the workflow --------------------------------------------

/** Redeliver an earlier event unchanged: EventBridge delivers at least once. */
class Redeliver implements Cmd {
  constructor(readonly back: number) {}
  check = (m: Readonly<Model>) => m.delivered.some((e) => e.type !== 'action-failed');
  run(m: Model, r: Real) {
    // A failed action is the shell's own report, made once per attempt: never redelivered.
    const pool = m.delivered.filter((e) => e.type !== 'action-failed');
    const event = pool[Math.max(0, pool.length - 1 - this.back)]!;
    const before = housekept(m, r.state);
    if (event.type === 'tick') {
      expireFreeze(m);
      deliver(m, r, event, true);
      return;
    }
    if (event.type === 'heartbeat') {
      // A no-op, except for a heartbeat from a skewed clock, which was kept at the (then) delivery clock.
      heartbeatFrom(m, r, event.region, event.at, event.eventId);
      return;
    }
    const duplicate = event.type !== 'signal-changed' || m.signals.get(event.alarmName) === undefined || m.signals.get(event.alarmName)!.lastAt > event.at || sameFact(m, event);
    // An alarm event that lost a race (another state at the same instant) applies again.
    const applied = event.type === 'signal-changed' && applySignal(m, event.alarmName, event.state, event.at, event.previousState);
    const d = deliver(m, r, event, applied);
    if (duplicate) {
      // A duplicate of an override, a workflow report or an already-applied alarm changes nothing.
      expect(['start-failover', 'abort']).not.toContain(d.action);
      if (event.type !== 'signal-changed') expect(comparable(r.state)).toEqual(comparable(before));
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
    const before = { inFlight: m.inFlight, wouldBe: m.wouldBe, halted: m.halted, active: m.active };
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
    if (this.action === 'freeze') {
      m.frozen = true;
      m.frozenUntil = until;
    }
    if (this.action === 'unfreeze') m.frozen = false;
    if (this.action === 'acknowledge' && m.halted) {
      expect(d.action).toBe('acknowledge');
      m.halted = false;
      m.lastHalt = undefined;
    }
    if (this.action === 'abort') {
      expect(d.action).toBe(m.inFlight || m.wouldBe ? 'abort' : 'none');
      if (m.inFlight) m.inFlight.abortRequested = true;
      else m.wouldBe = undefined;
    }
    if (this.action === 'failback') {
      const home = m.config.initialActive;
      const result = freshReadiness(m, home, m.now);
      const busy = before.inFlight !== undefined || before.wouldBe !== undefined || before.halted;
      const goes = !busy && before.active !== home && !hasAlarm(m, home, m.now) && result !== undefined && !result.failing.some((c) => FAILBACK_CHECKS.includes(c));
      expect(d.action).toBe(goes ? 'start-failover' : before.active === home && !busy ? 'rejected' : 'suppressed');
      if (d.action === 'start-failover') expect(d.request).toMatchObject({ target: home, mode: 'manual', allowDataLoss: false, planned: true });
    }
    expectAgreement(m, r);
  }
  toString = () => `override ${this.action}${this.target ? ` ${this.target}` : ''}${this.force ? ' force' : ''}${this.untilSeconds !== undefined ? ` until+${this.untilSeconds}s` : ''}`;
}

/**
 * An operator's override published `ageSeconds` ago (queued, replayed): older than
 * MAX_OVERRIDE_AGE_SECONDS it is rejected as expired and changes nothing; else it is an override.
 */
class AgedOverride implements Cmd {
  constructor(readonly action: Override['action'], readonly ageSeconds: number) {}
  check = () => true;
  run(m: Model, r: Real) {
    if (this.ageSeconds <= MAX_OVERRIDE_AGE_SECONDS) {
      new OperatorOverride(this.action, undefined, false, undefined).run(m, r);
      return;
    }
    m.now += 1000;
    expireFreeze(m);
    const before = housekept(m, r.state);
    const event: Override = { type: 'override', eventId: `old${m.delivered.length}`, action: this.action, requestId: `req-${m.nextRequest++}`, operator: 'model', reason: 'model', at: m.now - this.ageSeconds * 1000 };
    const d = deliver(m, r, event);
    expect(d.action).toBe('rejected');
    expect(d.reason).toMatch(/expired: .* more than MAX_OVERRIDE_AGE_SECONDS/);
    expect(comparable(r.state)).toEqual(comparable(before));
  }
  toString = () => `override ${this.action} published ${this.ageSeconds}s ago`;
}

/**
 * The readiness function's result for one region arrives: evaluated `ageSeconds` ago while `active`
 * served (mostly the region active now), for this app or (rarely) another. The engine keeps the
 * newest per configured region of this app, and judges as on a tick.
 */
class ReadinessArrives implements Cmd {
  constructor(
    readonly target: string,
    readonly failing: readonly ReadinessCheckName[],
    readonly ageSeconds: number,
    readonly activeNow: boolean,
    readonly otherApp: boolean,
    readonly afterSeconds: number,
  ) {}
  check = () => true;
  run(m: Model, r: Real) {
    m.now += this.afterSeconds * 1000;
    expireFreeze(m);
    const evaluatedAt = m.now - this.ageSeconds * 1000;
    const active = this.activeNow ? m.active : (m.config.regions.find((x) => x !== m.active && x !== this.target) ?? m.active);
    const last = m.readiness.get(this.target);
    const applied = !this.otherApp && m.config.regions.includes(this.target) && (last === undefined || evaluatedAt > last.evaluatedAt);
    if (applied) m.readiness.set(this.target, { evaluatedAt, failing: this.failing, active });
    const d = deliver(
      m,
      r,
      {
        type: 'readiness-evaluated',
        eventId: `rd${m.delivered.length}`,
        app: this.otherApp ? 'other-app' : m.config.app,
        target: this.target,
        active,
        evaluatedAt,
        at: m.now,
        ready: this.failing.length === 0,
        failing: this.failing,
      },
      applied,
    );
    if (!applied) expect(d.action).toBe('ignored');
    expect(r.state.readiness ?? {}).toEqual(Object.fromEntries([...m.readiness].map(([target, v]) => [target, { target, ...v }])));
    if (d.action === 'start-failover' && !d.dryRun) expectAgreement(m, r);
  }
  toString = () =>
    `+${this.afterSeconds}s readiness ${this.target} ${this.failing.length === 0 ? 'ready' : `failing ${this.failing.join(',')}`} (${this.ageSeconds}s old${this.activeNow ? '' : ', another active'}${this.otherApp ? ', other app' : ''})`;
}

/** The operator asks for a failback (more often than a random override would). */
class Failback implements Cmd {
  check = () => true;
  run(m: Model, r: Real) {
    new OperatorOverride('failback', undefined, false, undefined).run(m, r);
  }
  toString = () => 'override failback';
}

/** An alarm event stamped beyond the allowed skew ahead of the clock: rejected, and a real event after it still counts. */
class FutureAlarm implements Cmd {
  constructor(readonly alarmName: string, readonly state: AlarmState, readonly aheadSeconds: number) {}
  check = () => true;
  run(m: Model, r: Real) {
    const before = housekept(m, r.state);
    const d = deliver(m, r, { type: 'signal-changed', eventId: `future${m.delivered.length}`, alarmName: this.alarmName, state: this.state, at: m.now + this.aheadSeconds * 1000 });
    expect(d.action).toBe('rejected');
    expect(comparable(r.state)).toEqual(comparable(before));
  }
  toString = () => `alarm ${this.alarmName}=${this.state} stamped ${this.aheadSeconds}s ahead`;
}

/**
 * The operator redrives the execution that halted the controller, and it SUCCEEDS: after a FAILED,
 * TIMED_OUT or ABORTED run the database and traffic moved, so the failover completes; after a
 * start that never ran (the name may be another execution's) nothing changes.
 */
class Redrive implements Cmd {
  constructor(readonly afterSeconds: number) {}
  check = (m: Readonly<Model>) => m.halted && m.lastHalt !== undefined;
  run(m: Model, r: Real) {
    m.now += this.afterSeconds * 1000;
    expireFreeze(m);
    const halt = m.lastHalt!;
    const d = deliver(m, r, { type: 'workflow-ended', eventId: `redrive${m.delivered.length}`, executionName: halt.name, status: 'SUCCEEDED', at: m.now, via: 'event' });
    if (halt.status === 'START_FAILED') {
      expect(d.action).toBe('ignored');
    } else {
      expect(d).toMatchObject({ action: 'completed', target: halt.target });
      expect(d.reason).toMatch(/after a redrive/);
      m.active = halt.target;
      m.halted = false;
      m.lastHalt = undefined;
      m.cooldownUntil = m.now + m.config.policy.cooldownSeconds * 1000;
    }
    expectAgreement(m, r);
  }
  toString = () => `+${this.afterSeconds}s redriven execution SUCCEEDED`;
}

/** An operator acknowledges a halt (more often than a random override would). */
class Acknowledge implements Cmd {
  check = (m: Readonly<Model>) => m.halted;
  run(m: Model, r: Real) {
    new OperatorOverride('acknowledge', undefined, false, undefined).run(m, r);
    expect(r.state.phase).toBe('steady');
  }
  toString = () => 'override acknowledge (halted)';
}

/** The shell sees the execution running (StartExecution answered, or DescribeExecution said RUNNING). */
class WorkflowRunning implements Cmd {
  constructor(readonly afterSeconds: number) {}
  check = (m: Readonly<Model>) => m.inFlight !== undefined && !m.inFlight.confirmed && (m.execution === 'never-started' || m.execution === 'RUNNING');
  run(m: Model, r: Real) {
    m.now += this.afterSeconds * 1000;
    expireFreeze(m);
    confirmRunning(m, r);
  }
  toString = () => `+${this.afterSeconds}s workflow running`;
}

function confirmRunning(m: Model, r: Real) {
  const flight = m.inFlight!;
  m.execution = 'RUNNING';
  const d = deliver(m, r, { type: 'workflow-started', eventId: `ws${m.delivered.length}`, executionName: flight.name, at: m.now });
  expect(d).toMatchObject({ action: 'none', started: true });
  flight.confirmed = true;
  flight.failures = 0;
  expect(r.state.inFlight?.confirmedAt).toBe(m.now);
}

/** The execution ends; its status-change event is delivered, or lost (best effort). */
class WorkflowFinishes implements Cmd {
  constructor(readonly status: WorkflowStatus, readonly afterSeconds: number, readonly eventLost: boolean) {}
  check = (m: Readonly<Model>) => m.inFlight !== undefined && (m.execution === 'never-started' || m.execution === 'RUNNING');
  run(m: Model, r: Real) {
    m.now += this.afterSeconds * 1000;
    expireFreeze(m);
    m.execution = this.status;
    if (this.eventLost) return;
    const d = deliver(m, r, { type: 'workflow-ended', eventId: `w${m.delivered.length}`, executionName: m.inFlight!.name, status: this.status, at: m.now, via: 'event' });
    workflowEnded(m, d, this.status);
    expectAgreement(m, r);
  }
  toString = () => `+${this.afterSeconds}s workflow ${this.status}${this.eventLost ? ' (event lost)' : ''}`;
}

/** The shell's tick reconciliation reads the execution's real status and reports what the controller has not seen. */
class ReconcileWorkflow implements Cmd {
  constructor(readonly afterSeconds: number) {}
  check = (m: Readonly<Model>) => m.inFlight !== undefined && m.execution !== 'never-started' && !(m.execution === 'RUNNING' && m.inFlight.confirmed);
  run(m: Model, r: Real) {
    m.now += this.afterSeconds * 1000;
    expireFreeze(m);
    reconcileWorkflow(m, r);
  }
  toString = () => `+${this.afterSeconds}s reconcile the workflow`;
}

function reconcileWorkflow(m: Model, r: Real) {
  const flight = m.inFlight!;
  if (m.execution === 'RUNNING') {
    if (!flight.confirmed) confirmRunning(m, r);
    return;
  }
  if (m.execution === 'never-started') return;
  const status = m.execution;
  const d = deliver(m, r, { type: 'workflow-ended', eventId: `rw${m.delivered.length}`, executionName: flight.name, status, at: m.now, via: 'reconcile', detail: 'read with DescribeExecution' });
  workflowEnded(m, d, status);
  expectAgreement(m, r);
}

/** StartExecution fails (permanently: state machine deleted, access denied; or transiently). */
class StartFails implements Cmd {
  constructor(readonly permanent: boolean, readonly afterSeconds: number) {}
  check = (m: Readonly<Model>) => m.inFlight !== undefined && (m.inFlight.confirmed || m.execution === 'never-started');
  run(m: Model, r: Real) {
    m.now += this.afterSeconds * 1000;
    expireFreeze(m);
    failStart(m, r, this.permanent);
  }
  toString = () => `+${this.afterSeconds}s start fails ${this.permanent ? 'permanently' : 'transiently'}`;
}

function failStart(m: Model, r: Real, permanent: boolean) {
  const event: DomainEvent = {
    type: 'action-failed',
    eventId: `af${m.delivered.length}`,
    action: 'start',
    executionName: m.inFlight!.name,
    permanent,
    reason: permanent ? 'StateMachineDoesNotExist' : 'ThrottlingException',
    at: m.now,
  };
  startFailed(m, deliver(m, r, event), permanent);
  expectAgreement(m, r);
}

/** StopExecution fails after an abort: the run may go on, so nothing halts. */
class StopFails implements Cmd {
  constructor(readonly permanent: boolean) {}
  check = (m: Readonly<Model>) => m.inFlight?.abortRequested === true;
  run(m: Model, r: Real) {
    m.now += 1000;
    expireFreeze(m);
    const before = structuredClone(r.state);
    const d = deliver(m, r, { type: 'action-failed', eventId: `sf${m.delivered.length}`, action: 'stop', executionName: m.inFlight!.name, permanent: this.permanent, reason: 'AccessDeniedException', at: m.now });
    expect(d.action).toBe('none');
    // Nothing changes but what time alone moves (expiries, the clock, old request ids).
    expect(comparable(r.state)).toEqual(comparable(housekept(m, before)));
  }
  toString = () => `stop fails ${this.permanent ? 'permanently' : 'transiently'}`;
}

/** `state` with what has expired by now dropped (a freeze's end, a cooldown, old automatic starts), as every decision does first. */
function housekept(m: Model, state: ControllerState): ControllerState {
  const { frozen, cooldownUntil, ...rest } = structuredClone(state);
  return {
    ...rest,
    ...(frozen && !(frozen.until !== undefined && frozen.until <= m.now) ? { frozen } : {}),
    ...(cooldownUntil !== undefined && cooldownUntil >= m.now ? { cooldownUntil } : {}),
    autoFailovers: rest.autoFailovers.filter((t) => t > m.now - m.config.policy.windowSeconds * 1000),
  };
}

/** A state without its clock and override memory (which time alone moves): what a no-op must leave unchanged. */
function comparable(state: ControllerState): Omit<ControllerState, 'clock' | 'recentRequests' | 'recentRequestTimes'> {
  const { clock: _clock, recentRequests: _ids, recentRequestTimes: _times, ...rest } = state;
  return rest;
}

function sameFact(m: Model, e: Extract<DomainEvent, { type: 'signal-changed' }>) {
  const f = m.signals.get(e.alarmName);
  return f !== undefined && f.lastAt === e.at && f.state === e.state;
}

function expireFreeze(m: Model) {
  if (m.frozen && m.frozenUntil !== undefined && m.frozenUntil <= m.now) m.frozen = false;
}

// ---- once the world stops changing ---------------------------------------------------------------

/** Ticks after the world stops changing within which the controller must be steady or halted. */
const SETTLE_TICKS = MAX_ACTION_FAILURES + 3;

/**
 * LIVENESS: the world stops changing. Every minute the shell ticks: regions that still send
 * heartbeats send one, reconciliation feeds every alarm whose real state the controller has not
 * seen and the execution's real outcome, a start that never ran is re-sent (and answered as the
 * world now always answers), and due wake-ups are delivered. Within {@link SETTLE_TICKS} ticks
 * the controller is no longer failing over.
 */
function settle(m: Model, r: Real) {
  for (let tick = 0; tick < SETTLE_TICKS; tick++) {
    if (r.state.phase !== 'failing-over') return;
    m.now += 60_000;
    expireFreeze(m);
    for (const region of m.config.regions) if (!m.silent.has(region)) heartbeatFrom(m, r, region, m.now);
    for (const [alarmName, truth] of m.truth) {
      const seen = m.signals.get(alarmName);
      if (seen === undefined || seen.state !== truth.state || truth.since > seen.lastAt) {
        const applied = applySignal(m, alarmName, truth.state, truth.since);
        deliver(m, r, { type: 'signal-changed', eventId: `reconcile:${alarmName}:${truth.since}`, alarmName, state: truth.state, at: truth.since }, applied);
      }
    }
    if (m.inFlight && m.execution === 'never-started') {
      if (m.startOutcome === 'works') m.execution = 'RUNNING';
      else failStart(m, r, m.startOutcome === 'permanent');
    } else if (m.inFlight && m.execution === 'RUNNING' && m.inFlight.confirmed) {
      // A run ends within the state machine's timeout; one tick stands for it here.
      m.execution = m.inFlight.abortRequested ? 'ABORTED' : 'SUCCEEDED';
    }
    if (m.inFlight && m.execution !== 'never-started') reconcileWorkflow(m, r);
    while (m.wakeUps.length > 0 && m.wakeUps[0]! <= m.now) wakeUp(m, r, 0);
    deliver(m, r, { type: 'tick', eventId: `settle${tick}`, at: m.now }, true);
  }
  if (r.state.phase === 'failing-over') {
    throw new Error(`liveness: still failing over ${SETTLE_TICKS} ticks after the world stopped changing (execution ${m.execution}, start ${m.startOutcome})`);
  }
}

// ---- the test ----------------------------------------------------------------------------------

const numRuns = Number(process.env.MODEL_RUNS ?? 10_000);

describe('decide (model-based)', () => {
  it(`keeps every safety rule, starts a failover when it must, and always converges, over ${numRuns} runs with lost, duplicated, reordered and late delivery`, () => {
    const scenario = configArb.chain((config) => {
      const names = config.signals.map((s) => s.alarmName);
      const alarmNames = config.signals.filter((s) => s.kind !== 'heartbeat').map((s) => s.alarmName);
      const alarmName = fc.constantFrom(...alarmNames);
      const state = fc.constantFrom(...alarmStates);
      const region = fc.constantFrom(...config.regions);
      const target = fc.option(fc.constantFrom(...config.regions), { nil: undefined });
      const late = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1500 }));
      // A heartbeat may also carry a time ahead of the controller's clock (a region's skewed clock).
      const heartbeatLate = fc.oneof(late, fc.integer({ min: -120, max: -1 }));
      const alarmChanges = fc
        .tuple(alarmName, fc.constantFrom<AlarmState>('ALARM', 'ALARM', 'OK', 'INSUFFICIENT_DATA'), fc.integer({ min: 0, max: 90 }), fc.integer({ min: 0, max: 3 }))
        .map(([a, s, t, lose]) => new AlarmChanges(a, s, t, lose === 0));
      // Failing checks: mostly none or one guarding check, sometimes the lag or controller health alone (which guard nothing), sometimes several.
      const failing = fc.oneof(
        fc.constant([] as ReadinessCheckName[]),
        fc.constantFrom<ReadinessCheckName[]>(['weighted-records'], ['replication-lag'], ['global-cluster-member'], ['controller-health'], ['step-permissions', 'replication-lag']),
        fc.subarray([...READINESS_CHECKS]),
      );
      const readinessArrives = fc
        .tuple(region, failing, fc.oneof(fc.integer({ min: 0, max: 900 }), fc.integer({ min: 2000, max: 4000 })), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 120 }))
        .map(([t, f, age, activeRoll, appRoll, after]) => new ReadinessArrives(t, f, age, activeRoll > 0, appRoll === 0, after));
      const commands = fc.commands(
        [
          // Alarm changes twice as often as anything else, so that outages (and failovers) are common.
          alarmChanges,
          alarmChanges,
          fc.tuple(fc.constantFrom(...names), state, fc.integer({ min: 1, max: 600 })).map(([a, s, t]) => new LateAlarm(a, s, t)),
          fc.tuple(fc.nat(), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 60, max: 1500 })).map(([p, b, l]) => new LateBlip(p, b, l)),
          alarmName.map((a) => new ReconcileAlarm(a)),
          fc.tuple(fc.integer({ min: 1, max: 400 }), late).map(([t, l]) => new Tick(t, l)),
          fc.integer({ min: 0, max: 5 }).map((j) => new WakeUp(j)),
          fc.integer({ min: 1, max: 30 }).map((n) => new TicksMissing(n)),
          fc.integer({ min: 60, max: 3600 }).map((t) => new StateItemLost(t)),
          fc.tuple(region, fc.integer({ min: 0, max: 90 }), heartbeatLate).map(([g, t, l]) => new HeartbeatArrives(g, t, l)),
          fc.tuple(region, fc.boolean()).map(([g, stop]) => new HeartbeatsStop(g, stop)),
          fc.integer({ min: 0, max: 5 }).map((j) => new Blackout(j)),
          fc.constant(new HeartbeatLossAlone()),
          fc.integer({ min: 0, max: 5 }).map((b) => new Redeliver(b)),
          fc
            .tuple(fc.constantFrom<Override['action']>('failover', 'failback', 'freeze', 'unfreeze', 'abort', 'acknowledge'), target, fc.boolean(), fc.option(fc.integer({ min: 1, max: 900 }), { nil: undefined }))
            .map(([a, t, f, u]) => (a === 'failback' ? (['failback', undefined, false, undefined] as const) : ([a, t, f, u] as const)))
            .map(([a, t, f, u]) => new OperatorOverride(a, t, f, u)),
          fc.constant(new Acknowledge()),
          readinessArrives,
          readinessArrives,
          fc.constant(new Failback()),
          fc.tuple(fc.constantFrom<Override['action']>('failover', 'freeze', 'unfreeze', 'abort', 'acknowledge'), fc.integer({ min: 0, max: 3600 })).map(([a, age]) => new AgedOverride(a, age)),
          fc.tuple(alarmName, state, fc.integer({ min: MAX_EVENT_SKEW_SECONDS + 1, max: 86_400 })).map(([a, s, ahead]) => new FutureAlarm(a, s, ahead)),
          fc.integer({ min: 1, max: 600 }).map((t) => new Redrive(t)),
          fc.integer({ min: 1, max: 60 }).map((t) => new WorkflowRunning(t)),
          fc.tuple(fc.constantFrom(...workflowStatuses), fc.integer({ min: 1, max: 300 }), fc.boolean()).map(([s, t, lost]) => new WorkflowFinishes(s, t, lost)),
          fc.integer({ min: 1, max: 120 }).map((t) => new ReconcileWorkflow(t)),
          fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 120 })).map(([p, t]) => new StartFails(p, t)),
          fc.boolean().map((p) => new StopFails(p)),
        ],
        { maxCommands: 40, size: 'large' },
      );
      return fc.tuple(fc.constant(config), fc.constantFrom<StartOutcome>('works', 'works', 'transient', 'permanent'), commands);
    });

    fc.assert(
      fc.property(scenario, ([config, startOutcome, commands]) => {
        const model: Model = {
          config,
          startOutcome,
          now: T0,
          signals: new Map(),
          truth: new Map(),
          heartbeats: new Map(),
          readiness: new Map(),
          silent: new Set(),
          active: config.initialActive,
          execution: 'never-started',
          halted: false,
          frozen: false,
          autoStarts: [],
          delivered: [],
          wakeUps: [],
          names: new Set(),
          nextRequest: 1,
          nextGeneration: 1,
        };
        const real: Real = { state: initialState(config) };
        fc.modelRun(() => ({ model, real }), commands);
        settle(model, real);
      }),
      { numRuns, seed: process.env.MODEL_SEED ? Number(process.env.MODEL_SEED) : undefined, path: process.env.MODEL_PATH },
    );
  }, 180_000);
});
