import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeDBClustersCommand, DescribeGlobalClustersCommand, type GlobalCluster, type RDSClient } from '@aws-sdk/client-rds';
import { GetHealthCheckCommand, ListResourceRecordSetsCommand, type Route53Client, type RRType } from '@aws-sdk/client-route-53';
import { DescribeStateMachineCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Region } from '../../domain/config';
import type { AlarmState } from '../../domain/events';
import type {
  ControllerPlumbingView,
  DatabaseMemberView,
  GlobalDatabaseView,
  Observed,
  PermissionView,
  ProbeView,
  QueueView,
  ReadinessObservations,
  ReadinessWorld,
  WeightedRecordView,
  WorkflowView,
} from '../../domain/ports/readiness-world.port';
import { SsmConfigStore } from '../config-store/ssm-config-store.adapter';
import { AuroraGlobalDatabase } from '../database/aurora-global-database.adapter';
import { isTransient, toAdapterError } from '../errors';
import { newestDatapoint, newestDatapointsQuery } from '../newest-datapoints';
import type { PermissionSimulator, RequiredPermission } from './permission-simulator';

/** The SDK clients readiness reads with; the regional ones are built by the caller, once per region. */
export interface ReadinessClients {
  readonly rds: (region: Region) => RDSClient;
  readonly cloudWatch: (region: Region) => CloudWatchClient;
  readonly ssm: (region: Region) => SSMClient;
  readonly route53: Route53Client;
  /** In the controller region, like the Lambda, SQS and DynamoDB clients. */
  readonly stepFunctions: SFNClient;
  readonly lambda: LambdaClient;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
}

export interface AwsReadinessWorldOptions {
  readonly clients: ReadinessClients;
  /** IAM's policy simulator (`IamPermissionSimulator`) or its twin where IAM cannot simulate (moto). */
  readonly permissions: PermissionSimulator;
  readonly regions: readonly Region[];
  readonly controllerRegion: Region;
  readonly database: { readonly globalClusterIdentifier: string; readonly clusterArns: Readonly<Record<Region, string>> };
  readonly traffic: {
    readonly hostedZoneId: string;
    readonly recordName: string;
    readonly recordType: RRType;
    readonly setIdentifiers: Readonly<Record<Region, string>>;
    readonly healthCheckIds: Readonly<Record<Region, string>>;
  };
  readonly parameterPrefix: string;
  /** Region → name of its probe alarm (in the controller region); only regions with a probe signal. */
  readonly probeAlarms: Readonly<Record<Region, string>>;
  readonly stateMachineArn: string;
  /** Step → name (or ARN) of its Lambda function. */
  readonly stepFunctions: Readonly<Record<string, string>>;
  readonly requiredPermissions: readonly RequiredPermission[];
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly tableName: string;
  /**
   * How far back the prober's newest `ProbeSuccess` datapoint is looked for.
   * @default 300
   */
  readonly probeLookbackSeconds?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** The prober's metric (handlers/prober/probe-loop.ts `PROBE_METRIC`; adapters may not import handlers). */
const PROBE_METRIC = { namespace: 'DrController', metricName: 'ProbeSuccess', regionDimension: 'Region' } as const;
const PROBE_PERIOD_SECONDS = 10;

const ALARM_STATES: ReadonlySet<string> = new Set<AlarmState>(['OK', 'ALARM', 'INSUFFICIENT_DATA']);

/** The error's `name`, or that of an adapter error's SDK `cause`. */
function errorName(error: unknown): string | undefined {
  const e = error as { name?: unknown; cause?: unknown } | null;
  const cause = e?.cause as { name?: unknown } | undefined;
  if (typeof cause?.name === 'string') return cause.name;
  return typeof e?.name === 'string' ? e.name : undefined;
}

/** Run one read; its failure becomes `{ ok: false, error }` with the adapter error's message. */
async function observe<T>(context: string, read: () => Promise<T>): Promise<Observed<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, error: toAdapterError(error, context).message };
  }
}

/** The last path segment of a queue URL: its name. */
const queueNameOf = (url: string) => url.split('/').pop() ?? url;

