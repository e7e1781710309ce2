import type { Database } from '../../domain/ports/database.port';
import type { Traffic } from '../../domain/ports/traffic.port';
import type { DecideDeps } from '../../handlers/decide/decide-record';
import type { DrillEnvironment, DrillWorld } from './environment';
import { failoverSteps, LocalWorkflow, type LocalWorkflowOptions } from './local-workflow';
import type { DrillPlan } from './provision';
import type { DrillClock } from './simulated-clock';

export interface LocalControllerOptions {
  readonly env: Pick<DrillEnvironment, 'enqueue'>;
  readonly plan: DrillPlan;
  readonly world: DrillWorld;
  /** The Aurora twin: moto has no global-cluster failover. */
  readonly database: Database;
  readonly traffic: Traffic;
  readonly clock: DrillClock;
  readonly stepSeconds?: LocalWorkflowOptions['stepSeconds'];
  readonly onStep?: LocalWorkflowOptions['onStep'];
  readonly log: DecideDeps['log'];
  readonly observe: NonNullable<DecideDeps['observe']>;
}

/**
 * The controller as the drill and the sandbox run it over a provisioned world: the synthesized
 * failover workflow run locally with the real steps, and the decide path's dependencies (the
 * production adapters on the world, the local workflow, the given clock).
 */
export function localController(o: LocalControllerOptions): { workflow: LocalWorkflow; deps: DecideDeps } {
  const { plan, world, clock } = o;
  const { config } = plan.settings;
  const now = () => clock.now();
  const workflow = new LocalWorkflow({
    executions: world.executions,
    workflow: plan.workflow,
    stateMachineArn: world.resources.stateMachineArn ?? plan.stateMachine.arn,
    region: plan.controllerRegion,
    account: plan.account,
    steps: failoverSteps({ config, database: o.database, traffic: o.traffic, configStore: world.configStore, stateStore: world.stateStore, publisher: world.publisher, now }),
    clock,
    deliver: (event) => o.env.enqueue(event),
    ...(o.stepSeconds ? { stepSeconds: o.stepSeconds } : {}),
    ...(o.onStep ? { onStep: o.onStep } : {}),
  });
  const deps: DecideDeps = {
    config,
    stateStore: world.stateStore,
    workflow,
    publisher: world.publisher,
    deadLetters: world.deadLetters,
    now,
    log: o.log,
    observe: o.observe,
  };
  return { workflow, deps };
}
