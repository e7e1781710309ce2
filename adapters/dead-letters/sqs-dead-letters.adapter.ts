import { createHash } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetters } from '../../domain/ports/dead-letters.port';
import { toAdapterError } from '../errors';
import { deadLetterMessage } from './dead-letter-message';

export interface SqsDeadLettersOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Message group for a FIFO queue (the app's name); omit for a standard queue. */
  readonly messageGroupId?: string;
}

/** A FIFO deduplication id is at most 128 characters of `a-z A-Z 0-9` and ASCII punctuation. */
const DEDUPLICATION_ID = /^[\x21-\x7e]{1,128}$/;

/** The source id as a deduplication id: as it is when SQS allows it (an SQS message id does), else its SHA-256. */
export function deduplicationIdOf(sourceId: string): string {
  return DEDUPLICATION_ID.test(sourceId) ? sourceId : createHash('sha256').update(sourceId).digest('hex');
}

/**
 * Sends rejected inputs to the controller's dead-letter queue with the reason as message
 * attributes (`reason`, `field`, `sourceId`), so they block nothing and lose nothing. Every
 * attribute is cleaned of the characters SQS refuses and bounded (see {@link deadLetterMessage}):
 * a reason quoting a control character from a hostile payload must not make the send fail. On a
 * FIFO queue the deduplication id is the source message id: a redelivered bad message is stored
 * once.
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
 */
export class SqsDeadLetters implements DeadLetters {
  constructor(private readonly options: SqsDeadLettersOptions) {}

  async send(letter: DeadLetter): Promise<void> {
    const { client, queueUrl, messageGroupId } = this.options;
    const message = deadLetterMessage(letter);
    try {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: message.body,
          MessageAttributes: Object.fromEntries(Object.entries(message.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }])),
          ...(messageGroupId ? { MessageGroupId: messageGroupId, MessageDeduplicationId: deduplicationIdOf(letter.sourceId) } : {}),
        }),
      );
    } catch (error) {
      throw toAdapterError(error, `sqs SendMessage to ${queueUrl}`);
    }
  }
}