/**
 * {@link ReadinessWorld} on AWS, each part read on its own and in parallel, so one region or
 * service that does not answer leaves only its own part unread:
 * - RDS `DescribeGlobalClusters` (asked in each region in turn until one answers; filtered by
 *   identifier client-side) and `DescribeDBClusters` in each member's region for its `EngineVersion`;
 * - replication lag through {@link AuroraGlobalDatabase.replicationLagSeconds} (CloudWatch
 *   `GetMetricData` in the member's region);
 * - the prober's newest `ProbeSuccess` (`GetMetricData`) and probe alarm (`DescribeAlarms`) in the
 *   controller region;
 * - Route 53 `ListResourceRecordSets` and `GetHealthCheck`; SSM `GetParameters` per region;
 * - Step Functions `DescribeStateMachine`, Lambda `GetFunctionConfiguration` per step (its `Role`
 *   is the principal simulated: the role the function really runs with), IAM
 *   `SimulatePrincipalPolicy` through the {@link PermissionSimulator};
 * - SQS `GetQueueAttributes` and DynamoDB `DescribeTable`.
 *
 * `GetFunctionConfiguration` rather than `GetFunction`: the same configuration without a
 * presigned link to the code, so the role needs no access to code.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeGlobalClusters.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusters.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHealthCheck.html
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeStateMachine.html
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConfiguration.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html
 */
export class AwsReadinessWorld implements ReadinessWorld {
  private readonly now: () => number;
  private readonly lag: AuroraGlobalDatabase;
  private readonly parameters: SsmConfigStore;

  constructor(private readonly options: AwsReadinessWorldOptions) {
    this.now = options.now ?? Date.now;
    this.lag = new AuroraGlobalDatabase({
      rdsFor: options.clients.rds,
      cloudWatchFor: options.clients.cloudWatch,
      globalClusterIdentifier: options.database.globalClusterIdentifier,
      clusterArns: options.database.clusterArns,
      maxAttempts: 1,
      now: this.now,
    });
    this.parameters = new SsmConfigStore({ clientFor: options.clients.ssm, parameterPrefix: options.parameterPrefix });
  }

  async observe(): Promise<ReadinessObservations> {
    const { regions, traffic } = this.options;
    const observedAt = this.now();
    const perRegion = async <T>(list: readonly string[], read: (key: string) => Promise<Observed<T>>) =>
      Object.fromEntries(await Promise.all(list.map(async (key) => [key, await read(key)] as const)));
    const healthCheckIds = [...new Set(Object.values(traffic.healthCheckIds))];
    const workflowPromise = observe('reading the failover workflow', () => this.workflow());
    const [database, lagSeconds, probes, records, healthChecks, parameters, workflow, plumbing] = await Promise.all([
      observe('reading the global database', () => this.database()),
      perRegion(regions, (region) => observe(`reading the replication lag of ${region}`, () => this.lag.replicationLagSeconds(region))),
      this.probes(observedAt),
      observe('reading the weighted records', () => this.records()),
      perRegion(healthCheckIds, (id) => observe(`route53 GetHealthCheck ${id}`, () => this.healthCheckExists(id))),
      perRegion(regions, (region) => observe(`reading the parameters in ${region}`, () => this.parameters.read(region))),
      workflowPromise,
      observe('reading the controller queues and table', () => this.plumbing()),
    ]);
    const permissions = await observe('simulating the steps\' permissions', () => this.permissions(workflow));
    return { observedAt, database, lagSeconds, probes, records, healthChecks, parameters, workflow, permissions, plumbing };
  }

