import { performance } from 'node:perf_hooks';
import { executionArn } from '../adapters/workflow/execution-arn';
import type { ControllerConfig } from '../domain/config';
import type { FailoverRequest } from '../domain/decision';
import type { WorkflowStatus } from '../domain/events';
import type { ConfigStore } from '../domain/ports/config-store.port';
import type { Database } from '../domain/ports/database.port';
import type { Publisher } from '../domain/ports/publisher.port';
import type { StateStore } from '../domain/ports/state-store.port';
import type { Traffic } from '../domain/ports/traffic.port';
import type { ExecutionView, StartResult, StopResult, Workflow } from '../domain/ports/workflow.port';
import { announce } from '../handlers/steps/announce.handler';
import { checkWriter } from '../handlers/steps/check-writer.handler';
import { parseFailoverState } from '../handlers/steps/failover-state';
import { fenceOldRegion } from '../handlers/steps/fence-old-region.handler';
import { preflight } from '../handlers/steps/preflight.handler';
import { promoteDatabase } from '../handlers/steps/promote-database.handler';
import { causeMessage, reportHalt } from '../handlers/steps/report-halt.handler';
import { shiftTraffic } from '../handlers/steps/shift-traffic.handler';
import { retryWaitSeconds, stepSpec, type FailoverStep } from '../handlers/steps/step-registry';
import { updateConfig } from '../handlers/steps/update-config.handler';
import { verifyRecovery } from '../handlers/steps/verify-recovery.handler';
import { startWorkflow, type LocalExecution, type StepFn, type SynthesizedWorkflow, type WorkflowOutcome } from './state-machine';
import { executionStatusChange, type RawEvent } from './aws-events';
import type { DrillClock } from './simulated-clock';

/**
 * Simulated seconds one call of `step` takes in AWS, from the step registry (the same number the
 * RTO model counts, with its source there): with every region answering its `modelled` duration;
 * while a region is dark, what its answering calls take (the hung ones are added by the drill's
 * {@link Hangs} as the client's deadlines run out). The handlers' own work is milliseconds,
 * measured separately as the controller's overhead.
 */
export function modelledStepSeconds(step: FailoverStep, darkRegion = false): number {
  const spec = stepSpec(step);
  return darkRegion ? spec.blackout.answeringSeconds : spec.modelled.seconds;
}

/** Seconds the state machine waits before the `retry`-th retry (1-based) of `step`'s Task: its IntervalSeconds doubled per retry, capped. */
export function retryDelaySeconds(step: FailoverStep, retry: number): number {
  const { retry: spec } = stepSpec(step);
  return retryWaitSeconds(spec, retry) - retryWaitSeconds(spec, retry - 1);
}


/** The ports the real step functions run on. */
export interface StepPorts {
  readonly config: ControllerConfig;
  readonly database: Database;
  readonly traffic: Traffic;
  readonly configStore: ConfigStore;
  readonly stateStore: StateStore;
  readonly publisher: Publisher;
  readonly now: () => number;
}

/**
 * Every failover step as its Lambda handler runs it (parse the state at the edge, then the step),
 * wired to `ports` instead of the composition root.
 */
export function failoverSteps(ports: StepPorts): Record<FailoverStep, StepFn> {
  const { config, database, traffic, configStore, stateStore, publisher, now } = ports;
  const parse = parseFailoverState;
  return {
    preflight: async (input) => preflight(parse(input), { database, traffic, policy: config.policy }),
    'fence-old-region': async (input) => fenceOldRegion(parse(input), { configStore }),
    'promote-database': async (input) => promoteDatabase(parse(input), { database }),
    'check-writer': async (input) => checkWriter(parse(input), { database }),
    'shift-traffic': async (input) => shiftTraffic(parse(input), { traffic }),
    'update-config': async (input) => updateConfig(parse(input), { configStore, regions: config.regions }),
    'verify-recovery': async (input) => verifyRecovery(parse(input), { stateStore, traffic, signals: config.signals, now }),
    announce: async (input) => announce(parse(input), { publisher }),
    'report-halt': async (input) => reportHalt(parse(input), { publisher }),
  };
}

