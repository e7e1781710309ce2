import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbStateStore } from '../../adapters/state-store/dynamodb-state-store.adapter';
import type { StateStore } from '../../domain/ports/state-store.port';
import { clientConfig, once, settings } from './settings-root';

/**
 * The controller's state table, in the controller's region, built once per container. Part of the
 * composition root, in its own module because `@aws-sdk/lib-dynamodb` is not marked side-effect
 * free: only handlers that import this module bundle the DynamoDB clients.
 *
 * @see https://esbuild.github.io/api/#tree-shaking
 */
export function stateStore(): StateStore {
  return once('state-store', () => {
    const { resources } = settings();
    return new DynamoDbStateStore({
      client: DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(resources.controllerRegion))),
      tableName: resources.stateTableName,
    });
  });
}