  private async database(): Promise<GlobalDatabaseView> {
    const { clusterArns } = this.options.database;
    const cluster = await this.globalCluster();
    const regionOf = (arn: string) => Object.entries(clusterArns).find(([, a]) => a === arn)?.[0] ?? arn.split(':')[3] ?? '';
    const members = await Promise.all(
      (cluster.GlobalClusterMembers ?? []).map(async (m): Promise<DatabaseMemberView> => {
        const clusterArn = m.DBClusterArn ?? '';
        const region = regionOf(clusterArn);
        const engineVersion = await this.options.clients
          .rds(region)
          .send(new DescribeDBClustersCommand({ DBClusterIdentifier: clusterArn }))
          .then((out) => out.DBClusters?.find((c) => c.DBClusterArn === clusterArn)?.EngineVersion ?? out.DBClusters?.[0]?.EngineVersion)
          .catch(() => undefined);
        return {
          region,
          clusterArn,
          isWriter: m.IsWriter === true,
          ...(m.SynchronizationStatus ? { synchronizationStatus: m.SynchronizationStatus } : {}),
          ...(engineVersion !== undefined ? { engineVersion } : {}),
        };
      }),
    );
    return { ...(cluster.EngineVersion !== undefined ? { engineVersion: cluster.EngineVersion } : {}), members };
  }

