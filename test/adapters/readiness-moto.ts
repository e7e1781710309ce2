import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateDBClusterCommand, CreateGlobalClusterCommand, RDSClient } from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand, CreateHealthCheckCommand, CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { ReadinessClients } from '../../adapters/readiness/aws-readiness-world.adapter';
import { InMemoryPermissionSimulator } from '../../adapters/readiness/in-memory-permission-simulator.twin';
import type { ControllerConfig } from '../../domain/config';
import { DEFAULT_POLICY } from '../../domain/config';
import type { Resources } from '../../edge/resources.schema';
import type { ReadinessTargets } from '../../handlers/readiness/readiness-setup';
import { arnAccount, stepPermissions } from '../../handlers/readiness/step-permissions';
import { FAILOVER_STEPS } from '../../handlers/steps/step-registry';
import { motoClientConfig, type Moto } from '../support/moto';
import { createStateTable } from '../support/state-table';

export const PRIMARY = 'us-east-1';
export const SECONDARY = 'us-east-2';
export const CONTROLLER = SECONDARY;

/** What one arranged controller on moto is: its settings, its clients and the twin that stands in for IAM's simulator. */
export interface MotoController {
  readonly config: ControllerConfig;
  readonly resources: Resources;
  readonly targets: ReadinessTargets;
  readonly clients: ReadinessClients & { readonly iam: IAMClient };
  readonly permissions: InMemoryPermissionSimulator;
  /** The role each step's function runs with. */
  readonly roles: Readonly<Record<string, string>>;
  destroy(): void;
}

/**
 * Arrange on moto everything a healthy readiness evaluation reads: the global cluster with a
 * primary and a secondary, the prober's and the lag's datapoints, the weighted records with their
 * health checks, the parameters in both regions, the state machine, a function and role per step,
 * the queues and the state table. moto has no SimulatePrincipalPolicy: the steps' roles get the
 * permissions the construct grants in the IAM twin instead.
 */
