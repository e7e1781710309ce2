import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbStateStore } from '../../adapters/state-store/dynamodb-state-store.adapter';
import type { StateStore } from '../../domain/ports/state-store.port';
import type { Resources } from '../../edge/resources.schema';
import { controllerRegionClient, once, settings, type AdapterTuning, type AwsTarget } from './settings-root';

/**
 * The controller's state table, in the controller's region: the one way to build the state store
 * adapter (the Lambda functions through {@link stateStore}, the local AWS on moto with its endpoint).
 */
export function stateStoreAdapter(ids: Pick<Resources, 'controllerRegion' | 'stateTableName'>, aws: AwsTarget = {}, tuning: AdapterTuning = {}): StateStore {
  const client = DynamoDBDocumentClient.from(controllerRegionClient(ids, aws, 'sdk', (c) => new DynamoDBClient(c)));
  return new DynamoDbStateStore({ client, tableName: ids.stateTableName, ...tuning });
}

/**
 * The state store of this function, built once per container. Part of the composition root, in
 * its own module because `@aws-sdk/lib-dynamodb` is not marked side-effect free: only handlers
 * that import this module bundle the DynamoDB clients.
 *
 * @see https://esbuild.github.io/api/#tree-shaking
 */
export function stateStore(): StateStore {
  return once('state-store', () => stateStoreAdapter(settings().resources));
}
