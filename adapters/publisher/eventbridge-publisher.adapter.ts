import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Notice, Publisher } from '../../domain/ports/publisher.port';
import { retryOptions } from '../retry';
import { PermanentAdapterError } from '../errors';
import { deliverInBatches, type DeliveryOptions } from './deliver-in-batches';

/** What {@link EventBridgePublisher} needs: its client, the bus, the source, and its retry bounds. */
export interface EventBridgePublisherOptions {
  readonly client: EventBridgeClient;
  /** Name or ARN of the custom bus notices go to. */
  readonly busName: string;
  /** @default 'dr.controller' */
  readonly source?: string;
  /** Tries per batch, the first included, on failed entries, throttling and 5xx. @default 4 */
  readonly maxAttempts?: number;
  /** Delay before the first retry; doubles per retry. @default 200 */
  readonly baseDelayMs?: number;
  /** @default - a real `setTimeout` */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * {@link Publisher} on EventBridge `PutEvents`: each notice becomes one event (source, detail type,
 * JSON detail) on the bus, sent in batches of at most 10 entries and 256 KB, in order; failed
 * entries are resent alone (see {@link deliverInBatches}). EventBridge stamps each event's time.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevents.html
 */
export class EventBridgePublisher implements Publisher {
  private readonly client: EventBridgeClient;
  private readonly delivery: DeliveryOptions;

  constructor(options: EventBridgePublisherOptions) {
    if (!options.busName) throw new PermanentAdapterError('EventBridgePublisher: busName is required (the name or ARN of the bus notices go to)');
    const source = options.source ?? 'dr.controller';
    if (!source) throw new PermanentAdapterError("EventBridgePublisher: source must not be empty (leave it out for 'dr.controller')");
    const { maxAttempts, baseDelayMs, sleep } = retryOptions('EventBridgePublisher', options, { maxAttempts: 4, baseDelayMs: 200 });
    this.client = options.client;
    this.delivery = { busName: options.busName, source, maxAttempts, baseDelayMs, sleep };
  }

  async publish(notices: readonly Notice[]): Promise<void> {
    const { busName, source } = this.delivery;
    await deliverInBatches(
      notices,
      (batch) =>
        this.client.send(
          new PutEventsCommand({
            Entries: batch.map((notice) => ({ EventBusName: busName, Source: source, DetailType: notice.detailType, Detail: JSON.stringify(notice.detail) })),
          }),
        ),
      this.delivery,
    );
  }
}