export async function arrangeMotoController(moto: Moto, now: number): Promise<MotoController> {
  const regional = <T>(build: (region: string) => T) => {
    const cache = new Map<string, T>();
    return (region: string) => {
      if (!cache.has(region)) cache.set(region, build(region));
      return cache.get(region)!;
    };
  };
  const clients = {
    rds: regional((r) => new RDSClient(motoClientConfig(moto, r))),
    cloudWatch: regional((r) => new CloudWatchClient(motoClientConfig(moto, r))),
    ssm: regional((r) => new SSMClient(motoClientConfig(moto, r))),
    route53: new Route53Client(motoClientConfig(moto)),
    stepFunctions: new SFNClient(motoClientConfig(moto, CONTROLLER)),
    lambda: new LambdaClient(motoClientConfig(moto, CONTROLLER)),
    sqs: new SQSClient(motoClientConfig(moto, CONTROLLER)),
    dynamodb: new DynamoDBClient(motoClientConfig(moto, CONTROLLER)),
    iam: new IAMClient(motoClientConfig(moto)),
  };
  const app = 'payments';
  const config: ControllerConfig = {
    app,
    regions: [PRIMARY, SECONDARY],
    initialActive: PRIMARY,
    signals: [PRIMARY, SECONDARY].flatMap((region) => [
      { alarmName: `${app}-${region}-probe`, region, kind: 'probe' as const, critical: true },
      { alarmName: `${app}-${region}-health-check`, region, kind: 'health-check' as const, critical: true },
    ]),
    policy: DEFAULT_POLICY,
  };

  const globalClusterIdentifier = 'payments-global';
  await clients.rds(PRIMARY).send(new CreateGlobalClusterCommand({ GlobalClusterIdentifier: globalClusterIdentifier, Engine: 'aurora-postgresql', EngineVersion: '16.4' }));
  const clusterArns: Record<string, string> = {};
  for (const region of [PRIMARY, SECONDARY]) {
    const created = await clients.rds(region).send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: `payments-${region}`,
        Engine: 'aurora-postgresql',
        EngineVersion: '16.4',
        GlobalClusterIdentifier: globalClusterIdentifier,
        ...(region === PRIMARY ? { MasterUsername: 'dradmin', MasterUserPassword: 'not-a-secret-1' } : {}),
      }),
    );
    clusterArns[region] = created.DBCluster?.DBClusterArn ?? '';
  }
  await clients.cloudWatch(SECONDARY).send(
    new PutMetricDataCommand({
      Namespace: 'AWS/RDS',
      MetricData: [{ MetricName: 'AuroraGlobalDBRPOLag', Dimensions: [{ Name: 'DBClusterIdentifier', Value: `payments-${SECONDARY}` }], Value: 800, Unit: 'Milliseconds', Timestamp: new Date(now - 30_000) }],
    }),
  );
  await clients.cloudWatch(PRIMARY).send(
    new PutMetricDataCommand({
      Namespace: 'AWS/RDS',
      MetricData: [{ MetricName: 'AuroraGlobalDBRPOLag', Dimensions: [{ Name: 'DBClusterIdentifier', Value: `payments-${PRIMARY}` }], Value: 500, Unit: 'Milliseconds', Timestamp: new Date(now - 30_000) }],
    }),
  );
  await putProbe(clients.cloudWatch(CONTROLLER), [PRIMARY, SECONDARY], true, now - 20_000);

  const zone = await clients.route53.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `zone-${now}` }));
  const hostedZoneId = (zone.HostedZone?.Id ?? '').replace('/hostedzone/', '');
  const recordName = 'api.example.com';
  const healthCheckIds: Record<string, string> = {};
  for (const region of [PRIMARY, SECONDARY]) {
    const check = await clients.route53.send(
      new CreateHealthCheckCommand({ CallerReference: `hc-${now}-${region}`, HealthCheckConfig: { Type: 'HTTPS', FullyQualifiedDomainName: `${region}.${recordName}`, Port: 443, ResourcePath: '/health' } }),
    );
    healthCheckIds[region] = check.HealthCheck?.Id ?? '';
  }
  await setWeights(clients.route53, hostedZoneId, recordName, healthCheckIds, { [PRIMARY]: 100, [SECONDARY]: 0 });
  const parameterPrefix = '/payments/dev';
  for (const region of [PRIMARY, SECONDARY]) {
    await clients.ssm(region).send(new PutParameterCommand({ Name: `${parameterPrefix}/active-region`, Value: PRIMARY, Type: 'String', Overwrite: true }));
    await clients.ssm(region).send(new PutParameterCommand({ Name: `${parameterPrefix}/fenced`, Value: 'false', Type: 'String', Overwrite: true }));
  }

  const roles: Record<string, string> = {};
  const stepFunctions: Record<string, string> = {};
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  for (const step of FAILOVER_STEPS) {
    const role = await clients.iam.send(new CreateRoleCommand({ RoleName: `payments-${step}`, AssumeRolePolicyDocument: trust }));
    roles[step] = role.Role?.Arn ?? '';
    const fn = await clients.lambda.send(
      new CreateFunctionCommand({ FunctionName: `payments-dev-${step}`, Runtime: 'nodejs22.x', Role: roles[step], Handler: 'index.handler', Code: { ZipFile: EMPTY_ZIP } }),
    );
    stepFunctions[step] = fn.FunctionName ?? '';
  }
  const machine = await clients.stepFunctions.send(
    new CreateStateMachineCommand({ name: 'payments-dev-failover', roleArn: roles.preflight, definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }) }),
  );
  const queue = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'payments-dev-controller.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } }));
  const dlq = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'payments-dev-controller-dlq.fifo', Attributes: { FifoQueue: 'true' } }));
  const tableName = 'payments-dev-controller-state';
  await createStateTable(clients.dynamodb, tableName);

  const resources: Resources = {
    stateTableName: tableName,
    controllerBusName: 'payments-dev-controller',
    controllerRegion: CONTROLLER,
    stateMachineArn: machine.stateMachineArn ?? '',
    parameterPrefix,
    database: { globalClusterIdentifier, clusterArns },
    traffic: { hostedZoneId, recordName, recordType: 'A', setIdentifiers: { [PRIMARY]: PRIMARY, [SECONDARY]: SECONDARY }, healthCheckIds },
  };
  const permissions = new InMemoryPermissionSimulator();
  const { partition, account } = arnAccount(resources.stateMachineArn!);
  for (const p of stepPermissions(config, resources, partition, account)) permissions.allow(roles[p.step]!, p.actions, p.resources);
  return {
    config,
    resources,
    targets: { stepFunctions, queueUrl: queue.QueueUrl ?? '', deadLetterQueueUrl: dlq.QueueUrl ?? '' },
    clients,
    permissions,
    roles,
    destroy: () => {
      for (const r of [PRIMARY, SECONDARY]) for (const c of [clients.rds(r), clients.cloudWatch(r), clients.ssm(r)]) c.destroy();
      for (const c of [clients.route53, clients.stepFunctions, clients.lambda, clients.sqs, clients.dynamodb, clients.iam]) c.destroy();
    },
  };
}

/** The prober's datapoint, as `handlers/prober/probe-metrics.ts` publishes it. */
export async function putProbe(cloudWatch: CloudWatchClient, regions: readonly string[], success: boolean, at: number): Promise<void> {
  await cloudWatch.send(
    new PutMetricDataCommand({
      Namespace: 'DrController',
      MetricData: regions.map((region) => ({ MetricName: 'ProbeSuccess', Dimensions: [{ Name: 'Region', Value: region }], Value: success ? 1 : 0, Unit: 'Count', StorageResolution: 1, Timestamp: new Date(at) })),
    }),
  );
}

/** UPSERT the weighted A records with these weights (what the controller or a person's edit does). */
export async function setWeights(route53: Route53Client, hostedZoneId: string, recordName: string, healthCheckIds: Record<string, string>, weights: Record<string, number>): Promise<void> {
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: hostedZoneId,
      ChangeBatch: {
        Changes: Object.entries(weights).map(([region, weight], i) => ({
          Action: 'UPSERT' as const,
          ResourceRecordSet: { Name: recordName, Type: 'A' as const, SetIdentifier: region, Weight: weight, TTL: 30, ResourceRecords: [{ Value: `192.0.2.${44 + i}` }], HealthCheckId: healthCheckIds[region] },
        })),
      },
    }),
  );
}

/** The smallest valid zip archive (no entries): moto stores the code, it never runs it. */
const EMPTY_ZIP = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);
