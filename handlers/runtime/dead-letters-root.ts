import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsDeadLetters } from '../../adapters/dead-letters/sqs-dead-letters.adapter';
import type { DeadLetters } from '../../domain/ports/dead-letters.port';
import type { Resources } from '../../edge/resources.schema';
import { ConfigurationError, controllerRegionClient, once, settings, type AwsTarget } from './settings-root';

/**
 * The controller's dead-letter queue, in the controller's region; a FIFO queue (`.fifo`) gets the
 * app as its message group.
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
 */
export function deadLettersAdapter(ids: Pick<Resources, 'controllerRegion' | 'deadLetterQueueUrl'>, app: string, aws: AwsTarget = {}): DeadLetters {
  if (!ids.deadLetterQueueUrl) {
    throw new ConfigurationError('DR_RESOURCES.deadLetterQueueUrl: not set; the decide function needs the dead-letter queue URL for events it cannot parse');
  }
  return new SqsDeadLetters({
    client: controllerRegionClient(ids, aws, 'sdk', (c) => new SQSClient(c)),
    queueUrl: ids.deadLetterQueueUrl,
    ...(ids.deadLetterQueueUrl.endsWith('.fifo') ? { messageGroupId: app } : {}),
  });
}

/** The dead-letter queue of this function, built once per container. In its own module so only the decide handler bundles the SQS client. */
export function deadLetters(): DeadLetters {
  return once('dead-letters', () => deadLettersAdapter(settings().resources, settings().config.app));
}
