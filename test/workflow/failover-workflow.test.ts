import '../support/with-resolvers';
import { PermanentAdapterError, toAdapterError } from '../../adapters/errors';
import type { FailoverSummary } from '../../handlers/steps/announce.handler';
import { FAILOVER_STEPS, STEP_REGISTRY, type FailoverStep } from '../../handlers/steps/step-registry';
import { WORKFLOW_DEFAULTS } from '../../infra/controller/failover-workflow.construct';
import { runWorkflow, taskTimedOut, workflowFromTemplate, type StepFn, type SynthesizedWorkflow, type WorkflowRun } from '../support/asl';
import { controllerState, createWorld, failoverRequest, PRIMARY, STANDBY, synthWorkflow, type World } from './workflow-fixtures';

/**
 * The SYNTHESIZED failover state machine, run locally by aws-local-stepfunctions with every Task
 * overridden by the real step function wired to in-memory twins (test/support/asl.ts).
 */

let workflow: SynthesizedWorkflow;
beforeAll(() => {
  workflow = workflowFromTemplate(synthWorkflow().template);
});

/** A throttled SDK call, mapped by the adapters' own classifier. */
const throttled = () => toAdapterError({ name: 'ThrottlingException', message: 'Rate exceeded', $fault: 'client', $metadata: { httpStatusCode: 400 } }, 'test call');
/** An access-denied SDK call, mapped by the adapters' own classifier. */
const denied = () =>
  toAdapterError({ name: 'AccessDeniedException', message: 'not authorized', $fault: 'client', $metadata: { httpStatusCode: 403 } }, 'test call');

/** `world.steps` with `step` throwing `errors` (one per call) before it behaves normally again. */
function failing(world: World, step: FailoverStep, errors: readonly (() => Error)[]): Record<FailoverStep, StepFn> {
  const queue = [...errors];
  const real = world.steps[step];
  return {
    ...world.steps,
    [step]: async (input: unknown) => {
      const next = queue.shift();
      if (next) throw next();
      return real(input);
    },
  };
}

/** `world.steps` with `step` always throwing. */
function alwaysFailing(world: World, step: FailoverStep, error: () => Error): Record<FailoverStep, StepFn> {
  return { ...world.steps, [step]: async () => Promise.reject(error()) };
}

function stateOf(step: FailoverStep): string {
  const name = Object.entries(workflow.taskSteps).find(([, s]) => s === step)?.[0];
  if (!name) throw new Error(`no Task runs ${step}`);
  return name;
}

function summaryOf(run: WorkflowRun): FailoverSummary {
  if (run.outcome.status !== 'SUCCEEDED') throw new Error(`expected SUCCEEDED, got ${JSON.stringify(run.outcome)}`);
  return run.outcome.output as FailoverSummary;
}

function detailTypes(world: World): string[] {
  return world.publisher.published.map((n) => n.detailType);
}

