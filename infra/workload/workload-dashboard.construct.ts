import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { Region } from '../../domain/config';
import { PAYMENT_FUNCTIONS, type PaymentFunctionName } from './payment-functions.construct';

/** Where the DR controller runs and what its resources are called; the dashboard reads its metrics there. */
export interface ControllerMetricsSource {
  readonly region: Region;
  /** `<app>-<envName>-controller.fifo` */
  readonly queueName: string;
  /** `<app>-<envName>-controller-dlq.fifo` */
  readonly deadLetterQueueName: string;
  /** `<app>-<envName>-failover` */
  readonly stateMachineName: string;
}

/** CloudWatch namespace of the DR controller's own metrics. */
export const CONTROLLER_METRICS_NAMESPACE = 'DrController';

/** Props of {@link WorkloadDashboard}. */
export interface WorkloadDashboardProps {
  readonly dashboardName: string;
  readonly apiName: string;
  readonly functionNames: Readonly<Record<PaymentFunctionName, string>>;
  readonly clusterIdentifier: string;
  readonly sessionsTableName: string;
  /** The region's alarms, shown as a status strip at the top. */
  readonly alarms: readonly cloudwatch.IAlarm[];
  readonly controller: ControllerMetricsSource;
}

const PERIOD = Duration.minutes(1);

/**
 * A region's dashboard: alarm status; database connections and Aurora global replication lag;
 * API latency and 4xx/5xx; Lambda invocations and errors; DynamoDB consumed capacity; and a
 * controller panel read from the controller's region (decisions by action, failovers
 * started/completed/halted, queue and DLQ depth, failover workflow runs).
 *
 * Controller metrics are found with SEARCH expressions on namespace and metric name, so they show
 * whatever dimensions the controller adds (Powertools adds `service`; decisions carry `action`).
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cross_region_dashboard.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html
 */
export class WorkloadDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: WorkloadDashboardProps) {
    super(scope, id);
    const metric = (namespace: string, metricName: string, dimensionsMap: Record<string, string>, statistic: string, label?: string, region?: Region) =>
      new cloudwatch.Metric({ namespace, metricName, dimensionsMap, statistic, label, region, period: PERIOD });
    const graph = (title: string, left: cloudwatch.IMetric[], width = 8) => new cloudwatch.GraphWidget({ title, left, width, height: 6 });

    const rds = (metricName: string, statistic: string, label?: string) =>
      metric('AWS/RDS', metricName, { DBClusterIdentifier: props.clusterIdentifier }, statistic, label);
    const api = (metricName: string, statistic: string, label?: string) => metric('AWS/ApiGateway', metricName, { ApiName: props.apiName }, statistic, label);
    const lambda = (metricName: string) =>
      PAYMENT_FUNCTIONS.map((fn) => metric('AWS/Lambda', metricName, { FunctionName: props.functionNames[fn] }, cloudwatch.Stats.SUM, fn));
    const dynamo = (metricName: string, label: string) =>
      metric('AWS/DynamoDB', metricName, { TableName: props.sessionsTableName }, cloudwatch.Stats.SUM, label);

    const { controller } = props;
    const search = (metricName: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('Namespace="${CONTROLLER_METRICS_NAMESPACE}" MetricName="${metricName}"', 'Sum', ${PERIOD.toSeconds()})`,
        label,
        searchRegion: controller.region,
        usingMetrics: {},
        period: PERIOD,
      });
    const sqs = (queueName: string, label: string) =>
      metric('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: queueName }, cloudwatch.Stats.MAXIMUM, label, controller.region);
    const stateMachineArn = Stack.of(this).formatArn({
      service: 'states',
      region: controller.region,
      resource: 'stateMachine',
      resourceName: controller.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const executions = (metricName: string) =>
      metric('AWS/States', metricName, { StateMachineArn: stateMachineArn }, cloudwatch.Stats.SUM, metricName.replace('Executions', ''), controller.region);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 3 })],
        [
          graph('Database connections', [rds('DatabaseConnections', cloudwatch.Stats.SUM, 'connections')]),
          graph('Replication lag (ms)', [rds('AuroraGlobalDBReplicationLag', cloudwatch.Stats.MAXIMUM, 'global replication lag')]),
          graph('API latency (ms)', [api('Latency', cloudwatch.Stats.p(99), 'p99'), api('Latency', cloudwatch.Stats.AVERAGE, 'average')]),
        ],
        [
          graph('API errors', [api('4XXError', cloudwatch.Stats.SUM, '4xx'), api('5XXError', cloudwatch.Stats.SUM, '5xx')]),
          graph('Lambda invocations', lambda('Invocations')),
          graph('Lambda errors', lambda('Errors')),
        ],
        [
          graph('DynamoDB capacity (sessions)', [dynamo('ConsumedReadCapacityUnits', 'read'), dynamo('ConsumedWriteCapacityUnits', 'write')], 24),
        ],
        [new cloudwatch.TextWidget({ markdown: `## DR controller (${controller.region})`, width: 24, height: 1 })],
        [
          graph('Controller decisions by action', [search('Decisions', 'decisions')], 6),
          graph(
            'Failovers',
            [search('FailoversStarted', 'started'), search('FailoversCompleted', 'completed'), search('FailoversHalted', 'halted')],
            6,
          ),
          graph('Controller queue / DLQ depth', [sqs(controller.queueName, 'queue'), sqs(controller.deadLetterQueueName, 'dead-letter queue')], 6),
          graph(
            'Failover workflow runs',
            ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'].map(executions),
            6,
          ),
        ],
      ],
    });
  }
}
