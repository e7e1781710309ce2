import { alarmOriginMismatch } from './alarm-regions';
import type { ControllerConfig, Region, SignalConfig } from './config';
import type { Decision, OtherDecision } from './decision';
import { executionNameFor, failoverRequestOf } from './decision';
import type { ActionFailed, AlarmState, DomainEvent, Heartbeat, Override, ReadinessEvaluated, SignalChanged, WorkflowEnded, WorkflowStarted } from './events';
import type { ControllerState, Halt, InFlight } from './state';
import { clip, MAX_DECISION_REASON_CHARS, MAX_EVENT_SKEW_SECONDS, MAX_OVERRIDE_AGE_SECONDS, MAX_RECENT_OVERRIDES, MAX_STATE_REASON_CHARS } from './limits';
import { isSustained, meetsQuorum, quorumFrom } from './policies/quorum';
import { failbackRefusal, guardingFailures, type ReadinessSummary } from './readiness';

/** What `decide` returns: the next state and exactly one decision record for the event. */
export interface DecideResult {
  readonly state: ControllerState;
  readonly decisions: readonly [Decision];
}

/**
 * Transient StartExecution failures of one failover before the controller halts it: every action
 * ends in a decision, never in an endless retry.
 */
export const MAX_ACTION_FAILURES = 5;

/** The state of a controller that has seen nothing yet. */
export function initialState(config: ControllerConfig): ControllerState {
  return {
    app: config.app,
    active: config.initialActive,
    phase: 'steady',
    generation: 0,
    autoFailovers: [],
    signals: {},
    recentRequests: [],
  };
}

const SKEW_MS = MAX_EVENT_SKEW_SECONDS * 1000;
const OVERRIDE_AGE_MS = MAX_OVERRIDE_AGE_SECONDS * 1000;
/** How long an accepted override's request id is remembered: every later delivery of it is expired by then. */
const REMEMBER_MS = OVERRIDE_AGE_MS + SKEW_MS;

/**
 * Step Functions statuses an execution can be redriven from: a SUCCEEDED that follows one of them
 * for the same execution means the redriven run finished the failover.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
 */
const REDRIVABLE = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/**
 * The delivery clock a decision is made at: `now`, raised to the latest clock the state recorded,
 * so it never goes backwards (a Lambda clock a little behind the last one cannot re-open a cooldown
 * or un-expire a freeze).
 */
export function deliveryClock(state: ControllerState, now: number): number {
  return state.clock !== undefined && state.clock > now ? state.clock : now;
}

/**
 * The instant an event is judged at. Evidence (an alarm change, a tick, a heartbeat) is judged at
 * the time it describes, bounded by the delivery clock `now`: a blip delivered twenty minutes late
 * is still a blip. An operator's override and the workflow's reports act on the present, `now`.
 * (Pass the delivery clock: see {@link deliveryClock}.)
 */
export function evaluationTime(event: DomainEvent, now: number): number {
  switch (event.type) {
    case 'signal-changed':
    case 'tick':
    case 'heartbeat': return Math.min(event.at, now);
    default:
      return now;
  }
}

/**
 * The decision engine: pure and total. Given the controller's state, one event, the configuration
 * and the delivery clock `now` (epoch ms), it returns the next state and one decision with its
 * reason. Evidence is judged at {@link evaluationTime}; every decision carries `wakeAt` when, with
 * no new event, an automatic failover could start later (a sustain period or heartbeat window
 * ends, a freeze, cooldown or cap expires, a readiness result refusing a target grows too old).
 * Readiness results (domain/readiness.ts) guard failovers: none goes automatically, or manually
 * without force, into a target whose fresh result failed a guarding check; a failback needs a
 * fresh passing one. Expected outcomes ("quorum not met", "in cooldown") are decisions, never
 * exceptions.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-delivery-level.html
 * @see https://docs.aws.amazon.com/whitepapers/latest/disaster-recovery-workloads-on-aws/disaster-recovery-options-in-the-cloud.html
 */
export function decide(state: ControllerState, event: DomainEvent, config: ControllerConfig, now: number): DecideResult {
  const clock = deliveryClock(state, now);
  const out = decideAt(state, event, config, clock);
  // The clock is recorded with every change, so a later decision never runs at an earlier one.
  if (out.state === state || (out.state.clock !== undefined && out.state.clock >= clock)) return out;
  return { state: { ...out.state, clock }, decisions: out.decisions };
}

function decideAt(state: ControllerState, event: DomainEvent, config: ControllerConfig, now: number): DecideResult {
  const at = evaluationTime(event, now);
  const { state: s, notes } = housekeeping(state, config, now);
  const ctx: Ctx = { config, now, at, eventId: event.eventId, notes };
  const future = futureTime(event, now);
  if (future) return result(s, ctx, { action: 'rejected', reason: future });
  switch (event.type) {
    case 'signal-changed': return onSignal(s, event, ctx);
    case 'tick': return evaluate(s, ctx, event.wake ? `wake-up for ${iso(event.at)}` : 'tick');
    case 'heartbeat': return onHeartbeat(s, event, ctx);
    case 'override': return onOverride(s, event, ctx);
    case 'workflow-ended': return onWorkflowEnded(s, event, ctx);
    case 'workflow-started': return onWorkflowStarted(s, event, ctx);
    case 'action-failed': return onActionFailed(s, event, ctx);
    case 'readiness-evaluated': return onReadiness(s, event, ctx);
    default:
      return assertNever(event);
  }
}

interface Ctx {
  readonly config: ControllerConfig;
  /** The delivery clock: when the decision is made and any action taken. */
  readonly now: number;
  /** The instant the evidence is judged at (≤ now). */
  readonly at: number;
  readonly eventId: string;
  /** Things housekeeping did that the reason should mention (a freeze that expired). */
  readonly notes: readonly string[];
}

/**
 * Why `event`'s own time is not acceptable at the delivery clock `now`: more than
 * MAX_EVENT_SKEW_SECONDS after it, for the events whose time the controller records or trusts (an
 * alarm change, a heartbeat, an override, a readiness result's evaluation time). A tick is only judged at the clock, and the workflow's
 * reports act at the clock, so their times cannot poison anything.
 */
