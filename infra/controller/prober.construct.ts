import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { SignalConfig } from '../../domain/config';
import { PROBE_METRIC, PROBE_TIMING, PROBER_FUNCTION_TIMEOUT_SECONDS } from '../../handlers/prober/probe-loop';
import { controllerNamesOf } from './controller-names';
import { acknowledgeWildcardResources } from './nag-acknowledgements';

/**
 * The probe alarms' evaluation: three consecutive 10 s periods without one successful probe. A
 * period without datapoints (prober broken, throttled) is missing, not breaching: a broken prober
 * leaves its alarms in INSUFFICIENT_DATA, which is not evidence.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#high-resolution-alarms
 */
export const PROBE_ALARM = { periodSeconds: 10, evaluationPeriods: 3, datapointsToAlarm: 3 } as const;

/** How often the schedule invokes the prober: each invocation probes for about a minute. */
export const PROBER_SCHEDULE_SECONDS = 60;

/** Props of {@link Prober}. */
export interface ProberProps {
  /** `<app>-<envName>`: the function is `<prefix>-prober`, its schedule `<prefix>-prober`. */
  readonly prefix: string;
  /** The `probe` signals: one alarm each, named by the signal, on `ProbeSuccess` of its region. */
  readonly signals: readonly SignalConfig[];
  /** The function's environment (`DR_CONFIG`, `DR_RESOURCES` with `probeUrls`, Powertools settings). */
  readonly environment: Record<string, string>;
  readonly runtime: lambda.Runtime;
  readonly bundling: nodejs.BundlingOptions;
  /** Repository root: the handler entry and the lockfile are resolved from here. */
  readonly projectRoot: string;
}

/**
 * The prober: a Lambda function in the controller region, invoked every minute by a scheduled rule,
 * that calls every probed region's regional `/health` URL every 10 s (3 s timeout per call) and
 * publishes `DrController` `ProbeSuccess` (1/0, dimension `Region`) at high resolution; one alarm
 * per `probe` signal, named by the signal, in ALARM after 3 × 10 s without success.
 *
 * Why a Lambda function and not CloudWatch Synthetics: a canary's schedule is at most
 * `rate(1 minute)`, one datapoint a minute, and the probe must run every 10 s. Cost per month
 * (30 days, us-east list prices, before free tiers):
 * - invocations: 43,200 × $0.20 per million ≈ $0.01;
 * - duration: 43,200 × ~55 s × 0.125 GB ≈ 297,000 GB-s × $0.0000133334 (Arm) ≈ $3.96
 *   (inside Lambda's 400,000 GB-s monthly free tier if nothing else uses it);
 * - PutMetricData: one call per round, 6 a minute = 259,200 calls × $0.01 per 1,000 ≈ $2.59
 *   (inside CloudWatch's 1,000,000 free API requests if nothing else uses them);
 * - `ProbeSuccess` per region: $0.30 per custom metric; one high-resolution alarm per region: $0.30;
 * - logs: a few hundred bytes per invocation, cents.
 * About $7.80 a month for two regions; each further region adds about $0.60 (its metric and alarm:
 * the probes run in parallel within the same invocation). One canary per region
 * every minute would cost 43,200 runs × $0.0012 ≈ $51.84 per region and still see one datapoint a minute.
 *
 * @see https://docs.aws.amazon.com/AmazonSynthetics/latest/APIReference/API_CanaryScheduleInput.html (a frequency between rate(1 minute) and rate(1 hour))
 * @see https://aws.amazon.com/lambda/pricing/
 * @see https://aws.amazon.com/cloudwatch/pricing/
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/publishingMetrics.html#high-resolution-metrics
 */
export class Prober extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly schedule: events.Rule;
  /** One per `probe` signal, by signal region. */
  readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;

  constructor(scope: Construct, id: string, props: ProberProps) {
    super(scope, id);
    const functionName = controllerNamesOf(props.prefix).proberFunctionName;
    const logGroup = new logs.LogGroup(this, 'Logs', { logGroupName: `/aws/lambda/${functionName}`, retention: logs.RetentionDays.ONE_MONTH });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Prober of ${props.prefix}: calls the regional health endpoints, publishes ProbeSuccess`,
    });
    logGroup.grantWrite(role);
    // PutMetricData has no resource-level permissions; the condition key pins the namespace.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': PROBE_METRIC.namespace } },
      }),
    );
    acknowledgeWildcardResources(role, ['*'], `cloudwatch:PutMetricData supports no resource-level permissions; the cloudwatch:namespace condition limits it to ${PROBE_METRIC.namespace}.`);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName,
      description: `Probes the regional /health endpoints of ${props.prefix} every ${PROBE_TIMING.intervalSeconds} s`,
      entry: path.join(props.projectRoot, 'handlers', 'prober', 'prober.handler.ts'),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      runtime: props.runtime,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 128,
      timeout: Duration.seconds(PROBER_FUNCTION_TIMEOUT_SECONDS),
      role,
      logGroup,
      bundling: props.bundling,
      environment: props.environment,
    });

    this.schedule = new events.Rule(this, 'Schedule', {
      ruleName: functionName,
      description: `Every minute: one prober run of about ${PROBE_TIMING.runSeconds} s`,
      schedule: events.Schedule.rate(Duration.seconds(PROBER_SCHEDULE_SECONDS)),
      // A late or repeated run only overlaps the next one: no retries, nothing older than a minute.
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0, maxEventAge: Duration.seconds(60) })],
    });

    this.alarms = Object.fromEntries(
      props.signals.map((signal) => [
        signal.region,
        new cloudwatch.Alarm(this, `Alarm-${signal.region}`, {
          alarmName: signal.alarmName,
          alarmDescription:
            `no successful probe of ${signal.region}'s regional /health from the controller region for ` +
            `${PROBE_ALARM.evaluationPeriods * PROBE_ALARM.periodSeconds} s (INSUFFICIENT_DATA: the prober itself is not publishing)`,
          metric: new cloudwatch.Metric({
            namespace: PROBE_METRIC.namespace,
            metricName: PROBE_METRIC.metricName,
            dimensionsMap: { [PROBE_METRIC.regionDimension]: signal.region },
            // A period breaches only when no probe in it succeeded: overlapping runs cannot fake a failure.
            statistic: cloudwatch.Stats.MAXIMUM,
            period: Duration.seconds(PROBE_ALARM.periodSeconds),
          }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: PROBE_ALARM.evaluationPeriods,
          datapointsToAlarm: PROBE_ALARM.datapointsToAlarm,
          treatMissingData: cloudwatch.TreatMissingData.MISSING,
        }),
      ]),
    );
  }
}
