import { InMemoryAuroraDatabase } from '../../adapters/database/in-memory-database.twin';
import { TransientAdapterError } from '../../adapters/errors';
import type { RawEvent } from '../../cli/drill/aws-events';
import { InMemoryEnvironment, type DrillWorld } from '../../cli/drill/environment';
import { failoverSteps, LocalWorkflow, MODELLED_STEP_SECONDS } from '../../cli/drill/local-workflow';
import { drillPlan, synthesizeController, type DrillPlan } from '../../cli/drill/provision';
import { SimulatedClock } from '../../cli/drill/simulated-clock';
import { initialState } from '../../domain/decide';
import { executionNameFor, type FailoverRequest } from '../../domain/decision';
import { parseEvent } from '../../edge/event.parser';

const T0 = Date.UTC(2026, 10, 26, 3, 0, 0);

let plan: DrillPlan;
beforeAll(() => {
  const { settings, stacks } = synthesizeController();
  plan = drillPlan(settings, stacks);
});

const request = (): FailoverRequest => ({
  app: 'payments',
  generation: 1,
  executionName: executionNameFor('payments', 1),
  from: 'us-east-1',
  target: 'us-east-2',
  mode: 'auto',
  allowDataLoss: false,
  requestedBy: 'controller',
  reason: 'us-east-1 down',
  requestedAt: T0,
  detectedAt: T0 - 60_000,
});

/** A LocalWorkflow on the in-memory world, with shift-traffic throttled `throttles` times. */
async function arrange(throttles = 0) {
  const world: DrillWorld = await new InMemoryEnvironment(plan).provision();
  const { config } = plan.settings;
  await world.stateStore.save(config.app, initialState(config), undefined);
  const clock = new SimulatedClock(T0);
  const database = new InMemoryAuroraDatabase({ clusterArns: world.resources.database.clusterArns, writer: 'us-east-1', promotionPolls: 0 });
  database.setReplicationLag('us-east-2', 1);
  const steps = failoverSteps({ config, database, traffic: world.traffic, configStore: world.configStore, stateStore: world.stateStore, publisher: world.publisher, now: () => clock.now() });
  let left = throttles;
  const shift = steps['shift-traffic'];
  steps['shift-traffic'] = async (input) => {
    if (left-- > 0) throw new TransientAdapterError('route53 ChangeResourceRecordSets throttled');
    return shift(input);
  };
  const delivered: RawEvent[] = [];
  const workflow = new LocalWorkflow({
    executions: world.executions,
    workflow: plan.workflow,
    stateMachineArn: plan.stateMachine.arn,
    region: plan.controllerRegion,
    account: plan.account,
    steps,
    clock,
    stepSeconds: (step) => MODELLED_STEP_SECONDS[step],
    deliver: async (event) => {
      delivered.push(event);
    },
  });
  return { world, clock, workflow, delivered };
}

describe('LocalWorkflow', () => {
  it('runs the synthesized definition with the real steps on the modelled clock and delivers SUCCEEDED as the controller reads it', async () => {
    const { workflow, delivered, clock } = await arrange(1);

    await workflow.start(request());
    const ran = await workflow.runPending();

    expect(ran).toBe(true);
    expect(workflow.stepLog.map((r) => [r.step, r.status, r.retries])).toEqual([
      ['preflight', 'succeeded', 0],
      ['fence-old-region', 'succeeded', 0],
      ['promote-database', 'succeeded', 0],
      ['check-writer', 'succeeded', 0],
      ['shift-traffic', 'succeeded', 1],
      ['update-config', 'succeeded', 0],
      ['verify-recovery', 'succeeded', 0],
      ['announce', 'succeeded', 0],
    ]);
    const shift = workflow.stepLog.find((r) => r.step === 'shift-traffic');
    expect(shift && shift.endAt - shift.at).toBe(2 * MODELLED_STEP_SECONDS['shift-traffic'] * 1000);
    const verify = workflow.stepLog.find((r) => r.step === 'verify-recovery');
    expect(delivered).toHaveLength(1);
    expect(parseEvent(delivered[0])).toEqual({
      ok: true,
      event: expect.objectContaining({
        type: 'workflow-ended',
        executionName: 'payments-failover-g1',
        status: 'SUCCEEDED',
        at: clock.now(),
        recoverySeconds: verify && (verify.at - request().detectedAt!) / 1000,
      }),
    });
  });

  it('starts one run per execution name, however often the start is repeated', async () => {
    const { workflow, delivered } = await arrange();

    const first = await workflow.start(request());
    await workflow.runPending();
    const again = await workflow.start(request());
    const ranAgain = await workflow.runPending();

    expect(again).toEqual(first);
    expect(ranAgain).toBe(false);
    expect(delivered).toHaveLength(1);
  });

  it('waits before a paused step and, when stopped, aborts the run and delivers ABORTED with the stop cause', async () => {
    const { workflow, delivered } = await arrange();
    workflow.pauseBefore('fence-old-region');

    await workflow.start(request());
    await workflow.runPending();
    const pausedFirst = workflow.paused;
    const stopped = await workflow.stop('payments-failover-g1', 'aborted by an operator: carol');

    expect(pausedFirst).toBe(true);
    expect(stopped).toEqual({ type: 'stopped' });
    expect(workflow.stepLog.map((r) => r.step)).toEqual(['preflight']);
    expect(parseEvent(delivered[0])).toEqual({
      ok: true,
      event: expect.objectContaining({ type: 'workflow-ended', status: 'ABORTED', detail: 'aborted by an operator: carol' }),
    });
  });
});
