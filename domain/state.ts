import type { AlarmState } from './events';
import type { Region } from './config';

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

/** The failover the controller has started and not yet seen end. */
export interface InFlight {
  readonly generation: number;
  readonly executionName: string;
  readonly from: Region;
  readonly target: Region;
  readonly mode: 'auto' | 'manual';
  readonly allowDataLoss: boolean;
  readonly requestedBy: string;
  readonly reason: string;
  readonly startedAt: number;
  /** Earliest ALARM among the failed region's signals when it started: the RTO clock. */
  readonly detectedAt?: number;
  readonly abortRequested?: boolean;
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
  /** Override request ids already handled, newest last. */
  readonly recentRequests: readonly string[];
  /** The last failover that completed, for status and recovery reporting. */
  readonly lastFailover?: { readonly generation: number; readonly from: Region; readonly target: Region; readonly completedAt: number; readonly recoverySeconds?: number };
}

/** How many override request ids are remembered for deduplication. */
export const RECENT_REQUESTS_KEPT = 64;
