import * as path from 'node:path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { APP_PARAMETER_KEYS, parameterName } from '../../adapters/config-store/app-parameters.codec';
import type { ControllerConfig } from '../../domain/config';
import { missingRegions, parseResources, type Resources } from '../../edge/resources.schema';
import {
  FAILOVER_STEPS,
  FUNCTION_TIMEOUT_MARGIN_SECONDS,
  MAX_RETRY_DELAY_SECONDS,
  retryWaitSeconds,
  STEP_REGISTRY,
  stepSpec,
  type FailoverStep,
} from '../../handlers/steps/step-registry';
import { stepFunctionNameOf } from './controller-names';
import { compactConfig } from './lambda-environment';

export interface FailoverWorkflowProps {
  /** Name of the state machine, `<app>-<envName>-failover` (see `controllerNames`). */
  readonly stateMachineName: string;
  /** The validated controller configuration; the functions get it as `DR_CONFIG`. */
  readonly config: ControllerConfig;
  /** The resource identifiers; the functions get them as `DR_RESOURCES`, and IAM is scoped to them. */
  readonly resources: Resources;
  /**
   * Seconds between two polls of the global cluster while the target becomes writer. Part of the
   * RTO: a promotion that ends just after a poll is seen one interval later.
   * @default 10
   */
  readonly pollIntervalSeconds?: number;
  /**
   * Polls of the global cluster before the failover halts with `WriterNotPromoted`.
   * @default 30 (about 5.5 minutes at the default interval)
   */
  readonly maxPolls?: number;
  /**
   * Seconds between two checks of the target region's recovery.
   * @default 30
   */
  readonly verifyIntervalSeconds?: number;
  /**
   * Checks of the target region's recovery before the workflow succeeds with `verified: false`.
   * @default 6 (3 minutes at the default interval)
   */
  readonly maxVerifyPolls?: number;
  /**
   * Timeout of a whole failover run, in minutes: the run ends TIMED_OUT, which the engine sees.
   * Synth fails when the run's worst case ({@link workflowBudget}) does not fit in it.
   * @default 60
   */
  readonly timeoutMinutes?: number;
  /**
   * How long the state machine's and the functions' logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/** The workflow's tunables with their defaults applied (what the state machine renders and the RTO model reads). */
export interface WorkflowTunables {
  readonly pollIntervalSeconds: number;
  readonly maxPolls: number;
  readonly verifyIntervalSeconds: number;
  readonly maxVerifyPolls: number;
  readonly timeoutMinutes: number;
}

/** Defaults of {@link FailoverWorkflowProps}. */
export const WORKFLOW_DEFAULTS: WorkflowTunables = {
  pollIntervalSeconds: 10,
  maxPolls: 30,
  verifyIntervalSeconds: 30,
  maxVerifyPolls: 6,
  timeoutMinutes: 60,
};

/** `props`' tunables with the defaults filled in. */
export function workflowTunables(props: Partial<WorkflowTunables>): WorkflowTunables {
  return {
    pollIntervalSeconds: props.pollIntervalSeconds ?? WORKFLOW_DEFAULTS.pollIntervalSeconds,
    maxPolls: props.maxPolls ?? WORKFLOW_DEFAULTS.maxPolls,
    verifyIntervalSeconds: props.verifyIntervalSeconds ?? WORKFLOW_DEFAULTS.verifyIntervalSeconds,
    maxVerifyPolls: props.maxVerifyPolls ?? WORKFLOW_DEFAULTS.maxVerifyPolls,
    timeoutMinutes: props.timeoutMinutes ?? WORKFLOW_DEFAULTS.timeoutMinutes,
  };
}

/** The whole numbers ≥ 1 of `t`, the defaults in place of the others: what can be rendered while validation reports the rest. */
function buildableTunables(t: WorkflowTunables): WorkflowTunables {
  const valid = (value: number) => Number.isInteger(value) && value >= 1;
  const pick = (name: keyof WorkflowTunables) => (valid(t[name]) ? t[name] : WORKFLOW_DEFAULTS[name]);
  return {
    pollIntervalSeconds: pick('pollIntervalSeconds'),
    maxPolls: pick('maxPolls'),
    verifyIntervalSeconds: pick('verifyIntervalSeconds'),
    maxVerifyPolls: pick('maxVerifyPolls'),
    timeoutMinutes: pick('timeoutMinutes'),
  };
}

/** The repository root: the step handlers and the lockfile esbuild bundles against. */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Error names of adapter calls that may succeed if repeated (adapters/errors.ts). */
const TRANSIENT_ERRORS = ['TransientAdapterError'];
/** A Task over its TimeoutSeconds, and an unhandled Lambda error (function timeout, out of memory). */
const TIMEOUT_ERRORS = [sfn.Errors.TIMEOUT, 'Lambda.Unknown'];
/**
 * Lambda's own transient service errors, retried on every Task (instead of the Lambda integration's
 * default of 6 retries, so each Task's worst case stays small enough to count).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html
 */
const LAMBDA_SERVICE_ERRORS = ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'];
/** Retries of {@link LAMBDA_SERVICE_ERRORS}: interval 1 s, doubling. */
export const LAMBDA_SERVICE_RETRIES = 1;
/** Errors after which traffic relies on health checks: Route 53's control plane (us-east-1) may be down. */
const CONTROL_PLANE_DOWN_ERRORS = [...TRANSIENT_ERRORS, ...TIMEOUT_ERRORS];

/** Runtime of every step function: the newest Node.js runtime this CDK version offers. */
export const STEP_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * esbuild settings of every step function (`bench/handlers.bench.ts` bundles with exactly these):
 * one minified CommonJS file for the runtime's Node.js version, ESM entry points preferred so
 * unused code is tree-shaken, warnings only in the synth output.
 *
 * The AWS SDK v3 (`@aws-sdk/*` and the `@smithy/*` packages it is built on) is not bundled: each
 * step uses the copy the Node.js runtime provides. Bundled, the SDK's shared core (about 300 KB
 * minified) put every step at 447 to 626 KB, over the 300 KB budget. Trade-off: Lambda picks and
 * updates the runtime's SDK version, so it is not the version the tests ran against
 * (package-lock.json) and an SDK fix or API newer than the runtime's copy arrives only when Lambda
 * updates it; and init resolves the SDK's files instead of reading one file (the bench measures
 * init against its 150 ms budget and labels the bundles "SDK from runtime").
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html (runtime-included SDK versions)
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-package.html#nodejs-package-searchpath
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_lambda_nodejs-readme.html#externals
 */
