import { isTransient } from '../../adapters/errors';
import { salvageOf, stateInconsistency } from '../../adapters/state-store/state-table.schema';
import { StateUnreadableError } from '../../adapters/state-store/state-unreadable.error';
import type { ControllerConfig, Region } from '../../domain/config';
import { decide, initialState } from '../../domain/decide';
import type { Decision } from '../../domain/decision';
import type { DomainEvent, Override } from '../../domain/events';
import type { ConfigStore } from '../../domain/ports/config-store.port';
import type { StoredState, UnreadableState } from '../../domain/ports/state-store.port';
import { RECENT_REQUESTS_KEPT, type ControllerState } from '../../domain/state';
import type { DecideDeps } from './decide-deps';
import { DEFAULT_ALARM_READ_DEADLINE_MS, withDeadline } from './reconcile-alarms';

/** Longest override request id kept across a rebuild (the parser's bound). */
const MAX_SALVAGED_REQUEST_ID_CHARS = 128;

/**
 * The stored state, checked against the configuration as well as by the store: a state whose
 * active region, failover regions, signals or heartbeats the configuration does not have is as
 * unusable as a corrupt one (a `StateUnreadableError`), never handed to the engine.
 */
export async function loadChecked(deps: DecideDeps): Promise<StoredState | undefined> {
  const { config } = deps;
  const stored = await deps.stateStore.load(config.app);
  if (stored === undefined) return undefined;
  const why = stateInconsistency(stored.state, { regions: config.regions, signalNames: config.signals.map((s) => s.alarmName) });
  if (why === undefined) return stored;
  throw new StateUnreadableError(config.app, { reason: `state does not fit the configuration: ${why}`, version: stored.version, salvage: salvageOf(stored.state) });
}

/** What deciding one event in safe mode gave: a decision, and the rebuilt state when an acknowledge rebuilt it. */
export type SafeModeOutcome =
  | { readonly type: 'recorded'; readonly decision: Decision }
  | { readonly type: 'rebuilt'; readonly state: ControllerState; readonly decision: Decision }
  /** Another writer replaced the item first: load again. */
  | { readonly type: 'conflict' };

const isAcknowledge = (event: DomainEvent): event is Override & { readonly action: 'acknowledge' } => event.type === 'override' && event.action === 'acknowledge';

/**
 * Safe mode: the stored state is corrupt or inconsistent, so nothing may be decided from it.
 *
 * - Any event but an `acknowledge` override: a `suppressed` decision saying "state unreadable:
 *   <why>; automatic action stopped; send acknowledge to rebuild the state from the observed
 *   world" (an operator's other override: "<override> not applied: acknowledge first"), appended
 *   to the audit log; the corrupt item is left as it is, for inspection.
 * - An `acknowledge`: the state is rebuilt from the observed world (the active region as
 *   `observeActiveRegion` reports it, else `config.initialActive`, and the reason says which),
 *   keeping the salvaged generation and override ids, and saved over the corrupt item with
 *   compare-and-set on its version, together with an `acknowledge` decision saying so. Signals,
 *   heartbeats, freeze, cooldown and failover history start empty: the next tick re-reads the
 *   alarms.
 *
 * Every call counts `StateUnreadable` (the alarm on it pages an operator). Never throws for the
 * state's sake: only a transient store error (retried by the caller) escapes.
 */
