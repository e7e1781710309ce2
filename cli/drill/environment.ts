import { createHash, randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { InMemoryConfigStore } from '../../adapters/config-store/in-memory-config-store.twin';
import { SsmConfigStore } from '../../adapters/config-store/ssm-config-store.adapter';
import { InMemoryDeadLetters } from '../../adapters/dead-letters/in-memory-dead-letters.twin';
import { SqsDeadLetters } from '../../adapters/dead-letters/sqs-dead-letters.adapter';
import { EventBridgePublisher } from '../../adapters/publisher/eventbridge-publisher.adapter';
import { InMemoryPublisher } from '../../adapters/publisher/in-memory-publisher.twin';
import { DynamoDbStateStore } from '../../adapters/state-store/dynamodb-state-store.adapter';
import { InMemoryStateStore } from '../../adapters/state-store/in-memory-state-store.twin';
import { InMemoryTraffic } from '../../adapters/traffic/in-memory-traffic.twin';
import { Route53Traffic } from '../../adapters/traffic/route53-traffic.adapter';
import { executionArn } from '../../adapters/workflow/execution-arn';
import { InMemoryWorkflow } from '../../adapters/workflow/in-memory-workflow.twin';
import { StepFunctionsWorkflow } from '../../adapters/workflow/step-functions-workflow.adapter';
import type { Region } from '../../domain/config';
import type { ConfigStore } from '../../domain/ports/config-store.port';
import type { DeadLetters } from '../../domain/ports/dead-letters.port';
import type { Publisher } from '../../domain/ports/publisher.port';
import type { StateStore } from '../../domain/ports/state-store.port';
import type { Traffic } from '../../domain/ports/traffic.port';
import type { Workflow } from '../../domain/ports/workflow.port';
import type { Resources } from '../../edge/resources.schema';
import { awsFailure } from '../aws-options';
import { publishOverride, type OverrideEvent } from '../override.command';
import { envelopeTime, type RawEvent } from './aws-events';
import { MotoClients, provisionMoto, type DrillPlan, type PlannedRule } from './provision';

/**
 * Where a drill runs: AWS APIs on moto_server over HTTP ({@link MotoEnvironment}), or, when moto is
 * not installed, the in-memory twins and an in-process queue ({@link InMemoryEnvironment}). Both
 * give the scenario runner the same things: the controller's ports on a freshly provisioned world,
 * a way to put events on a bus as CloudWatch or an operator would, the controller queue as
 * Lambda's event source mapping reads it, and read-only views for the end-state checks.
 */

/** A message of the controller queue, as ReceiveMessage returns it. */
export interface QueueMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly md5OfBody: string;
  /** System attributes: `SentTimestamp`, `ApproximateReceiveCount`, `MessageGroupId`, … */
  readonly attributes: Readonly<Record<string, string>>;
}

/** One provisioned world: the resource identifiers and the controller's ports on them. */
export interface DrillWorld {
  /** `DR_RESOURCES` of this world, with the ids AWS (moto) generated. */
  readonly resources: Resources;
  /** ARN of the controller queue, the event source of the decide function. */
  readonly queueArn: string;
  readonly stateStore: StateStore;
  readonly publisher: Publisher;
  readonly deadLetters: DeadLetters;
  readonly configStore: ConfigStore;
  /** The workload's weighted records; health as the scenario says (see the drill's notes). */
  readonly traffic: Traffic;
  /** StartExecution / StopExecution of the failover state machine. */
  readonly executions: Workflow;
}

export interface DrillEnvironment {
  readonly backend: 'moto' | 'in-memory';
  /** The moto endpoint, e.g. `http://127.0.0.1:5123`; absent in memory. */
  readonly endpoint?: string;
  readonly plan: DrillPlan;
  /** Wipe everything and provision the plan again: a fresh world for one scenario. */
  provision(): Promise<DrillWorld>;
  /** PutEvents in `region`; the entries name their bus (none: the default bus). Returns the event ids. */
  putEvents(region: Region, entries: readonly PutEventsRequestEntry[]): Promise<string[]>;
  /** Publish an operator override the way `drctl override` does. Returns the event id. */
  publishOverride(event: OverrideEvent): Promise<string>;
  /** Put `event` on the controller queue exactly as an EventBridge rule target would (group = app). */
  enqueue(event: RawEvent): Promise<void>;
  /** Up to 10 messages of the controller queue, in order, with every system attribute. */
  receive(): Promise<QueueMessage[]>;
  /** Delete processed messages. */
  remove(messages: readonly QueueMessage[]): Promise<void>;
  /** Weight of each region's record. */
  weights(): Promise<Record<Region, number>>;
  /** Messages waiting in the controller's dead-letter queue. */
  deadLetterCount(): Promise<number>;
  /** Status of a failover execution as the state machine service reports it; undefined if it does not exist. */
  executionStatus(executionName: string): Promise<string | undefined>;
  /** Release clients (the moto process belongs to whoever started it). */
  close(): void;
}

