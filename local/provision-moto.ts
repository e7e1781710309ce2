import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { ChangeResourceRecordSetsCommand, CreateHealthCheckCommand, CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Region } from '../domain/config';
import type { Resources } from '../edge/resources.schema';
import { crossRegionBus } from './event-routing';
import { motoCredentials } from './moto-server';
import type { DrillPlan, PlannedDns } from './plan';

/**
 * The plan created on moto_server with its own SDK clients: what a deployment's CloudFormation
 * would create, in the order it needs.
 */

/** SDK clients for one moto endpoint, one per service and region, made on first use. */
export class MotoClients {
  private readonly made = new Map<string, { destroy(): void }>();

  constructor(readonly endpoint: string) {}

  /**
   * Settings for moto: one attempt (moto answers on 127.0.0.1 or not at all) and its fixed credentials.
   * @see https://docs.getmoto.org/en/latest/docs/server_mode.html
   */
  config(region: Region) {
    return { endpoint: this.endpoint, region, credentials: motoCredentials, maxAttempts: 1 } as const;
  }

  eventBridge = (region: Region) => this.once(`events:${region}`, () => new EventBridgeClient(this.config(region)));
  sqs = (region: Region) => this.once(`sqs:${region}`, () => new SQSClient(this.config(region)));
  dynamodb = (region: Region) => this.once(`dynamodb:${region}`, () => new DynamoDBClient(this.config(region)));
  ssm = (region: Region) => this.once(`ssm:${region}`, () => new SSMClient(this.config(region)));
  sfn = (region: Region) => this.once(`sfn:${region}`, () => new SFNClient(this.config(region)));
  /** Route 53 is global; its API is signed for us-east-1. @see https://docs.aws.amazon.com/general/latest/gr/r53.html */
  route53 = () => this.once('route53', () => new Route53Client(this.config('us-east-1')));

  destroy(): void {
    for (const client of this.made.values()) client.destroy();
    this.made.clear();
  }

  private once<T extends { destroy(): void }>(key: string, make: () => T): T {
    if (!this.made.has(key)) this.made.set(key, make());
    return this.made.get(key) as T;
  }
}

/** What moto generated while provisioning: the ids the controller's resources must name. */
export interface Provisioned {
  /** The settings' resources with moto's hosted zone and health-check ids, the state machine and the DLQ. */
  readonly resources: Resources;
  readonly queueUrls: Readonly<Record<string, string>>;
  readonly hostedZoneId: string;
}

/**
 * Create the plan on moto: buses, queues (dead-letter queues first), the state table, the
 * event-pattern rules with their targets (schedule rules are the drill's to fire), the state machine, the hosted zone with one health check and one weighted
 * record per region, and the SSM parameters in every region.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html
 */
