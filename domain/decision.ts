import type { FailoverPlan, InFlight, Phase } from './state';
import type { Region } from './config';

/**
 * What the controller decided about one event, with the reason a person needs. Every event
 * yields exactly one. Decisions are data: the shell executes `start-failover` (unless `dryRun`)
 * and `abort`, and publishes every decision.
 */
export type DecisionAction =
  | 'none'
  | 'start-failover'
  | 'suppressed'
  | 'abort'
  | 'freeze'
  | 'unfreeze'
  | 'acknowledge'
  | 'completed'
  | 'halted'
  | 'ignored'
  | 'rejected';

interface DecisionBase {
  readonly app: string;
  /** Id of the event that led to this decision. */
  readonly eventId: string;
  /** The decision clock (epoch ms). */
  readonly at: number;
  readonly reason: string;
  /** Active region and phase *after* this decision. */
  readonly active: Region;
  readonly phase: Phase;
  /**
   * The next instant at which the same state could decide differently with no new event (a sustain
   * period or heartbeat window ends, a freeze or cooldown expires): the shell schedules a wake-up
   * tick for it, so deadlines are met within seconds, not at the next one-minute tick.
   */
  readonly wakeAt?: number;
  /**
   * The instant the event was judged at, when earlier than `at`: evidence (an alarm change, a tick,
   * a heartbeat) is judged at the time it describes, bounded by the delivery clock, so a late
   * delivery cannot stretch a blip into an outage.
   */
  readonly evaluatedAt?: number;
}

/** The workflow input the shell passes to the failover state machine. */
export interface FailoverRequest extends FailoverPlan {
  readonly app: string;
  readonly requestedAt: number;
  readonly detectedAt?: number;
  /**
   * A planned move back to the home region (`drctl failback`): the preflight step makes it a
   * switchover (RPO 0) or refuses it, never a failover with data loss.
   */
  readonly planned?: true;
}

export interface StartFailover extends DecisionBase {
  readonly action: 'start-failover';
  readonly target: Region;
  readonly generation: number;
  readonly executionName: string;
  readonly dryRun: boolean;
  readonly request: FailoverRequest;
}

export interface Abort extends DecisionBase {
  readonly action: 'abort';
  readonly generation: number;
  readonly executionName: string;
}

export interface Completed extends DecisionBase {
  readonly action: 'completed';
  readonly generation: number;
  readonly target: Region;
  readonly recoverySeconds?: number;
}

export interface Halted extends DecisionBase {
  readonly action: 'halted';
  readonly generation: number;
  readonly executionName: string;
}

export interface OtherDecision extends DecisionBase {
  readonly action: Exclude<DecisionAction, 'start-failover' | 'abort' | 'completed' | 'halted'>;
  /**
   * Set (with action `none`) on the decision for the first `workflow-started` of the failover in
   * flight: the shell publishes "DR Failover Started" for it (the state's `inFlight` has the details).
   */
  readonly started?: true;
}

export type Decision = StartFailover | Abort | Completed | Halted | OtherDecision;

/**
 * Name of the failover execution of a generation started at `startedAt` (epoch ms):
 * `<app>-failover-g<generation>-<epoch seconds>`. Step Functions refuses a second start of a name
 * (and keeps names for 90 days), so a re-send of the same failover is idempotent; the start time
 * keeps a generation number reused after a state restore from colliding with an older execution.
 * At most 40 + 11 + 16 + 1 + 11 characters, within Step Functions' 80, of `a-z A-Z 0-9 - _` only.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 */
export function executionNameFor(app: string, generation: number, startedAt: number): string {
  return `${app}-failover-g${generation}-${Math.floor(startedAt / 1000)}`;
}

/**
 * The workflow input for the failover in flight, rebuilt from state alone. The same in-flight
 * failover always gives the same request, so re-sending it is idempotent: Step Functions answers a
 * StartExecution with the same name and input with the existing execution.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 */
export function failoverRequestOf(app: string, f: InFlight): FailoverRequest {
  return {
    app,
    generation: f.generation,
    executionName: f.executionName,
    from: f.from,
    target: f.target,
    mode: f.mode,
    allowDataLoss: f.allowDataLoss,
    requestedBy: f.requestedBy,
    reason: f.reason,
    requestedAt: f.startedAt,
    ...(f.detectedAt !== undefined ? { detectedAt: f.detectedAt } : {}),
    ...(f.planned ? { planned: true as const } : {}),
  };
}