/** Seconds of the Wait state that loops back into the Task running `step`; 0 when there is none. */
export function waitSecondsBefore(workflow: SynthesizedWorkflow, step: string): number {
  const task = Object.entries(workflow.taskSteps).find(([, s]) => s === step)?.[0];
  for (const state of Object.values(workflow.definition.States)) {
    if (state.Type === 'Wait' && 'Next' in state && state.Next === task && 'Seconds' in state && typeof state.Seconds === 'number') return state.Seconds;
  }
  return 0;
}

/** One call of a step, as the drill's timeline shows it. */
export interface StepRecord {
  readonly executionName: string;
  readonly step: string;
  /** Clock time the call started and ended (simulated in the drill). */
  readonly at: number;
  readonly endAt: number;
  readonly status: 'succeeded' | 'failed';
  /** Retries the state machine made of this step before this outcome. */
  readonly retries: number;
  readonly detail?: string;
  /** Real time the step function took on this machine. */
  readonly realMs: number;
}

export interface LocalWorkflowOptions {
  /** StartExecution/StopExecution on the state machine service (moto or the twin): names stay unique for real. */
  readonly executions: Workflow;
  readonly workflow: SynthesizedWorkflow;
  readonly stateMachineArn: string;
  readonly region: string;
  readonly account: string;
  readonly steps: Readonly<Record<FailoverStep, StepFn>>;
  readonly clock: DrillClock;
  /** Simulated seconds a call of `step` takes. @default - none: the clock is not moved (sandbox) */
  readonly stepSeconds?: (step: FailoverStep) => number;
  /** Put the execution's status change on the controller queue, as the workflow-ended rule would. */
  readonly deliver: (event: RawEvent) => Promise<void>;
  /** Told about every step call as it ends. */
  readonly onStep?: (record: StepRecord) => void;
}

interface Run {
  readonly request: FailoverRequest;
  readonly startedAt: number;
  status: 'pending' | 'running' | 'paused' | 'ended';
  execution?: LocalExecution;
  ended?: Promise<void>;
  paused?: Promise<void>;
  signalPaused?: () => void;
  /** Lets a run paused before a step go, to end (a paused run only ever ends: it was stopped). */
  release?: () => void;
  stopCause?: string;
  /** How the run ended, and when (clock time): what DescribeExecution reports from then on. */
  outcome?: WorkflowOutcome;
  stoppedAt?: number;
  /** Ended by the drill itself: no status event. */
  quiet?: boolean;
  /** The last call of the run, to tell a Retry (same Task, same input, after a failure). */
  last?: { readonly step: string; readonly input: string; readonly index: number; readonly failed: boolean; readonly retries: number };
}

/**
 * The {@link Workflow} port for local runs: it records every start on the state machine service
 * (StartExecution on moto, so execution-name idempotency is Step Functions' own), runs the
 * SYNTHESIZED definition locally with the real step functions, and when a run ends delivers the
 * `Step Functions Execution Status Change` event to the controller queue, as the workflow-ended
 * rule would. `stop` stops the execution on the service and aborts the local run.
 *
 * Runs start when {@link runPending} is called, not inside `start`: the decide handler finishes its
 * record first, so the drill's simulated clock moves in one place at a time. A run can be paused
 * before a step ({@link pauseBefore}) so a scenario can abort it mid-flight.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 */
export class LocalWorkflow implements Workflow {
  /** Every step call so far, in order; a retried call replaces its failed attempt. */
  readonly stepLog: StepRecord[] = [];
  private readonly runs = new Map<string, Run>();
  private readonly pauses = new Set<string>();

  constructor(private readonly options: LocalWorkflowOptions) {}

  async start(request: FailoverRequest): Promise<StartResult> {
    const result = await this.options.executions.start(request);
    if (result.type === 'started' && !this.runs.has(request.executionName)) {
      this.runs.set(request.executionName, { request, startedAt: this.options.clock.now(), status: 'pending' });
    }
    return result;
  }

  async stop(executionName: string, reason: string): Promise<StopResult> {
    const result = await this.options.executions.stop(executionName, reason);
    const run = this.runs.get(executionName);
    if (run?.status === 'pending') {
      // Stopped before it ran a single state.
      run.status = 'ended';
      run.stopCause = reason;
      run.outcome = { status: 'ABORTED' };
      run.stoppedAt = this.options.clock.now();
      await this.options.deliver(this.statusEvent(run, run.outcome));
    } else if (run && run.status !== 'ended') {
      run.stopCause = reason;
      run.execution?.abort();
      run.release?.();
      await run.ended;
    }
    return result;
  }

