import type { AlarmStates } from '../domain/ports/alarm-states.port';
import type { ConfigStore } from '../domain/ports/config-store.port';
import type { Database } from '../domain/ports/database.port';
import type { Traffic } from '../domain/ports/traffic.port';
import type { WakeUps } from '../domain/ports/wake-ups.port';
import type { DecideDeps } from '../handlers/decide/decide-deps';
import type { FailoverStep } from '../handlers/steps/step-registry';
import type { DrillEnvironment, DrillWorld } from './environment';
import type { StepFn } from './state-machine';
import { failoverSteps, LocalWorkflow, type LocalWorkflowOptions } from './local-workflow';
import type { DrillPlan } from './plan';
import type { DrillClock } from './simulated-clock';
import type { Hangs } from './simulated-world';

export interface LocalControllerOptions {
  readonly env: Pick<DrillEnvironment, 'enqueue'>;
  readonly plan: DrillPlan;
  readonly world: DrillWorld;
  /** The Aurora twin: moto has no global-cluster failover. */
  readonly database: Database;
  readonly traffic: Traffic;
  /** The steps' config store. @default - the world's */
  readonly configStore?: ConfigStore;
  readonly clock: DrillClock;
  /** Calls into dark regions; each step runs inside {@link Hangs.during}, so its calls hang with its own client deadlines. */
  readonly hangs?: Hangs;
  /** The decide path's reconciliation and wake-ups (absent: the path runs without them). */
  readonly alarmStates?: AlarmStates;
  readonly alarmReadDeadlineMs?: number;
  readonly wakeUps?: WakeUps;
  /** How the decide path waits between its bounded retries. @default - real time */
  readonly sleep?: (ms: number) => Promise<void>;
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
    steps: withinSteps(
      failoverSteps({ config, database: o.database, traffic: o.traffic, configStore: o.configStore ?? world.configStore, stateStore: world.stateStore, publisher: world.publisher, now }),
      o.hangs,
    ),
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
    controllerRegion: plan.controllerRegion,
    ...(o.alarmStates ? { alarmStates: o.alarmStates } : {}),
    ...(o.alarmReadDeadlineMs !== undefined ? { alarmReadDeadlineMs: o.alarmReadDeadlineMs } : {}),
    ...(o.wakeUps ? { wakeUps: o.wakeUps } : {}),
    ...(o.sleep ? { sleep: o.sleep } : {}),
  };
  return { workflow, deps };
}

/** `steps`, each run as itself for `hangs` (its calls into a dark region wait out its own client deadlines). */
function withinSteps(steps: Record<FailoverStep, StepFn>, hangs: Hangs | undefined): Record<FailoverStep, StepFn> {
  if (!hangs) return steps;
  return Object.fromEntries((Object.entries(steps) as [FailoverStep, StepFn][]).map(([step, fn]) => [step, (input: unknown) => hangs.during(step, () => fn(input))])) as Record<
    FailoverStep,
    StepFn
  >;
}
