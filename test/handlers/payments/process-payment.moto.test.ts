import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { fn, type ProcessPaymentDeps } from '../../../handlers/payments/process-payment.handler';
import { PARAMETER_MAX_AGE_MS } from '../../../handlers/payments/region-gate';
import { motoClientConfig, startMoto, type Moto } from '../../support/moto';
import { apiEvent, bodyOf, quietObservability } from './payments-fixtures';

const PREFIX = '/dr/payments';
const TABLE = 'payments';
const payment = { amount: '99.99', currency: 'USD', method: 'card', userId: 'u-1' };

let moto: Moto;
let dynamo: DynamoDBClient;
let ssmClient: SSMClient;

beforeAll(async () => {
  moto = await startMoto();
  dynamo = new DynamoDBClient(motoClientConfig(moto));
  ssmClient = new SSMClient(motoClientConfig(moto));
});

afterAll(async () => {
  dynamo?.destroy();
  ssmClient?.destroy();
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  await dynamo.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'idempotencyKey', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'idempotencyKey', KeyType: 'HASH' }],
    }),
  );
  await putParameter('active-region', 'us-east-1');
  await putParameter('fenced', 'false');
});

async function putParameter(name: string, value: string): Promise<void> {
  await ssmClient.send(new PutParameterCommand({ Name: `${PREFIX}/${name}`, Value: value, Type: 'String', Overwrite: true }));
}

/** A fresh container: new parameter cache, ids 1, 2, … */
function containerDeps(): ProcessPaymentDeps {
  let next = 0;
  return {
    region: 'us-east-1',
    parameterPrefix: PREFIX,
    tableName: TABLE,
    maxAmount: 1_000_000,
    ssm: new SSMProvider({ awsSdkV3Client: ssmClient }),
    documentClient: DynamoDBDocumentClient.from(dynamo),
    ...quietObservability(),
    now: Date.now,
    newTransactionId: () => `11111111-0000-4000-8000-00000000000${++next}`,
  };
}

function processEvent(body: unknown, key: string) {
  return apiEvent({ path: '/payment/process', body: JSON.stringify(body), headers: { 'Idempotency-Key': key } });
}

describe('process-payment handler against DynamoDB and Parameter Store (moto)', () => {
  it('stores one record per key and answers a replay from another container with the original transaction', async () => {
    const first = await fn(processEvent(payment, 'key-00000001'), containerDeps());

    const replay = await fn(processEvent(payment, 'key-00000001'), containerDeps());

    expect(first.statusCode).toBe(200);
    expect(replay.statusCode).toBe(200);
    expect(bodyOf(replay).transactionId).toBe(bodyOf(first).transactionId);
    const stored = await DynamoDBDocumentClient.from(dynamo).send(
      new GetCommand({ TableName: TABLE, Key: { idempotencyKey: 'key-00000001' } }),
    );
    expect(stored.Item).toMatchObject({ transactionId: bodyOf(first).transactionId, amount: '99.99', amountMinor: 9999, currency: 'USD', region: 'us-east-1' });
  });

  it('answers 409 when the key comes back with another body, and keeps the original', async () => {
    await fn(processEvent(payment, 'key-00000002'), containerDeps());

    const conflict = await fn(processEvent({ ...payment, userId: 'u-2' }, 'key-00000002'), containerDeps());

    expect(conflict.statusCode).toBe(409);
    const stored = await DynamoDBDocumentClient.from(dynamo).send(
      new GetCommand({ TableName: TABLE, Key: { idempotencyKey: 'key-00000002' } }),
    );
    expect(stored.Item?.userId).toBe('u-1');
  });

  it('refuses with 503 once the region is fenced', async () => {
    await putParameter('fenced', 'true');

    const result = await fn(processEvent(payment, 'key-00000003'), containerDeps());

    expect(result.statusCode).toBe(503);
    expect(bodyOf(result).message).toBe('region us-east-1 is fenced for failover');
  });

  it('refuses writes in a warm container within 1 s of fencing, although it took a payment just before', async () => {
    const container = containerDeps();
    const before = await fn(processEvent(payment, 'key-00000004'), container);
    await putParameter('fenced', 'true');
    const fencedAt = Date.now();

    await new Promise((resolve) => setTimeout(resolve, PARAMETER_MAX_AGE_MS));
    const after = await fn(processEvent(payment, 'key-00000005'), container);

    expect(before.statusCode).toBe(200);
    expect(after.statusCode).toBe(503);
    expect(bodyOf(after).message).toBe('region us-east-1 is fenced for failover');
    expect(Date.now() - fencedAt).toBeLessThan(1000);
  });
});
