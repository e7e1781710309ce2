import type { FailoverRequest } from '../../domain/decision';
import type { WorkflowStatus } from '../../domain/events';
import type { ExecutionView, StartResult, StopResult, Workflow } from '../../domain/ports/workflow.port';
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
  /** Error and cause of a run that failed or timed out, as DescribeExecution reports them. */
  error?: string;
  cause?: string;
  /** The run's output (a JSON value) when it succeeded. */
  output?: unknown;
  readonly startedAt: number;
  stoppedAt?: number;
}

/** The calls of the port, for faults aimed at one of them. */
export type WorkflowOperation = 'start' | 'stop' | 'describe';

/**
 * In-memory {@link Workflow} with Step Functions' naming rules: one execution per name; the same
 * name and input while it runs answers `started` with the existing execution (StartExecution is
 * idempotent), any other second start is `already-started`; `describe` answers what
 * DescribeExecution would. Hooks end executions and inject faults.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
 */
export class InMemoryWorkflow implements Workflow {
  private readonly byName = new Map<string, InMemoryExecution>();
  private faults: { remaining: number; error: Error; operation?: WorkflowOperation }[] = [];
  readonly stateMachineArn: string;
  private readonly now: () => number;

  constructor(options: { readonly stateMachineArn?: string; readonly now?: () => number } = {}) {
    this.stateMachineArn = options.stateMachineArn ?? 'arn:aws:states:us-east-2:123456789012:stateMachine:dr-failover';
    this.now = options.now ?? Date.now;
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

  /**
   * End an execution, as the state machine would (default SUCCEEDED), optionally with the error and
   * cause of a failed run or the output of a successful one.
   */
  finish(executionName: string, status: WorkflowStatus = 'SUCCEEDED', detail: { error?: string; cause?: string; output?: unknown } = {}): void {
    const execution = this.byName.get(executionName);
    if (!execution) throw new Error(`in-memory workflow: no execution named ${executionName} to finish; start it first`);
    execution.status = status;
    execution.stoppedAt = this.now();
    Object.assign(execution, detail);
  }

  /** The next `n` calls (of `operation`, or of any) reject with `error`. */
  failNext(n: number, error: Error = new TransientAdapterError('in-memory workflow: injected fault'), operation?: WorkflowOperation): void {
    this.faults.push({ remaining: n, error, ...(operation ? { operation } : {}) });
  }

  async start(request: FailoverRequest): Promise<StartResult> {
    this.injectFault('start');
    const existing = this.byName.get(request.executionName);
    if (existing) {
      const sameInput = JSON.stringify(existing.request) === JSON.stringify(request);
      return sameInput && existing.status === 'RUNNING'
        ? { type: 'started', executionId: existing.executionArn }
        : { type: 'already-started', executionId: existing.executionArn };
    }
    const execution: InMemoryExecution = {
      name: request.executionName,
      executionArn: executionArn(this.stateMachineArn, request.executionName),
      request: structuredClone(request),
      status: 'RUNNING',
      startedAt: this.now(),
    };
    this.byName.set(execution.name, execution);
    return { type: 'started', executionId: execution.executionArn };
  }

  async stop(executionName: string, reason: string): Promise<StopResult> {
    this.injectFault('stop');
    const execution = this.byName.get(executionName);
    if (execution?.status !== 'RUNNING') return { type: 'not-running' };
    execution.status = 'ABORTED';
    execution.stopCause = reason;
    execution.stoppedAt = this.now();
    return { type: 'stopped' };
  }

  async describe(executionName: string): Promise<ExecutionView | undefined> {
    this.injectFault('describe');
    const e = this.byName.get(executionName);
    if (!e) return undefined;
    return structuredClone({
      executionName: e.name,
      status: e.status,
      input: e.request,
      startedAt: e.startedAt,
      ...(e.stoppedAt !== undefined ? { stoppedAt: e.stoppedAt } : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
      ...(e.cause !== undefined ? { cause: e.cause } : e.stopCause !== undefined ? { cause: e.stopCause } : {}),
      ...(e.output !== undefined ? { output: e.output } : {}),
    });
  }

  private injectFault(operation: WorkflowOperation): void {
    const fault = this.faults.find((f) => f.operation === undefined || f.operation === operation);
    if (!fault) return;
    if (--fault.remaining <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    throw fault.error;
  }
}