export const STEP_BUNDLING: BundlingOptions = {
  minify: true,
  mainFields: ['module', 'main'],
  format: OutputFormat.CJS,
  // Only @aws-sdk/* comes from the runtime (documented there); the one @smithy package our own
  // code imports (error classification, adapters/errors.ts) is small and bundled.
  externalModules: ['@aws-sdk/*'],
  logLevel: LogLevel.WARNING,
};

/**
 * Lambda's limit on the total size of a function's environment variables.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
const MAX_ENVIRONMENT_BYTES = 4096;

/**
 * The failover workflow: a Standard Step Functions state machine whose every step is a small Lambda
 * function (`handlers/steps/<step>.handler.ts`), each Task's timeout and retries taken from the step
 * registry (`handlers/steps/step-registry.ts`).
 *
 * preflight → promote database → poll check-writer (Wait loop, bounded) → shift traffic → update
 * config → fence old region → verify recovery (Wait loop, bounded) → announce.
 *
 * - The critical path (up to update-config) never waits on the region being left: every call has a
 *   short deadline (registry), database reads ask the target first, and fencing the old region runs
 *   after the target has taken over. Route 53's control plane unreachable (shift-traffic failing
 *   transiently or timing out after its one retry) means "traffic relying on health checks".
 * - A finished failover stays finished: after the traffic shift, only the target's parameters can
 *   halt the run (update-config). Fencing, verification and the announcement are best effort: any
 *   failure of theirs is recorded and the run SUCCEEDS with what it verified.
 * - Every other error goes through `report-halt` (which publishes `DR Failover Halted`) to a Fail
 *   state whose Error/Cause reach the engine in the FAILED status event.
 * - Synth fails when the run's worst case ({@link workflowBudget}: every Task's timeout × attempts,
 *   retry waits, waits and polls) exceeds the run's timeout.
 *
 * Standard, not Express: a failover waits minutes for Aurora, must run exactly once per name
 * (the generation) and must leave an auditable history.
 *
 * Tracing: the state machine is traced with X-Ray (a trace per failover costs nothing that
 * matters and shows the whole run with each step's latency); the functions pass the trace through
 * and make no traced calls of their own (no tracer in the observability module).
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-standard-vs-express.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html (Retry: IntervalSeconds, BackoffRate, MaxDelaySeconds, JitterStrategy)
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html (Lambda.* transient errors; Lambda.Unknown for function timeouts)
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/sfn-stuck-execution.html (TimeoutSeconds on every Task)
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html (ErrorPath, CausePath)
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html (Execution Status Change events)
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html (payloadResponseOnly: the function ARN as Resource)
 */
