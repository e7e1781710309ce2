import * as path from 'node:path';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { APP_PARAMETER_KEYS, parameterName } from '../../adapters/config-store/app-parameters.codec';
import type { ControllerConfig } from '../../domain/config';
import type { Resources } from '../../edge/resources.schema';
import { probeAlarms, READINESS_METRIC, type ReadinessTargets } from '../../handlers/readiness/readiness-setup';
import { FAILOVER_STEPS, type FailoverStep } from '../../handlers/steps/step-registry';
import { CONTROLLER_METRICS } from './controller-alarms.construct';
import { controllerNamesOf } from './controller-names';
import { compactConfig, controllerEnvironment } from './lambda-environment';
import { acknowledgeWildcardResources } from './nag-acknowledgements';

/** Props of {@link ReadinessEvaluation}. */
export interface ReadinessEvaluationProps {
  /** `<app>-<envName>`: the function and schedule are `<prefix>-readiness`, the alarms `<prefix>-readiness-<region>`. */
  readonly prefix: string;
  readonly config: ControllerConfig;
  /** The controller's `DR_RESOURCES`, with `stateMachineArn` set. */
  readonly resources: Resources;
  /** Each failover step's function (`FailoverWorkflow.functions`): checked to exist, their roles simulated. */
  readonly stepFunctions: Readonly<Record<FailoverStep, lambda.IFunction>>;
  /** The controller's FIFO queue and its dead-letter queue. */
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  /** The state table: the active region is read from it, its status checked. */
  readonly table: dynamodb.ITable;
  /** The controller bus, where `DR Readiness` goes. */
  readonly bus: events.IEventBus;
  /** Notified when a target's readiness fails and when it recovers, and when the function fails. */
  readonly alarmTopic: sns.ITopic;
  /**
   * Minutes between evaluations; also the alarms' period.
   * @default 15
   */
  readonly intervalMinutes?: number;
  readonly runtime: lambda.Runtime;
  readonly bundling: nodejs.BundlingOptions;
  /** Repository root: the handler entry and the lockfile are resolved from here. */
  readonly projectRoot: string;
}

/** Default of {@link ReadinessEvaluationProps.intervalMinutes}. */
export const DEFAULT_READINESS_INTERVAL_MINUTES = 15;

/**
 * Readiness evaluation (ARCHITECTURE.md "Readiness and the way home"): a function in the controller
 * region, run on a schedule, that checks what a failover into each other region needs (global
 * cluster membership and sync, engine versions, the target's endpoint, weighted records and health
 * checks, parameters, state machine and step functions, the steps' permissions simulated with
 * IAM, the controller's queues and table), publishes `DR Readiness` per target and
 * `ReadinessFailed` per target. One alarm per region `<prefix>-readiness-<region>` (every region
 * can be a target once another serves) fires when that target failed its last evaluation and
 * clears when it passes; a period without an evaluation keeps the alarm's state
 * (`treatMissingData: ignore`), and `<prefix>-readiness-errors` fires when the function itself fails.
 *
 * Every permission is read-only and names its resources, but for CloudWatch `GetMetricData`, which
 * has no resource-level permissions.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html
 */
