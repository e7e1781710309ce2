import type { ControllerConfig, Region, SignalConfig } from './config';
import type { Decision, OtherDecision } from './decision';
import { executionNameFor, failoverRequestOf } from './decision';
import type { DomainEvent, Override, SignalChanged, WorkflowEnded } from './events';
import type { ControllerState, InFlight } from './state';
import { RECENT_REQUESTS_KEPT } from './state';

/** What `decide` returns: the next state and exactly one decision record for the event. */
export interface DecideResult {
  readonly state: ControllerState;
  readonly decisions: readonly [Decision];
}

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

/**
 * The decision engine: pure and total. Given the controller's state, one event, the configuration
 * and the current time (epoch ms), it returns the next state and one decision with its reason.
 * Expected outcomes ("quorum not met", "in cooldown") are decisions, never exceptions.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 * @see https://docs.aws.amazon.com/whitepapers/latest/disaster-recovery-workloads-on-aws/disaster-recovery-options-in-the-cloud.html
 */
export function decide(state: ControllerState, event: DomainEvent, config: ControllerConfig, now: number): DecideResult {
  const { state: s, notes } = housekeeping(state, config, now);
  const ctx: Ctx = { config, now, eventId: event.eventId, notes };
  switch (event.type) {
    case 'signal-changed':
      return onSignal(s, event, ctx);
    case 'tick':
      return evaluate(s, ctx, 'tick');
    case 'override':
      return onOverride(s, event, ctx);
    case 'workflow-ended':
      return onWorkflowEnded(s, event, ctx);
    default:
      return assertNever(event);
  }
}

interface Ctx {
  readonly config: ControllerConfig;
  readonly now: number;
  readonly eventId: string;
  /** Things housekeeping did that the reason should mention (a freeze that expired). */
  readonly notes: readonly string[];
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
  return { state: s, notes };
}

