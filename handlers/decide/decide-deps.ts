import type { ControllerConfig, Region } from '../../domain/config';
import type { Decision } from '../../domain/decision';
import type { AlarmStates } from '../../domain/ports/alarm-states.port';
import type { DeadLetters } from '../../domain/ports/dead-letters.port';
import type { Publisher } from '../../domain/ports/publisher.port';
import type { StateStore } from '../../domain/ports/state-store.port';
import type { WakeUps } from '../../domain/ports/wake-ups.port';
import type { Workflow } from '../../domain/ports/workflow.port';

/**
 * The decide path's own metrics (namespace `DrController`), for the controller's alarms: `Ticks`,
 * `ReconcileFailures`, `FailoverInFlightSeconds` (self-silence), `StateUnreadable` (one per event
 * decided in safe mode: the stored state is corrupt or inconsistent and automatic action stopped),
 * `DeadLetterFailures` (a rejected record could not be dead-lettered and is only in the logs),
 * `Halted` (1 on every tick while the controller is halted, and when it halts: a gauge).
 */
export type DecidePathMetric = 'Ticks' | 'ReconcileFailures' | 'FailoverInFlightSeconds' | 'StateUnreadable' | 'DeadLetterFailures' | 'Halted';

/**
 * What the decide path needs: the configuration, the ports, a clock, and where to log and count.
 * Everything added for reconciliation is optional, so a caller that leaves it out gets the path
 * without that part (no alarm re-reads without `alarmStates`, no wake-ups without `wakeUps`).
 */
export interface DecideDeps {
  readonly config: ControllerConfig;
  readonly stateStore: StateStore;
  readonly workflow: Workflow;
  readonly publisher: Publisher;
  readonly deadLetters: DeadLetters;
  readonly now: () => number;
  readonly log: {
    info(message: string, extra?: Record<string, unknown>): void;
    warn(message: string, extra?: Record<string, unknown>): void;
    error(message: string, extra?: Record<string, unknown>): void;
  };
  /** Called once per decision made, for metrics. */
  readonly observe?: (decision: Decision) => void;
  /** Called for the decide path's own metrics: `Ticks` (count), `ReconcileFailures` (count), `FailoverInFlightSeconds` (seconds). */
  readonly metric?: (name: DecidePathMetric, value: number) => void;
  /** Alarm states read on every tick to recover lost state changes; without it ticks re-read nothing. */
  readonly alarmStates?: AlarmStates;
  /** Where decisions' `wakeAt` are scheduled; without it only the one-minute tick re-evaluates. */
  readonly wakeUps?: WakeUps;
  /** Region of the controller: where `probe` alarms live. Without it, probe alarms are not re-read. */
  readonly controllerRegion?: Region;
  /**
   * Region whose CloudWatch holds the Route 53 health-check alarms (Route 53 publishes its metrics there only).
   * @default 'us-east-1'
   */
  readonly healthCheckAlarmRegion?: Region;
  /**
   * Longest wait for one region's alarm states on a tick; a region slower than that is skipped for this tick.
   * @default 2000
   */
  readonly alarmReadDeadlineMs?: number;
  /**
   * Attempts (the first included) of a state-store step that fails transiently before the record goes back to SQS.
   * @default 3
   */
  readonly maxTransientAttempts?: number;
  /**
   * The region that really serves the app (the config store's `active-region` parameter, or what
   * the traffic port routes to): an operator's `acknowledge` in safe mode rebuilds the state around
   * it. Without it (or when it answers undefined or a region not configured) the rebuild assumes
   * `config.initialActive` and its decision says so.
   */
  readonly observeActiveRegion?: () => Promise<Region | undefined>;
  /** @default a real setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}
