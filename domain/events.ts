import type { AlarmOrigin } from './alarm-regions';
import type { Region } from './config';
import type { ReadinessCheckName } from './readiness-checks';

/**
 * Domain events: what the edge parsers make of EventBridge payloads. Times are epoch milliseconds.
 * `eventId` is the EventBridge event id (for tracing; deduplication uses the fields below).
 */
export type AlarmState = 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';

/** A CloudWatch alarm changed state. `at` is the alarm's own `state.timestamp`. */
export interface SignalChanged {
  readonly type: 'signal-changed';
  readonly eventId: string;
  readonly alarmName: string;
  readonly state: AlarmState;
  readonly previousState?: AlarmState;
  readonly at: number;
  readonly reason?: string;
  /**
   * Region and account of the alarm's ARN (the event's `resources[0]`): the engine counts the event
   * for a signal only when they are where that signal's alarm lives. Absent on changes the shell read
   * itself with DescribeAlarms (reconciliation), which asks the alarm's own region.
   */
  readonly origin?: AlarmOrigin;
}

/**
 * A scheduled tick: lets a sustain period, a heartbeat window or a freeze expire when no alarm
 * changes. `wake` marks a wake-up the shell scheduled for a decision's `wakeAt` (delivered within
 * seconds of it), as opposed to the once-a-minute schedule.
 */
export interface Tick {
  readonly type: 'tick';
  readonly eventId: string;
  readonly at: number;
  readonly wake?: boolean;
}

/** One heartbeat from `region`'s default bus, forwarded over the same path as its alarms. `at` is the event's time. */
export interface Heartbeat {
  readonly type: 'heartbeat';
  readonly eventId: string;
  readonly region: Region;
  readonly at: number;
  /** Account of the heartbeat rule (its ARN, `resources[0]`), checked against `config.account`. */
  readonly account?: string;
}

/**
 * The shell saw the failover's execution running: StartExecution answered, or DescribeExecution
 * reported RUNNING. The first one for an execution is when "DR Failover Started" is published.
 */
export interface WorkflowStarted {
  readonly type: 'workflow-started';
  readonly eventId: string;
  readonly executionName: string;
  readonly at: number;
}

/**
 * The shell could not carry out an action the state asks for: StartExecution or StopExecution
 * failed. `permanent` errors (state machine deleted, access denied, a name taken by an execution
 * with another input) will not go away by retrying; transient ones may.
 */
export interface ActionFailed {
  readonly type: 'action-failed';
  readonly eventId: string;
  readonly action: 'start' | 'stop';
  readonly executionName: string;
  readonly permanent: boolean;
  readonly reason: string;
  readonly at: number;
}

/**
 * `failback`: a planned switchover (RPO 0) back to the home region (`initialActive`), refused
 * unless the home region's fresh readiness result shows it a member of the global cluster and in
 * sync; it takes no target, no `allowDataLoss` and no `force`.
 */
export type OverrideAction = 'failover' | 'failback' | 'freeze' | 'unfreeze' | 'abort' | 'acknowledge';

/** An operator's override, published to the controller bus (source `dr.operator`). */
export interface Override {
  readonly type: 'override';
  readonly eventId: string;
  readonly action: OverrideAction;
  readonly requestId: string;
  readonly operator: string;
  readonly reason: string;
  readonly at: number;
  readonly target?: Region;
  readonly allowDataLoss?: boolean;
  readonly force?: boolean;
  /** Freeze expiry, epoch ms. */
  readonly until?: number;
  /** The envelope's `account` and `region`: who published it, checked against the controller's. */
  readonly origin?: { readonly account?: string; readonly region?: Region };
}

export type WorkflowStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** A Step Functions execution of the failover state machine ended. */
export interface WorkflowEnded {
  readonly type: 'workflow-ended';
  readonly eventId: string;
  readonly executionName: string;
  readonly status: WorkflowStatus;
  readonly at: number;
  /** Error and cause of a failed run, or the output's summary, when present. */
  readonly detail?: string;
  /** Recovery time measured by the workflow's verify step, when it reported one. */
  readonly recoverySeconds?: number;
  /** `event`: Step Functions' status-change event; `reconcile`: the shell read it with DescribeExecution. */
  readonly via?: 'event' | 'reconcile';
  /** `detail.stateMachineArn` of a status-change event, checked against `config.stateMachineArn`. */
  readonly stateMachineArn?: string;
}

/**
 * The readiness function evaluated a failover into `target` (`DR Readiness`, source
 * `dr.controller`, published to the controller bus): which checks failed. The engine keeps the
 * newest result per target to guard failovers into it and to allow a failback.
 */
export interface ReadinessEvaluated {
  readonly type: 'readiness-evaluated';
  readonly eventId: string;
  /** The app the result is for (the controller ignores another app's). */
  readonly app: string;
  readonly target: Region;
  /** The region that was serving when it was evaluated. */
  readonly active: Region;
  /** When the observations were taken (epoch ms): the result's age is measured from it. */
  readonly evaluatedAt: number;
  /** The envelope time (when it was published), epoch ms. */
  readonly at: number;
  readonly ready: boolean;
  /** The failed checks, in `READINESS_CHECKS` order. */
  readonly failing: readonly ReadinessCheckName[];
  /** The envelope's `account` and `region`: who published it, checked against the controller's. */
  readonly origin?: { readonly account?: string; readonly region?: Region };
}

export type DomainEvent = SignalChanged | Tick | Heartbeat | Override | WorkflowEnded | WorkflowStarted | ActionFailed | ReadinessEvaluated;
