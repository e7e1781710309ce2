import { createHash, randomUUID } from 'node:crypto';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { InMemoryConfigStore } from '../adapters/config-store/in-memory-config-store.twin';
import { InMemoryDeadLetters } from '../adapters/dead-letters/in-memory-dead-letters.twin';
import { InMemoryPublisher } from '../adapters/publisher/in-memory-publisher.twin';
import { InMemoryStateStore } from '../adapters/state-store/in-memory-state-store.twin';
import { InMemoryTraffic } from '../adapters/traffic/in-memory-traffic.twin';
import { InMemoryWorkflow } from '../adapters/workflow/in-memory-workflow.twin';
import type { Region } from '../domain/config';
import type { ConfigStore } from '../domain/ports/config-store.port';
import type { DeadLetters } from '../domain/ports/dead-letters.port';
import type { Publisher } from '../domain/ports/publisher.port';
import type { StateStore } from '../domain/ports/state-store.port';
import type { Traffic } from '../domain/ports/traffic.port';
import type { Workflow } from '../domain/ports/workflow.port';
import type { Resources } from '../edge/resources.schema';
import { rawEventOf, type RawEvent } from './aws-events';
import { fireScheduledRule, routeOnBus } from './event-routing';
import { controllerQueueArn, type DrillPlan, type PlannedRule } from './plan';

/**
 * Where a drill runs: AWS APIs on moto_server over HTTP (`MotoEnvironment`, moto-environment.ts), or, when moto is
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
  /** URL of the controller queue (as SQS names it; in memory, the URL it would have in AWS). */
  readonly queueUrl: string;
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
  /**
   * Fire the schedule rule `rule` once with `event` (its `Scheduled Event`): through its targets and
   * the synthesized patterns to the controller queue. Returns how many copies reached the queue.
   */
  fireSchedule(rule: PlannedRule, event: RawEvent): Promise<number>;
  /** Put `event` on the controller queue exactly as an EventBridge rule target would (group = app). */
  enqueue(event: RawEvent): Promise<void>;
  /** Up to 10 messages of the controller queue, in order, with every system attribute. */
  receive(): Promise<QueueMessage[]>;
  /** Delete processed messages. */
  remove(messages: readonly QueueMessage[]): Promise<void>;
  /** Weight of each region's record. */
  weights(): Promise<Record<Region, number>>;
  /** Someone edits `region`'s weighted record by hand, outside the controller: it gets `weight`. */
  editRecord(region: Region, weight: number): Promise<void>;
  /** Messages waiting in the controller's dead-letter queue. */
  deadLetterCount(): Promise<number>;
  /** Status of a failover execution as the state machine service reports it; undefined if it does not exist. */
  executionStatus(executionName: string): Promise<string | undefined>;
  /** Release clients (the moto process belongs to whoever started it). */
  close(): void;
}

/** Retries that cost nothing: moto answers at once, and the twins never throttle. */
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
      queueUrl: `https://sqs.${plan.controllerRegion}.amazonaws.com/${plan.account}/${plan.names.queueName}`,
      stateStore: new InMemoryStateStore(),
      publisher: new InMemoryPublisher({ busName: resources.controllerBusName }),
      deadLetters,
      configStore,
      traffic,
      executions,
    };
  }

  async putEvents(region: Region, entries: readonly PutEventsRequestEntry[]): Promise<string[]> {
    const ids: string[] = [];
    for (const entry of entries) {
      const event = rawEventOf(entry, this.plan.account, region, randomUUID());
      await routeOnBus(this.plan, region, entry.EventBusName ?? 'default', event, (e) => this.enqueue(e));
      ids.push(event.id);
    }
    return ids;
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

  async editRecord(region: Region, weight: number): Promise<void> {
    this.current().traffic.setWeight(region, weight);
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

  async fireSchedule(rule: PlannedRule, event: RawEvent): Promise<number> {
    return fireScheduledRule(this.plan, rule, event, (e) => this.enqueue(e));
  }

  private current() {
    if (!this.world) throw new Error('the drill environment is not provisioned yet; call provision() first');
    return this.world;
  }
}