export class FailoverWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** One function per step, by step name. */
  readonly functions: Readonly<Record<FailoverStep, NodejsFunction>>;
  /** The tunables the state machine renders, defaults applied (the RTO model reads them). */
  readonly tunables: WorkflowTunables;
  /** The run's worst case, counted at synth against `timeoutMinutes`. */
  readonly budget: WorkflowBudget;

  constructor(scope: Construct, id: string, props: FailoverWorkflowProps) {
    super(scope, id);
    const tunables = workflowTunables(props);
    this.tunables = tunables;
    this.budget = workflowBudget(tunables);
    this.node.addValidation({ validate: () => validateWorkflowProps(props, tunables, this.budget) });
    // An invalid tunable fails the synth (above); its default stands in so the state machine can be built.
    const { pollIntervalSeconds, maxPolls, verifyIntervalSeconds, maxVerifyPolls, timeoutMinutes } = buildableTunables(tunables);

    const stack = Stack.of(this);
    // toJsonString keeps tokens (e.g. an ARN built with the stack's account) resolvable.
    const environment = { DR_CONFIG: stack.toJsonString(compactConfig(props.config)), DR_RESOURCES: stack.toJsonString(props.resources) };
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const functions = Object.fromEntries(FAILOVER_STEPS.map((step) => [step, this.stepFunction(step, props.stateMachineName, environment, retention)])) as Record<
      FailoverStep,
      NodejsFunction
    >;
    this.functions = functions;
    this.grantStepPermissions(props, functions);

    // resultPath keeps the request and the earlier results in the state; without one (announce)
    // the step's result replaces the state and becomes the execution's output.
    const task = (step: FailoverStep) => {
      const spec = stepSpec(step);
      const invoke = new tasks.LambdaInvoke(this, spec.stateName, {
        lambdaFunction: functions[step],
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        ...(spec.resultPath !== undefined && { resultPath: spec.resultPath }),
        taskTimeout: sfn.Timeout.duration(Duration.seconds(spec.taskTimeoutSeconds)),
      });
      const { transientRetries, timeoutRetries, intervalSeconds } = spec.retry;
      if (transientRetries > 0) {
        invoke.addRetry({
          errors: TRANSIENT_ERRORS,
          interval: Duration.seconds(intervalSeconds),
          backoffRate: 2,
          maxAttempts: transientRetries,
          maxDelay: Duration.seconds(MAX_RETRY_DELAY_SECONDS),
          jitterStrategy: sfn.JitterType.FULL,
        });
      }
      if (timeoutRetries > 0) invoke.addRetry({ errors: TIMEOUT_ERRORS, interval: Duration.seconds(intervalSeconds), maxAttempts: timeoutRetries });
      return invoke.addRetry({ errors: LAMBDA_SERVICE_ERRORS, interval: Duration.seconds(1), backoffRate: 2, maxAttempts: LAMBDA_SERVICE_RETRIES });
    };

    // Failure path: report, then fail with the reported error and cause.
    const halted = new sfn.Fail(this, 'Halted', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    const reportHalt = task('report-halt').addCatch(halted, { resultPath: '$.reportFailure' }).next(halted);
    const haltOnError = { resultPath: '$.error' };

    // After the traffic shift: best effort, the run succeeds with what it verified.
    const announce = task('announce').addCatch(
      new sfn.Pass(this, 'Not announced', {
        parameters: {
          'app.$': '$.app',
          'generation.$': '$.generation',
          'executionName.$': '$.executionName',
          'from.$': '$.from',
          'target.$': '$.target',
          'promotion.$': '$.promotion',
          'traffic.$': '$.traffic',
          'config.$': '$.config',
          'fence.$': '$.fence',
          'verify.$': '$.verify',
          announced: false,
          note: 'the failover completed; the announce step failed, so DR Failover Completed was not published and this summary is partial',
          'announceFailure.$': '$.announceFailure',
        },
      }),
      { resultPath: '$.announceFailure' },
    );

    const verify = task('verify-recovery');
    const notVerified = new sfn.Pass(this, 'Recovery not verified', {
      parameters: { verified: false, reason: 'recovery could not be checked (verify-recovery failed)', 'failure.$': '$.verify' },
      resultPath: '$.verify',
    }).next(announce);
    verify.addCatch(notVerified, { resultPath: '$.verify' }).next(
      new sfn.Choice(this, 'Recovered?')
        .when(sfn.Condition.booleanEquals('$.verify.verified', true), announce)
        .when(sfn.Condition.numberGreaterThanEquals('$.verify.attempt', maxVerifyPolls), announce)
        .otherwise(new sfn.Wait(this, 'Wait for recovery', { time: sfn.WaitTime.duration(Duration.seconds(verifyIntervalSeconds)) }).next(verify)),
    );

    const fence = task('fence-old-region')
      .addCatch(new sfn.Pass(this, 'Fence skipped', { parameters: { fenced: false, 'failure.$': '$.fence' }, resultPath: '$.fence' }).next(verify), {
        resultPath: '$.fence',
      });
    fence.next(verify);

    const updateConfig = task('update-config').addCatch(reportHalt, haltOnError);
    updateConfig.next(fence);

    const shiftTraffic = task('shift-traffic')
      .addCatch(
        new sfn.Pass(this, 'Traffic relies on health checks', {
          parameters: {
            shifted: false,
            relyingOnHealthChecks: true,
            reason: 'traffic relying on health checks: the Route 53 control plane did not answer within its deadline',
            'failure.$': '$.traffic',
          },
          resultPath: '$.traffic',
        }).next(updateConfig),
        { errors: CONTROL_PLANE_DOWN_ERRORS, resultPath: '$.traffic' },
      )
      .addCatch(reportHalt, haltOnError);
    shiftTraffic.next(updateConfig);

    const checkWriter = task('check-writer').addCatch(reportHalt, haltOnError);
    checkWriter.next(
      new sfn.Choice(this, 'Writer promoted?')
        .when(sfn.Condition.booleanEquals('$.writer.isWriter', true), shiftTraffic)
        .when(
          sfn.Condition.numberGreaterThanEquals('$.writer.attempt', maxPolls),
          new sfn.Pass(this, 'Writer not promoted', {
            parameters: {
              Error: 'WriterNotPromoted',
              Cause: sfn.JsonPath.format(
                'target {} is not the writer after {} polls (global cluster status {})',
                sfn.JsonPath.stringAt('$.target'),
                sfn.JsonPath.stringAt('$.writer.attempt'),
                sfn.JsonPath.stringAt('$.writer.status'),
              ),
            },
            resultPath: '$.error',
          }).next(reportHalt),
        )
        .otherwise(new sfn.Wait(this, 'Wait for writer', { time: sfn.WaitTime.duration(Duration.seconds(pollIntervalSeconds)) }).next(checkWriter)),
    );

    const promote = task('promote-database').addCatch(reportHalt, haltOnError);
    promote.next(checkWriter);

    const preflight = task('preflight').addCatch(reportHalt, haltOnError);
    preflight.next(promote);

    const logGroup = new logs.LogGroup(this, 'Logs', { retention });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(preflight),
      timeout: Duration.minutes(timeoutMinutes),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });

    const machineRole = Validations.of(this.stateMachine.role);
    machineRole.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'CloudWatch Logs delivery and X-Ray tracing for a state machine take no resource-level permissions',
    });
    for (const fn of Object.values(functions)) {
      machineRole.acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
        reason: 'the Lambda task integration grants InvokeFunction on the function and its versions/aliases (<arn>:*)',
      });
    }
  }

  private stepFunction(step: FailoverStep, stateMachineName: string, environment: Record<string, string>, retention: logs.RetentionDays): NodejsFunction {
    const spec = stepSpec(step);
    const id = step.replace(/(^|-)(\w)/g, (_, _dash: string, c: string) => c.toUpperCase());
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `failover step ${step}`,
    });
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention });
    logGroup.grantWrite(role);
    return new NodejsFunction(this, `${id}Function`, {
      functionName: stepFunctionNameOf(stateMachineName, step),
      entry: path.join(PROJECT_ROOT, spec.handler),
      // Explicit, so synthesis works from any working directory (the drill synthesizes in-process).
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      handler: 'handler',
      runtime: STEP_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(spec.taskTimeoutSeconds + FUNCTION_TIMEOUT_MARGIN_SECONDS),
      role,
      logGroup,
      description: `DR failover step: ${step}`,
      environment: { ...environment, DR_STEP: step },
      bundling: STEP_BUNDLING,
    });
  }

  /** Least privilege: each step's role may call only what its adapters call, on this app's resources. */
  private grantStepPermissions(props: FailoverWorkflowProps, fn: Record<FailoverStep, NodejsFunction>): void {
    const { partition, account } = Stack.of(this);
    const { database, traffic, parameterPrefix, stateTableName, controllerBusName, controllerRegion } = props.resources;
    const globalClusterArn = `arn:${partition}:rds::${account}:global-cluster:${database.globalClusterIdentifier}`;
    const clusterArns = Object.values(database.clusterArns);
    const healthCheckArns = Object.values(traffic.healthCheckIds).map((id) => `arn:${partition}:route53:::healthcheck/${id}`);
    const hostedZoneArn = `arn:${partition}:route53:::hostedzone/${traffic.hostedZoneId}`;
    const parameterArns = props.config.regions.flatMap((region) =>
      APP_PARAMETER_KEYS.map((key) => `arn:${partition}:ssm:${region}:${account}:parameter${parameterName(parameterPrefix, key)}`),
    );
    const allow = (step: FailoverStep, actions: string[], resources: string[]) =>
      fn[step].addToRolePolicy(new iam.PolicyStatement({ actions, resources }));

    const describe = ['rds:DescribeGlobalClusters'];
    // DescribeDBClusters: the target cluster's own status, read beside the global cluster's.
    const describeCluster = ['rds:DescribeDBClusters'];
    allow('preflight', describe, [globalClusterArn]);
    allow('preflight', describeCluster, clusterArns);
    // GetMetricData supports no resource-level permissions.
    allow('preflight', ['cloudwatch:GetMetricData'], ['*']);
    allow('preflight', ['route53:GetHealthCheckStatus'], healthCheckArns);
    allow('fence-old-region', ['ssm:GetParameters', 'ssm:PutParameter'], parameterArns);
    allow('promote-database', [...describe, ...describeCluster, 'rds:SwitchoverGlobalCluster', 'rds:FailoverGlobalCluster'], [globalClusterArn, ...clusterArns]);
    allow('check-writer', describe, [globalClusterArn]);
    allow('check-writer', describeCluster, clusterArns);
    allow('shift-traffic', ['route53:ListResourceRecordSets', 'route53:ChangeResourceRecordSets'], [hostedZoneArn]);
    allow('shift-traffic', ['route53:GetChange'], [`arn:${partition}:route53:::change/*`]);
    allow('update-config', ['ssm:GetParameters', 'ssm:PutParameter'], parameterArns);
    allow('verify-recovery', ['dynamodb:GetItem'], [`arn:${partition}:dynamodb:${controllerRegion}:${account}:table/${stateTableName}`]);
    allow('verify-recovery', ['route53:GetHealthCheckStatus'], healthCheckArns);
    const busArn = `arn:${partition}:events:${controllerRegion}:${account}:event-bus/${controllerBusName}`;
    allow('announce', ['events:PutEvents'], [busArn]);
    allow('report-halt', ['events:PutEvents'], [busArn]);

    Validations.of(fn.preflight.role ?? fn.preflight).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'cloudwatch:GetMetricData (replication lag metrics) supports no resource-level permissions',
    });
    Validations.of(fn['shift-traffic'].role ?? fn['shift-traffic']).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:route53:::change/*]',
      reason: 'route53:GetChange takes the id Route 53 generates for each change batch, unknown before the change',
    });
  }
}

/** One line of the run's worst case. */
export interface BudgetItem {
  readonly name: string;
  readonly seconds: number;
}

