import type { InFlight, Phase } from './state';
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
}

/** The workflow input the shell passes to the failover state machine. */
export interface FailoverRequest {
  readonly app: string;
  readonly generation: number;
  readonly executionName: string;
  readonly from: Region;
  readonly target: Region;
  readonly mode: 'auto' | 'manual';
  readonly allowDataLoss: boolean;
  readonly requestedBy: string;
  readonly reason: string;
  readonly requestedAt: number;
  readonly detectedAt?: number;
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
}

export type Decision = StartFailover | Abort | Completed | Halted | OtherDecision;

/** Name of the failover execution for a generation: Step Functions refuses a second start of it. */
export function executionNameFor(app: string, generation: number): string {
  return `${app}-failover-g${generation}`;
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
  };
}
