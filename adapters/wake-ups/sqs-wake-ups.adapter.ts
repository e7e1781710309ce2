import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Region } from '../../domain/config';
import type { WakeUps } from '../../domain/ports/wake-ups.port';
import { PermanentAdapterError, toAdapterError } from '../errors';
import { delaySecondsFor, wakeUpMessage } from './wake-up-message';

export interface SqsWakeUpsOptions {
  readonly client: SQSClient;
  /** The standard wake-up queue (`<prefix>-wakeups`), piped into the controller's FIFO queue. */
  readonly queueUrl: string;
  /** Written into each message's `region`, as EventBridge would. */
  readonly controllerRegion: Region;
}

const QUEUE_URL = /^https?:\/\/[^/]+\/(\d{12})\/[^/\s]+$/;

/**
 * {@link WakeUps} on an SQS standard queue: one message per wake-up with `DelaySeconds` (0–900, see
 * {@link delaySecondsFor}), which an EventBridge Pipe moves into the controller's FIFO queue (message
 * group = the app) once SQS delivers it. A standard queue, because FIFO queues only delay a whole
 * queue, never one message; and not EventBridge Scheduler, whose schedules fire within a minute.
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-timers.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes.html
 */
export class SqsWakeUps implements WakeUps {
  private readonly account: string;

  constructor(private readonly options: SqsWakeUpsOptions) {
    if (options.queueUrl.endsWith('.fifo')) {
      throw new PermanentAdapterError(`SqsWakeUps: ${options.queueUrl} is a FIFO queue, which cannot delay single messages; use the standard wake-up queue`);
    }
    const account = QUEUE_URL.exec(options.queueUrl)?.[1];
    if (account === undefined) throw new PermanentAdapterError(`SqsWakeUps: queueUrl must look like https://sqs.<region>.amazonaws.com/<account>/<name>, got "${options.queueUrl}"`);
    this.account = account;
  }

  async schedule(app: string, at: number, now: number): Promise<void> {
    const { client, queueUrl, controllerRegion } = this.options;
    try {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(wakeUpMessage(app, at, controllerRegion, this.account)),
          DelaySeconds: delaySecondsFor(at, now),
        }),
      );
    } catch (error) {
      throw toAdapterError(error, `sqs SendMessage (wake-up of ${app}) to ${queueUrl}`);
    }
  }
}