/** The run's worst case, item by item, against its timeout. */
export interface WorkflowBudget {
  readonly worstCaseSeconds: number;
  readonly timeoutSeconds: number;
  readonly items: readonly BudgetItem[];
}

/**
 * Worst case of one Task: its timeout once per attempt (the first, and every retry of every
 * Retry rule: transient, timeout, Lambda service errors) plus the waits between retries.
 */
export function taskWorstSeconds(step: FailoverStep): number {
  const { taskTimeoutSeconds, retry } = stepSpec(step);
  const attempts = 1 + retry.transientRetries + retry.timeoutRetries + LAMBDA_SERVICE_RETRIES;
  const waits =
    retryWaitSeconds(retry, retry.transientRetries) +
    retry.timeoutRetries * retry.intervalSeconds +
    retryWaitSeconds({ ...retry, intervalSeconds: 1 }, LAMBDA_SERVICE_RETRIES);
  return taskTimeoutSeconds * attempts + waits;
}

/**
 * The longest a run can take before Step Functions' own timeout: every step once at its Task's
 * worst case, check-writer and verify-recovery as many times as they may poll with their Wait
 * states between, and report-halt on top (a halt after the last halting step). Counted at synth
 * against `timeoutMinutes`, so the run's timeout is never what ends a run that is still working.
 */
