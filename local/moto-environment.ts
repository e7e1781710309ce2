import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, type ChangeResourceRecordSetsCommandInput } from '@aws-sdk/client-route-53';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { executionArn } from '../adapters/workflow/execution-arn';
import type { Region } from '../domain/config';
import type { Resources } from '../edge/resources.schema';
import { configStoreAdapter } from '../handlers/runtime/config-store-root';
import { deadLettersAdapter } from '../handlers/runtime/dead-letters-root';
import { publisherAdapter } from '../handlers/runtime/publisher-root';
import { stateStoreAdapter } from '../handlers/runtime/state-store-root';
import { trafficAdapter } from '../handlers/runtime/traffic-root';
import { workflowAdapter } from '../handlers/runtime/workflow-root';
import type { AwsTarget } from '../handlers/runtime/settings-root';
import { stepSpec } from '../handlers/steps/step-registry';
import { rawEventOf, type RawEvent } from './aws-events';
import { motoCredentials } from './moto-server';
import type { DrillEnvironment, DrillWorld, QueueMessage } from './environment';
import { crossRegionBus, fireScheduledRule, matchesPattern } from './event-routing';
import { controllerQueueArn, type DrillPlan, type PlannedRule } from './plan';
import { MotoClients, provisionMoto } from './provision-moto';

const noSleep = async (): Promise<void> => undefined;

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
  private readonly adapterClients: { destroy(): void }[] = [];

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
    const provisioned = await provisionMoto(plan, clients, `${Date.now()}-${++this.runs}`);
    const { resources } = provisioned;
    const queueUrl = provisioned.queueUrls[plan.names.queueName] ?? '';
    const deadLetterQueueUrl = resources.deadLetterQueueUrl ?? '';
    this.world = { resources, queueUrl, deadLetterQueueUrl };
    // The world's adapters, built by the SAME factories as the Lambda functions' composition root:
    // production client settings, pointed at moto. The steps' ports use the registry's deadline of
    // the step that writes them (the drill runs every step over one world).
    const aws = this.adapterTarget();
    return {
      resources,
      queueArn: controllerQueueArn(plan),
      queueUrl,
      stateStore: stateStoreAdapter(resources, aws, { sleep: noSleep }),
      publisher: publisherAdapter(resources, aws, { sleep: noSleep }),
      deadLetters: deadLettersAdapter(resources, plan.settings.config.app, aws),
      configStore: configStoreAdapter(stepSpec('update-config').call, resources.parameterPrefix, aws),
      traffic: trafficAdapter(stepSpec('shift-traffic').call, resources.traffic, aws, { sleep: noSleep }),
      executions: workflowAdapter(resources, aws, { sleep: noSleep }),
    };
  }

  /**
   * PutEvents in `region`; then the cross-region hop of every matching rule whose target is a bus
   * in another region (the alarm forwarding): PutEvents there with the event's own source,
   * detail-type, detail, resources and time, as EventBridge delivers it. moto's own cross-region
   * bus target would drop the resources and time the controller's rules match on, so
   * {@link provisionMoto} does not create those targets.
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html
   */
  async putEvents(region: Region, entries: readonly PutEventsRequestEntry[]): Promise<string[]> {
    const out = await this.clients.eventBridge(region).send(new PutEventsCommand({ Entries: [...entries] }));
    const failed = (out.Entries ?? []).find((e) => e.ErrorCode !== undefined);
    if ((out.FailedEntryCount ?? 0) > 0 || failed) throw new Error(`PutEvents in ${region} failed: ${failed?.ErrorCode}: ${failed?.ErrorMessage}`);
    const ids = (out.Entries ?? []).map((e) => e.EventId ?? '');
    for (const [i, entry] of entries.entries()) {
      const event = rawEventOf(entry, this.plan.account, region, ids[i] ?? '');
      const rules = this.plan.rules.filter((r) => r.region === region && r.busName === (entry.EventBusName ?? 'default') && r.eventPattern !== undefined);
      for (const rule of rules) {
        if (!matchesPattern(rule.eventPattern ?? {}, event)) continue;
        for (const target of rule.targets) {
          const bus = crossRegionBus(target.arn, region);
          if (bus) await this.putEvents(bus.region, [{ ...entry, EventBusName: bus.name }]);
        }
      }
    }
    return ids;
  }

  async fireSchedule(rule: PlannedRule, event: RawEvent): Promise<number> {
    return fireScheduledRule(this.plan, rule, event, (e) => this.enqueue(e));
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

  /** The region's weighted record edited by hand to another weight: see {@link recordEditedByHand}. */
  async editRecord(region: Region, weight: number): Promise<void> {
    await this.clients.route53().send(new ChangeResourceRecordSetsCommand(recordEditedByHand(this.plan, this.current().resources.traffic, region, weight)));
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
    this.destroyAdapterClients();
    this.clients.destroy();
  }

  /** moto's endpoint and credentials for the adapter factories; the clients they make are destroyed with the world. */
  private adapterTarget(): AwsTarget {
    this.destroyAdapterClients();
    return { endpoint: this.endpoint, credentials: motoCredentials, onClient: (client) => this.adapterClients.push(client) };
  }

  private destroyAdapterClients(): void {
    for (const client of this.adapterClients.splice(0)) client.destroy();
  }

  private current() {
    if (!this.world) throw new Error('the drill environment is not provisioned yet; call provision() first');
    return this.world;
  }
}

/**
 * The ChangeResourceRecordSets request of an edit by hand (outside the controller): an UPSERT of
 * `region`'s weighted record with another weight, everything else as provisioned.
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html
 */
export function recordEditedByHand(plan: DrillPlan, traffic: Resources['traffic'], region: Region, weight: number): ChangeResourceRecordSetsCommandInput {
  const { dns } = plan;
  const record = dns.records.find((r) => r.region === region);
  if (!record) throw new Error(`no weighted record of ${region} was provisioned`);
  return {
    HostedZoneId: traffic.hostedZoneId,
    ChangeBatch: {
      Comment: `edited by hand: ${region} weight ${weight}`,
      Changes: [
        {
          Action: 'UPSERT',
          ResourceRecordSet: {
            Name: dns.recordName,
            Type: dns.recordType,
            SetIdentifier: record.setIdentifier,
            Weight: weight,
            TTL: dns.ttlSeconds,
            ResourceRecords: [{ Value: record.host }],
            ...(traffic.healthCheckIds[region] !== undefined ? { HealthCheckId: traffic.healthCheckIds[region] } : {}),
          },
        },
      ],
    },
  };
}