  /**
   * DescribeExecution as the state machine service would answer it: a run of this workflow reports
   * its local progress (RUNNING until it ends, then its outcome with the fields the status-change
   * event carries); any other name is asked of the service (moto or the twin).
   *
   * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
   */
  async describe(executionName: string): Promise<ExecutionView | undefined> {
    const run = this.runs.get(executionName);
    if (!run) return this.options.executions.describe(executionName);
    const base = { executionName, input: JSON.parse(JSON.stringify(run.request)) as unknown, startedAt: run.startedAt };
    const { outcome } = run;
    if (outcome === undefined) return { ...base, status: 'RUNNING' };
    const end = endFields(outcome, run.stopCause);
    return {
      ...base,
      status: outcome.status,
      ...(run.stoppedAt !== undefined ? { stoppedAt: run.stoppedAt } : {}),
      ...(end.output !== undefined ? { output: JSON.parse(end.output) as unknown } : {}),
      ...(end.error !== undefined ? { error: end.error } : {}),
      ...(end.cause !== undefined ? { cause: end.cause } : {}),
    };
  }

  /** The next run to reach `step` waits before it until it is stopped. */
  pauseBefore(step: FailoverStep): void {
    this.pauses.add(step);
  }

  /** Whether a run is waiting before a step. */
  get paused(): boolean {
    return [...this.runs.values()].some((r) => r.status === 'paused');
  }

  /**
   * Start the runs that were started since the last call and wait until every running run has
   * ended (its status event delivered) or paused. Returns whether any run was waited for.
   */
  async runPending(): Promise<boolean> {
    for (const run of this.runs.values()) if (run.status === 'pending') this.launch(run);
    const running = [...this.runs.values()].filter((r) => r.status === 'running');
    await Promise.all(running.map((r) => Promise.race([r.ended, r.paused])));
    return running.length > 0;
  }

  /** Abort whatever still runs (the end of a scenario), without delivering status events. */
  async shutdown(): Promise<void> {
    const active = [...this.runs.values()].filter((r) => r.status !== 'ended' && r.status !== 'pending');
    for (const run of active) {
      run.quiet = true;
      run.execution?.abort();
      run.release?.();
    }
    await Promise.allSettled(active.map((r) => r.ended));
  }

  private launch(run: Run): void {
    run.status = 'running';
    run.paused = new Promise<void>((resolve) => {
      run.signalPaused = resolve;
    });
    const steps = Object.fromEntries(
      (Object.keys(this.options.steps) as FailoverStep[]).map((step) => [step, (input: unknown) => this.call(run, step, input)]),
    );
    const execution = startWorkflow(this.options.workflow, run.request, steps);
    run.execution = execution;
    run.ended = execution.done.then(async (result) => {
      run.status = 'ended';
      run.outcome = result.outcome;
      run.stoppedAt = this.options.clock.now();
      if (run.quiet) return;
      await this.options.deliver(this.statusEvent(run, result.outcome));
    });
  }

  private async call(run: Run, step: FailoverStep, input: unknown): Promise<unknown> {
    if (this.pauses.has(step)) {
      this.pauses.delete(step);
      await new Promise<void>((release) => {
        run.release = release;
        run.status = 'paused';
        run.signalPaused?.();
      });
      // Released only by stop or shutdown: the execution is aborted, the step does not run.
      return null;
    }
    const { clock, workflow, stepSeconds } = this.options;
    const loopWait = waitSecondsBefore(workflow, step);
    const resultKey = resultKeyOf(workflow, step);
    if (stepSeconds && loopWait > 0 && resultKey !== undefined && typeof input === 'object' && input !== null && resultKey in input) {
      // A second pass through the loop: its Wait state passed first.
      clock.advance(loopWait * 1000);
    }
    const inputJson = JSON.stringify(input);
    const retry = run.last && run.last.step === step && run.last.input === inputJson && run.last.failed ? run.last : undefined;
    // The state machine's Retry waited before this attempt (its IntervalSeconds, doubled per retry).
    if (stepSeconds && retry) clock.advance(retryDelaySeconds(step, retry.retries + 1) * 1000);
    const at = retry ? (this.stepLog[retry.index]?.at ?? clock.now()) : clock.now();
    const started = performance.now();
    let result: unknown;
    let failure: Error | undefined;
    try {
      result = await this.options.steps[step](input);
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
    }
    const realMs = performance.now() - started + (retry ? (this.stepLog[retry.index]?.realMs ?? 0) : 0);
    if (stepSeconds) clock.advance(stepSeconds(step) * 1000);
    const detail = failure ? `${failure.name}: ${failure.message}` : describeResult(step, result);
    const record: StepRecord = {
      executionName: run.request.executionName,
      step,
      at,
      endAt: clock.now(),
      status: failure ? 'failed' : 'succeeded',
      retries: retry ? retry.retries + 1 : 0,
      realMs,
      ...(detail !== undefined ? { detail } : {}),
    };
    const index = retry ? retry.index : this.stepLog.length;
    this.stepLog[index] = record;
    run.last = { step, input: inputJson, index, failed: failure !== undefined, retries: record.retries };
    this.options.onStep?.(record);
    if (failure) throw failure;
    return result;
  }

