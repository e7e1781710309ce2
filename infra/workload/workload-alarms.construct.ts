import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { encryptedAlarmTopic } from '../controller/controller-alarms.construct';
import { DEFAULT_POLICY, type Region, type SignalConfig } from '../../domain/config';
import { PAYMENT_FUNCTIONS, type PaymentFunctionName } from './payment-functions.construct';

/** What each alarm of a region watches; the last part of its name. */
export type AlarmSubject = 'api-5xx' | `lambda-errors-${PaymentFunctionName}` | 'replication-lag' | 'health-check';

/** Identifies the app and environment every alarm name starts with. */
export interface AlarmNaming {
  readonly app: string;
  readonly envName: string;
  readonly regions: readonly Region[];
}

/**
 * The one alarm-naming convention: `<app>-<envName>-<region>-<what>`, where `region` is the region
 * the alarm judges. `health-check` alarms live in us-east-1 whatever region they judge.
 */
export function workloadAlarmName(naming: AlarmNaming, region: Region, subject: AlarmSubject): string {
  return `${naming.app}-${naming.envName}-${region}-${subject}`;
}

/**
 * The controller signals the workload's alarms make, by the same names the alarms get:
 * API 5xx rate and per-function Lambda error rate (kind `alarm`, critical), the Route 53
 * health-check status (kind `health-check`, critical), and Aurora replication lag (kind `alarm`,
 * not critical: a lagging region is a bad failover target, not a down region).
 */
export function workloadSignals(naming: AlarmNaming): SignalConfig[] {
  return naming.regions.flatMap((region): SignalConfig[] => [
    { alarmName: workloadAlarmName(naming, region, 'api-5xx'), region, kind: 'alarm', critical: true },
    ...PAYMENT_FUNCTIONS.map(
      (fn): SignalConfig => ({ alarmName: workloadAlarmName(naming, region, `lambda-errors-${fn}`), region, kind: 'alarm', critical: true }),
    ),
    { alarmName: workloadAlarmName(naming, region, 'health-check'), region, kind: 'health-check', critical: true },
    { alarmName: workloadAlarmName(naming, region, 'replication-lag'), region, kind: 'alarm', critical: false },
  ]);
}

/**
 * Notify `topic` when `alarm` fires and when it clears. The topic must be in the alarm's own
 * region: CloudWatch alarm actions cannot notify a topic of another region.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/APIReference/API_PutMetricAlarm.html (AlarmActions: an SNS topic ARN)
 */
export function notifyOnAlarmAndOk(alarm: cloudwatch.Alarm, topic: sns.ITopic): void {
  alarm.addAlarmAction(new cwActions.SnsAction(topic));
  alarm.addOkAction(new cwActions.SnsAction(topic));
}

/**
 * The topic a workload stack's alarms notify: `topic` when given, else a new TLS-only topic
 * `topicName` in the stack's region, encrypted with a rotated customer managed key CloudWatch may
 * use (`encryptedAlarmTopic`), under `scope`'s child `AlarmTopic`. Subscribe to it to be paged.
 */
export function workloadAlarmTopic(scope: Construct, topicName: string, topic?: sns.ITopic): sns.ITopic {
  return topic ?? encryptedAlarmTopic(new Construct(scope, 'AlarmTopic'), topicName);
}

/** Fraction of requests answered 5xx above which the API counts as failing (5 %). */
export const API_5XX_RATE_THRESHOLD = 0.05;
/** Percentage of invocations ending in a function error above which a function counts as failing. */
export const LAMBDA_ERROR_PERCENT_THRESHOLD = 5;
/** Consecutive one-minute periods a regional alarm must breach before it goes to ALARM. */
export const REGIONAL_EVALUATION_PERIODS = 3;

/** Props of {@link RegionalAlarms}. */
export interface RegionalAlarmsProps {
  readonly naming: AlarmNaming;
  /** The region these alarms judge; the stack's own region. */
  readonly region: Region;
  /** `ApiName` of the region's REST API (its `restApiName`). */
  readonly apiName: string;
  /** Function name of each payment function in this region. */
  readonly functionNames: Readonly<Record<PaymentFunctionName, string>>;
  /** Identifier of the region's Aurora member cluster. */
  readonly clusterIdentifier: string;
  /** Topic (in this region) every alarm notifies on ALARM and on OK. */
  readonly topic: sns.ITopic;
  /**
   * Replication lag above which the region is a bad failover target.
   * @default - the controller's default RPO budget (`DEFAULT_POLICY.rpoBudgetSeconds`); the
   *   workload passes its `rpoBudgetSeconds` (the policy the controller runs with)
   */
  readonly replicationLagThreshold?: Duration;
}

/**
 * A region's workload alarms, named by {@link workloadAlarmName}: the API's 5xx rate
 * (`5XXError` average = fraction of requests), each function's error rate (`Errors` /
 * `Invocations`), and Aurora global replication lag (`AuroraGlobalDBReplicationLag`, emitted by
 * secondary clusters; missing data, as on the writer, is not breaching). No traffic is not a
 * failure: missing data never alarms. Each alarm notifies `topic` on ALARM and on OK: these alarms
 * are the controller's evidence, and a region going bad is worth a page of its own.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
 */
