import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  StopExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { PermanentAdapterError, TransientAdapterError } from '../../adapters/errors';
import { StepFunctionsWorkflow, type StepFunctionsWorkflowOptions } from '../../adapters/workflow/step-functions-workflow.adapter';
import type { FailoverRequest } from '../../domain/decision';

const STATE_MACHINE = 'arn:aws:states:us-east-2:123456789012:stateMachine:dr-failover';
const EXECUTION = 'arn:aws:states:us-east-2:123456789012:execution:dr-failover:payments-failover-g7';
const REQUEST: FailoverRequest = {
  app: 'payments',
  generation: 7,
  executionName: 'payments-failover-g7',
  from: 'us-east-1',
  target: 'us-east-2',
  mode: 'manual',
  allowDataLoss: false,
  requestedBy: 'alice',
  reason: 'planned switchover drill',
  requestedAt: 1_764_115_200_000,
};
/** A DescribeExecution answer with the fields the API model marks required. */
const described = (status: DescribeExecutionCommandOutput['status']) => ({
  executionArn: EXECUTION,
  stateMachineArn: STATE_MACHINE,
  name: REQUEST.executionName,
  status,
  startDate: new Date('2026-11-26T00:00:00Z'),
});
const metadata = { $metadata: { httpStatusCode: 400 } };

