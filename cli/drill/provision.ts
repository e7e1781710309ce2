import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, type AttributeDefinition, type KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { ChangeResourceRecordSetsCommand, CreateHealthCheckCommand, CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { App } from 'aws-cdk-lib';
import { parameterName } from '../../adapters/config-store/app-parameters.codec';
import type { Region } from '../../domain/config';
import type { Resources } from '../../edge/resources.schema';
import { controllerStacks, type ControllerSettings } from '../../infra/controller/controller-stacks';
import { controllerNames, type ControllerNames } from '../../infra/controller/controller-names';
import { referenceSettings } from '../../infra/controller/reference-settings';
import { resolveIntrinsics, workflowFromTemplate, type SynthesizedWorkflow, type TemplateJson } from '../local/local-state-machine';
import { MOTO_ACCOUNT_ID, motoCredentials } from '../local/moto-server';

/**
 * What the drill stands up, read from the SAME synthesized stacks `cdk deploy` would deploy (the
 * reference payments controller of `infra/controller/reference-settings.ts`, configured by
 * `examples/config.json`): event buses, the rules with their exact event patterns and targets
 * (including the cross-region forwarding rule), the FIFO queue and its dead-letter queue, the
 * state table and the failover state machine. The workload's side the controller acts on — the
 * Route 53 weighted records with their health checks and the SSM parameters in every region —
 * comes from the same settings' resource identifiers (`DR_RESOURCES`).
 */

/** Environment name of the drill's deployment: names are `payments-drill-…`. */
export const DRILL_ENV = 'drill';

/**
 * TTL of the weighted records: Route 53 recommends 60 s or less for records with health checks,
 * so clients follow a change within a minute.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-weighted.html#rrsets-values-weighted-ttl
 */
export const RECORD_TTL_SECONDS = 60;

/** One synthesized stack: where it deploys and its template. */
export interface SynthesizedStack {
  readonly name: string;
  readonly region: Region;
  readonly account: string;
  readonly template: TemplateJson;
}

export interface PlannedQueue {
  readonly region: Region;
  readonly name: string;
  /** CreateQueue attributes, as SQS takes them (strings). */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface PlannedTarget {
  readonly id: string;
  readonly arn: string;
  readonly messageGroupId?: string;
  readonly roleArn?: string;
  readonly deadLetterArn?: string;
}

export interface PlannedRule {
  readonly region: Region;
  /** `default` or a custom bus's name. */
  readonly busName: string;
  readonly name: string;
  readonly eventPattern?: Record<string, unknown>;
  readonly scheduleExpression?: string;
  readonly targets: readonly PlannedTarget[];
}

export interface PlannedTable {
  readonly region: Region;
  readonly name: string;
  readonly keySchema: KeySchemaElement[];
  readonly attributeDefinitions: AttributeDefinition[];
}

/** The workload's weighted records: one per region, the active one at weight 100. */
export interface PlannedDns {
  readonly zoneName: string;
  readonly recordName: string;
  readonly recordType: Resources['traffic']['recordType'];
  /** `host`: what the record answers and the health check probes, a stand-in for the region's API host name. */
  readonly records: readonly { readonly region: Region; readonly setIdentifier: string; readonly weight: number; readonly host: string }[];
}

/** Everything the drill creates, and what the templates hold that it does not. */
export interface DrillPlan {
  readonly settings: ControllerSettings;
  readonly names: ControllerNames;
  readonly account: string;
  readonly controllerRegion: Region;
  readonly buses: readonly { readonly region: Region; readonly name: string }[];
  readonly queues: readonly PlannedQueue[];
  readonly tables: readonly PlannedTable[];
  readonly rules: readonly PlannedRule[];
  readonly stateMachine: { readonly region: Region; readonly name: string; readonly arn: string; readonly definition: string; readonly roleArn: string };
  /** The failover state machine of the controller template, ready to run locally. */
  readonly workflow: SynthesizedWorkflow;
  readonly dns: PlannedDns;
  readonly parameters: readonly { readonly region: Region; readonly name: string; readonly value: string }[];
  /** ARN of the tick rule, for the scheduled events the drill injects in its place. */
  readonly tickRuleArn: string;
  /** Resource types in the templates that the drill does not create, e.g. `7 AWS::Lambda::Function`. */
  readonly notCreated: readonly string[];
}

/** Resource types the drill creates; everything else runs in-process or does not apply locally. */
const CREATED_TYPES = new Set(['AWS::Events::EventBus', 'AWS::SQS::Queue', 'AWS::DynamoDB::Table', 'AWS::Events::Rule', 'AWS::StepFunctions::StateMachine']);

/**
 * Synthesize the reference controller's stacks for `envName` with the account moto uses, bundling
 * skipped (the templates do not depend on the bundles; esbuilding ten functions would take longer
 * than the whole drill). The cloud assembly goes to a temporary directory that is removed again.
 *
 * @see https://docs.aws.amazon.com/cdk/v2/guide/bundling.html
 */
export function synthesizeController(envName: string = DRILL_ENV): { settings: ControllerSettings; stacks: SynthesizedStack[] } {
  const settings = referenceSettings(envName, MOTO_ACCOUNT_ID);
  const outdir = mkdtempSync(join(tmpdir(), 'drctl-drill-cdk-'));
  try {
    const app = new App({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
    const { controller, forwarding } = controllerStacks(app, settings);
    const assembly = app.synth();
    const stacks = [controller, ...forwarding].map((stack) => ({
      name: stack.stackName,
      region: stack.region,
      account: stack.account,
      template: assembly.getStackByName(stack.stackName).template as TemplateJson,
    }));
    return { settings, stacks };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Read the drill plan out of the synthesized stacks. */
export function drillPlan(settings: ControllerSettings, stacks: readonly SynthesizedStack[]): DrillPlan {
  const { config, resources, envName } = settings;
  const names = controllerNames(config.app, envName);
  const controller = stacks.find((s) => s.region === resources.controllerRegion);
  if (!controller) throw new Error(`no synthesized stack in the controller region ${resources.controllerRegion}`);
  const account = controller.account;

  const ofType = (type: string) =>
    stacks.flatMap((stack) =>
      Object.entries(stack.template.Resources)
        .filter(([, r]) => r.Type === type)
        .map(([logicalId, r]) => ({ stack, logicalId, properties: r.Properties ?? {} })),
    );

  const queueNames = new Map(ofType('AWS::SQS::Queue').map((q) => [`${q.stack.name}/${q.logicalId}`, String(q.properties.QueueName)]));
  const resolve = (value: unknown, stack: SynthesizedStack) =>
    resolveIntrinsics(value, stack.template, {
      account: stack.account,
      region: stack.region,
      ref: (logicalId) => {
        const type = stack.template.Resources[logicalId]?.Type;
        if (type === 'AWS::Events::EventBus') return String(stack.template.Resources[logicalId]?.Properties?.Name);
        return undefined;
      },
      getAtt: (logicalId, attribute) => {
        const type = stack.template.Resources[logicalId]?.Type;
        if (type === 'AWS::SQS::Queue' && attribute === 'Arn') return `arn:aws:sqs:${stack.region}:${stack.account}:${queueNames.get(`${stack.name}/${logicalId}`)}`;
        if (type === 'AWS::IAM::Role' && attribute === 'Arn') return `arn:aws:iam::${stack.account}:role/${logicalId}`;
        return undefined;
      },
    });

  const queues: PlannedQueue[] = ofType('AWS::SQS::Queue').map(({ stack, properties: p }) => {
    const attributes: Record<string, string> = {};
    if (p.FifoQueue === true) attributes.FifoQueue = 'true';
    if (p.ContentBasedDeduplication === true) attributes.ContentBasedDeduplication = 'true';
    if (typeof p.VisibilityTimeout === 'number') attributes.VisibilityTimeout = String(p.VisibilityTimeout);
    if (typeof p.MessageRetentionPeriod === 'number') attributes.MessageRetentionPeriod = String(p.MessageRetentionPeriod);
    if (p.RedrivePolicy !== undefined) attributes.RedrivePolicy = JSON.stringify(resolve(p.RedrivePolicy, stack));
    return { region: stack.region, name: String(p.QueueName), attributes };
  });
  // A queue's dead-letter queue must exist before the queue that names it.
  queues.sort((a, b) => Number('RedrivePolicy' in a.attributes) - Number('RedrivePolicy' in b.attributes));

  const rules: PlannedRule[] = ofType('AWS::Events::Rule').map(({ stack, properties: p }) => {
    const targets = resolve(p.Targets ?? [], stack) as { Id: string; Arn: string; RoleArn?: string; SqsParameters?: { MessageGroupId?: string }; DeadLetterConfig?: { Arn?: string } }[];
    return {
      region: stack.region,
      busName: p.EventBusName === undefined ? 'default' : String(resolve(p.EventBusName, stack)),
      name: String(p.Name),
      ...(p.EventPattern !== undefined ? { eventPattern: resolve(p.EventPattern, stack) as Record<string, unknown> } : {}),
      ...(typeof p.ScheduleExpression === 'string' ? { scheduleExpression: p.ScheduleExpression } : {}),
      targets: targets.map((t) => ({
        id: t.Id,
        arn: t.Arn,
        ...(t.SqsParameters?.MessageGroupId !== undefined ? { messageGroupId: t.SqsParameters.MessageGroupId } : {}),
        ...(t.RoleArn !== undefined ? { roleArn: t.RoleArn } : {}),
        ...(t.DeadLetterConfig?.Arn !== undefined ? { deadLetterArn: t.DeadLetterConfig.Arn } : {}),
      })),
    };
  });

  const machines = ofType('AWS::StepFunctions::StateMachine');
  const [machine] = machines;
  if (machines.length !== 1 || !machine) throw new Error(`expected one failover state machine in the controller stacks, found ${machines.length}`);
  const workflow = workflowFromTemplate(machine.stack.template, { account, region: machine.stack.region });
  const stateMachineName = String(machine.properties.StateMachineName);

  const zoneName = resources.traffic.recordName.split('.').slice(1).join('.');
  return {
    settings,
    names,
    account,
    controllerRegion: resources.controllerRegion,
    buses: ofType('AWS::Events::EventBus').map(({ stack, properties }) => ({ region: stack.region, name: String(properties.Name) })),
    queues,
    tables: ofType('AWS::DynamoDB::Table').map(({ stack, properties }) => ({
      region: stack.region,
      name: String(properties.TableName),
      keySchema: properties.KeySchema as KeySchemaElement[],
      attributeDefinitions: properties.AttributeDefinitions as AttributeDefinition[],
    })),
    rules,
    stateMachine: {
      region: machine.stack.region,
      name: stateMachineName,
      arn: `arn:aws:states:${machine.stack.region}:${account}:stateMachine:${stateMachineName}`,
      definition: JSON.stringify(workflow.definition),
      roleArn: `arn:aws:iam::${account}:role/${stateMachineName}`,
    },
    workflow,
    dns: {
      zoneName,
      recordName: resources.traffic.recordName,
      recordType: resources.traffic.recordType,
      records: config.regions.map((region) => {
        const setIdentifier = resources.traffic.setIdentifiers[region];
        if (setIdentifier === undefined) throw new Error(`resources.traffic.setIdentifiers has no entry for ${region}; add the SetIdentifier of its weighted record`);
        return { region, setIdentifier, weight: region === config.initialActive ? 100 : 0, host: `${config.app}-${envName}.execute-api.${region}.amazonaws.com` };
      }),
    },
    parameters: config.regions.flatMap((region) => [
      { region, name: parameterName(resources.parameterPrefix, 'activeRegion'), value: config.initialActive },
      { region, name: parameterName(resources.parameterPrefix, 'fenced'), value: 'false' },
    ]),
    tickRuleArn: `arn:aws:events:${resources.controllerRegion}:${account}:rule/${names.prefix}-tick`,
    notCreated: summarizeSkipped(stacks),
  };
}

function summarizeSkipped(stacks: readonly SynthesizedStack[]): string[] {
  const counts = new Map<string, number>();
  for (const stack of stacks) {
    for (const r of Object.values(stack.template.Resources)) if (!CREATED_TYPES.has(r.Type)) counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([type, n]) => `${n} ${type}`);
}

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
 * Create the plan on moto: buses, queues (dead-letter queues first), the state table, the rules
 * with their targets, the state machine, the hosted zone with one health check and one weighted
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
  for (const rule of plan.rules) {
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
            TTL: RECORD_TTL_SECONDS,
            ResourceRecords: [{ Value: record.host }],
            HealthCheckId: healthCheckIds[record.region],
          },
        })),
      },
    }),
  );
  return { hostedZoneId, healthCheckIds };
}