export class RegionalAlarms extends Construct {
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly replicationLag: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: RegionalAlarmsProps) {
    super(scope, id);
    const name = (subject: AlarmSubject) => workloadAlarmName(props.naming, props.region, subject);
    const period = Duration.minutes(1);
    const sustained = {
      evaluationPeriods: REGIONAL_EVALUATION_PERIODS,
      datapointsToAlarm: REGIONAL_EVALUATION_PERIODS,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };

    const api5xx = new cloudwatch.Alarm(this, 'Api5xx', {
      ...sustained,
      alarmName: name('api-5xx'),
      alarmDescription: `more than ${API_5XX_RATE_THRESHOLD * 100}% of ${props.apiName} requests answered 5xx for ${REGIONAL_EVALUATION_PERIODS} minutes`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName: '5XXError',
        dimensionsMap: { ApiName: props.apiName },
        statistic: cloudwatch.Stats.AVERAGE,
        period,
      }),
      threshold: API_5XX_RATE_THRESHOLD,
    });

    const lambdaErrors = PAYMENT_FUNCTIONS.map((fn) => {
      const metric = (metricName: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/Lambda',
          metricName,
          dimensionsMap: { FunctionName: props.functionNames[fn] },
          statistic: cloudwatch.Stats.SUM,
          period,
        });
      return new cloudwatch.Alarm(this, `LambdaErrors-${fn}`, {
        ...sustained,
        alarmName: name(`lambda-errors-${fn}`),
        alarmDescription: `more than ${LAMBDA_ERROR_PERCENT_THRESHOLD}% of ${props.functionNames[fn]} invocations failed for ${REGIONAL_EVALUATION_PERIODS} minutes`,
        metric: new cloudwatch.MathExpression({
          expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
          usingMetrics: { errors: metric('Errors'), invocations: metric('Invocations') },
          label: `${fn} error %`,
          period,
        }),
        threshold: LAMBDA_ERROR_PERCENT_THRESHOLD,
      });
    });

    const lagThreshold = props.replicationLagThreshold ?? Duration.seconds(DEFAULT_POLICY.rpoBudgetSeconds);
    this.replicationLag = new cloudwatch.Metric({
      namespace: 'AWS/RDS',
      metricName: 'AuroraGlobalDBReplicationLag',
      dimensionsMap: { DBClusterIdentifier: props.clusterIdentifier },
      statistic: cloudwatch.Stats.MAXIMUM,
      unit: cloudwatch.Unit.MILLISECONDS,
      period,
    });
    const replicationLag = new cloudwatch.Alarm(this, 'ReplicationLag', {
      ...sustained,
      alarmName: name('replication-lag'),
      alarmDescription: `Aurora global replication lag into ${props.clusterIdentifier} above ${lagThreshold.toSeconds()} s for ${REGIONAL_EVALUATION_PERIODS} minutes`,
      metric: this.replicationLag,
      threshold: lagThreshold.toMilliseconds(),
    });

    this.alarms = [api5xx, ...lambdaErrors, replicationLag];
    for (const alarm of this.alarms) notifyOnAlarmAndOk(alarm, props.topic);
  }
}

/** The only region where Route 53 publishes health-check metrics. */
export const ROUTE53_METRICS_REGION = 'us-east-1';

/** Props of {@link HealthCheckAlarms}. */
export interface HealthCheckAlarmsProps {
  readonly naming: AlarmNaming;
  /** Region → id of the Route 53 health check probing that region's `/health`. */
  readonly healthCheckIds: Readonly<Record<Region, string>>;
  /** Topic (in us-east-1, where these alarms live) every alarm notifies on ALARM and on OK. */
  readonly topic: sns.ITopic;
}

/**
 * One alarm per region on its Route 53 health check's `HealthCheckStatus` (1 healthy, 0 unhealthy;
 * statistic Minimum). Route 53 publishes this metric only in us-east-1, so these alarms must be
 * created in a us-east-1 stack; each is named after the region whose endpoint it probes.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-cloudwatch.html
 */
export class HealthCheckAlarms extends Construct {
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: HealthCheckAlarmsProps) {
    super(scope, id);
    const stackRegion = Stack.of(this).region;
    this.node.addValidation({
      validate: () =>
        stackRegion === ROUTE53_METRICS_REGION
          ? []
          : [`health-check alarms must be created in a ${ROUTE53_METRICS_REGION} stack (Route 53 publishes HealthCheckStatus only there), got region '${stackRegion}'`],
    });
    this.alarms = Object.entries(props.healthCheckIds).map(
      ([region, healthCheckId]) =>
        new cloudwatch.Alarm(this, `HealthCheck-${region}`, {
          alarmName: workloadAlarmName(props.naming, region, 'health-check'),
          alarmDescription: `Route 53 health check of ${region}'s /health reports unhealthy`,
          metric: new cloudwatch.Metric({
            namespace: 'AWS/Route53',
            metricName: 'HealthCheckStatus',
            dimensionsMap: { HealthCheckId: healthCheckId },
            statistic: cloudwatch.Stats.MINIMUM,
            period: Duration.minutes(1),
          }),
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          threshold: 1,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.MISSING,
        }),
    );
    for (const alarm of this.alarms) notifyOnAlarmAndOk(alarm, props.topic);
  }
}