export async function provisionMoto(plan: DrillPlan, clients: MotoClients, runId: string): Promise<Provisioned> {
  await Promise.all(plan.buses.map(({ region, name }) => clients.eventBridge(region).send(new CreateEventBusCommand({ Name: name }))));
  const queueUrls: Record<string, string> = {};
  for (const queue of plan.queues) {
    const out = await clients.sqs(queue.region).send(new CreateQueueCommand({ QueueName: queue.name, Attributes: { ...queue.attributes } }));
    queueUrls[queue.name] = out.QueueUrl ?? '';
  }
  await Promise.all(
    plan.tables.map((table) =>
      clients.dynamodb(table.region).send(
        new CreateTableCommand({ TableName: table.name, KeySchema: table.keySchema, AttributeDefinitions: table.attributeDefinitions, BillingMode: 'PAY_PER_REQUEST' }),
      ),
    ),
  );
  // Schedule rules are fired by the drill itself: moto never fires them, and it would match a rule
  // without an event pattern against every event put on its bus (sending alarms to the prober's
  // function, which it cannot invoke, and to the heartbeat's bus).
  // Targets that are a bus in another region are left out too: moto's cross-region bus target drops
  // the event's resources and time, which the controller's rules match on; MotoEnvironment.putEvents
  // makes that hop itself.
  for (const planned of plan.rules.filter((r) => r.scheduleExpression === undefined)) {
    const rule = { ...planned, targets: planned.targets.filter((t) => crossRegionBus(t.arn, planned.region) === undefined) };
    if (rule.targets.length === 0) continue;
    const events = clients.eventBridge(rule.region);
    const bus = rule.busName === 'default' ? {} : { EventBusName: rule.busName };
    await events.send(
      new PutRuleCommand({
        Name: rule.name,
        ...bus,
        ...(rule.eventPattern !== undefined ? { EventPattern: JSON.stringify(rule.eventPattern) } : {}),
        ...(rule.scheduleExpression !== undefined ? { ScheduleExpression: rule.scheduleExpression } : {}),
        State: 'ENABLED',
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: rule.name,
        ...bus,
        Targets: rule.targets.map((t) => ({
          Id: t.id,
          Arn: t.arn,
          ...(t.messageGroupId !== undefined ? { SqsParameters: { MessageGroupId: t.messageGroupId } } : {}),
          ...(t.roleArn !== undefined ? { RoleArn: t.roleArn } : {}),
          ...(t.deadLetterArn !== undefined ? { DeadLetterConfig: { Arn: t.deadLetterArn } } : {}),
        })),
      }),
    );
  }
  const sm = plan.stateMachine;
  const created = await clients.sfn(sm.region).send(new CreateStateMachineCommand({ name: sm.name, definition: sm.definition, roleArn: sm.roleArn, type: 'STANDARD' }));
  const { hostedZoneId, healthCheckIds } = await provisionDns(plan.dns, clients.route53(), runId);
  await Promise.all(plan.parameters.map((p) => clients.ssm(p.region).send(new PutParameterCommand({ Name: p.name, Value: p.value, Type: 'String', Overwrite: true }))));

  const { resources } = plan.settings;
  return {
    resources: {
      ...resources,
      stateMachineArn: created.stateMachineArn ?? sm.arn,
      deadLetterQueueUrl: queueUrls[plan.names.deadLetterQueueName] ?? '',
      traffic: { ...resources.traffic, hostedZoneId, healthCheckIds },
    },
    queueUrls,
    hostedZoneId,
  };
}

async function provisionDns(dns: PlannedDns, route53: Route53Client, runId: string): Promise<{ hostedZoneId: string; healthCheckIds: Record<Region, string> }> {
  const zone = await route53.send(new CreateHostedZoneCommand({ Name: dns.zoneName, CallerReference: `drctl-drill-${runId}` }));
  const hostedZoneId = (zone.HostedZone?.Id ?? '').replace(/^\/hostedzone\//, '');
  const healthCheckIds: Record<Region, string> = {};
  for (const record of dns.records) {
    const check = await route53.send(
      new CreateHealthCheckCommand({
        CallerReference: `drctl-drill-${runId}-${record.region}`,
        HealthCheckConfig: { Type: 'HTTPS', FullyQualifiedDomainName: record.host, Port: 443, ResourcePath: '/prod/health', RequestInterval: 30, FailureThreshold: 3 },
      }),
    );
    healthCheckIds[record.region] = check.HealthCheck?.Id ?? '';
  }
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: hostedZoneId,
      ChangeBatch: {
        Comment: 'drctl drill: the workload weighted records',
        Changes: dns.records.map((record) => ({
          Action: 'CREATE' as const,
          ResourceRecordSet: {
            Name: dns.recordName,
            Type: dns.recordType,
            SetIdentifier: record.setIdentifier,
            Weight: record.weight,
            TTL: dns.ttlSeconds,
            ResourceRecords: [{ Value: record.host }],
            HealthCheckId: healthCheckIds[record.region],
          },
        })),
      },
    }),
  );
  return { hostedZoneId, healthCheckIds };
}