  private statusEvent(run: Run, outcome: WorkflowOutcome): RawEvent {
    const { stateMachineArn, region, account, clock } = this.options;
    const name = run.request.executionName;
    const status: WorkflowStatus = outcome.status;
    return executionStatusChange({
      stateMachineArn,
      executionArn: executionArn(stateMachineArn, name),
      name,
      status,
      startDate: run.startedAt,
      stopDate: run.stoppedAt ?? clock.now(),
      input: JSON.stringify(run.request),
      ...endFields(outcome, run.stopCause),
      region,
      account,
    });
  }
}

/** Output (JSON), error and cause of an ended run, as DescribeExecution and the status-change event report them. */
function endFields(outcome: WorkflowOutcome, stopCause: string | undefined): { output?: string; error?: string; cause?: string } {
  switch (outcome.status) {
    case 'SUCCEEDED':
      return { output: JSON.stringify(outcome.output) };
    case 'FAILED':
      return { error: outcome.error, cause: outcome.cause };
    case 'TIMED_OUT':
      return { error: 'States.Timeout', cause: 'the execution ran past the state machine TimeoutSeconds' };
    default:
      return stopCause !== undefined ? { cause: stopCause } : {};
  }
}

/** The state key a step's Task puts its result under (`ResultPath: $.key`): present in the input on a loop's second pass. */
function resultKeyOf(workflow: SynthesizedWorkflow, step: string): string | undefined {
  const state = Object.entries(workflow.definition.States).find(([name]) => workflow.taskSteps[name] === step)?.[1];
  const path = state && 'ResultPath' in state ? state.ResultPath : undefined;
  return typeof path === 'string' ? /^\$\.(\w+)$/.exec(path)?.[1] : undefined;
}

/** One line on what a step found or did, from its result. */
function describeResult(step: FailoverStep, result: unknown): string | undefined {
  const r = (typeof result === 'object' && result !== null ? result : {}) as Record<string, unknown>;
  switch (step) {
    case 'preflight':
    case 'verify-recovery':
      return typeof r.reason === 'string' ? r.reason : undefined;
    case 'fence-old-region':
      return `fenced; parameters changed: ${(r.changed as string[] | undefined)?.join(', ') || 'none'}`;
    case 'promote-database':
      return `${String(r.mode)} ${String(r.outcome)} (Aurora twin: moto has no SwitchoverGlobalCluster/FailoverGlobalCluster)`;
    case 'check-writer':
      return `poll ${String(r.attempt)}: writer ${String(r.writerRegion ?? 'none')}, global cluster ${String(r.status)}`;
    case 'shift-traffic':
      return r.changed === false ? 'weights already there: nothing issued' : 'weighted records changed and INSYNC';
    case 'update-config': {
      const changed = Object.entries((r.changed ?? {}) as Record<string, string[]>).map(([region, keys]) => `${region}: ${keys.join(', ') || 'unchanged'}`);
      return `parameters ${changed.join('; ')}`;
    }
    case 'announce':
      return r.announced === true ? 'DR Failover Completed published' : `not announced: ${String(r.announceError)}`;
    case 'report-halt':
      return typeof r.Error === 'string' ? `${r.Error}: ${causeMessage({ Error: r.Error, ...(typeof r.Cause === 'string' ? { Cause: r.Cause } : {}) })}` : undefined;
    default:
      return undefined;
  }
}
