import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsDeadLetters } from '../../adapters/dead-letters/sqs-dead-letters.adapter';
import type { DeadLetters } from '../../domain/ports/dead-letters.port';
import { clientConfig, ConfigurationError, once, settings } from './settings-root';

/**
 * The controller's dead-letter queue (FIFO, in the controller's region), built once per container.
 * In its own module so only the decide handler bundles the SQS client.
 */
export function deadLetters(): DeadLetters {
  return once('dead-letters', () => {
    const { resources, config } = settings();
    if (!resources.deadLetterQueueUrl) {
      throw new ConfigurationError('DR_RESOURCES.deadLetterQueueUrl: not set; the decide function needs the dead-letter queue URL for events it cannot parse');
    }
    return new SqsDeadLetters({
      client: new SQSClient(clientConfig(resources.controllerRegion)),
      queueUrl: resources.deadLetterQueueUrl,
      ...(resources.deadLetterQueueUrl.endsWith('.fifo') ? { messageGroupId: config.app } : {}),
    });
  });
}