export async function decideInSafeMode(event: DomainEvent, unreadable: UnreadableState, deps: DecideDeps): Promise<SafeModeOutcome> {
  const { config, stateStore } = deps;
  const now = deps.now();
  deps.metric?.('StateUnreadable', 1);
  deps.log.error('state unreadable: safe mode, automatic action stopped', { reason: unreadable.reason, version: unreadable.version, eventId: event.eventId, event: event.type });
  const why = `state unreadable: ${unreadable.reason}`;
  if (!isAcknowledge(event) || unreadable.version === undefined) {
    const decision: Decision = {
      app: config.app,
      eventId: event.eventId,
      at: now,
      action: 'suppressed',
      reason: safeModeReason(event, why),
      active: knownActive(unreadable, config),
      phase: 'halted',
    };
    await stateStore.appendDecisions(config.app, [decision]);
    return { type: 'recorded', decision };
  }
  const observed = await observedActive(deps);
  const { salvage } = unreadable;
  const base: ControllerState = {
    ...initialState(config),
    active: observed.region,
    generation: salvage.generation ?? 0,
    recentRequests: (salvage.recentRequests ?? []).filter((id) => id.length <= MAX_SALVAGED_REQUEST_ID_CHARS).slice(-RECENT_REQUESTS_KEPT),
  };
  // The engine books the request id (at most once, however it keeps them); the decision is ours.
  const { state } = decide(base, event, config, now);
  const by = `acknowledge by ${event.operator} (${event.reason})`;
  const decision: Decision = {
    app: config.app,
    eventId: event.eventId,
    at: now,
    action: 'acknowledge',
    reason:
      `${by}: ${why}; state rebuilt from the observed world: ${observed.how}; generation ${state.generation}; ` +
      'signals, heartbeats, freeze, cooldown and failover history start empty and are re-read on the next tick; automatic action resumes',
    active: state.active,
    phase: state.phase,
  };
  const saved = await stateStore.save(config.app, state, unreadable.version, [decision]);
  if (saved.type === 'conflict') return { type: 'conflict' };
  deps.log.warn('state rebuilt after an acknowledge in safe mode', { active: state.active, generation: state.generation, version: saved.version });
  return { type: 'rebuilt', state, decision };
}

function safeModeReason(event: DomainEvent, why: string): string {
  if (isAcknowledge(event)) {
    // Only reached when the version is unusable: there is nothing to compare-and-set against.
    return `acknowledge by ${event.operator} (${event.reason}): ${why}; the item's version is unusable too, so it cannot be replaced safely: delete the state item and send acknowledge again`;
  }
  if (event.type === 'override') {
    return `${event.action} by ${event.operator} (${event.reason}) not applied: ${why}; automatic action stopped; acknowledge first to rebuild the state from the observed world`;
  }
  return `${why}; automatic action stopped; send acknowledge to rebuild the state from the observed world`;
}

/** The active region a safe-mode decision reports: the salvaged one when it is configured, else the configured initial one. */
function knownActive(unreadable: UnreadableState, config: ControllerConfig): Region {
  const { active } = unreadable.salvage;
  return active !== undefined && config.regions.includes(active) ? active : config.initialActive;
}

/** The region that serves the app as observed, and how it was found, for the rebuild's reason. */
async function observedActive(deps: DecideDeps): Promise<{ region: Region; how: string }> {
  const { config } = deps;
  const assumed = `assumed the configured initial region ${config.initialActive} active`;
  if (!deps.observeActiveRegion) return { region: config.initialActive, how: `nothing observes the active region here; ${assumed}` };
  let region: Region | undefined;
  try {
    region = await deps.observeActiveRegion();
  } catch (error) {
    // A transient failure goes back to SQS (the acknowledge is retried); any other one is said.
    if (isTransient(error)) throw error;
    return { region: config.initialActive, how: `observing the active region failed (${(error as Error)?.message ?? String(error)}); ${assumed}` };
  }
  if (region === undefined) return { region: config.initialActive, how: `no active region was observed; ${assumed}` };
  if (!config.regions.includes(region)) return { region: config.initialActive, how: `the observed active region ${region} is not configured; ${assumed}` };
  return { region, how: `${region} observed active` };
}

/**
 * The active region as the workload's own configuration says: every configured region's
 * `active-region` parameter, read at once, each under `deadlineMs`; the value most regions report
 * (a tie goes to the preference order of the regions reporting). Undefined when no region names
 * one; when no region answers at all, the first region's error is thrown (transient or not).
 */
export async function activeRegionFromConfigStore(configStore: ConfigStore, config: ControllerConfig, deadlineMs = DEFAULT_ALARM_READ_DEADLINE_MS): Promise<Region | undefined> {
  const reads = await Promise.allSettled(config.regions.map((region) => withDeadline(configStore.read(region), deadlineMs, `read parameters in ${region}`)));
  const votes = new Map<Region, number>();
  for (const read of reads) {
    const active = read.status === 'fulfilled' ? read.value.activeRegion : undefined;
    if (active !== undefined) votes.set(active, (votes.get(active) ?? 0) + 1);
  }
  if (votes.size === 0) {
    const failed = reads.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed && reads.every((r) => r.status === 'rejected')) throw failed.reason;
    return undefined;
  }
  return [...votes.entries()].sort((a, b) => b[1] - a[1])[0]![0];
}
