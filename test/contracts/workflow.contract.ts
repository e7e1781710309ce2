import type { FailoverRequest } from '../../domain/decision';
import type { Workflow } from '../../domain/ports/workflow.port';

/** A fresh workflow with no executions, and a view of the executions it made. */
export interface WorkflowSubject {
  readonly workflow: Workflow;
  /** Executions of the state machine: name and Step Functions status. */
  executions(): Promise<{ name: string; status: string }[]>;
  /** End the execution outside the port (the state machine finishing, or an operator). */
  finish(executionName: string): Promise<void>;
  /** The status `finish` leaves an execution in. */
  readonly finishedStatus: string;
}

const request = (generation: number, overrides: Partial<FailoverRequest> = {}): FailoverRequest => ({
  app: 'payments',
  generation,
  executionName: `payments-failover-g${generation}`,
  from: 'us-east-1',
  target: 'us-east-2',
  mode: 'auto',
  allowDataLoss: false,
  requestedBy: 'dr-controller',
  reason: 'us-east-1 down: 2 critical signals of 2 kinds in ALARM for 60 s',
  requestedAt: 1_764_115_200_000,
  detectedAt: 1_764_115_140_000,
  ...overrides,
});

/** Registers the behaviour every Workflow implementation shares. `implementation` names it in test titles. */
export function workflowContract(implementation: string, arrange: () => Promise<WorkflowSubject>): void {
  describe(`Workflow contract (${implementation})`, () => {
    let subject: WorkflowSubject;
    beforeEach(async () => {
      subject = await arrange();
    });

    it(`[${implementation}] starts an execution named after the generation`, async () => {
      const result = await subject.workflow.start(request(1));

      expect(result).toEqual({ type: 'started', executionId: expect.stringMatching(/:execution:[^:]+:payments-failover-g1$/) });
      await expect(subject.executions()).resolves.toEqual([{ name: 'payments-failover-g1', status: 'RUNNING' }]);
    });

    it(`[${implementation}] starts no second execution when the same generation is started again`, async () => {
      const first = await subject.workflow.start(request(1));

      const again = await subject.workflow.start(request(1));

      expect(again).toEqual(first); // same name and input while running: the existing execution
      await expect(subject.executions()).resolves.toHaveLength(1);
    });

    it(`[${implementation}] answers already-started for another request under the same generation`, async () => {
      const first = await subject.workflow.start(request(1));

      const other = await subject.workflow.start(request(1, { mode: 'manual', requestedBy: 'alice' }));

      expect(other).toEqual({ type: 'already-started', executionId: first.executionId });
      await expect(subject.executions()).resolves.toHaveLength(1);
    });

    it(`[${implementation}] answers already-started for a generation whose execution has ended`, async () => {
      await subject.workflow.start(request(1));
      await subject.finish('payments-failover-g1');

      const again = await subject.workflow.start(request(1));

      expect(again.type).toBe('already-started');
      await expect(subject.executions()).resolves.toHaveLength(1);
    });

    it(`[${implementation}] stops a running execution, and then finds it not running`, async () => {
      await subject.workflow.start(request(2));

      const stopped = await subject.workflow.stop('payments-failover-g2', 'operator abort: alice, wrong target');
      const again = await subject.workflow.stop('payments-failover-g2', 'operator abort: alice, wrong target');

      expect(stopped).toEqual({ type: 'stopped' });
      expect(again).toEqual({ type: 'not-running' });
      await expect(subject.executions()).resolves.toEqual([{ name: 'payments-failover-g2', status: 'ABORTED' }]);
    });

    it(`[${implementation}] finds an unknown execution not running`, async () => {
      await expect(subject.workflow.stop('payments-failover-g99', 'operator abort')).resolves.toEqual({ type: 'not-running' });
    });

    it(`[${implementation}] describes a running execution with the request it was started with`, async () => {
      await subject.workflow.start(request(3));

      const view = await subject.workflow.describe('payments-failover-g3');

      expect(view).toMatchObject({ executionName: 'payments-failover-g3', status: 'RUNNING', input: request(3), startedAt: expect.any(Number) });
      expect(view?.stoppedAt).toBeUndefined();
    });

    it(`[${implementation}] describes an execution that has ended with its final status`, async () => {
      await subject.workflow.start(request(4));
      await subject.finish('payments-failover-g4');

      const view = await subject.workflow.describe('payments-failover-g4');

      expect(view).toMatchObject({ executionName: 'payments-failover-g4', status: subject.finishedStatus, input: request(4), stoppedAt: expect.any(Number) });
    });

    it(`[${implementation}] describes an execution that never started as undefined`, async () => {
      await expect(subject.workflow.describe('payments-failover-g98')).resolves.toBeUndefined();
    });

    it(`[${implementation}] shows the other request when a name is taken by another execution`, async () => {
      await subject.workflow.start(request(5, { requestedBy: 'alice', mode: 'manual' }));

      const start = await subject.workflow.start(request(5));
      const view = await subject.workflow.describe('payments-failover-g5');

      expect(start.type).toBe('already-started');
      expect(view?.input).toEqual(request(5, { requestedBy: 'alice', mode: 'manual' }));
    });
  });
}
