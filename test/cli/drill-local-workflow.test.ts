import { InMemoryAuroraDatabase } from '../../adapters/database/in-memory-database.twin';
import { TransientAdapterError } from '../../adapters/errors';
import type { RawEvent } from '../../local/aws-events';
import { InMemoryEnvironment, type DrillWorld } from '../../local/environment';
import { failoverSteps, LocalWorkflow, modelledStepSeconds, retryDelaySeconds } from '../../local/local-workflow';
import { FAILOVER_STEPS, stepSpec } from '../../handlers/steps/step-registry';
import { synthesizeController } from '../../cli/drill/reference-app';
import { drillPlan, type DrillPlan } from '../../local/plan';
import { SimulatedClock } from '../../local/simulated-clock';
import { initialState } from '../../domain/decide';
import { executionNameFor, type FailoverRequest } from '../../domain/decision';
import { parseEvent } from '../../edge/event.parser';

const T0 = Date.UTC(2026, 10, 26, 3, 0, 0);

let plan: DrillPlan;
beforeAll(() => {
  const reference = synthesizeController();
  plan = drillPlan(reference);
});

const request = (): FailoverRequest => ({
  app: 'payments',
  generation: 1,
  executionName: executionNameFor('payments', 1, T0),
  from: 'us-east-1',
  target: 'us-east-2',
  mode: 'auto',
  allowDataLoss: false,
  requestedBy: 'controller',
  reason: 'us-east-1 down',
  requestedAt: T0,
  detectedAt: T0 - 60_000,
});

/** A step the state machine retries on a transient error (the step registry says which). */
const RETRIED = FAILOVER_STEPS.find((step) => step !== 'report-halt' && stepSpec(step).retry.transientRetries > 0)!;

/** A LocalWorkflow on the in-memory world, with {@link RETRIED} throttled `throttles` times. */
async function arrange(throttles = 0) {
  const world: DrillWorld = await new InMemoryEnvironment(plan).provision();
  const { config } = plan.settings;
  await world.stateStore.save(config.app, initialState(config), undefined);
  const clock = new SimulatedClock(T0);
  const database = new InMemoryAuroraDatabase({ clusterArns: world.resources.database.clusterArns, writer: 'us-east-1', promotionPolls: 0 });
  database.setReplicationLag('us-east-2', 1);
  const steps = failoverSteps({ config, database, traffic: world.traffic, configStore: world.configStore, stateStore: world.stateStore, publisher: world.publisher, now: () => clock.now() });
  let left = throttles;
  const retried = steps[RETRIED];
  steps[RETRIED] = async (input) => {
    if (left-- > 0) throw new TransientAdapterError(`${RETRIED}: throttled`);
    return retried(input);
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
    stepSeconds: (step) => modelledStepSeconds(step),
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
    expect(workflow.stepLog.map((r) => [r.step, r.status, r.retries])).toEqual(
      ['preflight', 'promote-database', 'check-writer', 'shift-traffic', 'update-config', 'fence-old-region', 'verify-recovery', 'announce'].map((step) => [
        step,
        'succeeded',
        step === RETRIED ? 1 : 0,
      ]),
    );
    const throttled = workflow.stepLog.find((r) => r.step === RETRIED);
    expect(throttled && throttled.endAt - throttled.at).toBe((2 * modelledStepSeconds(RETRIED) + retryDelaySeconds(RETRIED, 1)) * 1000);
    const verify = workflow.stepLog.find((r) => r.step === 'verify-recovery');
    expect(delivered).toHaveLength(1);
    expect(parseEvent(delivered[0])).toEqual({
      ok: true,
      event: expect.objectContaining({
        type: 'workflow-ended',
        executionName: request().executionName,
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
    workflow.pauseBefore('promote-database');

    await workflow.start(request());
    await workflow.runPending();
    const pausedFirst = workflow.paused;
    const stopped = await workflow.stop(request().executionName, 'aborted by an operator: carol');

    expect(pausedFirst).toBe(true);
    expect(stopped).toEqual({ type: 'stopped' });
    expect(workflow.stepLog.map((r) => r.step)).toEqual(['preflight']);
    expect(parseEvent(delivered[0])).toEqual({
      ok: true,
      event: expect.objectContaining({ type: 'workflow-ended', status: 'ABORTED', detail: 'aborted by an operator: carol' }),
    });
  });
});
