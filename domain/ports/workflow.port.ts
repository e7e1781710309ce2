import type { FailoverRequest } from '../decision';

export type StartResult =
  | { readonly type: 'started'; readonly executionId: string }
  /** This generation's execution exists already: a duplicate start, not an error. */
  | { readonly type: 'already-started'; readonly executionId?: string };

export type StopResult = { readonly type: 'stopped' } | { readonly type: 'not-running' };

/** The failover workflow (a Step Functions state machine in AWS). */
export interface Workflow {
  start(request: FailoverRequest): Promise<StartResult>;
  stop(executionName: string, reason: string): Promise<StopResult>;
}
