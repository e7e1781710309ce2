import type { AlarmState } from './events';
import type { Region } from './config';
import { MAX_RECENT_OVERRIDES } from './limits';
import type { ReadinessSummary } from './readiness';

/** Where the controller is in its lifecycle. */
export type Phase = 'steady' | 'failing-over' | 'halted';

/** Last known state of one configured signal. */
export interface SignalRecord {
  readonly state: AlarmState;
  /** When the signal entered `state` (epoch ms): the sustain clock. */
  readonly since: number;
  /** Timestamp of the newest event seen for this signal: older events are stale. */
  readonly lastAt: number;
}

/** What a failover is: which run, from where to where, who asked and why. */
export interface FailoverPlan {
  readonly generation: number;
  readonly executionName: string;
  readonly from: Region;
  readonly target: Region;
  readonly mode: 'auto' | 'manual';
  readonly allowDataLoss: boolean;
  readonly requestedBy: string;
  readonly reason: string;
}

/** The failover the controller has started and not yet seen end. */
export interface InFlight extends FailoverPlan {
  readonly startedAt: number;
  /** Earliest ALARM among the failed region's signals when it started: the RTO clock. */
  readonly detectedAt?: number;
  readonly abortRequested?: boolean;
  /** When the shell first saw the execution running (`workflow-started`): "DR Failover Started" is published then. */
  readonly confirmedAt?: number;
  /** Transient StartExecution/StopExecution failures so far; the failover halts after a bound. */
  readonly actionFailures?: number;
  /** A planned move (failback): switchover with RPO 0 or nothing, never a failover with data loss. */
  readonly planned?: true;
}

export interface Freeze {
  readonly until?: number;
  readonly operator: string;
  readonly reason: string;
}

export interface Halt {
  readonly generation: number;
  readonly executionName: string;
  readonly status: string;
  readonly reason: string;
  readonly at: number;
  /** Where the halted failover was going (absent in states written before redrives were recognised). */
  readonly from?: Region;
  readonly target?: Region;
}

/**
 * The controller's whole memory. Bounded: `signals` has one entry per configured signal,
 * `autoFailovers` at most `maxAutoFailovers` entries, `recentRequests` at most
 * {@link RECENT_REQUESTS_KEPT}.
 */
export interface ControllerState {
  readonly app: string;
  readonly active: Region;
  readonly phase: Phase;
  /** Generation of the last failover started (0: none yet). */
  readonly generation: number;
  readonly inFlight?: InFlight;
  readonly frozen?: Freeze;
  readonly halted?: Halt;
  readonly cooldownUntil?: number;
  /** Start times of recent automatic failovers, oldest first, pruned to the window. */
  readonly autoFailovers: readonly number[];
  readonly signals: Readonly<Record<string, SignalRecord>>;
  /**
   * Override request ids accepted in the last `MAX_OVERRIDE_AGE_SECONDS + MAX_EVENT_SKEW_SECONDS`,
   * oldest first, at most `MAX_RECENT_OVERRIDES` (domain/limits.ts): every later delivery of one is
   * either expired or recognised.
   */
  readonly recentRequests: readonly string[];
  /** When each of `recentRequests` was accepted (delivery clock), same order and length. */
  readonly recentRequestTimes?: readonly number[];
  /**
   * The latest delivery clock of a decision that changed the state: the clock never goes back, so
   * an earlier `now` is raised to it.
   */
  readonly clock?: number;
  /**
   * Dry run only: the failover the controller would have started and that, since nothing ran, nothing
   * will report the end of. It holds later failovers back exactly as one in flight would (one at a
   * time); an operator's abort clears it. Phase stays `steady`: nothing is running.
   */
  readonly wouldBe?: InFlight;
  /**
   * The newest readiness result per configured region (as a failover target), `evaluatedAt` never
   * going back: guards failovers into it and allows a failback (see domain/readiness.ts).
   */
  readonly readiness?: Readonly<Record<Region, ReadinessSummary>>;
  /** Time of the newest heartbeat seen from each region (epoch ms). */
  readonly heartbeats?: Readonly<Record<Region, number>>;
  /** The last failover that completed, for status and recovery reporting. */
  readonly lastFailover?: { readonly generation: number; readonly from: Region; readonly target: Region; readonly completedAt: number; readonly recoverySeconds?: number };
}

/** How many override request ids are remembered at most (see `MAX_RECENT_OVERRIDES`). */
export const RECENT_REQUESTS_KEPT = MAX_RECENT_OVERRIDES;
