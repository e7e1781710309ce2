import './with-resolvers';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

/**
 * Run a SYNTHESIZED Step Functions state machine locally with aws-local-stepfunctions: the
 * definition comes out of the CloudFormation template (not a hand copy), every Task runs a local
 * function instead of calling Lambda, and Wait states and Retry pauses take 0 ms.
 *
 * Tasks are mapped to steps through their Lambda function's `DR_STEP` environment variable, so a
 * caller supplies one function per step and does not care about state names or logical ids. The
 * workflow tests and `drctl drill` both run the failover state machine this way.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */

/** A synthesized template as `Template.fromStack(stack).toJSON()` or a `*.template.json` gives it. */
export interface TemplateJson {
  readonly Resources: Readonly<Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>>;
}

/** Literals for the pseudo parameters the definition may reference, unless the caller names its own. */
export const FAKE_ACCOUNT = '123456789012';
export const FAKE_REGION = 'us-east-2';

/** How intrinsics resolve: pseudo parameters, and what a `Ref` or `Fn::GetAtt` of a resource stands for. */
export interface IntrinsicResolver {
  /** @default - the stack's account and region are {@link FAKE_ACCOUNT} and {@link FAKE_REGION} */
  readonly account?: string;
  readonly region?: string;
  /** Value of `{ Ref: logicalId }` for a resource. @default - the logical id itself */
  readonly ref?: (logicalId: string) => string | undefined;
  /** Value of `{ 'Fn::GetAtt': [logicalId, attribute] }`. @default - a fake ARN naming the resource */
  readonly getAtt?: (logicalId: string, attribute: string) => string | undefined;
}

type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/**
 * `value` with every `Fn::Join`, `Ref` and `Fn::GetAtt` in it replaced by text. Anything else
 * that looks like an intrinsic (`Fn::Sub`, `Fn::If`, …) is an error naming it, so a template that
 * grows one fails loudly instead of running with a half-resolved value.
 */
export function resolveIntrinsics(value: unknown, template: TemplateJson, resolver: IntrinsicResolver = {}): Json {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, template, resolver));
  if (typeof value !== 'object') throw new Error(`cannot resolve a ${typeof value} in the template`);
  const node = value as Record<string, unknown>;
  const keys = Object.keys(node);
  if (keys.length === 1 && (keys[0]!.startsWith('Fn::') || keys[0] === 'Ref')) return resolveIntrinsic(node, template, resolver);
  return Object.fromEntries(keys.map((key) => [key, resolveIntrinsics(node[key], template, resolver)]));
}

function resolveIntrinsic(node: Record<string, unknown>, template: TemplateJson, resolver: IntrinsicResolver): string {
  const account = resolver.account ?? FAKE_ACCOUNT;
  const region = resolver.region ?? FAKE_REGION;
  if ('Fn::Join' in node) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => String(resolveIntrinsics(part, template, resolver))).join(separator);
  }
  if ('Ref' in node) {
    const name = node.Ref as string;
    const pseudo: Readonly<Record<string, string>> = { 'AWS::Partition': 'aws', 'AWS::Region': region, 'AWS::AccountId': account, 'AWS::URLSuffix': 'amazonaws.com' };
    return pseudo[name] ?? resolver.ref?.(name) ?? name;
  }
  if ('Fn::GetAtt' in node) {
    const [logicalId, attribute] = node['Fn::GetAtt'] as [string, string];
    const given = resolver.getAtt?.(logicalId, attribute);
    if (given !== undefined) return given;
    const resource = template.Resources[logicalId];
    if (resource?.Type === 'AWS::Lambda::Function' && attribute === 'Arn') return `arn:aws:lambda:${region}:${account}:function:${logicalId}`;
    return `arn:aws:fake:${region}:${account}:${logicalId}/${attribute}`;
  }
  throw new Error(`cannot resolve ${JSON.stringify(node).slice(0, 200)} in the template; teach resolveIntrinsics() this intrinsic`);
}

export interface SynthesizedWorkflow {
  readonly definition: StateMachineDefinition;
  /** The definition, validated once (ASL schema, JSONPaths, ARNs); each run is independent. */
  readonly machine: StateMachine;
  /** Task state name -> the `DR_STEP` of the function it invokes. */
  readonly taskSteps: Readonly<Record<string, string>>;
}

/**
 * Find the template's one state machine, resolve its definition, validate it, and map each Task
 * to its step.
 */
