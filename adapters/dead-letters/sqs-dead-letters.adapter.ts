import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetters } from '../../domain/ports/dead-letters.port';
import { toAdapterError } from '../errors';

export interface SqsDeadLettersOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Message group for a FIFO queue (the app's name); omit for a standard queue. */
  readonly messageGroupId?: string;
}

/** SQS message attributes allow up to 256 KB in all; keep the reason readable, not huge. */
const MAX_REASON_CHARS = 1000;

/**
 * Sends rejected inputs to the controller's dead-letter queue with the reason as message
 * attributes (`reason`, `field`, `sourceId`), so they block nothing and lose nothing. On a FIFO
 * queue the deduplication id is the source message id: a redelivered bad message is stored once.
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
 */
export class SqsDeadLetters implements DeadLetters {
  constructor(private readonly options: SqsDeadLettersOptions) {}

  async send(letter: DeadLetter): Promise<void> {
    const { client, queueUrl, messageGroupId } = this.options;
    const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
    try {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: letter.body.length > 0 ? letter.body : '(empty message body)',
          MessageAttributes: {
            reason: attribute(letter.reason.slice(0, MAX_REASON_CHARS)),
            sourceId: attribute(letter.sourceId),
            ...(letter.field ? { field: attribute(letter.field) } : {}),
          },
          ...(messageGroupId ? { MessageGroupId: messageGroupId, MessageDeduplicationId: letter.sourceId.slice(0, 128) } : {}),
        }),
      );
    } catch (error) {
      throw toAdapterError(error, `sqs SendMessage to ${queueUrl}`);
    }
  }
}
