import { PermanentAdapterError } from '../../adapters/errors';
import { InMemoryWorkflow } from '../../adapters/workflow/in-memory-workflow.twin';
import type { FailoverRequest } from '../../domain/decision';

const request = (generation: number): FailoverRequest => ({
  app: 'payments',
  generation,
  executionName: `payments-failover-g${generation}`,
  from: 'us-east-1',
  target: 'us-east-2',
  mode: 'auto',
  allowDataLoss: false,
  requestedBy: 'dr-controller',
  reason: 'us-east-1 down',
  requestedAt: 1_764_115_200_000,
});

describe('InMemoryWorkflow', () => {
  it('records the requests that started executions, and the reason an execution was stopped', async () => {
    const twin = new InMemoryWorkflow();
    await twin.start(request(1));
    await twin.start(request(1));

    await twin.stop('payments-failover-g1', 'operator abort');

    expect(twin.starts).toEqual([request(1)]);
    expect(twin.executions[0]).toMatchObject({ status: 'ABORTED', stopCause: 'operator abort' });
  });

  it('ends an execution with the given status, and refuses to end one that never started', async () => {
    const twin = new InMemoryWorkflow();
    await twin.start(request(1));

    twin.finish('payments-failover-g1', 'FAILED');

    expect(twin.executions[0]?.status).toBe('FAILED');
    await expect(twin.stop('payments-failover-g1', 'abort')).resolves.toEqual({ type: 'not-running' });
    expect(() => twin.finish('payments-failover-g2')).toThrow(/no execution named payments-failover-g2/);
  });

  it('rejects the next n calls with the injected error, starting nothing', async () => {
    const twin = new InMemoryWorkflow();
    const denied = new PermanentAdapterError('access denied');
    twin.failNext(1, denied);

    await expect(twin.start(request(1))).rejects.toBe(denied);
    expect(twin.executions).toEqual([]);
    await expect(twin.start(request(1))).resolves.toMatchObject({ type: 'started' });
  });

  it('describes an execution as DescribeExecution would, with the error and cause it was finished with', async () => {
    let clock = 1_000;
    const twin = new InMemoryWorkflow({ now: () => clock });
    await twin.start(request(1));
    clock = 5_000;

    twin.finish('payments-failover-g1', 'FAILED', { error: 'WriterNotPromoted', cause: 'still reader' });

    await expect(twin.describe('payments-failover-g1')).resolves.toEqual({
      executionName: 'payments-failover-g1',
      status: 'FAILED',
      input: request(1),
      startedAt: 1_000,
      stoppedAt: 5_000,
      error: 'WriterNotPromoted',
      cause: 'still reader',
    });
  });

  it('fails only the operation a fault is aimed at', async () => {
    const twin = new InMemoryWorkflow();
    twin.failNext(1, new PermanentAdapterError('state machine deleted'), 'start');

    await expect(twin.describe('payments-failover-g1')).resolves.toBeUndefined();
    await expect(twin.start(request(1))).rejects.toThrow('state machine deleted');
  });
});
