import { callWithRetry, retryOptions, type RetryOptions } from '../retry';
import { DescribeExecutionCommand, StartExecutionCommand, StopExecutionCommand, type DescribeExecutionCommandOutput, type SFNClient } from '@aws-sdk/client-sfn';
import type { FailoverRequest } from '../../domain/decision';
import type { ExecutionStatus, ExecutionView, StartResult, StopResult, Workflow } from '../../domain/ports/workflow.port';
import { PermanentAdapterError } from '../errors';
import { executionArn } from './execution-arn';

/** What {@link StepFunctionsWorkflow} needs: its client, the state machine, and its retry bounds. */
export interface StepFunctionsWorkflowOptions {
  readonly client: SFNClient;
  /** The failover state machine (standard type), unqualified: `arn:aws:states:<region>:<account>:stateMachine:<name>`. */
  readonly stateMachineArn: string;
  /** Attempts per API call on throttling and 5xx. @default 3 */
  readonly maxAttempts?: number;
  /** Delay before the first retry; doubles per retry. @default 200 */
  readonly baseDelayMs?: number;
  /** @default - a real `setTimeout` */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** StopExecution's `cause` is at most 32768 characters (API_StopExecution.html). */
const MAX_CAUSE_LENGTH = 32_768;

/**
 * {@link Workflow} on a Step Functions standard state machine. The execution name is the
 * generation's `executionName`, so Step Functions itself refuses a second execution of a generation.
 */
export class StepFunctionsWorkflow implements Workflow {
  private readonly client: SFNClient;
  private readonly stateMachineArn: string;
  private readonly retry: RetryOptions;

  constructor(options: StepFunctionsWorkflowOptions) {
    executionArn(options.stateMachineArn, 'check'); // refuses a malformed ARN now, not at the first failover
    this.retry = retryOptions('StepFunctionsWorkflow', options, { maxAttempts: 3, baseDelayMs: 200 });
    this.client = options.client;
    this.stateMachineArn = options.stateMachineArn;
  }

  /**
   * StartExecution named `request.executionName` with the request as JSON input. Step Functions
   * makes this idempotent: the same name and input while that execution is open succeeds with the
   * existing execution's ARN (so a redelivered decision gets `started` with the same id and no
   * second run); another input while it is open, or any input once it is closed, raises
   * `ExecutionAlreadyExists`, which is `already-started` here. The caller learns what that
   * execution is (still running, ended, or another request's) with {@link describe}.
   *
   * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
   */
  async start(request: FailoverRequest): Promise<StartResult> {
    try {
      const { executionArn: executionId } = await this.call('StartExecution', () =>
        this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: request.executionName, input: JSON.stringify(request) })),
      );
      return { type: 'started', executionId: executionId ?? executionArn(this.stateMachineArn, request.executionName) };
    } catch (error) {
      if (causeName(error) !== 'ExecutionAlreadyExists') throw error;
    }
    try {
      const existing = await this.call('DescribeExecution', () =>
        this.client.send(new DescribeExecutionCommand({ executionArn: executionArn(this.stateMachineArn, request.executionName) })),
      );
      return { type: 'already-started', executionId: existing.executionArn };
    } catch {
      // The start outcome is known; the id is a courtesy.
      return { type: 'already-started' };
    }
  }

  /**
   * StopExecution with `cause` = `reason`, only while the execution is RUNNING; an execution that
   * ended or never existed is `not-running`.
   *
   * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html
   * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
   */
  async stop(executionName: string, reason: string): Promise<StopResult> {
    const arn = executionArn(this.stateMachineArn, executionName);
    try {
      const { status } = await this.call('DescribeExecution', () => this.client.send(new DescribeExecutionCommand({ executionArn: arn })));
      if (status !== 'RUNNING') return { type: 'not-running' };
      await this.call('StopExecution', () => this.client.send(new StopExecutionCommand({ executionArn: arn, cause: reason.slice(0, MAX_CAUSE_LENGTH) })));
      return { type: 'stopped' };
    } catch (error) {
      if (causeName(error) === 'ExecutionDoesNotExist') return { type: 'not-running' };
      throw error;
    }
  }

  /**
   * DescribeExecution of the execution named `executionName`: its status, its input and output
   * (parsed JSON; left out when not JSON), and the error and cause of a failed run. An execution
   * that does not exist (never started, or older than Step Functions keeps closed executions) is
   * `undefined`.
   *
   * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
   */
  async describe(executionName: string): Promise<ExecutionView | undefined> {
    const arn = executionArn(this.stateMachineArn, executionName);
    try {
      const out = await this.call('DescribeExecution', () => this.client.send(new DescribeExecutionCommand({ executionArn: arn })));
      return executionViewOf(executionName, out);
    } catch (error) {
      if (causeName(error) === 'ExecutionDoesNotExist') return undefined;
      throw error;
    }
  }

  /** Bounded exponential backoff on throttling and 5xx; every SDK error leaves as an adapter error with its cause. */
  private call<T>(what: string, send: () => Promise<T>): Promise<T> {
    return callWithRetry(send, (attempt) => `sfn ${what} on ${this.stateMachineArn} (attempt ${attempt} of ${this.retry.maxAttempts})`, this.retry);
  }
}

function causeName(error: unknown): string | undefined {
  return error instanceof Error && error.cause instanceof Error ? error.cause.name : undefined;
}

const EXECUTION_STATUSES: ReadonlySet<string> = new Set<ExecutionStatus>(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']);

function parsedJson(text: string | undefined): { value?: unknown } {
  if (text === undefined) return {};
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return {};
  }
}

/** The port's view of a DescribeExecution answer; a status this code does not know is a permanent error, never a guess. */
function executionViewOf(executionName: string, out: DescribeExecutionCommandOutput): ExecutionView {
  const status = out.status ?? '';
  if (!EXECUTION_STATUSES.has(status)) throw new PermanentAdapterError(`sfn DescribeExecution of ${executionName}: unknown status "${status}"`);
  const input = parsedJson(out.input);
  const output = parsedJson(out.output);
  return {
    executionName,
    status: status as ExecutionStatus,
    ...('value' in input ? { input: input.value } : {}),
    ...('value' in output ? { output: output.value } : {}),
    ...(out.error !== undefined ? { error: out.error } : {}),
    ...(out.cause !== undefined ? { cause: out.cause } : {}),
    ...(out.startDate !== undefined ? { startedAt: out.startDate.getTime() } : {}),
    ...(out.stopDate !== undefined ? { stoppedAt: out.stopDate.getTime() } : {}),
  };
}
