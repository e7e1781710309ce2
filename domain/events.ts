import type { Region } from './config';

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
}

/** A scheduled tick: lets a sustain period or a freeze expire when no alarm changes. */
export interface Tick {
  readonly type: 'tick';
  readonly eventId: string;
  readonly at: number;
}

export type OverrideAction = 'failover' | 'freeze' | 'unfreeze' | 'abort' | 'acknowledge';

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
}

export type DomainEvent = SignalChanged | Tick | Override | WorkflowEnded;