function futureTime(event: DomainEvent, now: number): string | undefined {
  if (event.type !== 'signal-changed' && event.type !== 'heartbeat' && event.type !== 'override' && event.type !== 'readiness-evaluated') return undefined;
  // A readiness result is aged from its evaluation time: one from the future would never age out.
  const at = event.type === 'readiness-evaluated' ? Math.max(event.at, event.evaluatedAt) : event.at;
  if (!(at > now + SKEW_MS)) return undefined;
  return (
    `time: ${event.type} ${event.eventId} is stamped ${iso(at)}, ${Math.round((at - now) / 1000)} s after the delivery clock ${iso(now)}, ` +
    `more than the ${MAX_EVENT_SKEW_SECONDS} s skew allowed (MAX_EVENT_SKEW_SECONDS); a time that far ahead is a broken clock or a forgery, ` +
    'and would make the real events after it look stale'
  );
}

function assertNever(value: never): never {
  throw new Error(`unhandled event ${JSON.stringify(value)}`);
}

// ---------------------------------------------------------------------------------------------
// Housekeeping: time-based expiry, done before every event so the state stays bounded and exact.
// ---------------------------------------------------------------------------------------------

function housekeeping(state: ControllerState, config: ControllerConfig, now: number): { state: ControllerState; notes: string[] } {
  const notes: string[] = [];
  let s = state;
  if (s.frozen?.until !== undefined && s.frozen.until <= now) {
    notes.push(`freeze by ${s.frozen.operator} expired at ${iso(s.frozen.until)}`);
    s = without(s, 'frozen');
  }
  // A cooldown includes its last instant, so even a zero-second one covers a same-instant redelivery.
  if (s.cooldownUntil !== undefined && s.cooldownUntil < now) {
    s = without(s, 'cooldownUntil');
  }
  const windowStart = now - config.policy.windowSeconds * 1000;
  if (s.autoFailovers.length > 0 && s.autoFailovers[0]! <= windowStart) {
    s = { ...s, autoFailovers: s.autoFailovers.filter((t) => t > windowStart) };
  }
  s = pruneRequests(s, now);
  if (s.wouldBe && !config.policy.dryRun) {
    notes.push(`dry run is off: would-be failover g${s.wouldBe.generation} to ${s.wouldBe.target} (never executed) is forgotten`);
    s = without(s, 'wouldBe');
  }
  return { state: s, notes };
}

/**
 * Forget override request ids accepted more than REMEMBER_MS ago. A state written before their
 * times were kept (or whose times do not line up) has each id remembered as if accepted now.
 */
function pruneRequests(s: ControllerState, now: number): ControllerState {
  const ids = s.recentRequests;
  const times = s.recentRequestTimes !== undefined && s.recentRequestTimes.length === ids.length ? s.recentRequestTimes : ids.map(() => now);
  const keep = times.flatMap((t, i) => (t + REMEMBER_MS >= now ? [i] : []));
  if (keep.length === ids.length && times === s.recentRequestTimes) return s;
  if (ids.length === 0 && s.recentRequestTimes === undefined) return s;
  return { ...s, recentRequests: keep.map((i) => ids[i]!), recentRequestTimes: keep.map((i) => times[i]!) };
}