function without<K extends keyof ControllerState>(s: ControllerState, key: K): ControllerState {
  const copy = { ...s };
  delete copy[key];
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Signals
// ---------------------------------------------------------------------------------------------

function onSignal(s: ControllerState, e: SignalChanged, ctx: Ctx): DecideResult {
  const signal = ctx.config.signals.find((x) => x.alarmName === e.alarmName);
  if (!signal) {
    return result(s, ctx, { action: 'ignored', reason: `alarm ${e.alarmName} is not a configured signal` });
  }
  const prev = s.signals[e.alarmName];
  if (prev && e.at < prev.lastAt) {
    return result(s, ctx, {
      action: 'ignored',
      reason: `stale: ${e.alarmName} ${e.state} at ${iso(e.at)} is older than the last event seen for it (${prev.state} at ${iso(prev.lastAt)})`,
    });
  }
  if (prev && e.at === prev.lastAt && e.state === prev.state) {
    return result(s, ctx, { action: 'ignored', reason: `duplicate: ${e.alarmName} ${e.state} at ${iso(e.at)} was already applied` });
  }
  const since = prev && prev.state === e.state ? prev.since : e.at;
  const next: ControllerState = {
    ...s,
    signals: { ...s.signals, [e.alarmName]: { state: e.state, since, lastAt: e.at } },
  };
  return evaluate(next, ctx, `${e.alarmName} (${signal.region}, ${signal.kind}) is ${e.state}`);
}

interface RegionHealth {
  readonly down: boolean;
  readonly summary: string;
  /** Earliest time one of the region's critical signals entered ALARM: the detection clock. */
  readonly firstAlarmAt?: number;
}

/**
 * A region is down when at least `quorum` of its critical signals, of at least `minKinds` kinds,
 * have been in ALARM for the sustain period. INSUFFICIENT_DATA is not ALARM.
 */
function regionHealth(s: ControllerState, config: ControllerConfig, region: Region, now: number): RegionHealth {
  const { quorum, minKinds, sustainSeconds } = config.policy;
  const sustainedBefore = now - sustainSeconds * 1000;
  const alarming: SignalConfig[] = [];
  const sustained: SignalConfig[] = [];
  let total = 0;
  let firstAlarmAt: number | undefined;
  for (const sig of config.signals) {
    if (sig.region !== region || !sig.critical) continue;
    total++;
    const rec = s.signals[sig.alarmName];
    if (rec?.state !== 'ALARM') continue;
    alarming.push(sig);
    if (firstAlarmAt === undefined || rec.since < firstAlarmAt) firstAlarmAt = rec.since;
    if (rec.since <= sustainedBefore) sustained.push(sig);
  }
  const kinds = (list: readonly SignalConfig[]) => new Set(list.map((x) => x.kind)).size;
  const need = `quorum ${quorum} of ${minKinds} kind(s)`;
  if (sustained.length >= quorum && kinds(sustained) >= minKinds) {
    return {
      down: true,
      firstAlarmAt,
      summary: `${region} is down: ${sustained.length} of ${total} critical signals in ALARM for ≥ ${sustainSeconds} s (${names(sustained)}; ${need})`,
    };
  }
  if (alarming.length >= quorum && kinds(alarming) >= minKinds) {
    const held = Math.floor((now - Math.max(...alarming.map((x) => s.signals[x.alarmName]!.since))) / 1000);
    return {
      down: false,
      firstAlarmAt,
      summary: `${region} not down yet: ${alarming.length} critical signals in ALARM (${names(alarming)}) but not all for the ${sustainSeconds} s sustain period (${Math.max(0, held)} s so far)`,
    };
  }
  return {
    down: false,
    firstAlarmAt,
    summary:
      alarming.length === 0
        ? `${region} healthy: none of ${total} critical signals in ALARM`
        : `${region} not down: ${alarming.length} of ${total} critical signals in ALARM (${names(alarming)}), ${kinds(alarming)} kind(s); needs ${need}`,
  };
}

function names(list: readonly SignalConfig[]): string {
  return list.map((x) => x.alarmName).join(', ');
}

function alarmsIn(s: ControllerState, config: ControllerConfig, region: Region): string[] {
  return config.signals.filter((x) => x.region === region && s.signals[x.alarmName]?.state === 'ALARM').map((x) => x.alarmName);
}

// ---------------------------------------------------------------------------------------------
// Automatic failover
// ---------------------------------------------------------------------------------------------

/** After any change: is the active region down, and may the controller act on its own? */
function evaluate(s: ControllerState, ctx: Ctx, cause: string): DecideResult {
  const { config, now } = ctx;
  const health = regionHealth(s, config, s.active, now);
  const prefix = `${cause}; ${health.summary}`;
  if (!health.down) {
    return result(s, ctx, { action: 'none', reason: inFlightNote(s) ? `${prefix}; ${inFlightNote(s)}` : prefix });
  }
  const blocked = autoGuard(s, config, now);
  if (blocked) return result(s, ctx, { action: 'suppressed', reason: `${prefix}; no automatic failover: ${blocked}` });

  const { target, excluded } = chooseTarget(s, config, false);
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
  return s.inFlight ? `failover g${s.inFlight.generation} to ${s.inFlight.target} in flight` : undefined;
}

/** Why the controller may not start an automatic failover now, or undefined if it may. */
function autoGuard(s: ControllerState, config: ControllerConfig, now: number): string | undefined {
  if (s.phase === 'halted' && s.halted) {
    return `halted after failover g${s.halted.generation} ${s.halted.status} (${s.halted.reason}); an operator must acknowledge`;
  }
  if (s.inFlight) return `${inFlightNote(s)}; one failover at a time`;
  if (s.frozen) {
    return `frozen by ${s.frozen.operator}${s.frozen.until !== undefined ? ` until ${iso(s.frozen.until)}` : ''} (${s.frozen.reason})`;
  }
  return cooldown(s, now) ?? cap(s, config);
}

function cooldown(s: ControllerState, now: number): string | undefined {
  return s.cooldownUntil !== undefined && s.cooldownUntil >= now ? `in cooldown until ${iso(s.cooldownUntil)} after the last failover` : undefined;
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
 * First region in preference order that is not active and has no signal in ALARM. Automatic
 * failover never moves back to the home region unless `autoFailback` is on.
 */
function chooseTarget(s: ControllerState, config: ControllerConfig, manual: boolean): { target?: Region; excluded: string[] } {
  const excluded: string[] = [];
  for (const region of config.regions) {
    if (region === s.active) continue;
    if (!manual && !config.policy.autoFailback && region === config.initialActive) {
      excluded.push(`${region} excluded: automatic failback to the home region is off`);
      continue;
    }
    const alarms = alarmsIn(s, config, region);
    if (alarms.length > 0) {
      excluded.push(`${region} has signals in ALARM (${alarms.join(', ')})`);
      continue;
    }
    return { target: region, excluded };
  }
  return { excluded };
}

interface StartOptions {
  readonly target: Region;
  readonly mode: 'auto' | 'manual';
  readonly allowDataLoss: boolean;
  readonly requestedBy: string;
  readonly reason: string;
  readonly detectedAt?: number;
}

function startFailover(s: ControllerState, ctx: Ctx, o: StartOptions): DecideResult {
  const { config, now } = ctx;
  const generation = s.generation + 1;
  const executionName = executionNameFor(config.app, generation);
  const inFlight: InFlight = {
    generation,
    executionName,
    from: s.active,
    target: o.target,
    mode: o.mode,
    allowDataLoss: o.allowDataLoss,
    requestedBy: o.requestedBy,
    reason: o.reason,
    startedAt: now,
    ...(o.detectedAt !== undefined ? { detectedAt: o.detectedAt } : {}),
  };
  const request = failoverRequestOf(config.app, inFlight);
  const autoFailovers = o.mode === 'auto' ? [...s.autoFailovers, now].slice(-config.policy.maxAutoFailovers) : s.autoFailovers;

  if (config.policy.dryRun) {
    // Nothing executes, so nothing is in flight; an automatic one still starts the cooldown and
    // counts towards the cap, so the dry run shows what the anti-flapping rules would then do.
    const next: ControllerState =
      o.mode === 'auto' ? { ...s, autoFailovers, cooldownUntil: now + config.policy.cooldownSeconds * 1000 } : s;
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

function onOverride(state: ControllerState, e: Override, ctx: Ctx): DecideResult {
  if (state.recentRequests.includes(e.requestId)) {
    return result(state, ctx, { action: 'ignored', reason: `duplicate: request ${e.requestId} (${e.action} by ${e.operator}) was already handled` });
  }
  const s: ControllerState = { ...state, recentRequests: [...state.recentRequests, e.requestId].slice(-RECENT_REQUESTS_KEPT) };
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
  if (s.inFlight) {
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
    const chosen = e.force ? { target: config.regions.find((r) => r !== s.active), excluded: [] } : chooseTarget(s, config, true);
    if (!chosen.target) {
      return result(s, ctx, { action: 'suppressed', reason: `${by}: no eligible target: ${chosen.excluded.join('; ')}; name a --target with force to override` });
    }
    target = chosen.target;
  }
  if (!e.force) {
    const alarms = alarmsIn(s, config, target);
    if (alarms.length > 0) {
      return result(s, ctx, { action: 'suppressed', reason: `${by}: target ${target} has signals in ALARM (${alarms.join(', ')}); use force to override` });
    }
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

// ---------------------------------------------------------------------------------------------
// Workflow results
// ---------------------------------------------------------------------------------------------

function onWorkflowEnded(s: ControllerState, e: WorkflowEnded, ctx: Ctx): DecideResult {
  const flight = s.inFlight;
  if (!flight || flight.executionName !== e.executionName) {
    return result(s, ctx, {
      action: 'ignored',
      reason: `execution ${e.executionName} ${e.status} is not the failover in flight (${flight ? flight.executionName : 'none'})`,
    });
  }
  const base = without(s, 'inFlight');
  if (e.status === 'SUCCEEDED') {
    const next: ControllerState = {
      ...base,
      phase: 'steady',
      active: flight.target,
      cooldownUntil: ctx.now + ctx.config.policy.cooldownSeconds * 1000,
      lastFailover: {
        generation: flight.generation,
        from: flight.from,
        target: flight.target,
        completedAt: ctx.now,
        ...(e.recoverySeconds !== undefined ? { recoverySeconds: e.recoverySeconds } : {}),
      },
    };
    return result(next, ctx, {
      action: 'completed',
      generation: flight.generation,
      target: flight.target,
      ...(e.recoverySeconds !== undefined ? { recoverySeconds: e.recoverySeconds } : {}),
      reason: `failover g${flight.generation} from ${flight.from} to ${flight.target} succeeded${
        e.recoverySeconds !== undefined ? ` (recovered ${e.recoverySeconds} s after first alarm)` : ''
      }; cooldown until ${iso(next.cooldownUntil!)}`,
    });
  }
  const why = e.detail ?? (flight.abortRequested ? 'aborted by an operator' : `workflow ${e.status}`);
  const next: ControllerState = {
    ...base,
    phase: 'halted',
    halted: { generation: flight.generation, executionName: flight.executionName, status: e.status, reason: why, at: ctx.now },
  };
  return result(next, ctx, {
    action: 'halted',
    generation: flight.generation,
    executionName: flight.executionName,
    reason: `failover g${flight.generation} to ${flight.target} ${e.status}: ${why}; ${flight.from} stays active; halted until an operator acknowledges`,
  });
}

// ---------------------------------------------------------------------------------------------

type DecisionBody =
  | Omit<OtherDecision, 'app' | 'eventId' | 'at' | 'active' | 'phase'>
  | Omit<Extract<Decision, { action: 'start-failover' }>, 'app' | 'eventId' | 'at' | 'active' | 'phase'>
  | Omit<Extract<Decision, { action: 'abort' }>, 'app' | 'eventId' | 'at' | 'active' | 'phase'>
  | Omit<Extract<Decision, { action: 'completed' }>, 'app' | 'eventId' | 'at' | 'active' | 'phase'>
  | Omit<Extract<Decision, { action: 'halted' }>, 'app' | 'eventId' | 'at' | 'active' | 'phase'>;

function result(state: ControllerState, ctx: Ctx, body: DecisionBody): DecideResult {
  const decision = Object.assign(body, {
    reason: ctx.notes.length > 0 ? `${ctx.notes.join('; ')}; ${body.reason}` : body.reason,
    app: ctx.config.app,
    eventId: ctx.eventId,
    at: ctx.now,
    active: state.active,
    phase: state.phase,
  }) as Decision;
  return { state, decisions: [decision] };
}

function iso(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms);
}