export function workflowBudget(t: WorkflowTunables): WorkflowBudget {
  const items: BudgetItem[] = [];
  for (const step of FAILOVER_STEPS) {
    if (step === 'check-writer') {
      items.push({ name: `check-writer: ${t.maxPolls} polls × (task ${taskWorstSeconds(step)} s + wait ${t.pollIntervalSeconds} s)`, seconds: t.maxPolls * (taskWorstSeconds(step) + t.pollIntervalSeconds) });
    } else if (step === 'verify-recovery') {
      items.push({
        name: `verify-recovery: ${t.maxVerifyPolls} checks × (task ${taskWorstSeconds(step)} s + wait ${t.verifyIntervalSeconds} s)`,
        seconds: t.maxVerifyPolls * (taskWorstSeconds(step) + t.verifyIntervalSeconds),
      });
    } else {
      items.push({ name: `${step}: task ${STEP_REGISTRY[step].taskTimeoutSeconds} s × attempts + retry waits`, seconds: taskWorstSeconds(step) });
    }
  }
  return { worstCaseSeconds: items.reduce((sum, item) => sum + item.seconds, 0), timeoutSeconds: t.timeoutMinutes * 60, items };
}

/**
 * The longest function name Lambda accepts.
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#lambda-CreateFunction-request-FunctionName
 */
