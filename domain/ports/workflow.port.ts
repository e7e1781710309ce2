import type { FailoverRequest } from '../decision';

export type StartResult =
  | { readonly type: 'started'; readonly executionId: string }
  /** This generation's execution exists already: a duplicate start, not an error. */
  | { readonly type: 'already-started'; readonly executionId?: string };

export type StopResult = { readonly type: 'stopped' } | { readonly type: 'not-running' };

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

/** What the workflow service says of one execution now: the source of truth the controller reconciles with. */
export interface ExecutionView {
  readonly executionName: string;
  readonly status: ExecutionStatus;
  /** The execution's input, parsed: compared with the request to detect a name taken by another failover. */
  readonly input?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** The execution's output (parsed) when it succeeded. */
  readonly output?: unknown;
  readonly startedAt?: number;
  readonly stoppedAt?: number;
}

/** The failover workflow (a Step Functions state machine in AWS). */
export interface Workflow {
  start(request: FailoverRequest): Promise<StartResult>;
  stop(executionName: string, reason: string): Promise<StopResult>;
  /** The execution's current status; undefined when no execution has that name. */
  describe(executionName: string): Promise<ExecutionView | undefined>;
}