describe('failover workflow (synthesized definition, real steps, in-memory twins)', () => {
  it('switches over when the old writer is reachable and lag is within budget, fencing the old region after the target took over', async () => {
    const world = createWorld({ primaryHealth: 'healthy', lagSeconds: 1 });

    const run = await runWorkflow(workflow, failoverRequest(), world.steps);

    const summary = summaryOf(run);
    expect(summary).toMatchObject({ promotionMode: 'switchover', fenced: true, promotionOutcome: 'started', trafficShifted: true, verified: true, recoverySeconds: 210 });
    expect(world.database.promotions).toEqual([{ region: STANDBY, mode: 'switchover', from: PRIMARY }]);
    expect(world.traffic.weightsNow()).toEqual({ [PRIMARY]: 0, [STANDBY]: 100 });
    expect(world.configStore.raw(PRIMARY)).toEqual({ activeRegion: STANDBY, fenced: 'true' });
    expect(world.configStore.raw(STANDBY)).toEqual({ activeRegion: STANDBY, fenced: 'false' });
    expect(detailTypes(world)).toEqual(['DR Failover Completed']);
    expect(run.path).toEqual([
      'Preflight',
      'Promote database',
      'Check writer',
      'Writer promoted?',
      'Wait for writer',
      'Check writer',
      'Writer promoted?',
      'Shift traffic',
      'Update config',
      'Fence old region',
      'Verify recovery',
      'Recovered?',
      'Announce',
    ]);
    expect(run.path.length).toBeLessThanOrEqual(30);
  });

  it('fails over with data loss when the operator allows it, skipping the unreachable old region', async () => {
    const world = createWorld({ primaryHealth: 'unhealthy', lagSeconds: 30 });
    world.database.setReachable(PRIMARY, false);
    world.configStore.setReachable(PRIMARY, false);

    const run = await runWorkflow(workflow, failoverRequest({ mode: 'manual', allowDataLoss: true }), world.steps);

    const summary = summaryOf(run);
    expect(summary).toMatchObject({ promotionMode: 'failover', dataLossAllowedBy: 'operator', fenced: false, configSkipped: [PRIMARY], verified: true });
    expect(world.database.promotions).toEqual([{ region: STANDBY, mode: 'failover', from: PRIMARY }]);
    expect(world.traffic.weightsNow()).toEqual({ [PRIMARY]: 0, [STANDBY]: 100 });
    expect(world.configStore.raw(STANDBY)).toEqual({ activeRegion: STANDBY, fenced: 'false' });
    expect(run.path).toContain('Fence skipped');
  });

  it('fails over with data loss when the policy allows the lag', async () => {
    const world = createWorld({ primaryHealth: 'unhealthy', lagSeconds: 3, policy: { dataLoss: 'within-rpo-budget', rpoBudgetSeconds: 5 } });

    const run = await runWorkflow(workflow, failoverRequest(), world.steps);

    expect(summaryOf(run)).toMatchObject({ promotionMode: 'failover', dataLossAllowedBy: 'policy' });
    expect(world.database.promotions).toEqual([{ region: STANDBY, mode: 'failover', from: PRIMARY }]);
  });

  it('halts with the reason when data loss is not permitted, and moves nothing', async () => {
    const world = createWorld({ primaryHealth: 'unhealthy', lagSeconds: 30 });

    const run = await runWorkflow(workflow, failoverRequest(), world.steps);

    expect(run.outcome).toMatchObject({ status: 'FAILED', error: 'DataLossNotPermitted' });
    expect(run.outcome.status === 'FAILED' && run.outcome.cause).toMatch(/^preflight: data loss not permitted: lag 30 s > budget 5 s/);
    expect(world.database.promotions).toEqual([]);
    expect(world.traffic.weightsNow()).toEqual({ [PRIMARY]: 100, [STANDBY]: 0 });
    expect(world.configStore.raw(PRIMARY)).toEqual({ activeRegion: PRIMARY, fenced: 'false' });
    expect(world.publisher.published).toEqual([
      expect.objectContaining({ detailType: 'DR Failover Halted', detail: expect.objectContaining({ failedStep: 'preflight', error: 'DataLossNotPermitted', stepsDone: [] }) }),
    ]);
    expect(run.path.slice(-2)).toEqual(['Report halt', 'Halted']);
  });

  const HAPPY_STEPS: readonly FailoverStep[] = FAILOVER_STEPS.filter((step) => step !== 'report-halt');
  const RETRIED_STEPS = HAPPY_STEPS.filter((step) => STEP_REGISTRY[step].retry.transientRetries > 0);
  it.each(RETRIED_STEPS)('retries %s when it is throttled once, then completes', async (step) => {
    const world = createWorld();

    const run = await runWorkflow(workflow, failoverRequest(), failing(world, step, [throttled]));

    expect(summaryOf(run)).toMatchObject({ promotionMode: 'switchover', verified: true, trafficShifted: true });
    expect(run.retries).toEqual({ [stateOf(step)]: 1 });
  });

  it.each(HAPPY_STEPS.filter((step) => STEP_REGISTRY[step].retry.transientRetries === 0))(
    'does not retry %s on a transient error (its adapter made its bounded attempts), and completes the failover',
    async (step) => {
      const world = createWorld();

      const run = await runWorkflow(workflow, failoverRequest(), alwaysFailing(world, step, throttled));

      expect(run.outcome.status).toBe('SUCCEEDED');
      expect(run.retries).toEqual({});
    },
  );

  /** Steps whose failure must not stop a failover (ARCHITECTURE.md: a finished failover stays finished), and how the run records it. */
  const BEST_EFFORT_ON_ERROR: Partial<Record<FailoverStep, Partial<FailoverSummary>>> = {
    'fence-old-region': { fenced: false, trafficShifted: true },
    'verify-recovery': { verified: false, trafficShifted: true },
  };
  const BEST_EFFORT_ON_TIMEOUT: Partial<Record<FailoverStep, Partial<FailoverSummary>>> = {
    ...BEST_EFFORT_ON_ERROR,
    'shift-traffic': { trafficShifted: false, relyingOnHealthChecks: true },
  };
  const haltingOn = (tolerated: object) => HAPPY_STEPS.filter((step) => !(step in tolerated) && step !== 'announce');
  const timeoutRetries = (step: FailoverStep) => STEP_REGISTRY[step].retry.timeoutRetries;
  const retriesOnTimeout = (step: FailoverStep) => (timeoutRetries(step) > 0 ? { [stateOf(step)]: timeoutRetries(step) } : {});

  it.each(haltingOn(BEST_EFFORT_ON_ERROR))('on a permanent error in %s, reports the halt and fails without retrying', async (step) => {
    const world = createWorld();

    const run = await runWorkflow(workflow, failoverRequest(), alwaysFailing(world, step, denied));

    expect(run.outcome).toEqual({ status: 'FAILED', error: 'PermanentAdapterError', cause: `${step}: test call failed (AccessDeniedException: not authorized)` });
    expect(world.publisher.published).toEqual([expect.objectContaining({ detailType: 'DR Failover Halted', detail: expect.objectContaining({ failedStep: step }) })]);
    expect(run.path.slice(-2)).toEqual(['Report halt', 'Halted']);
    expect(run.retries).toEqual({});
  });

  it.each(Object.entries(BEST_EFFORT_ON_ERROR))('on a permanent error in %s (best effort), completes the failover', async (step, recorded) => {
    const world = createWorld();

    const run = await runWorkflow(workflow, failoverRequest(), alwaysFailing(world, step as FailoverStep, denied));

    expect(summaryOf(run)).toMatchObject(recorded);
    expect(detailTypes(world)).toEqual(['DR Failover Completed']);
    expect(run.retries).toEqual({});
  });

  it.each(haltingOn(BEST_EFFORT_ON_TIMEOUT))('when %s times out, retries it as the registry says, then reports the halt and fails', async (step) => {
    const world = createWorld();

    const run = await runWorkflow(workflow, failoverRequest(), alwaysFailing(world, step, taskTimedOut));

    expect(run.outcome).toEqual({ status: 'FAILED', error: 'States.Timeout', cause: `${step}: States.Timeout` });
    expect(run.retries).toEqual(retriesOnTimeout(step));
  });

  it.each(Object.entries(BEST_EFFORT_ON_TIMEOUT))('when %s (best effort) times out, completes the failover without waiting longer', async (step, recorded) => {
    const world = createWorld();

    const run = await runWorkflow(workflow, failoverRequest(), alwaysFailing(world, step as FailoverStep, taskTimedOut));

    expect(summaryOf(run)).toMatchObject(recorded);
    expect(run.retries).toEqual(retriesOnTimeout(step as FailoverStep));
  });

  it('relies on health checks, without retrying the step, when Route 53 stays throttled through the adapter\'s bounded attempts', async () => {
    const world = createWorld();
    const steps = alwaysFailing(world, 'shift-traffic', throttled);

    const run = await runWorkflow(workflow, failoverRequest(), steps);

    expect(summaryOf(run)).toMatchObject({ trafficShifted: false, relyingOnHealthChecks: true, verified: true });
    expect(run.retries[stateOf('shift-traffic')]).toBeUndefined();
    expect(world.traffic.weightsNow()).toEqual({ [PRIMARY]: 100, [STANDBY]: 0 });
    expect(world.configStore.raw(STANDBY)).toEqual({ activeRegion: STANDBY, fenced: 'false' });
  });

  it('halts with WriterNotPromoted when the target is not writer within the bounded polls', async () => {
    const world = createWorld({ promotionPolls: 1000 });

    const run = await runWorkflow(workflow, failoverRequest(), world.steps);

    expect(run.outcome).toEqual({
      status: 'FAILED',
      error: 'WriterNotPromoted',
      cause: `check-writer: target ${STANDBY} is not the writer after ${WORKFLOW_DEFAULTS.maxPolls} polls (global cluster status switching-over)`,
    });
    expect(run.calls.filter((c) => c === 'check-writer')).toHaveLength(WORKFLOW_DEFAULTS.maxPolls);
    expect(world.traffic.weightsNow()).toEqual({ [PRIMARY]: 100, [STANDBY]: 0 });
  });

  it('succeeds unverified, without a recovery time, when the target keeps alarming through the bounded checks', async () => {
    const world = createWorld();
    world.stateStore.seed('payments', controllerState(world.config, STANDBY));

    const run = await runWorkflow(workflow, failoverRequest(), world.steps);

    const summary = summaryOf(run);
    expect(summary).toMatchObject({ verified: false, trafficShifted: true });
    expect(summary.verifyReason).toMatch(new RegExp(`not recovered yet \\(poll ${WORKFLOW_DEFAULTS.maxVerifyPolls}\\): in ALARM: us-east-2-api-5xx`));
    expect(summary).not.toHaveProperty('recoverySeconds');
    expect(run.calls.filter((c) => c === 'verify-recovery')).toHaveLength(WORKFLOW_DEFAULTS.maxVerifyPolls);
  });

  it.each([
    ['fails permanently', denied],
    ['times out', taskTimedOut],
  ])('SUCCEEDS when announce %s after the traffic shift, with a partial summary and a note', async (_how, error) => {
    const world = createWorld();

    const run = await runWorkflow(workflow, failoverRequest(), alwaysFailing(world, 'announce', error));

    expect(run.outcome.status).toBe('SUCCEEDED');
    expect(run.outcome.status === 'SUCCEEDED' && run.outcome.output).toMatchObject({
      app: 'payments',
      from: PRIMARY,
      target: STANDBY,
      announced: false,
      note: expect.stringContaining('the failover completed'),
      promotion: { outcome: 'started' },
      traffic: { shifted: true },
      verify: { verified: true },
      announceFailure: { Error: error().name },
    });
    expect(world.traffic.weightsNow()).toEqual({ [PRIMARY]: 0, [STANDBY]: 100 });
    expect(run.path).toContain('Not announced');
    expect(run.path).not.toContain('Report halt');
  });

  it('never lets a hanging fence delay the promotion: it runs after the target took over, and its timeout is recorded', async () => {
    const world = createWorld();
    const events: string[] = [];
    const steps = {
      ...world.steps,
      'promote-database': async (input: unknown) => {
        events.push('promote');
        return world.steps['promote-database'](input);
      },
      'shift-traffic': async (input: unknown) => {
        events.push('shift');
        return world.steps['shift-traffic'](input);
      },
      'fence-old-region': async () => {
        events.push('fence');
        throw taskTimedOut();
      },
    };

    const run = await runWorkflow(workflow, failoverRequest(), steps);

    expect(summaryOf(run)).toMatchObject({ fenced: false, promotionOutcome: 'started', trafficShifted: true, verified: true });
    expect(events).toEqual(['promote', 'shift', 'fence']);
    expect(run.retries).toEqual({});
  });

  it('finishes the failover when the writer shows up while Aurora still reports the promotion in progress', async () => {
    const world = createWorld({ primaryHealth: 'unhealthy', lagSeconds: 1, policy: { dataLoss: 'within-rpo-budget', rpoBudgetSeconds: 5 } });
    world.database.setPromotionLingers(true);

    const run = await runWorkflow(workflow, failoverRequest(), world.steps);

    expect(summaryOf(run)).toMatchObject({ promotionMode: 'failover', trafficShifted: true });
    expect(run.calls.filter((c) => c === 'check-writer')).toHaveLength(2);
    expect((await world.database.status()).promotionInProgress).toBe(true);
  });

  it('stops before moving traffic when aborted while waiting for the writer', async () => {
    const world = createWorld();

    const run = await runWorkflow(workflow, failoverRequest(), world.steps, { abortWhen: (_state, step) => step === 'check-writer' });

    expect(run.outcome).toEqual({ status: 'ABORTED' });
    expect(run.calls).not.toContain('shift-traffic');
    expect(world.traffic.weightsNow()).toEqual({ [PRIMARY]: 100, [STANDBY]: 0 });
    expect(world.publisher.published).toEqual([]);
  });

  it('changes nothing when a completed generation runs again', async () => {
    const world = createWorld();
    await runWorkflow(workflow, failoverRequest(), world.steps);
    const puts = world.configStore.calls.filter((c) => c.operation === 'put').length;
    const versions = [world.configStore.versions(PRIMARY), world.configStore.versions(STANDBY)];

    const again = await runWorkflow(workflow, failoverRequest(), world.steps);

    expect(summaryOf(again)).toMatchObject({ promotionOutcome: 'already-writer', trafficShifted: true, verified: true, recoverySeconds: 210 });
    expect(world.database.promotions).toHaveLength(1);
    expect(world.traffic.changes).toHaveLength(1);
    expect(world.configStore.calls.filter((c) => c.operation === 'put')).toHaveLength(puts);
    expect([world.configStore.versions(PRIMARY), world.configStore.versions(STANDBY)]).toEqual(versions);
  });

  it('still fails with the step error when report-halt itself crashes', async () => {
    const world = createWorld({ primaryHealth: 'unhealthy', lagSeconds: 30 });
    const steps = alwaysFailing(world, 'report-halt', () => new TypeError('bug in report-halt'));

    const run = await runWorkflow(workflow, failoverRequest(), steps);

    expect(run.outcome).toMatchObject({ status: 'FAILED', error: 'DataLossNotPermitted', cause: expect.stringContaining('data loss not permitted: lag 30 s > budget 5 s') });
  });

  it('still fails with the step error when the halt cannot be published', async () => {
    const world = createWorld({ primaryHealth: 'unhealthy', lagSeconds: 30 });
    world.publisher.failNext(10, new PermanentAdapterError('bus gone'));

    const run = await runWorkflow(workflow, failoverRequest(), world.steps);

    expect(run.outcome).toMatchObject({ status: 'FAILED', error: 'DataLossNotPermitted' });
    expect(world.publisher.published).toEqual([]);
  });
});
