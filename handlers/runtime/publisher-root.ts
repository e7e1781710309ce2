import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '../../adapters/publisher/eventbridge-publisher.adapter';
import type { Publisher } from '../../domain/ports/publisher.port';
import type { Resources } from '../../edge/resources.schema';
import { controllerRegionClient, once, settings, type AdapterTuning, type AwsTarget } from './settings-root';

/** The controller bus, in the controller's region: decisions and failover notices go there. The adapter retries, so the client makes one attempt. */
export function publisherAdapter(ids: Pick<Resources, 'controllerRegion' | 'controllerBusName'>, aws: AwsTarget = {}, tuning: AdapterTuning = {}): Publisher {
  const client = controllerRegionClient(ids, aws, 'adapterRetries', (c) => new EventBridgeClient(c));
  return new EventBridgePublisher({ client, busName: ids.controllerBusName, ...tuning });
}

/** The publisher of this function, built once per container. */
export function publisher(): Publisher {
  return once('publisher', () => publisherAdapter(settings().resources));
}