function without<K extends keyof ControllerState>(s: ControllerState, key: K): ControllerState {
  const copy = { ...s };
  delete copy[key];
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Signals and heartbeats
// ---------------------------------------------------------------------------------------------

function onSignal(s: ControllerState, e: SignalChanged, ctx: Ctx): DecideResult {
  const signal = ctx.config.signals.find((x) => x.alarmName === e.alarmName);
  if (!signal) {
    return result(s, ctx, { action: 'ignored', reason: `alarm ${e.alarmName} is not a configured signal` });
  }
  if (signal.kind === 'heartbeat') {
    return result(s, ctx, { action: 'ignored', reason: `${e.alarmName} is a heartbeat signal: it is judged from ${signal.region}'s heartbeats, not from alarm state changes` });
  }
  const mismatch = e.origin && alarmOriginMismatch(signal, e.origin, ctx.config);
  if (mismatch) {
    return result(s, ctx, { action: 'ignored', reason: `alarm ${e.alarmName} ${e.state} is not the alarm of signal ${e.alarmName} (${signal.region}, ${signal.kind}): ${mismatch}` });
  }
  // Recorded at the instant judged: a time ahead of the clock (within the skew) is read as the clock.
  const t = ctx.at;
  const prev = s.signals[e.alarmName];
  if (prev && t < prev.lastAt) {
    return result(s, ctx, {
      action: 'ignored',
      reason: `stale: ${e.alarmName} ${e.state} at ${iso(t)} is older than the last event seen for it (${prev.state} at ${iso(prev.lastAt)})`,
    });
  }
  if (prev && t === prev.lastAt && e.state === prev.state) {
    return result(s, ctx, { action: 'ignored', reason: `duplicate: ${e.alarmName} ${e.state} at ${iso(t)} was already applied` });
  }
  // A transition (previousState differs) into the stored state means the change away from it
  // was missed: the signal entered its state again at e.at, so its sustain clock restarts.
  const transition = e.previousState !== undefined && e.previousState !== e.state;
  const since = prev && prev.state === e.state && !transition ? prev.since : t;
  const missed = prev && prev.state === e.state && transition ? ` (from ${e.previousState}: a change to ${e.previousState} was missed, so its clock restarts)` : '';
  const next: ControllerState = {
    ...s,
    signals: { ...s.signals, [e.alarmName]: { state: e.state, since, lastAt: t } },
  };
  return evaluate(next, ctx, `${e.alarmName} (${signal.region}, ${signal.kind}) is ${e.state}${missed}`);
}

function onHeartbeat(s: ControllerState, e: Heartbeat, ctx: Ctx): DecideResult {
  const { config, at } = ctx;
  if (!config.regions.includes(e.region)) {
    return result(s, ctx, { action: 'ignored', reason: `heartbeat from ${e.region}, which is not one of the regions [${config.regions.join(', ')}]` });
  }
  if (!config.signals.some((x) => x.kind === 'heartbeat' && x.region === e.region)) {
    return result(s, ctx, { action: 'ignored', reason: `heartbeat from ${e.region}, which has no heartbeat signal configured` });
  }
  if (config.account !== undefined && e.account !== undefined && e.account !== config.account) {
    return result(s, ctx, { action: 'ignored', reason: `heartbeat from ${e.region} in account ${e.account}, not the controller's account ${config.account}` });
  }
  // Never later than the delivery clock: a region with a skewed clock cannot keep itself alive.
  const last = s.heartbeats?.[e.region];
  if (last !== undefined && at <= last) {
    return result(s, ctx, {
      action: 'ignored',
      reason: `${at === last ? 'duplicate' : 'stale'}: heartbeat from ${e.region} at ${iso(at)} is not newer than the last one seen (${iso(last)})`,
    });
  }
  const heartbeats: Record<Region, number> = {};
  for (const region of config.regions) {
    const t = region === e.region ? at : s.heartbeats?.[region];
    if (t !== undefined) heartbeats[region] = t;
  }
  return evaluate({ ...s, heartbeats }, ctx, `heartbeat from ${e.region} at ${iso(at)}`);
}

interface EffectiveRecord {
  readonly state: AlarmState;
  /** When the signal entered `state`. */
  readonly since: number;
}

/**
 * A signal's state at `at`. An alarm's is its last reported state. A heartbeat signal is ALARM from
 * the end of the heartbeat window on (no heartbeat from its region for the window), OK before;
 * with no heartbeat ever seen it has no state at all, like an alarm never reported: a freshly
 * deployed controller is not evidence of anything.
 */
function recordOf(s: ControllerState, config: ControllerConfig, sig: SignalConfig, at: number): EffectiveRecord | undefined {
  if (sig.kind !== 'heartbeat') return s.signals[sig.alarmName];
  const last = s.heartbeats?.[sig.region];
  if (last === undefined) return undefined;
  const silentFrom = last + config.policy.heartbeatWindowSeconds * 1000;
  return at >= silentFrom ? { state: 'ALARM', since: silentFrom } : { state: 'OK', since: last };
}

/**
 * When a signal will have been in ALARM for the sustain period if nothing new arrives:
 * an alarm's ALARM lasts until an event says otherwise, a heartbeat signal turns ALARM at the end
 * of its window. Undefined: never, without new evidence.
 */
function sustainedFrom(s: ControllerState, config: ControllerConfig, sig: SignalConfig): number | undefined {
  const sustainMs = config.policy.sustainSeconds * 1000;
  if (sig.kind === 'heartbeat') {
    const last = s.heartbeats?.[sig.region];
    return last === undefined ? undefined : last + config.policy.heartbeatWindowSeconds * 1000 + sustainMs;
  }
  const rec = s.signals[sig.alarmName];
  return rec?.state === 'ALARM' ? rec.since + sustainMs : undefined;
}

/**
 * The earliest instant at which `region` counts as down if no new event arrives (≤ `at`: it is
 * down now), or undefined when it never will.
 */
function earliestDown(s: ControllerState, config: ControllerConfig, region: Region): number | undefined {
  const timeline = config.signals
    .filter((sig) => sig.region === region && sig.critical)
    .flatMap((sig) => {
      const from = sustainedFrom(s, config, sig);
      return from === undefined ? [] : [{ from, kind: sig.kind }];
    });
  return quorumFrom(timeline, config.policy);
}

interface RegionHealth {
  readonly down: boolean;
  readonly summary: string;
  /** Earliest time one of the region's critical signals entered ALARM: the detection clock. */
  readonly firstAlarmAt?: number;
}

/**
 * A region is down when at least `quorum` of its critical signals, of at least `minKinds` kinds,
 * have been in ALARM for the sustain period at `at`. INSUFFICIENT_DATA is not ALARM, and neither
 * is a heartbeat never seen.
 */
function regionHealth(s: ControllerState, config: ControllerConfig, region: Region, at: number): RegionHealth {
  const { quorum, minKinds, sustainSeconds } = config.policy;
  const alarming: { sig: SignalConfig; since: number }[] = [];
  const sustained: SignalConfig[] = [];
  let total = 0;
  let firstAlarmAt: number | undefined;
  for (const sig of config.signals) {
    if (sig.region !== region || !sig.critical) continue;
    total++;
    const rec = recordOf(s, config, sig, at);
    if (rec?.state !== 'ALARM') continue;
    alarming.push({ sig, since: rec.since });
    if (firstAlarmAt === undefined || rec.since < firstAlarmAt) firstAlarmAt = rec.since;
    if (isSustained(rec.since, at, sustainSeconds)) sustained.push(sig);
  }
  const alarmingSignals = alarming.map((x) => x.sig);
  const kinds = (list: readonly SignalConfig[]) => new Set(list.map((x) => x.kind)).size;
  const quorumOf = (list: readonly SignalConfig[]) => meetsQuorum(list.map((x) => x.kind), config.policy);
  const need = `quorum ${quorum} of ${minKinds} kind(s)`;
  if (quorumOf(sustained)) {
    return {
      down: true,
      firstAlarmAt,
      summary: `${region} is down: ${sustained.length} of ${total} critical signals in ALARM for ≥ ${sustainSeconds} s (${names(sustained)}; ${need})`,
    };
  }
  if (quorumOf(alarmingSignals)) {
    const held = Math.floor((at - Math.max(...alarming.map((x) => x.since))) / 1000);
    return {
      down: false,
      firstAlarmAt,
      summary: `${region} not down yet: ${alarming.length} critical signals in ALARM (${names(alarmingSignals)}) but not all for the ${sustainSeconds} s sustain period (${Math.max(0, held)} s so far)`,
    };
  }
  return {
    down: false,
    firstAlarmAt,
    summary:
      alarming.length === 0
        ? `${region} healthy: none of ${total} critical signals in ALARM`
        : `${region} not down: ${alarming.length} of ${total} critical signals in ALARM (${names(alarmingSignals)}), ${kinds(alarmingSignals)} kind(s); needs ${need}`,
  };
}

function names(list: readonly SignalConfig[]): string {
  return list.map((x) => x.alarmName).join(', ');
}

/** Every signal of `region` (critical or not) in ALARM at `at`: a target with any is not eligible. */
function alarmsIn(s: ControllerState, config: ControllerConfig, region: Region, at: number): string[] {
  return config.signals.filter((x) => x.region === region && recordOf(s, config, x, at)?.state === 'ALARM').map((x) => x.alarmName);
}

// ---------------------------------------------------------------------------------------------
// Automatic failover
// ---------------------------------------------------------------------------------------------

/**
 * After any change: was the active region down at the instant judged, and may the controller act
 * on its own now? The evidence is judged at `ctx.at`; the guards (freeze, cooldown, cap) and the
 * target's health at `ctx.now`, when the failover would start.
 */
function evaluate(s: ControllerState, ctx: Ctx, cause: string): DecideResult {
  const { config, at, now } = ctx;
  const health = regionHealth(s, config, s.active, at);
  const prefix = `${cause}; ${health.summary}`;
  if (!health.down) {
    return result(s, ctx, { action: 'none', reason: inFlightNote(s) ? `${prefix}; ${inFlightNote(s)}` : prefix });
  }
  const blocked = autoGuard(s, config, now);
  if (blocked) return result(s, ctx, { action: 'suppressed', reason: `${prefix}; no automatic failover: ${blocked}` });

  const { target, excluded } = chooseTarget(s, config, false, now);
  if (!target) {
    return result(s, ctx, { action: 'suppressed', reason: `${prefix}; no eligible target: ${excluded.join('; ')}` });
  }
  return startFailover(s, ctx, {
    target,
    mode: 'auto',
    allowDataLoss: false,
    requestedBy: 'controller',
    reason: `${prefix}; failing over to ${target}`,
    detectedAt: health.firstAlarmAt,
  });
}

function inFlightNote(s: ControllerState): string | undefined {
  if (s.inFlight) return `failover g${s.inFlight.generation} to ${s.inFlight.target} in flight`;
  if (s.wouldBe) return `would-be failover g${s.wouldBe.generation} to ${s.wouldBe.target} in flight (dry run: nothing executed, so nothing reports its end; abort clears it)`;
  return undefined;
}

/** Why the controller may not start an automatic failover at `now`, or undefined if it may. */
function autoGuard(s: ControllerState, config: ControllerConfig, now: number): string | undefined {
  if (s.phase === 'halted' && s.halted) {
    return `halted after failover g${s.halted.generation} ${s.halted.status} (${s.halted.reason}); an operator must acknowledge`;
  }
  if (s.inFlight || s.wouldBe) return `${inFlightNote(s)}; one failover at a time`;
  if (s.frozen) {
    return `frozen by ${s.frozen.operator}${s.frozen.until !== undefined ? ` until ${iso(s.frozen.until)}` : ''} (${s.frozen.reason})`;
  }
  return cooldown(s, now) ?? cap(s, config);
}

function cooldown(s: ControllerState, now: number): string | undefined {
  if (s.cooldownUntil === undefined || s.cooldownUntil < now) return undefined;
  const last = s.lastFailover;
  return `in cooldown until ${iso(s.cooldownUntil)}${last ? ` after failover g${last.generation} from ${last.from} to ${last.target} completed at ${iso(last.completedAt)}` : ''}`;
}

/**
 * The cap limits *automatic* failovers (anti-flapping for the automation). A manual failover is a
 * person's reviewed decision and is not held back by it: after a halted automatic attempt, the
 * operator's `failover --allow-data-loss` must not need `force`, which would also skip the target's
 * health guard.
 */
function cap(s: ControllerState, config: ControllerConfig): string | undefined {
  const { maxAutoFailovers, windowSeconds } = config.policy;
  if (s.autoFailovers.length >= maxAutoFailovers) {
    return `cap reached: ${s.autoFailovers.length} automatic failover(s) in the last ${windowSeconds} s (max ${maxAutoFailovers})`;
  }
  return undefined;
}

/**
 * First region in preference order that is not active, has no signal in ALARM and did not fail a
 * guarding readiness check in its last fresh result. Automatic failover never moves back to the
 * home region unless `autoFailback` is on. (A forced manual failover does not choose with this.)
 */
function chooseTarget(s: ControllerState, config: ControllerConfig, manual: boolean, at: number): { target?: Region; excluded: string[] } {
  const excluded: string[] = [];
  for (const region of config.regions) {
    if (region === s.active) continue;
    if (!manual && !config.policy.autoFailback && region === config.initialActive) {
      excluded.push(`${region} excluded: automatic failback to the home region is off`);
      continue;
    }
    const alarms = alarmsIn(s, config, region, at);
    if (alarms.length > 0) {
      excluded.push(`${region} has signals in ALARM (${alarms.join(', ')})`);
      continue;
    }
    const unready = readinessRefusal(s, config, region, at, manual);
    if (unready) {
      excluded.push(unready);
      continue;
    }
    return { target: region, excluded };
  }
  return { excluded };
}

/**
 * The readiness result that describes `region` as a target now: the newest one kept, provided it
 * was evaluated while the region active now was active (a result evaluated before the last
 * failover judged records and parameters against another active region, so it says nothing now).
 */
function readinessOf(s: ControllerState, region: Region): ReadinessSummary | undefined {
  const last = s.readiness?.[region];
  return last !== undefined && (last.active === undefined || last.active === s.active) ? last : undefined;
}

/**
 * Why readiness refuses a failover into `region` at `now` (automatic, or manual without force), or
 * undefined: its last result, fresh (`policy.readinessMaxAgeSeconds`), failed a guarding check.
 */
function readinessRefusal(s: ControllerState, config: ControllerConfig, region: Region, now: number, manual: boolean): string | undefined {
  const last = readinessOf(s, region);
  const failing = guardingFailures(last, now, config.policy.readinessMaxAgeSeconds);
  if (last === undefined || failing.length === 0) return undefined;
  const what = manual ? 'a failover into it without force is refused; use force to override' : 'automatic failover into it refused; a manual failover with force still works';
  return `${region} failed readiness at ${iso(last.evaluatedAt)} (${failing.join(', ')}): ${what}`;
}

interface StartOptions {
  readonly target: Region;
  readonly mode: 'auto' | 'manual';
  readonly planned?: true;
  readonly allowDataLoss: boolean;
  readonly requestedBy: string;
  readonly reason: string;
  readonly detectedAt?: number;
}

/** Start (or, in a dry run, report) a failover. It is sent now: its records use the delivery clock. */
function startFailover(s: ControllerState, ctx: Ctx, o: StartOptions): DecideResult {
  const { config, now } = ctx;
  const generation = s.generation + 1;
  const executionName = executionNameFor(config.app, generation, now);
  const inFlight: InFlight = {
    generation,
    executionName,
    from: s.active,
    target: o.target,
    mode: o.mode,
    allowDataLoss: o.allowDataLoss,
    requestedBy: o.requestedBy,
    reason: clip(o.reason, MAX_STATE_REASON_CHARS),
    startedAt: now,
    ...(o.detectedAt !== undefined ? { detectedAt: o.detectedAt } : {}),
    ...(o.planned ? { planned: true as const } : {}),
  };
  const request = failoverRequestOf(config.app, inFlight);
  const autoFailovers = o.mode === 'auto' ? [...s.autoFailovers, now].slice(-config.policy.maxAutoFailovers) : s.autoFailovers;

  if (config.policy.dryRun) {
    // Nothing executes, so nothing will report this failover's end: it stays the would-be failover
    // in flight, holding later ones back exactly as the live one would (one at a time, same
    // generations, same cap), until an operator aborts it.
    const next: ControllerState = { ...s, generation, wouldBe: inFlight, autoFailovers };
    return result(next, ctx, {
      action: 'start-failover',
      target: o.target,
      generation,
      executionName,
      dryRun: true,
      request,
      reason: `dry run: would have failed over from ${s.active} to ${o.target} (nothing executed); ${o.reason}`,
    });
  }

  const next: ControllerState = { ...s, phase: 'failing-over', generation, inFlight, autoFailovers };
  return result(next, ctx, {
    action: 'start-failover',
    target: o.target,
    generation,
    executionName,
    dryRun: false,
    request,
    reason: o.reason,
  });
}

// ---------------------------------------------------------------------------------------------
// Operator overrides
// ---------------------------------------------------------------------------------------------

/** Why an override's envelope is not the controller's own account and region, when those are configured. */
function foreignOverride(e: Override, config: ControllerConfig): string | undefined {
  return foreignOrigin(e.origin, config);
}

/** Why an envelope's account and region are not the controller's, when those are configured. */
function foreignOrigin(origin: { readonly account?: string; readonly region?: Region } | undefined, config: ControllerConfig): string | undefined {
  const problems: string[] = [];
  if (config.account !== undefined && origin?.account !== config.account) problems.push(`account ${origin?.account ?? '(none)'} is not the controller's account ${config.account}`);
  if (config.controllerRegion !== undefined && origin?.region !== config.controllerRegion) {
    problems.push(`region ${origin?.region ?? '(none)'} is not the controller's region ${config.controllerRegion}`);
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/**
 * An operator's override is applied at most once, ever: a request id seen in the last
 * REMEMBER_MS is a duplicate; an override older than MAX_OVERRIDE_AGE_SECONDS is expired (so by
 * the time an id is forgotten every delivery of its override is expired); and at most
 * MAX_RECENT_OVERRIDES are accepted in that time, so no id is forgotten early.
 */
function onOverride(state: ControllerState, e: Override, ctx: Ctx): DecideResult {
  const { config, now } = ctx;
  const what = `${e.action} by ${e.operator} (request ${e.requestId})`;
  const foreign = foreignOverride(e, config);
  if (foreign) return result(state, ctx, { action: 'rejected', reason: `${what}: not from the controller's own account and region: ${foreign}` });
  if (state.recentRequests.includes(e.requestId)) {
    return result(state, ctx, { action: 'ignored', reason: `duplicate: request ${e.requestId} (${e.action} by ${e.operator}) was already handled` });
  }
  if (now - e.at > OVERRIDE_AGE_MS) {
    return result(state, ctx, {
      action: 'rejected',
      reason: `expired: ${what} was published at ${iso(e.at)}, ${Math.round((now - e.at) / 1000)} s ago, more than MAX_OVERRIDE_AGE_SECONDS (${MAX_OVERRIDE_AGE_SECONDS} s); publish it again if it still applies`,
    });
  }
  const times = state.recentRequestTimes ?? [];
  if (state.recentRequests.length >= MAX_RECENT_OVERRIDES) {
    return result(state, ctx, {
      action: 'rejected',
      reason: `${what}: ${state.recentRequests.length} overrides accepted in the last ${REMEMBER_MS / 1000} s (max ${MAX_RECENT_OVERRIDES}, each remembered that long so none applies twice); try again after ${iso((times[0] ?? now) + REMEMBER_MS + 1)}`,
    });
  }
  const s: ControllerState = { ...state, recentRequests: [...state.recentRequests, e.requestId], recentRequestTimes: [...times, now] };
  const by = `${e.action} by ${e.operator} (${e.reason})`;
  switch (e.action) {
    case 'freeze': {
      if (e.until !== undefined && e.until <= ctx.now) {
        return result(s, ctx, { action: 'rejected', reason: `${by}: until ${iso(e.until)} is not in the future; give a later time or omit it` });
      }
      const frozen = { operator: e.operator, reason: e.reason, ...(e.until !== undefined ? { until: e.until } : {}) };
      return result({ ...s, frozen }, ctx, {
        action: 'freeze',
        reason: `${by}: automatic action stopped ${e.until !== undefined ? `until ${iso(e.until)}` : 'until unfreeze'}`,
      });
    }
    case 'unfreeze':
      if (!s.frozen) return result(s, ctx, { action: 'none', reason: `${by}: not frozen, nothing to do` });
      return result(without(s, 'frozen'), ctx, { action: 'unfreeze', reason: `${by}: automatic action resumed` });
    case 'abort': {
      if (!s.inFlight && s.wouldBe) {
        const wb = s.wouldBe;
        return result(without(s, 'wouldBe'), ctx, {
          action: 'abort',
          generation: wb.generation,
          executionName: wb.executionName,
          reason: `${by}: dry run: would-be failover g${wb.generation} to ${wb.target} cleared (nothing was running, so nothing to stop)`,
        });
      }
      if (!s.inFlight) return result(s, ctx, { action: 'none', reason: `${by}: no failover in flight, nothing to abort` });
      const inFlight = { ...s.inFlight, abortRequested: true };
      return result({ ...s, inFlight }, ctx, {
        action: 'abort',
        generation: inFlight.generation,
        executionName: inFlight.executionName,
        reason: `${by}: stopping failover g${inFlight.generation} to ${inFlight.target}; the controller halts when the workflow reports ABORTED`,
      });
    }
    case 'acknowledge': {
      if (s.phase !== 'halted' || !s.halted) return result(s, ctx, { action: 'none', reason: `${by}: not halted, nothing to acknowledge` });
      const next: ControllerState = { ...without(s, 'halted'), phase: 'steady' };
      return result(next, ctx, {
        action: 'acknowledge',
        reason: `${by}: halt after failover g${s.halted.generation} acknowledged; ${s.active} stays active and automatic action resumes`,
      });
    }
    case 'failover':
      return manualFailover(s, e, ctx, by);
    case 'failback':
      return failback(s, e, ctx, by);
    default:
      return assertNever(e.action);
  }
}

/**
 * A human asked for a failover: works while frozen and is not held back by the automatic cap;
 * `force` also skips the target's health and the cooldown, never the one-in-flight rule.
 */
function manualFailover(s: ControllerState, e: Override, ctx: Ctx, by: string): DecideResult {
  const { config, now } = ctx;
  if (e.target !== undefined && !config.regions.includes(e.target)) {
    return result(s, ctx, { action: 'rejected', reason: `${by}: target ${e.target} is not one of the regions [${config.regions.join(', ')}]` });
  }
  if (s.inFlight || s.wouldBe) {
    return result(s, ctx, { action: 'suppressed', reason: `${by}: ${inFlightNote(s)}; one failover at a time (abort it first)` });
  }
  if (s.phase === 'halted' && s.halted) {
    return result(s, ctx, { action: 'suppressed', reason: `${by}: halted after failover g${s.halted.generation}; acknowledge first` });
  }
  if (e.target === s.active) {
    return result(s, ctx, { action: 'none', reason: `${by}: ${e.target} is already active` });
  }
  let target = e.target;
  if (target === undefined) {
    const chosen = e.force ? { target: config.regions.find((r) => r !== s.active), excluded: [] } : chooseTarget(s, config, true, now);
    if (!chosen.target) {
      return result(s, ctx, { action: 'suppressed', reason: `${by}: no eligible target: ${chosen.excluded.join('; ')}; name a --target with force to override` });
    }
    target = chosen.target;
  }
  if (!e.force) {
    const alarms = alarmsIn(s, config, target, now);
    if (alarms.length > 0) {
      return result(s, ctx, { action: 'suppressed', reason: `${by}: target ${target} has signals in ALARM (${alarms.join(', ')}); use force to override` });
    }
    const unready = readinessRefusal(s, config, target, now, true);
    if (unready) return result(s, ctx, { action: 'suppressed', reason: `${by}: target ${unready}` });
    const guard = cooldown(s, now);
    if (guard) return result(s, ctx, { action: 'suppressed', reason: `${by}: ${guard}; use force to override` });
  }
  return startFailover(s, ctx, {
    target,
    mode: 'manual',
    allowDataLoss: e.allowDataLoss ?? false,
    requestedBy: e.operator,
    reason: `${by}: manual failover from ${s.active} to ${target}${e.force ? ' (forced)' : ''}${s.frozen ? ' while frozen' : ''}`,
    detectedAt: regionHealth(s, config, s.active, now).firstAlarmAt,
  });
}

/**
 * An operator asks to go home: a planned switchover (RPO 0) back to `initialActive`. Refused unless
 * the home region is not active, nothing is in flight, the controller is not halted, none of the
 * home region's signals is in ALARM, and its last readiness result, fresh and evaluated while the
 * region active now was active, passed every failback check (a member of the global cluster, in
 * sync, and every guarding check). It works while frozen and is not held back by the cooldown or
 * the automatic cap (a person asks; the readiness result is the evidence). The request is marked
 * `planned`, without data loss: the preflight step makes it a switchover or refuses it.
 */
function failback(s: ControllerState, e: Override, ctx: Ctx, by: string): DecideResult {
  const { config, now } = ctx;
  const home = config.initialActive;
  if (s.inFlight || s.wouldBe) {
    return result(s, ctx, { action: 'suppressed', reason: `${by}: ${inFlightNote(s)}; one failover at a time (abort it first)` });
  }
  if (s.phase === 'halted' && s.halted) {
    return result(s, ctx, { action: 'suppressed', reason: `${by}: halted after failover g${s.halted.generation}; acknowledge first` });
  }
  if (s.active === home) {
    return result(s, ctx, { action: 'rejected', reason: `${by}: the home region ${home} is already active; nothing to fail back` });
  }
  const alarms = alarmsIn(s, config, home, now);
  if (alarms.length > 0) {
    return result(s, ctx, { action: 'suppressed', reason: `${by}: failback refused: the home region ${home} has signals in ALARM (${alarms.join(', ')})` });
  }
  const refusal = failbackRefusal(home, readinessOf(s, home), now, config.policy.readinessMaxAgeSeconds);
  if (refusal) return result(s, ctx, { action: 'suppressed', reason: `${by}: failback refused: ${refusal}` });
  return startFailover(s, ctx, {
    target: home,
    mode: 'manual',
    planned: true,
    allowDataLoss: false,
    requestedBy: e.operator,
    reason: `${by}: failback from ${s.active} to the home region ${home}: planned switchover, no data loss${s.frozen ? ' (while frozen)' : ''}`,
  });
}

// ---------------------------------------------------------------------------------------------
// Readiness results
// ---------------------------------------------------------------------------------------------

/**
 * A readiness result for one target: kept (the newest per configured region, evaluation time never
 * going back, never after the clock) when it comes from the controller's own account and region
 * (when configured) and is about this app, then the state is evaluated as on a tick: a result that
 * no longer refuses the only eligible target lets a pending automatic failover start.
 */
function onReadiness(s: ControllerState, e: ReadinessEvaluated, ctx: Ctx): DecideResult {
  const { config, now } = ctx;
  const what = `readiness of ${e.target} evaluated at ${iso(e.evaluatedAt)}`;
  const foreign = foreignOrigin(e.origin, config);
  if (foreign) return result(s, ctx, { action: 'ignored', reason: `${what}: not from the controller's own account and region: ${foreign}` });
  if (e.app !== config.app) return result(s, ctx, { action: 'ignored', reason: `${what}: it is for app ${e.app}, not ${config.app}` });
  if (!config.regions.includes(e.target)) {
    return result(s, ctx, { action: 'ignored', reason: `${what}: ${e.target} is not one of the regions [${config.regions.join(', ')}]` });
  }
  const evaluatedAt = Math.min(e.evaluatedAt, now);
  const last = s.readiness?.[e.target];
  if (last !== undefined && evaluatedAt <= last.evaluatedAt) {
    return result(s, ctx, { action: 'ignored', reason: `${evaluatedAt === last.evaluatedAt ? 'duplicate' : 'stale'}: ${what} is not newer than the result kept (${iso(last.evaluatedAt)})` });
  }
  const summary: ReadinessSummary = { target: e.target, evaluatedAt, failing: [...e.failing], active: e.active };
  const readiness: Record<Region, ReadinessSummary> = {};
  for (const region of config.regions) {
    const kept = region === e.target ? summary : s.readiness?.[region];
    if (kept !== undefined) readiness[region] = kept;
  }
  const next: ControllerState = { ...s, readiness };
  const home = config.initialActive;
  const failbackNote =
    e.target === home && s.active !== home && e.active === s.active
      ? `; failback to ${home} ${failbackRefusal(home, summary, now, config.policy.readinessMaxAgeSeconds) === undefined ? 'possible' : 'not possible yet'}`
      : '';
  const verdict = e.failing.length === 0 ? 'ready' : `not ready (failing: ${e.failing.join(', ')})`;
  return evaluate(next, ctx, `${what}: ${verdict}${failbackNote}`);
}

// ---------------------------------------------------------------------------------------------
// Workflow results
// ---------------------------------------------------------------------------------------------

/** The failover in flight when `executionName` is its execution, else undefined. */
function flightOf(s: ControllerState, executionName: string): InFlight | undefined {
  return s.inFlight?.executionName === executionName ? s.inFlight : undefined;
}

function notInFlight(s: ControllerState, ctx: Ctx, what: string): DecideResult {
  return result(s, ctx, { action: 'ignored', reason: `${what} is not the failover in flight (${s.inFlight ? s.inFlight.executionName : 'none'})` });
}

/**
 * The workflow ended, as Step Functions' status-change event or the shell's reconciliation with
 * DescribeExecution (`via: 'reconcile'`, for an event that was lost) reported it: both are handled
 * alike, and whichever comes second finds nothing in flight and is ignored.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 */
function onWorkflowEnded(s: ControllerState, e: WorkflowEnded, ctx: Ctx): DecideResult {
  const machine = ctx.config.stateMachineArn;
  if (machine !== undefined && e.via !== 'reconcile' && e.stateMachineArn !== machine) {
    return result(s, ctx, {
      action: 'ignored',
      reason: `execution ${e.executionName} ${e.status} is of state machine ${e.stateMachineArn ?? '(none named)'}, not the controller's failover state machine ${machine}`,
    });
  }
  const flight = flightOf(s, e.executionName);
  if (!flight && e.status === 'SUCCEEDED' && s.phase === 'halted' && s.halted?.executionName === e.executionName) return onRedriveSucceeded(s, e, ctx, s.halted);
  if (!flight) return notInFlight(s, ctx, `execution ${e.executionName} ${e.status}`);
  const via = e.via === 'reconcile' ? ' (read from the workflow service: its status-change event was lost)' : '';
  const base = without(s, 'inFlight');
  if (e.status === 'SUCCEEDED') {
    const recovered = e.recoverySeconds !== undefined ? ` (recovered ${e.recoverySeconds} s after first alarm)` : '';
    return completed(base, ctx, flight, e, (until) => `failover g${flight.generation} from ${flight.from} to ${flight.target} succeeded${via}${recovered}; cooldown until ${until}`);
  }
  const why = e.detail ?? (flight.abortRequested ? 'aborted by an operator' : `workflow ${e.status}`);
  return halt(base, ctx, flight, e.status, why, `failover g${flight.generation} to ${flight.target} ${e.status}${via}: ${why}`);
}

/**
 * The execution that halted the controller (FAILED, TIMED_OUT or ABORTED) was redriven in Step
 * Functions and has now SUCCEEDED: the database and traffic moved to its target, so the controller
 * completes that failover, even from halted (the halt is over: its cause was repaired). A halt that
 * never ran (START_FAILED: the name may belong to another execution) or that does not know its
 * target (a state written before targets were kept) is not completed: the operator acknowledges.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
 */
function onRedriveSucceeded(s: ControllerState, e: WorkflowEnded, ctx: Ctx, halted: Halt): DecideResult {
  if (!REDRIVABLE.has(halted.status) || halted.target === undefined || halted.from === undefined) {
    const why = !REDRIVABLE.has(halted.status) ? `it halted with ${halted.status}, which is not a run Step Functions redrives` : 'the halt does not record its target';
    return result(s, ctx, {
      action: 'ignored',
      reason: `execution ${e.executionName} SUCCEEDED, but ${why}; check where the database and traffic are, then acknowledge (or fail over) by hand`,
    });
  }
  if (halted.from !== s.active) {
    return result(s, ctx, { action: 'ignored', reason: `execution ${e.executionName} SUCCEEDED, but it went from ${halted.from} while ${s.active} is active; acknowledge by hand` });
  }
  const run = { generation: halted.generation, from: halted.from, target: halted.target };
  return completed(without(s, 'halted'), ctx, run, e, (until) =>
    `failover g${run.generation} from ${run.from} to ${run.target} succeeded after a redrive of the execution that halted the controller (${halted.status}: ${halted.reason}): the database and traffic moved, so ${run.target} is active and the halt is over; cooldown until ${until}`,
  );
}

/** A failover run SUCCEEDED: its target is active, the cooldown starts now, and it is the last failover. */
function completed(
  base: ControllerState,
  ctx: Ctx,
  run: { readonly generation: number; readonly from: Region; readonly target: Region },
  e: WorkflowEnded,
  reason: (cooldownUntil: string) => string,
): DecideResult {
  const recovery = e.recoverySeconds !== undefined ? { recoverySeconds: e.recoverySeconds } : {};
  const cooldownUntil = ctx.now + ctx.config.policy.cooldownSeconds * 1000;
  const next: ControllerState = {
    ...base,
    phase: 'steady',
    active: run.target,
    cooldownUntil,
    lastFailover: { generation: run.generation, from: run.from, target: run.target, completedAt: ctx.now, ...recovery },
  };
  return result(next, ctx, { action: 'completed', generation: run.generation, target: run.target, ...recovery, reason: reason(iso(cooldownUntil)) });
}

/** Halt after `flight`: the old region stays active until an operator acknowledges. */
function halt(base: ControllerState, ctx: Ctx, flight: InFlight, status: string, why: string, what: string): DecideResult {
  const next: ControllerState = {
    ...without(base, 'inFlight'),
    phase: 'halted',
    halted: { generation: flight.generation, executionName: flight.executionName, status, reason: clip(why, MAX_STATE_REASON_CHARS), at: ctx.now, from: flight.from, target: flight.target },
  };
  return result(next, ctx, {
    action: 'halted',
    generation: flight.generation,
    executionName: flight.executionName,
    reason: `${what}; ${flight.from} stays active; halted until an operator acknowledges`,
  });
}

/**
 * The shell saw the execution running (StartExecution answered, or DescribeExecution said RUNNING).
 * The first time, the failover is confirmed: the decision carries `started: true` and the shell
 * publishes "DR Failover Started".
 */
function onWorkflowStarted(s: ControllerState, e: WorkflowStarted, ctx: Ctx): DecideResult {
  const flight = flightOf(s, e.executionName);
  if (!flight) return notInFlight(s, ctx, `execution ${e.executionName} running`);
  if (flight.confirmedAt !== undefined) {
    return result(s, ctx, { action: 'ignored', reason: `duplicate: failover g${flight.generation} was already seen running at ${iso(flight.confirmedAt)}` });
  }
  const { actionFailures: _failures, ...rest } = flight;
  const inFlight: InFlight = { ...rest, confirmedAt: ctx.now };
  return result({ ...s, inFlight }, ctx, {
    action: 'none',
    started: true,
    reason: `failover g${flight.generation} running: ${flight.executionName} from ${flight.from} to ${flight.target}`,
  });
}

/**
 * The shell could not carry out an action. A StartExecution that will never work (permanent, the
 * MAX_ACTION_FAILURES-th transient failure, or one the operator has since aborted) halts: nothing
 * ran, so the old region stays active. A failed StopExecution halts nothing: the run goes on, and
 * reconciliation with DescribeExecution reports how it really ends.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html
 */
function onActionFailed(s: ControllerState, e: ActionFailed, ctx: Ctx): DecideResult {
  const flight = flightOf(s, e.executionName);
  const kind = e.permanent ? 'permanent' : 'transient';
  if (!flight) return notInFlight(s, ctx, `failed ${e.action} of execution ${e.executionName}`);
  if (e.action === 'stop') {
    return result(s, ctx, {
      action: 'none',
      reason: `StopExecution of failover g${flight.generation} failed (${kind}): ${e.reason}; the run may still be going, so the controller waits for its real outcome (reconciled on every tick)`,
    });
  }
  if (flight.confirmedAt !== undefined) {
    return result(s, ctx, {
      action: 'ignored',
      reason: `StartExecution of failover g${flight.generation} failed (${kind}: ${e.reason}) but the run was already seen running at ${iso(flight.confirmedAt)}; its outcome is reconciled on every tick`,
    });
  }
  const failures = (flight.actionFailures ?? 0) + 1;
  if (flight.abortRequested) {
    const why = `aborted by an operator before it started; StartExecution failed: ${e.reason}`;
    return halt(s, ctx, flight, 'START_FAILED', why, `failover g${flight.generation} to ${flight.target} never started: ${why}`);
  }
  if (e.permanent || failures >= MAX_ACTION_FAILURES) {
    const why = e.permanent ? `StartExecution failed: ${e.reason}` : `StartExecution failed ${failures} times (max ${MAX_ACTION_FAILURES}), last: ${e.reason}`;
    return halt(s, ctx, flight, 'START_FAILED', why, `failover g${flight.generation} to ${flight.target} could not start: ${why}`);
  }
  const inFlight: InFlight = { ...flight, actionFailures: failures };
  return result({ ...s, inFlight }, ctx, {
    action: 'none',
    reason: `StartExecution of failover g${flight.generation} failed (transient, ${failures} of ${MAX_ACTION_FAILURES}): ${e.reason}; re-sent on the next tick`,
  });
}

// ---------------------------------------------------------------------------------------------
// Wake-ups
// ---------------------------------------------------------------------------------------------

/**
 * The next instant at which, with no new event, an automatic failover could start: the active
 * region's quorum becomes sustained (a sustain period ends, a heartbeat window and its sustain end)
 * after the instant judged (`at`), or, once it is, a freeze, cooldown or cap holding it back expires
 * after `now`. Nothing while a failover is in flight or the controller is halted: only an event
 * ends those. For late evidence it may lie at or before `now`: the wake-up is due at once.
 */
function wakeAtOf(s: ControllerState, config: ControllerConfig, at: number, now: number): number | undefined {
  if (s.inFlight || s.wouldBe || s.phase === 'halted') return undefined;
  const down = earliestDown(s, config, s.active);
  if (down === undefined) return undefined;
  const { maxAutoFailovers, windowSeconds } = config.policy;
  const capExpiry = s.autoFailovers.length >= maxAutoFailovers ? s.autoFailovers[s.autoFailovers.length - maxAutoFailovers]! + windowSeconds * 1000 : undefined;
  // A fresh readiness result that refuses a target stops refusing once it is too old.
  const readinessExpiries = config.regions
    .filter((region) => region !== s.active)
    .flatMap((region) => {
      const last = readinessOf(s, region);
      return last !== undefined && guardingFailures(last, now, config.policy.readinessMaxAgeSeconds).length > 0
        ? [last.evaluatedAt + config.policy.readinessMaxAgeSeconds * 1000 + 1]
        : [];
    });
  const guardsEnd = [s.frozen?.until, s.cooldownUntil !== undefined ? s.cooldownUntil + 1 : undefined, capExpiry, ...readinessExpiries];
  const candidates = [...(down > at ? [down] : []), ...guardsEnd.filter((t): t is number => t !== undefined && t > now && t >= down)];
  return candidates.length > 0 ? Math.min(...candidates) : undefined;
}

// ---------------------------------------------------------------------------------------------

type DecisionBody =
  | Omit<OtherDecision, 'app' | 'eventId' | 'at' | 'active' | 'phase'>
  | Omit<Extract<Decision, { action: 'start-failover' }>, 'app' | 'eventId' | 'at' | 'active' | 'phase'>
  | Omit<Extract<Decision, { action: 'abort' }>, 'app' | 'eventId' | 'at' | 'active' | 'phase'>
  | Omit<Extract<Decision, { action: 'completed' }>, 'app' | 'eventId' | 'at' | 'active' | 'phase'>
  | Omit<Extract<Decision, { action: 'halted' }>, 'app' | 'eventId' | 'at' | 'active' | 'phase'>;

function result(state: ControllerState, ctx: Ctx, body: DecisionBody): DecideResult {
  const late = ctx.at < ctx.now ? `; judged at ${iso(ctx.at)}, the time it describes (delivered ${(ctx.now - ctx.at) / 1000} s later)` : '';
  const wakeAt = wakeAtOf(state, ctx.config, ctx.at, ctx.now);
  const decision = Object.assign(body, {
    reason: clip(`${ctx.notes.length > 0 ? `${ctx.notes.join('; ')}; ` : ''}${body.reason}${late}`, MAX_DECISION_REASON_CHARS),
    app: ctx.config.app,
    eventId: ctx.eventId,
    at: ctx.now,
    active: state.active,
    phase: state.phase,
    ...(ctx.at < ctx.now ? { evaluatedAt: ctx.at } : {}),
    ...(wakeAt !== undefined ? { wakeAt } : {}),
  }) as Decision;
  return { state, decisions: [decision] };
}

/** An instant for a reason: ISO 8601, or the number itself where no date can show it (NaN, ±Infinity, beyond ±8.64e15 ms). */
function iso(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}