/** Retries that cost nothing: moto answers at once, and the twins never throttle. */
const noSleep = async (): Promise<void> => undefined;

function controllerQueueArn(plan: DrillPlan): string {
  return `arn:aws:sqs:${plan.controllerRegion}:${plan.account}:${plan.names.queueName}`;
}

/**
 * The drill on moto_server: every port is the production SDK adapter, talking HTTP to moto.
 *
 * @see https://docs.getmoto.org/en/latest/docs/server_mode.html
 */
export class MotoEnvironment implements DrillEnvironment {
  readonly backend = 'moto' as const;
  private readonly clients: MotoClients;
  private world?: { resources: Resources; queueUrl: string; deadLetterQueueUrl: string };
  private runs = 0;

  constructor(
    readonly endpoint: string,
    readonly plan: DrillPlan,
    private readonly resetMoto: () => Promise<void>,
  ) {
    this.clients = new MotoClients(endpoint);
  }

  async provision(): Promise<DrillWorld> {
    await this.resetMoto();
    const { plan, clients } = this;
    const region = plan.controllerRegion;
    const provisioned = await provisionMoto(plan, clients, `${Date.now()}-${++this.runs}`);
    const { resources } = provisioned;
    const queueUrl = provisioned.queueUrls[plan.names.queueName] ?? '';
    const deadLetterQueueUrl = resources.deadLetterQueueUrl ?? '';
    this.world = { resources, queueUrl, deadLetterQueueUrl };
    const { traffic } = resources;
    return {
      resources,
      queueArn: controllerQueueArn(plan),
      stateStore: new DynamoDbStateStore({ client: DynamoDBDocumentClient.from(clients.dynamodb(region)), tableName: resources.stateTableName, sleep: noSleep }),
      publisher: new EventBridgePublisher({ client: clients.eventBridge(region), busName: resources.controllerBusName, sleep: noSleep }),
      deadLetters: new SqsDeadLetters({ client: clients.sqs(region), queueUrl: deadLetterQueueUrl, messageGroupId: plan.settings.config.app }),
      configStore: new SsmConfigStore({ clientFor: clients.ssm, parameterPrefix: resources.parameterPrefix }),
      traffic: new Route53Traffic({
        client: clients.route53(),
        hostedZoneId: traffic.hostedZoneId,
        recordName: traffic.recordName,
        recordType: traffic.recordType,
        setIdentifiers: traffic.setIdentifiers,
        healthCheckIds: traffic.healthCheckIds,
        sleep: noSleep,
      }),
      executions: new StepFunctionsWorkflow({ client: clients.sfn(region), stateMachineArn: resources.stateMachineArn ?? plan.stateMachine.arn, sleep: noSleep }),
    };
  }

  async putEvents(region: Region, entries: readonly PutEventsRequestEntry[]): Promise<string[]> {
    const out = await this.clients.eventBridge(region).send(new PutEventsCommand({ Entries: [...entries] }));
    const failed = (out.Entries ?? []).find((e) => e.ErrorCode !== undefined);
    if ((out.FailedEntryCount ?? 0) > 0 || failed) throw new Error(`PutEvents in ${region} failed: ${failed?.ErrorCode}: ${failed?.ErrorMessage}`);
    return (out.Entries ?? []).map((e) => e.EventId ?? '');
  }

  async publishOverride(event: OverrideEvent): Promise<string> {
    const region = this.plan.controllerRegion;
    return publishOverride(this.clients.eventBridge(region), event, (error) => awsFailure(error, 'EventBridge', { region, endpointUrl: this.endpoint }, 'PutEvents'));
  }

  /**
   * SendMessage as an EventBridge SQS target does: the event JSON as the body, the rule's
   * MessageGroupId, and content-based deduplication (the queue has it on).
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html
   */
  async enqueue(event: RawEvent): Promise<void> {
    await this.clients
      .sqs(this.plan.controllerRegion)
      .send(new SendMessageCommand({ QueueUrl: this.current().queueUrl, MessageBody: JSON.stringify(event), MessageGroupId: this.plan.settings.config.app }));
  }

