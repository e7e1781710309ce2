import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsWakeUps } from '../../adapters/wake-ups/sqs-wake-ups.adapter';
import type { WakeUps } from '../../domain/ports/wake-ups.port';
import { clientConfig, once, settings } from './settings-root';

/**
 * The controller's wake-up queue (standard SQS, in the controller's region), built once per
 * container; undefined when `DR_RESOURCES.wakeUpQueueUrl` is not set, and then only the one-minute
 * tick re-evaluates deadlines.
 */
export function wakeUps(): WakeUps | undefined {
  return once('wake-ups', () => {
    const { resources } = settings();
    if (!resources.wakeUpQueueUrl) return undefined;
    return new SqsWakeUps({ client: new SQSClient(clientConfig(resources.controllerRegion)), queueUrl: resources.wakeUpQueueUrl, controllerRegion: resources.controllerRegion });
  });
}