export function workflowFromTemplate(template: TemplateJson, resolver: Pick<IntrinsicResolver, 'account' | 'region'> = {}): SynthesizedWorkflow {
  const machines = Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one AWS::StepFunctions::StateMachine in the template, found ${machines.length}`);
  const definition = JSON.parse(String(resolveIntrinsics(machines[0]?.Properties?.DefinitionString, template, resolver))) as StateMachineDefinition;

  const stepOfFunction = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const step = (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.DR_STEP;
    if (resource.Type === 'AWS::Lambda::Function' && typeof step === 'string') stepOfFunction.set(`:function:${logicalId}`, step);
  }
  const taskSteps: Record<string, string> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task') continue;
    const step = [...stepOfFunction].find(([suffix]) => state.Resource.endsWith(suffix))?.[1];
    if (step === undefined) throw new Error(`Task "${name}" invokes ${state.Resource}, which is no function with a DR_STEP environment variable`);
    taskSteps[name] = step;
  }
  return { definition, taskSteps, machine: new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } }) };
}

/** A step as a Task runs it: state input in, step result out (or a thrown error). */
export type StepFn = (input: unknown) => Promise<unknown>;

/**
 * The error Step Functions raises when a Task runs past its TimeoutSeconds. Thrown from a step
 * override it is matched by Retry/Catch exactly as a real timeout (aws-local-stepfunctions matches
 * errors by name), without waiting out the real TimeoutSeconds.
 */
export function taskTimedOut(): Error {
  return Object.assign(new Error('States.Timeout'), { name: 'States.Timeout' });
}

export type WorkflowOutcome =
  | { readonly status: 'SUCCEEDED'; readonly output: unknown }
  | { readonly status: 'FAILED'; readonly error: string; readonly cause: string }
  | { readonly status: 'ABORTED' | 'TIMED_OUT' };

export interface WorkflowRun {
  readonly outcome: WorkflowOutcome;
  /** Every state entered, in order: one entry per state transition. */
  readonly path: readonly string[];
  /** Retries per state name. */
  readonly retries: Readonly<Record<string, number>>;
  /** Every step call, in order (retries included). */
  readonly calls: readonly string[];
}

export interface RunWorkflowOptions {
  /** Abort the execution (as StopExecution would) when this returns true for a Task about to run. */
  readonly abortWhen?: (stateName: string, step: string) => boolean;
}

/** A run in progress: its end, and a way to stop it as StopExecution would. */
export interface LocalExecution {
  readonly done: Promise<WorkflowRun>;
  abort(): void;
}

/**
 * Start `workflow` on `input` with every Task overridden by `steps[step]`. A step's thrown error
 * reaches the state machine the way Lambda reports it: the error name as Error and, as Cause, the
 * JSON document `{errorType, errorMessage, trace}` (errors named `States.*` pass unchanged). Step
 * inputs and results are JSON round-tripped, as between Step Functions and Lambda.
 *
 * `abort()` ends the run as ABORTED at once; a Task already running finishes in the background
 * and its result is discarded, as with StopExecution.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html
 */
export function startWorkflow(
  workflow: SynthesizedWorkflow,
  input: unknown,
  steps: Readonly<Record<string, StepFn>>,
  options: RunWorkflowOptions = {},
): LocalExecution {
  const { definition, taskSteps, machine } = workflow;
  const calls: string[] = [];
  const control: { abort?: () => void } = {};

  const taskResourceLocalHandlers = Object.fromEntries(
    Object.entries(taskSteps).map(([stateName, step]) => [
      stateName,
      async (stateInput: unknown) => {
        const fn = steps[step];
        if (!fn) throw new Error(`no override for step "${step}" (Task "${stateName}"); pass it in steps`);
        if (options.abortWhen?.(stateName, step)) control.abort?.();
        calls.push(step);
        try {
          return JSON.parse(JSON.stringify((await fn(JSON.parse(JSON.stringify(stateInput)))) ?? null));
        } catch (error) {
          const e = error instanceof Error ? error : new Error(String(error));
          if (e.name.startsWith('States.')) throw e;
          const cause = JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n') });
          throw Object.assign(new Error(cause), { name: e.name });
        }
      },
    ]),
  );
  const states = Object.entries(definition.States);
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: taskResourceLocalHandlers as never,
      waitTimeOverrides: Object.fromEntries(states.filter(([, s]) => s.Type === 'Wait').map(([name]) => [name, 0])),
      retryIntervalOverrides: Object.fromEntries(states.filter(([, s]) => 'Retry' in s).map(([name]) => [name, 0])),
    },
  });
  control.abort = execution.abort;

  const path: string[] = [];
  const retries: Record<string, number> = {};
  const logging = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') path.push(event.state.name);
      if (event.type === 'StateRetried') retries[event.state.name] = (retries[event.state.name] ?? 0) + 1;
    }
  })();

  const done = (async (): Promise<WorkflowRun> => {
    let outcome: WorkflowOutcome;
    try {
      outcome = { status: 'SUCCEEDED', output: await execution.result };
    } catch (error) {
      if (error instanceof ExecutionAbortedError) outcome = { status: 'ABORTED' };
      else if (error instanceof ExecutionTimeoutError) outcome = { status: 'TIMED_OUT' };
      else if (error instanceof ExecutionError) {
        const failure = error.cause as Error;
        outcome = { status: 'FAILED', error: failure.name, cause: failure.message };
      } else throw error;
    }
    await logging;
    return { outcome, path, retries, calls };
  })();
  return { done, abort: () => execution.abort() };
}

/** Run `workflow` on `input` to its end; see {@link startWorkflow}. */
export async function runWorkflow(
  workflow: SynthesizedWorkflow,
  input: unknown,
  steps: Readonly<Record<string, StepFn>>,
  options: RunWorkflowOptions = {},
): Promise<WorkflowRun> {
  return startWorkflow(workflow, input, steps, options).done;
}