  /**
   * ReceiveMessage as Lambda's event source mapping polls: up to 10 messages with all system
   * attributes (MessageGroupId, SequenceNumber, …), no long polling (the drill knows when it sent).
   *
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
   */
  async receive(): Promise<QueueMessage[]> {
    const out = await this.clients
      .sqs(this.plan.controllerRegion)
      .send(new ReceiveMessageCommand({ QueueUrl: this.current().queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 0 }));
    return (out.Messages ?? []).map((m) => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      md5OfBody: m.MD5OfBody ?? '',
      attributes: { ...m.Attributes },
    }));
  }

  async remove(messages: readonly QueueMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const out = await this.clients.sqs(this.plan.controllerRegion).send(
      new DeleteMessageBatchCommand({
        QueueUrl: this.current().queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle })),
      }),
    );
    if ((out.Failed ?? []).length > 0) throw new Error(`DeleteMessageBatch failed for ${out.Failed?.length} message(s): ${out.Failed?.[0]?.Message ?? out.Failed?.[0]?.Code}`);
  }

  async weights(): Promise<Record<Region, number>> {
    const { traffic } = this.current().resources;
    const out = await this.clients.route53().send(
      new ListResourceRecordSetsCommand({ HostedZoneId: traffic.hostedZoneId, StartRecordName: traffic.recordName, StartRecordType: traffic.recordType }),
    );
    const regionOf = new Map(Object.entries(traffic.setIdentifiers).map(([region, id]) => [id, region]));
    const weights: Record<Region, number> = {};
    for (const record of out.ResourceRecordSets ?? []) {
      const region = record.SetIdentifier === undefined ? undefined : regionOf.get(record.SetIdentifier);
      if (region !== undefined && record.Type === traffic.recordType && record.Weight !== undefined) weights[region] = record.Weight;
    }
    return weights;
  }

  async deadLetterCount(): Promise<number> {
    const out = await this.clients
      .sqs(this.plan.controllerRegion)
      .send(new GetQueueAttributesCommand({ QueueUrl: this.current().deadLetterQueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  }

  async executionStatus(executionName: string): Promise<string | undefined> {
    const arn = executionArn(this.current().resources.stateMachineArn ?? this.plan.stateMachine.arn, executionName);
    try {
      const out = await this.clients.sfn(this.plan.controllerRegion).send(new DescribeExecutionCommand({ executionArn: arn }));
      return out.status;
    } catch (error) {
      if ((error as { name?: unknown }).name === 'ExecutionDoesNotExist') return undefined;
      throw error;
    }
  }

  close(): void {
    this.clients.destroy();
  }

  private current() {
    if (!this.world) throw new Error('the drill environment is not provisioned yet; call provision() first');
    return this.world;
  }
}

/**
 * Whether `event` matches an EventBridge event pattern. Covers what the controller's rules use:
 * exact matching of literal values (a field matches when its value, or one element of it, is in
 * the pattern's list) and nested objects. A content filter (`prefix`, `anything-but`, …) is an
 * error: the in-memory bus would silently get it wrong.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
 */
export function matchesPattern(pattern: Readonly<Record<string, unknown>>, event: unknown): boolean {
  return Object.entries(pattern).every(([key, wanted]) => {
    const value = typeof event === 'object' && event !== null ? (event as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(wanted)) {
      const filter = wanted.find((w) => typeof w === 'object' && w !== null);
      if (filter !== undefined) throw new Error(`event pattern field ${key}: content filter ${JSON.stringify(filter)} is not supported in memory; run the drill on moto`);
      return (Array.isArray(value) ? value : [value]).some((v) => wanted.includes(v));
    }
    if (typeof wanted === 'object' && wanted !== null) return matchesPattern(wanted as Record<string, unknown>, value);
    throw new Error(`event pattern field ${key}: ${JSON.stringify(wanted)} is neither a list of values nor an object`);
  });
}

interface StoredMessage extends QueueMessage {
  inFlight: boolean;
}

/**
 * The drill without moto: the in-memory twins (the same contract suites as the SDK adapters), and
 * an in-process event bus that routes PutEvents entries through the synthesized rules (patterns and
 * targets, including the cross-region forwarding rule) into an in-process FIFO queue.
 */
export class InMemoryEnvironment implements DrillEnvironment {
  readonly backend = 'in-memory' as const;
  private queue: StoredMessage[] = [];
  private sequence = 0n;
  private world?: { resources: Resources; traffic: InMemoryTraffic; deadLetters: InMemoryDeadLetters; executions: InMemoryWorkflow };

  constructor(readonly plan: DrillPlan) {}

  async provision(): Promise<DrillWorld> {
    const { plan } = this;
    const { config, resources: settingsResources } = plan.settings;
    const resources: Resources = { ...settingsResources, stateMachineArn: plan.stateMachine.arn };
    const traffic = new InMemoryTraffic({ weights: Object.fromEntries(plan.dns.records.map((r) => [r.region, r.weight])) });
    const configStore = new InMemoryConfigStore({ parameterPrefix: resources.parameterPrefix });
    for (const region of config.regions) configStore.seed(region, { activeRegion: config.initialActive, fenced: false });
    const deadLetters = new InMemoryDeadLetters();
    const executions = new InMemoryWorkflow({ stateMachineArn: plan.stateMachine.arn });
    this.queue = [];
    this.world = { resources, traffic, deadLetters, executions };
    return {
      resources,
      queueArn: controllerQueueArn(plan),
      stateStore: new InMemoryStateStore(),
      publisher: new InMemoryPublisher({ busName: resources.controllerBusName }),
      deadLetters,
      configStore,
      traffic,
      executions,
    };
  }

  async putEvents(region: Region, entries: readonly PutEventsRequestEntry[]): Promise<string[]> {
    return entries.map((entry) => {
      const event: RawEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType ?? '',
        source: entry.Source ?? '',
        account: this.plan.account,
        time: envelopeTime((entry.Time ?? new Date()).getTime()),
        region,
        resources: [...(entry.Resources ?? [])],
        detail: JSON.parse(entry.Detail ?? '{}') as Record<string, unknown>,
      };
      this.deliver(region, entry.EventBusName ?? 'default', event);
      return event.id;
    });
  }

  async publishOverride(event: OverrideEvent): Promise<string> {
    const [id] = await this.putEvents(this.plan.controllerRegion, [event.entry]);
    return id ?? '';
  }

  async enqueue(event: RawEvent): Promise<void> {
    const body = JSON.stringify(event);
    const now = String(Date.now());
    this.sequence += 1n;
    this.queue.push({
      messageId: randomUUID(),
      receiptHandle: randomUUID(),
      body,
      md5OfBody: createHash('md5').update(body).digest('hex'),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: now,
        ApproximateFirstReceiveTimestamp: now,
        SenderId: 'drctl-drill',
        SequenceNumber: String(18_000_000_000_000_000_000n + this.sequence),
        MessageGroupId: this.plan.settings.config.app,
        MessageDeduplicationId: createHash('sha256').update(body).digest('hex'),
      },
      inFlight: false,
    });
  }

  async receive(): Promise<QueueMessage[]> {
    // FIFO: nothing more of the group is delivered while a message of it is in flight.
    if (this.queue.some((m) => m.inFlight)) return [];
    const batch = this.queue.slice(0, 10);
    for (const m of batch) m.inFlight = true;
    return batch.map(({ inFlight: _inFlight, ...m }) => m);
  }

  async remove(messages: readonly QueueMessage[]): Promise<void> {
    const handles = new Set(messages.map((m) => m.receiptHandle));
    this.queue = this.queue.filter((m) => !handles.has(m.receiptHandle));
  }

  async weights(): Promise<Record<Region, number>> {
    return { ...this.current().traffic.weightsNow() };
  }

  async deadLetterCount(): Promise<number> {
    return this.current().deadLetters.letters.length;
  }

  async executionStatus(executionName: string): Promise<string | undefined> {
    return this.current().executions.executions.find((e) => e.name === executionName)?.status;
  }

  close(): void {
    this.queue = [];
  }

  /** Route an event on `busName` in `region` through the synthesized rules, as EventBridge does. */
  private deliver(region: Region, busName: string, event: RawEvent): void {
    const rules = this.plan.rules.filter((r: PlannedRule) => r.region === region && r.busName === busName && r.eventPattern !== undefined);
    for (const rule of rules) {
      if (!matchesPattern(rule.eventPattern ?? {}, event)) continue;
      for (const target of rule.targets) {
        const bus = /^arn:aws:events:([^:]+):\d{12}:event-bus\/(.+)$/.exec(target.arn);
        if (bus) this.deliver(bus[1]!, bus[2]!, event);
        else if (target.arn === controllerQueueArn(this.plan)) void this.enqueue(event);
      }
    }
  }

  private current() {
    if (!this.world) throw new Error('the drill environment is not provisioned yet; call provision() first');
    return this.world;
  }
}
