import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '../../adapters/publisher/eventbridge-publisher.adapter';
import type { Publisher } from '../../domain/ports/publisher.port';
import { clientConfig, once, settings } from './settings-root';

/** The controller bus, in the controller's region, built once per container: decisions and failover notices go there. */
export function publisher(): Publisher {
  return once('publisher', () => {
    const { resources } = settings();
    return new EventBridgePublisher({ client: new EventBridgeClient(clientConfig(resources.controllerRegion, 'adapterRetries')), busName: resources.controllerBusName });
  });
}
