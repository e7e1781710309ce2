import { createStateTable } from '../support/state-table';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbStateStore } from '../../adapters/state-store/dynamodb-state-store.adapter';
import { InMemoryStateStore } from '../../adapters/state-store/in-memory-state-store.twin';
import { STATE_TABLE_KEYS } from '../../adapters/state-store/state-table.schema';
import { startMoto, motoClientConfig, type Moto } from '../support/moto';
import { stateStoreContract } from './state-store.contract';
import { aControllerState, aDecision } from './state-store.contract-fixtures';

const { partitionKey, sortKey, ttlAttribute } = STATE_TABLE_KEYS;

stateStoreContract('InMemoryStateStore twin', async (expectations) => {
  const twin = new InMemoryStateStore({ ...(expectations ? { expectations } : {}) });
  return {
    store: twin,
    seed: async (app, state, version) => twin.seed(app, state, version),
    seedItem: async (app, attributes) => twin.seedItem(app, attributes),
  };
});

describe('DynamoDbStateStore over the wire on moto_server', () => {
  let moto: Moto;
  let ddb: DynamoDBClient;
  let doc: DynamoDBDocumentClient;
  let tables = 0;

  beforeAll(async () => {
    moto = await startMoto();
    ddb = new DynamoDBClient(motoClientConfig(moto));
    doc = DynamoDBDocumentClient.from(ddb);
  });
  afterAll(async () => {
    ddb?.destroy();
    await moto?.stop();
  });

  /** A fresh table laid out as STATE_TABLE_KEYS says, with TTL on, as the CDK stack creates it. */
  async function createTable(): Promise<string> {
    tables += 1;
    const name = `dr-state-${tables}`;
    await createStateTable(ddb, name);
    return name;
  }

  stateStoreContract('DynamoDbStateStore on moto_server', async (expectations) => {
    const tableName = await createTable();
    const stateKey = (app: string) => ({ [partitionKey]: `app#${app}`, [sortKey]: 'state' });
    return {
      store: new DynamoDbStateStore({ client: doc, tableName, ...(expectations ? { expectations } : {}) }),
      seed: async (app, state, version) => {
        await doc.send(new PutCommand({ TableName: tableName, Item: { ...stateKey(app), version, state: JSON.stringify(state), updatedAt: 0 } }));
      },
      seedItem: async (app, attributes) => {
        await doc.send(new PutCommand({ TableName: tableName, Item: { ...attributes, ...stateKey(app) } }));
      },
    };
  });

  it('writes the state item and decision records in the documented layout, with a TTL in epoch seconds (DynamoDbStateStore on moto_server)', async () => {
    const tableName = await createTable();
    const now = 1_700_000_000_123;
    const store = new DynamoDbStateStore({ client: doc, tableName, now: () => now, decisionRetentionDays: 30 });
    const state = aControllerState('payments');

    await store.save('payments', state, undefined);
    await store.appendDecisions('payments', [aDecision('payments', 1_699_999_999_000, 'evt-1')]);

    const { Item: stateItem } = await doc.send(new GetCommand({ TableName: tableName, Key: { [partitionKey]: 'app#payments', [sortKey]: 'state' } }));
    expect(stateItem).toEqual({ [partitionKey]: 'app#payments', [sortKey]: 'state', version: 1, state: JSON.stringify(state), updatedAt: now });
    const { Items: records } = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
        ExpressionAttributeValues: { ':pk': 'app#payments', ':prefix': 'decision#' },
      }),
    );
    expect(records).toEqual([
      expect.objectContaining({
        [sortKey]: 'decision#001699999999000#evt-1#none#000',
        at: 1_699_999_999_000,
        eventId: 'evt-1',
        action: 'none',
        [ttlAttribute]: 1_700_000_000 + 30 * 86_400,
      }),
    ]);
  });
});