  /** The global cluster, from the first region that answers (the others may be the one that is down). */
  private async globalCluster(): Promise<GlobalCluster> {
    const { globalClusterIdentifier } = this.options.database;
    const wanted = globalClusterIdentifier.toLowerCase();
    let lastError: unknown;
    for (const region of this.options.regions) {
      let output;
      try {
        output = await this.options.clients.rds(region).send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalClusterIdentifier }));
      } catch (error) {
        lastError = toAdapterError(error, `rds DescribeGlobalClusters in ${region}`);
        if (isTransient(error) || errorName(error) === 'TimeoutError') continue;
        throw lastError;
      }
      const found = output.GlobalClusters?.find((c) => c.GlobalClusterIdentifier?.toLowerCase() === wanted);
      if (!found) throw new Error(`global cluster "${globalClusterIdentifier}" not found (asked in ${region})`);
      return found;
    }
    throw lastError ?? new Error('no region to ask for the global cluster');
  }

  /** Newest `ProbeSuccess` per probed region, and each probe alarm's state, in the controller region. */
  private async probes(now: number): Promise<Record<Region, Observed<ProbeView>>> {
    const regions = Object.keys(this.options.probeAlarms);
    if (regions.length === 0) return {};
    const client = this.options.clients.cloudWatch(this.options.controllerRegion);
    const lookbackMs = (this.options.probeLookbackSeconds ?? 300) * 1000;
    const [metrics, alarms] = await Promise.all([
      observe(`cloudwatch GetMetricData ${PROBE_METRIC.metricName} in ${this.options.controllerRegion}`, () =>
        client.send(
          newestDatapointsQuery(
            now,
            lookbackMs,
            regions.map((region, i) => ({
              id: `probe${i}`,
              namespace: PROBE_METRIC.namespace,
              metricName: PROBE_METRIC.metricName,
              dimensions: { [PROBE_METRIC.regionDimension]: region },
              periodSeconds: PROBE_PERIOD_SECONDS,
            })),
          ),
        ),
      ),
      observe(`cloudwatch DescribeAlarms in ${this.options.controllerRegion}`, () =>
        client.send(new DescribeAlarmsCommand({ AlarmNames: regions.map((r) => this.options.probeAlarms[r]!), AlarmTypes: ['MetricAlarm'] })),
      ),
    ]);
    return Object.fromEntries(
      regions.map((region, i): [Region, Observed<ProbeView>] => {
        if (!metrics.ok) return [region, metrics];
        const newest = newestDatapoint(metrics.value, `probe${i}`);
        const value = newest?.value;
        const at = newest?.at;
        const state = alarms.ok ? alarms.value.MetricAlarms?.find((a) => a.AlarmName === this.options.probeAlarms[region])?.StateValue : undefined;
        return [
          region,
          {
            ok: true,
            value: {
              ...(value !== undefined && at !== undefined ? { latest: { success: value >= 1, at: at + PROBE_PERIOD_SECONDS * 1000 } } : {}),
              ...(state !== undefined && ALARM_STATES.has(state) ? { alarmState: state as AlarmState } : {}),
            },
          },
        ];
      }),
    );
  }

  /**
   * The app's weighted records. One page from the name and type holds them all (at most 100
   * weighted records share a name and type); names compare without the trailing dot, case-insensitively.
   */
  private async records(): Promise<WeightedRecordView[]> {
    const { hostedZoneId, recordName, recordType, setIdentifiers } = this.options.traffic;
    const out = await this.options.clients.route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: hostedZoneId, StartRecordName: recordName, StartRecordType: recordType, MaxItems: 300 }),
    );
    const normalize = (name: string | undefined) => (name ?? '').toLowerCase().replace(/\.$/, '');
    return (out.ResourceRecordSets ?? [])
      .filter((r) => r.Type === recordType && normalize(r.Name) === normalize(recordName) && r.Weight !== undefined && r.SetIdentifier !== undefined)
      .map((r) => {
        const region = Object.entries(setIdentifiers).find(([, id]) => id === r.SetIdentifier)?.[0];
        return {
          ...(region !== undefined ? { region } : {}),
          setIdentifier: r.SetIdentifier!,
          weight: r.Weight!,
          ...(r.HealthCheckId !== undefined ? { healthCheckId: r.HealthCheckId } : {}),
        };
      });
  }

  private async healthCheckExists(id: string): Promise<boolean> {
    try {
      await this.options.clients.route53.send(new GetHealthCheckCommand({ HealthCheckId: id }));
      return true;
    } catch (error) {
      if (errorName(error) === 'NoSuchHealthCheck') return false;
      throw error;
    }
  }

  private async workflow(): Promise<WorkflowView> {
    const { clients, stateMachineArn, stepFunctions } = this.options;
    const [stateMachineStatus, steps] = await Promise.all([
      clients.stepFunctions.send(new DescribeStateMachineCommand({ stateMachineArn })).then(
        (out) => out.status ?? 'ACTIVE',
        (error: unknown) => {
          if (errorName(error) === 'StateMachineDoesNotExist') return undefined;
          throw error;
        },
      ),
      Promise.all(
        Object.entries(stepFunctions).map(([step, functionName]) =>
          clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName })).then(
            (out) => ({ step, exists: true, ...(out.State ? { state: out.State } : {}), ...(out.Role ? { roleArn: out.Role } : {}) }),
            (error: unknown) => {
              if (errorName(error) === 'ResourceNotFoundException') return { step, exists: false };
              throw error;
            },
          ),
        ),
      ),
    ]);
    return { ...(stateMachineStatus !== undefined ? { stateMachineStatus } : {}), steps };
  }

  /** Every required permission, simulated with the role its step's function runs with. */
  private async permissions(workflow: Observed<WorkflowView>): Promise<PermissionView[]> {
    const out: PermissionView[] = [];
    for (const required of this.options.requiredPermissions) {
      const role = workflow.ok ? workflow.value.steps.find((s) => s.step === required.step)?.roleArn : undefined;
      if (role === undefined) {
        const why = workflow.ok ? `the ${required.step} function or its role was not found` : 'the workflow could not be read';
        for (const action of required.actions) for (const resource of required.resources) out.push({ step: required.step, action, resource, decision: 'not-simulated', detail: why });
        continue;
      }
      const simulated = await this.options.permissions.simulate(role, required.actions, required.resources);
      out.push(...simulated.map((s) => ({ step: required.step, action: s.action, resource: s.resource, decision: s.decision })));
    }
    return out;
  }

  private async plumbing(): Promise<ControllerPlumbingView> {
    const { clients, queueUrl, deadLetterQueueUrl, tableName } = this.options;
    const queue = (url: string): Promise<QueueView> =>
      clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] })).then(
        (out) => ({ name: queueNameOf(url), exists: true, visibleMessages: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) }),
        (error: unknown) => {
          const name = errorName(error);
          if (name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue') return { name: queueNameOf(url), exists: false };
          throw error;
        },
      );
    const table = clients.dynamodb.send(new DescribeTableCommand({ TableName: tableName })).then(
      (out) => ({ name: tableName, exists: true, ...(out.Table?.TableStatus ? { status: out.Table.TableStatus } : {}) }),
      (error: unknown) => {
        if (errorName(error) === 'ResourceNotFoundException') return { name: tableName, exists: false };
        throw error;
      },
    );
    const [q, dlq, t] = await Promise.all([queue(queueUrl), queue(deadLetterQueueUrl), table]);
    return { queue: q, deadLetterQueue: dlq, table: t };
  }
}