describe('StepFunctionsWorkflow', () => {
  const sfn = mockClient(SFNClient);
  const sleep = jest.fn(async (_ms: number) => {});
  const workflow = (options: Partial<StepFunctionsWorkflowOptions> = {}) =>
    new StepFunctionsWorkflow({ client: new SFNClient({ region: 'us-east-2' }), stateMachineArn: STATE_MACHINE, sleep, ...options });

  beforeEach(() => {
    sfn.reset();
    sleep.mockClear();
  });

  describe('start', () => {
    it('starts an execution named after the generation with the request as JSON input', async () => {
      sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: new Date('2026-11-26T00:00:00Z') });

      const result = await workflow().start(REQUEST);

      expect(result).toEqual({ type: 'started', executionId: EXECUTION });
      expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: STATE_MACHINE, name: 'payments-failover-g7', input: JSON.stringify(REQUEST) });
    });

    it('answers already-started with the existing execution id on ExecutionAlreadyExists', async () => {
      sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ ...metadata, message: `Execution Already Exists: '${EXECUTION}'` }));
      sfn.on(DescribeExecutionCommand).resolves(described('SUCCEEDED'));

      const result = await workflow().start(REQUEST);

      expect(result).toEqual({ type: 'already-started', executionId: EXECUTION });
      expect(sfn).toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: EXECUTION });
    });

    it('answers already-started without an id when the existing execution cannot be described', async () => {
      sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ ...metadata, message: 'Execution Already Exists' }));
      sfn.on(DescribeExecutionCommand).rejects(new SFNServiceException({ name: 'AccessDeniedException', $fault: 'client', ...metadata, message: 'denied' }));

      await expect(workflow().start(REQUEST)).resolves.toEqual({ type: 'already-started' });
    });

    it('retries throttling, then succeeds', async () => {
      const throttled = new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', ...metadata, message: 'Rate exceeded' });
      sfn.on(StartExecutionCommand).rejectsOnce(throttled).resolves({ executionArn: EXECUTION, startDate: new Date() });

      await expect(workflow().start(REQUEST)).resolves.toEqual({ type: 'started', executionId: EXECUTION });
      expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
      expect(sleep).toHaveBeenCalledWith(200);
    });

    it('raises a TransientAdapterError with the cause kept on a persistent 5xx', async () => {
      const unavailable = new SFNServiceException({ name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'Service Unavailable' });
      sfn.on(StartExecutionCommand).rejects(unavailable);

      const error = await workflow().start(REQUEST).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TransientAdapterError);
      expect((error as Error).cause).toBe(unavailable);
      expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 3);
    });

    it('raises a PermanentAdapterError with the cause kept on access denied, without retrying', async () => {
      const denied = new SFNServiceException({ name: 'AccessDeniedException', $fault: 'client', ...metadata, message: 'not authorized to perform: states:StartExecution' });
      sfn.on(StartExecutionCommand).rejects(denied);

      const error = await workflow().start(REQUEST).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PermanentAdapterError);
      expect((error as Error).cause).toBe(denied);
      expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    });
  });

  describe('stop', () => {
    it('stops a running execution by the ARN built from the state machine, with the reason as cause', async () => {
      sfn.on(DescribeExecutionCommand).resolves(described('RUNNING'));
      sfn.on(StopExecutionCommand).resolves({ stopDate: new Date('2026-11-26T00:05:00Z') });

      const result = await workflow().stop('payments-failover-g7', 'operator abort: alice');

      expect(result).toEqual({ type: 'stopped' });
      expect(sfn).toHaveReceivedCommandWith(StopExecutionCommand, { executionArn: EXECUTION, cause: 'operator abort: alice' });
    });

    it('answers not-running without stopping an execution that has ended', async () => {
      sfn.on(DescribeExecutionCommand).resolves(described('SUCCEEDED'));

      await expect(workflow().stop('payments-failover-g7', 'operator abort')).resolves.toEqual({ type: 'not-running' });
      expect(sfn).not.toHaveReceivedCommand(StopExecutionCommand);
    });

    it('answers not-running for an execution that does not exist', async () => {
      sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ ...metadata, message: `Execution Does Not Exist: '${EXECUTION}'` }));

      await expect(workflow().stop('payments-failover-g7', 'operator abort')).resolves.toEqual({ type: 'not-running' });
    });

    it('answers not-running when the execution ends between the check and the stop', async () => {
      sfn.on(DescribeExecutionCommand).resolves(described('RUNNING'));
      sfn.on(StopExecutionCommand).rejects(new ExecutionDoesNotExist({ ...metadata, message: 'Execution Does Not Exist' }));

      await expect(workflow().stop('payments-failover-g7', 'operator abort')).resolves.toEqual({ type: 'not-running' });
    });
  });

  describe('DescribeExecution', () => {
    it('reads a failed run with its input, error, cause and times', async () => {
      sfn.on(DescribeExecutionCommand).resolves({
        ...described('FAILED'),
        input: JSON.stringify(REQUEST),
        error: 'WriterNotPromoted',
        cause: 'us-east-2 is not writer after 20 polls',
        stopDate: new Date('2026-11-26T00:09:00Z'),
      });

      const view = await workflow().describe('payments-failover-g7');

      expect(view).toEqual({
        executionName: 'payments-failover-g7',
        status: 'FAILED',
        input: REQUEST,
        error: 'WriterNotPromoted',
        cause: 'us-east-2 is not writer after 20 polls',
        startedAt: Date.parse('2026-11-26T00:00:00Z'),
        stoppedAt: Date.parse('2026-11-26T00:09:00Z'),
      });
      expect(sfn).toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: EXECUTION });
    });

    it('parses the output of a successful run, and leaves out an input that is not JSON', async () => {
      sfn.on(DescribeExecutionCommand).resolves({ ...described('SUCCEEDED'), input: 'not json', output: '{"recoverySeconds":190}' });

      const view = await workflow().describe('payments-failover-g7');

      expect(view).toMatchObject({ status: 'SUCCEEDED', output: { recoverySeconds: 190 } });
      expect(view).not.toHaveProperty('input');
    });

    it('answers undefined for an execution that does not exist', async () => {
      sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ ...metadata, message: 'Execution Does Not Exist' }));

      await expect(workflow().describe('payments-failover-g7')).resolves.toBeUndefined();
    });

    it('raises a PermanentAdapterError on access denied, so the caller can tell it from a missing execution', async () => {
      sfn.on(DescribeExecutionCommand).rejects(new SFNServiceException({ name: 'AccessDeniedException', $fault: 'client', ...metadata, message: 'denied' }));

      await expect(workflow().describe('payments-failover-g7')).rejects.toBeInstanceOf(PermanentAdapterError);
    });
  });

  it('refuses a state machine ARN it cannot build execution ARNs from, naming the field', () => {
    expect(() => workflow({ stateMachineArn: `${STATE_MACHINE}:PROD` })).toThrow(/stateMachineArn must look like arn:aws:states:<region>:<account>:stateMachine:<name>/);
  });
});
