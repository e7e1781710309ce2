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
import { FAILOVER_STEPS, type FailoverStep } from '../../handlers/steps/step-names';

export interface FailoverWorkflowProps {
  /** Name of the state machine, `<app>-<envName>-failover` (see `controllerNames`). */
  readonly stateMachineName: string;
  /** The validated controller configuration; the functions get it as `DR_CONFIG`. */
  readonly config: ControllerConfig;
  /** The resource identifiers; the functions get them as `DR_RESOURCES`, and IAM is scoped to them. */
  readonly resources: Resources;
  /**
   * Seconds between two polls of the global cluster while the target becomes writer.
   * @default 15
   */
  readonly pollIntervalSeconds?: number;
  /**
   * Polls of the global cluster before the failover halts with `WriterNotPromoted`.
   * @default 40 (10 minutes at the default interval)
   */
  readonly maxPolls?: number;
  /**
   * Seconds between two checks of the target region's recovery.
   * @default 30
   */
  readonly verifyIntervalSeconds?: number;
  /**
   * Checks of the target region's recovery before the workflow succeeds with `verified: false`.
   * @default 10 (5 minutes at the default interval)
   */
  readonly maxVerifyPolls?: number;
  /**
   * Timeout of each step's Task, in seconds: a step still running then fails with `States.Timeout`.
   * Its Lambda function gets 10 s more, so Step Functions, not Lambda, reports a hung step, with an
   * error name the Retry and Catch rules match. Leave room for Route 53's wait for INSYNC (up to 120 s).
   * @default 180
   */
  readonly taskTimeoutSeconds?: number;
  /**
   * Timeout of a whole failover run, in minutes: the run ends TIMED_OUT, which the engine sees.
   * @default 60
   */
  readonly timeoutMinutes?: number;
  /**
   * How long the state machine's and the functions' logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/** The repository root: the step handlers and the lockfile esbuild bundles against. */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Error names of adapter calls that may succeed if repeated (adapters/errors.ts). */
const TRANSIENT_ERRORS = ['TransientAdapterError'];
/** A Task over its TimeoutSeconds, and an unhandled Lambda error (function timeout, out of memory). */
const TIMEOUT_ERRORS = [sfn.Errors.TIMEOUT, 'Lambda.Unknown'];
/** Errors after which a best-effort step lets the failover go on: the old region or Route 53 may be down. */
const BEST_EFFORT_ERRORS = [...TRANSIENT_ERRORS, 'PermanentAdapterError', ...TIMEOUT_ERRORS];

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

/** Extra seconds a step's function may run past its Task's timeout (see `taskTimeoutSeconds`). */
const FUNCTION_TIMEOUT_MARGIN_SECONDS = 10;

/**
 * Lambda's limit on the total size of a function's environment variables.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
const MAX_ENVIRONMENT_BYTES = 4096;

/**
 * The failover workflow: a Standard Step Functions state machine whose every step is a small Lambda
 * function (`handlers/steps/<step>.handler.ts`).
 *
 * preflight → fence old region → promote database → poll check-writer (Wait loop, bounded) →
 * shift traffic → update config → verify recovery (Wait loop, bounded) → announce. Every Task
 * retries `TransientAdapterError` with exponential backoff and full jitter, and Lambda's own
 * transient service errors; every other error goes through `report-halt` (which publishes
 * `DR Failover Halted`) to a Fail state whose Error/Cause reach the engine in the FAILED status
 * event. The old region (fence) and Route 53's control plane (shift traffic) are best effort, and
 * an unverifiable recovery still ends SUCCEEDED with `verified: false`.
 *
 * A run with a writer ready at the first poll and recovery verified at the first check takes 10
 * state transitions; each extra poll adds 3.
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

  constructor(scope: Construct, id: string, props: FailoverWorkflowProps) {
    super(scope, id);
    const pollIntervalSeconds = props.pollIntervalSeconds ?? 15;
    const maxPolls = props.maxPolls ?? 40;
    const verifyIntervalSeconds = props.verifyIntervalSeconds ?? 30;
    const maxVerifyPolls = props.maxVerifyPolls ?? 10;
    const taskTimeoutSeconds = props.taskTimeoutSeconds ?? 180;
    const timeoutMinutes = props.timeoutMinutes ?? 60;
    validate(props, { pollIntervalSeconds, maxPolls, verifyIntervalSeconds, maxVerifyPolls, taskTimeoutSeconds, timeoutMinutes });

    const stack = Stack.of(this);
    // toJsonString keeps tokens (e.g. an ARN built with the stack's account) resolvable.
    const environment = { DR_CONFIG: stack.toJsonString(props.config), DR_RESOURCES: stack.toJsonString(props.resources) };
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const functions = Object.fromEntries(
      FAILOVER_STEPS.map((step) => [step, this.stepFunction(step, environment, taskTimeoutSeconds + FUNCTION_TIMEOUT_MARGIN_SECONDS, retention)]),
    ) as Record<FailoverStep, NodejsFunction>;
    this.functions = functions;
    this.grantStepPermissions(props, functions);

    // resultPath keeps the request and the earlier results in the state; without one (announce)
    // the step's result replaces the state and becomes the execution's output.
    const task = (step: FailoverStep, stateName: string, resultPath?: string) =>
      new tasks.LambdaInvoke(this, stateName, {
        lambdaFunction: functions[step],
        payloadResponseOnly: true,
        ...(resultPath !== undefined && { resultPath }),
        taskTimeout: sfn.Timeout.duration(Duration.seconds(taskTimeoutSeconds)),
      })
        .addRetry({ errors: TRANSIENT_ERRORS, interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 4, maxDelay: Duration.seconds(20), jitterStrategy: sfn.JitterType.FULL })
        .addRetry({ errors: TIMEOUT_ERRORS, interval: Duration.seconds(1), maxAttempts: 1 });

    // Failure path: report, then fail with the reported error and cause.
    const halted = new sfn.Fail(this, 'Halted', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    const reportHalt = task('report-halt', 'Report halt', '$.error').addCatch(halted, { resultPath: '$.reportFailure' }).next(halted);
    const haltOnError = { resultPath: '$.error' };

    const announce = task('announce', 'Announce').addCatch(reportHalt, haltOnError);

    const verify = task('verify-recovery', 'Verify recovery', '$.verify');
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

    const updateConfig = task('update-config', 'Update config', '$.config').addCatch(reportHalt, haltOnError);
    updateConfig.next(verify);

    const shiftTraffic = task('shift-traffic', 'Shift traffic', '$.traffic')
      .addCatch(
        new sfn.Pass(this, 'Traffic relies on health checks', {
          parameters: {
            shifted: false,
            relyingOnHealthChecks: true,
            reason: 'traffic relying on health checks: the Route 53 control plane stayed unreachable after retries',
            'failure.$': '$.traffic',
          },
          resultPath: '$.traffic',
        }).next(updateConfig),
        { errors: [...TRANSIENT_ERRORS, ...TIMEOUT_ERRORS], resultPath: '$.traffic' },
      )
      .addCatch(reportHalt, haltOnError);
    shiftTraffic.next(updateConfig);

    const checkWriter = task('check-writer', 'Check writer', '$.writer').addCatch(reportHalt, haltOnError);
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

    const promote = task('promote-database', 'Promote database', '$.promotion').addCatch(reportHalt, haltOnError);
    promote.next(checkWriter);

    const fence = task('fence-old-region', 'Fence old region', '$.fence')
      .addCatch(
        new sfn.Pass(this, 'Fence skipped', { parameters: { fenced: false, 'failure.$': '$.fence' }, resultPath: '$.fence' }).next(promote),
        { errors: BEST_EFFORT_ERRORS, resultPath: '$.fence' },
      )
      .addCatch(reportHalt, haltOnError);
    fence.next(promote);

    const preflight = task('preflight', 'Preflight', '$.preflight').addCatch(reportHalt, haltOnError);
    preflight.next(fence);

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

  private stepFunction(step: FailoverStep, environment: Record<string, string>, timeoutSeconds: number, retention: logs.RetentionDays): NodejsFunction {
    const id = step.replace(/(^|-)(\w)/g, (_, _dash: string, c: string) => c.toUpperCase());
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `failover step ${step}`,
    });
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention });
    logGroup.grantWrite(role);
    return new NodejsFunction(this, `${id}Function`, {
      entry: path.join(PROJECT_ROOT, 'handlers', 'steps', `${step}.handler.ts`),
      // Explicit, so synthesis works from any working directory (the drill synthesizes in-process).
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      handler: 'handler',
      runtime: STEP_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(timeoutSeconds),
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
    allow('preflight', describe, [globalClusterArn]);
    // GetMetricData supports no resource-level permissions.
    allow('preflight', ['cloudwatch:GetMetricData'], ['*']);
    allow('preflight', ['route53:GetHealthCheckStatus'], healthCheckArns);
    allow('fence-old-region', ['ssm:GetParameters', 'ssm:PutParameter'], parameterArns);
    allow('promote-database', [...describe, 'rds:SwitchoverGlobalCluster', 'rds:FailoverGlobalCluster'], [globalClusterArn, ...clusterArns]);
    allow('check-writer', describe, [globalClusterArn]);
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

interface Tunables {
  readonly pollIntervalSeconds: number;
  readonly maxPolls: number;
  readonly verifyIntervalSeconds: number;
  readonly maxVerifyPolls: number;
  readonly taskTimeoutSeconds: number;
  readonly timeoutMinutes: number;
}

/** Validate at synth, with messages that say what to change. */
function validate(props: FailoverWorkflowProps, t: Tunables): void {
  const errors: string[] = [];
  const whole = (name: keyof Tunables, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(t[name]) || t[name] < min || t[name] > max) errors.push(`${name} must be a whole number from ${min} to ${max}, got ${t[name]}`);
  };
  whole('pollIntervalSeconds', 1);
  whole('maxPolls', 1);
  whole('verifyIntervalSeconds', 1);
  whole('maxVerifyPolls', 1);
  whole('taskTimeoutSeconds', 30, 900 - FUNCTION_TIMEOUT_MARGIN_SECONDS); // Lambda runs at most 900 s
  whole('timeoutMinutes', 1);
  const pollingSeconds = t.maxPolls * t.pollIntervalSeconds + t.maxVerifyPolls * t.verifyIntervalSeconds;
  if (errors.length === 0 && pollingSeconds >= t.timeoutMinutes * 60) {
    errors.push(
      `timeoutMinutes (${t.timeoutMinutes}) leaves no time for the steps: polling alone may take ${pollingSeconds} s; raise timeoutMinutes or lower maxPolls/maxVerifyPolls`,
    );
  }
  const parsed = parseResources(withPseudoParameters(props.resources));
  if (!parsed.ok) errors.push(...parsed.errors);
  else errors.push(...missingRegions(parsed.resources, props.config.regions));
  const environmentBytes = Buffer.byteLength(JSON.stringify(props.config)) + Buffer.byteLength(JSON.stringify(props.resources)) + 64;
  if (environmentBytes > MAX_ENVIRONMENT_BYTES) {
    errors.push(`config and resources take ${environmentBytes} bytes of environment, over Lambda's ${MAX_ENVIRONMENT_BYTES}; shorten alarm names or drop unused signals`);
  }
  if (errors.length > 0) throw new Error(`FailoverWorkflow: ${errors.join('; ')}`);
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