export class ReadinessEvaluation extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly schedule: events.Rule;
  /** One per configured region, by region. */
  readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;
  readonly errorsAlarm: cloudwatch.Alarm;

  private readonly props: ReadinessEvaluationProps;

  constructor(scope: Construct, id: string, props: ReadinessEvaluationProps) {
    super(scope, id);
    this.props = props;
    this.node.addValidation({ validate: () => validateReadinessProps(props) });
    // An invalid interval fails the synth (above); the default stands in so the schedule can be built.
    const requested = props.intervalMinutes ?? DEFAULT_READINESS_INTERVAL_MINUTES;
    const intervalMinutes = validInterval(requested) ? requested : DEFAULT_READINESS_INTERVAL_MINUTES;
    const stack = Stack.of(this);
    const names = controllerNamesOf(props.prefix);
    const functionName = names.readinessFunctionName;
    const logGroup = new logs.LogGroup(this, 'Logs', { logGroupName: `/aws/lambda/${functionName}`, retention: logs.RetentionDays.THREE_MONTHS });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Readiness evaluation of ${props.prefix}: reads what a failover needs, simulates the steps' permissions`,
    });
    logGroup.grantWrite(role);
    props.bus.grantPutEventsTo(role);
    this.grantReads(role);

    const readinessTargets: ReadinessTargets = {
      stepFunctions: Object.fromEntries(FAILOVER_STEPS.filter((step) => props.stepFunctions[step]).map((step) => [step, props.stepFunctions[step].functionName])),
      queueUrl: props.queue.queueUrl,
      deadLetterQueueUrl: props.deadLetterQueue.queueUrl,
    };
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName,
      description: `Readiness of every failover target of ${props.prefix}, every ${intervalMinutes} min`,
      entry: path.join(props.projectRoot, 'handlers', 'readiness', 'readiness.handler.ts'),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      runtime: props.runtime,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // Each read has the client's 10 s request deadline; the reads run in parallel.
      timeout: Duration.seconds(60),
      role,
      logGroup,
      bundling: props.bundling,
      environment: readinessEnvironment(stack.toJsonString(compactConfig(props.config)), stack.toJsonString(props.resources), stack.toJsonString(readinessTargets)),
    });

    this.schedule = new events.Rule(this, 'Schedule', {
      ruleName: functionName,
      description: `Every ${intervalMinutes} min: readiness of every failover target`,
      schedule: events.Schedule.rate(Duration.minutes(intervalMinutes)),
      // A missed run is replaced by the next one: no retries of stale runs.
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0, maxEventAge: Duration.minutes(intervalMinutes) })],
    });

    const notify = (alarm: cloudwatch.Alarm) => {
      alarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
      alarm.addOkAction(new cwActions.SnsAction(props.alarmTopic));
      return alarm;
    };
    this.alarms = Object.fromEntries(
      props.config.regions.map((region) => [
        region,
        notify(
          new cloudwatch.Alarm(this, `Alarm-${region}`, {
            alarmName: names.readinessAlarmName(region),
            alarmDescription: `a failover into ${region} failed its last readiness evaluation: see the DR Readiness event or run drctl readiness for the failing check`,
            metric: new cloudwatch.Metric({
              namespace: CONTROLLER_METRICS.namespace,
              metricName: READINESS_METRIC.name,
              dimensionsMap: { service: CONTROLLER_METRICS.service, [READINESS_METRIC.targetDimension]: region },
              statistic: cloudwatch.Stats.MAXIMUM,
              period: Duration.minutes(intervalMinutes),
            }),
            threshold: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.IGNORE,
          }),
        ),
      ]),
    );
    this.errorsAlarm = notify(
      new cloudwatch.Alarm(this, 'ErrorsAlarm', {
        alarmName: names.readinessErrorsAlarmName,
        alarmDescription: 'the readiness function failed twice in a row: readiness results are stale',
        metric: this.function.metricErrors({ period: Duration.minutes(intervalMinutes), statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /**
   * Let `role` run the same evaluation from a laptop (`drctl readiness`, with the caller's
   * credentials): read the readiness function's configuration (its `DR_CONFIG`, `DR_RESOURCES` and
   * `DR_READINESS`), then everything the function reads (the actions of `READINESS_IAM_ACTIONS`
   * in `cli/readiness.command.ts`), each on exactly the resources the function reads.
   *
   * @see https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConfiguration.html
   */
  grantRun(role: iam.Role): void {
    role.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:GetFunctionConfiguration'], resources: [this.function.functionArn] }));
    this.grantReads(role);
  }

  /** Read-only access to exactly what the evaluation reads; the one wildcard is GetMetricData's. */
  private grantReads(role: iam.Role): void {
    const { props } = this;
    const stack = Stack.of(this);
    const { partition, account } = stack;
    const { database, traffic, parameterPrefix, controllerRegion } = props.resources;
    const allow = (actions: string[], resources: string[]) => role.addToPolicy(new iam.PolicyStatement({ actions, resources }));

    props.table.grant(role, 'dynamodb:GetItem', 'dynamodb:DescribeTable');
    allow(['rds:DescribeGlobalClusters'], [`arn:${partition}:rds::${account}:global-cluster:${database.globalClusterIdentifier}`]);
    allow(['rds:DescribeDBClusters'], Object.values(database.clusterArns));
    allow(['cloudwatch:GetMetricData'], ['*']);
    acknowledgeWildcardResources(role, ['*'], 'cloudwatch:GetMetricData (replication lag, prober results) supports no resource-level permissions');
    const alarmArns = Object.values(probeAlarms(props.config)).map((alarmName) =>
      stack.formatArn({ service: 'cloudwatch', region: controllerRegion, resource: 'alarm', resourceName: alarmName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    );
    if (alarmArns.length > 0) allow(['cloudwatch:DescribeAlarms'], alarmArns);
    allow(['route53:ListResourceRecordSets'], [`arn:${partition}:route53:::hostedzone/${traffic.hostedZoneId.replace(/^\/?hostedzone\//, '')}`]);
    allow(['route53:GetHealthCheck'], Object.values(traffic.healthCheckIds).map((id) => `arn:${partition}:route53:::healthcheck/${id}`));
    allow(
      ['ssm:GetParameters'],
      props.config.regions.flatMap((region) =>
        APP_PARAMETER_KEYS.map((key) => `arn:${partition}:ssm:${region}:${account}:parameter${parameterName(parameterPrefix, key)}`),
      ),
    );
    if (props.resources.stateMachineArn) allow(['states:DescribeStateMachine'], [props.resources.stateMachineArn]);
    const functions = FAILOVER_STEPS.flatMap((step) => (props.stepFunctions[step] ? [props.stepFunctions[step]] : []));
    if (functions.length > 0) allow(['lambda:GetFunctionConfiguration'], functions.map((fn) => fn.functionArn));
    const roleArns = functions.flatMap((fn) => (fn.role ? [fn.role.roleArn] : []));
    if (roleArns.length > 0) allow(['iam:SimulatePrincipalPolicy'], roleArns);
    allow(['sqs:GetQueueAttributes'], [props.queue.queueArn, props.deadLetterQueue.queueArn]);
  }
}

/** The readiness function's environment: the controller's, plus `DR_READINESS` (what it checks by name). */
export function readinessEnvironment(configJson: string, resourcesJson: string, readinessTargetsJson: string): Record<string, string> {
  return controllerEnvironment(configJson, resourcesJson, { DR_READINESS: readinessTargetsJson });
}

const validInterval = (minutes: number) => Number.isInteger(minutes) && minutes >= 1 && minutes <= 1440;

/** Synth-time checks of {@link ReadinessEvaluationProps}: each message says what is wrong and how to fix it. */
export function validateReadinessProps(props: ReadinessEvaluationProps): string[] {
  const errors: string[] = [];
  const interval = props.intervalMinutes ?? DEFAULT_READINESS_INTERVAL_MINUTES;
  if (!validInterval(interval)) {
    errors.push(`intervalMinutes must be a whole number of minutes from 1 to 1440 (a day), got ${interval}`);
  }
  if (!props.resources.stateMachineArn) errors.push('resources.stateMachineArn must be set: readiness checks the failover state machine; pass the DrController\'s resources');
  const missing = FAILOVER_STEPS.filter((step) => props.stepFunctions[step] === undefined);
  if (missing.length > 0) errors.push(`stepFunctions has no function for ${missing.join(', ')}; pass FailoverWorkflow.functions`);
  return errors;
}