const MAX_FUNCTION_NAME_LENGTH = 64;

/** Synth-time checks of {@link FailoverWorkflowProps}: each message says what to change. */
export function validateWorkflowProps(props: FailoverWorkflowProps, t: WorkflowTunables, budget: WorkflowBudget): string[] {
  const errors: string[] = [];
  const whole = (name: keyof WorkflowTunables, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(t[name]) || t[name] < min || t[name] > max) errors.push(`${name} must be a whole number from ${min} to ${max}, got ${t[name]}`);
  };
  whole('pollIntervalSeconds', 1);
  whole('maxPolls', 1);
  whole('verifyIntervalSeconds', 1);
  whole('maxVerifyPolls', 1);
  whole('timeoutMinutes', 1);
  if (errors.length === 0 && budget.worstCaseSeconds > budget.timeoutSeconds) {
    const largest = [...budget.items].sort((a, b) => b.seconds - a.seconds).slice(0, 2);
    errors.push(
      `timeoutMinutes (${t.timeoutMinutes}) is shorter than the run's worst case of ${budget.worstCaseSeconds} s ` +
        `(every task's timeout × attempts, retry waits and polls; largest: ${largest.map((i) => `${i.name} = ${i.seconds} s`).join(', ')}); ` +
        'raise timeoutMinutes, or lower maxPolls/maxVerifyPolls or the poll intervals',
    );
  }
  const longest = stepFunctionNameOf(props.stateMachineName, [...FAILOVER_STEPS].sort((a, b) => b.length - a.length)[0]!);
  if (longest.length > MAX_FUNCTION_NAME_LENGTH) {
    errors.push(`the step function name "${longest}" is longer than Lambda's ${MAX_FUNCTION_NAME_LENGTH} characters; shorten the state machine name (config.app or envName)`);
  }
  const parsed = parseResources(withPseudoParameters(props.resources));
  if (!parsed.ok) errors.push(...parsed.errors);
  else errors.push(...missingRegions(parsed.resources, props.config.regions));
  const environmentBytes = Buffer.byteLength(JSON.stringify(compactConfig(props.config))) + Buffer.byteLength(JSON.stringify(props.resources)) + 64;
  if (environmentBytes > MAX_ENVIRONMENT_BYTES) {
    errors.push(`config and resources take ${environmentBytes} bytes of environment, over Lambda's ${MAX_ENVIRONMENT_BYTES}; shorten alarm names or drop unused signals`);
  }
  return errors;
}

/** The resources with the stack's pseudo-parameter tokens (account, partition, region) as sample values, for validation. */
function withPseudoParameters(resources: Resources): unknown {
  return JSON.parse(
    JSON.stringify(resources)
      .replace(/\$\{Token\[AWS\.AccountId\.\d+\]\}/g, '123456789012')
      .replace(/\$\{Token\[AWS\.Partition\.\d+\]\}/g, 'aws')
      .replace(/\$\{Token\[AWS\.Region\.\d+\]\}/g, 'us-east-1'),
  );
}
