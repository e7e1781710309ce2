import type { FailoverRequest } from '../../domain/decision';
import type { WorkflowStatus } from '../../domain/events';
import type { StartResult, StopResult, Workflow } from '../../domain/ports/workflow.port';
import { TransientAdapterError } from '../errors';
import { executionArn } from './execution-arn';

/** One execution the twin started, as Step Functions would describe it. */
export interface InMemoryExecution {
  readonly name: string;
  readonly executionArn: string;
  readonly request: FailoverRequest;
  status: 'RUNNING' | WorkflowStatus;
  /** The reason given to `stop`. */
  stopCause?: string;
}

/**
 * In-memory {@link Workflow} with Step Functions' naming rules: one execution per name; the same
 * name and input while it runs answers `started` with the existing execution (StartExecution is
 * idempotent), any other second start is `already-started`. Hooks end executions and inject faults.
 */
export class InMemoryWorkflow implements Workflow {
  private readonly byName = new Map<string, InMemoryExecution>();
  private faults: { remaining: number; error: Error }[] = [];
  readonly stateMachineArn: string;

  constructor(options: { readonly stateMachineArn?: string } = {}) {
    this.stateMachineArn = options.stateMachineArn ?? 'arn:aws:states:us-east-2:123456789012:stateMachine:dr-failover';
    executionArn(this.stateMachineArn, 'check');
  }

  /** Every execution, in start order. */
  get executions(): readonly InMemoryExecution[] {
    return [...this.byName.values()];
  }

  /** Requests that started an execution, in order (duplicates are not here). */
  get starts(): readonly FailoverRequest[] {
    return this.executions.map((e) => e.request);
  }

  /** End an execution, as the state machine would (default SUCCEEDED). */
  finish(executionName: string, status: WorkflowStatus = 'SUCCEEDED'): void {
    const execution = this.byName.get(executionName);
    if (!execution) throw new Error(`in-memory workflow: no execution named ${executionName} to finish; start it first`);
    execution.status = status;
  }

  /** The next `n` calls (start or stop) reject with `error`. */
  failNext(n: number, error: Error = new TransientAdapterError('in-memory workflow: injected fault')): void {
    this.faults.push({ remaining: n, error });
  }

  async start(request: FailoverRequest): Promise<StartResult> {
    this.injectFault();
    const existing = this.byName.get(request.executionName);
    if (existing) {
      const sameInput = JSON.stringify(existing.request) === JSON.stringify(request);
      return sameInput && existing.status === 'RUNNING'
        ? { type: 'started', executionId: existing.executionArn }
        : { type: 'already-started', executionId: existing.executionArn };
    }
    const execution = { name: request.executionName, executionArn: executionArn(this.stateMachineArn, request.executionName), request, status: 'RUNNING' as const };
    this.byName.set(execution.name, execution);
    return { type: 'started', executionId: execution.executionArn };
  }

  async stop(executionName: string, reason: string): Promise<StopResult> {
    this.injectFault();
    const execution = this.byName.get(executionName);
    if (execution?.status !== 'RUNNING') return { type: 'not-running' };
    execution.status = 'ABORTED';
    execution.stopCause = reason;
    return { type: 'stopped' };
  }

  private injectFault(): void {
    const fault = this.faults[0];
    if (!fault) return;
    if (--fault.remaining <= 0) this.faults.shift();
    throw fault.error;
  }
}
