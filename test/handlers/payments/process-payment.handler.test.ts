import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { ConditionalCheckFailedException, DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, GetCommand, PutCommand, type GetCommandInput, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { fn, type ProcessPaymentDeps } from '../../../handlers/payments/process-payment.handler';
import { apiEvent, answerGetParameters, bodyOf, fieldsOf, quietObservability } from './payments-fixtures';

const PREFIX = '/dr/payments';
const TABLE = 'sessions';
const KEY = '4f1c2d3e-aaaa-4bbb-8ccc-123456789abc';
const payment = { amount: '42.10', currency: 'EUR', method: 'wallet', userId: 'u-7' };

const ssm = mockClient(SSMClient);
const dynamo = mockClient(DynamoDBDocumentClient);

/** A one-table stand-in for DynamoDB that honours `attribute_not_exists` like PutItem does. */
function fakeSessionsTable(): Map<string, Record<string, unknown>> {
  const items = new Map<string, Record<string, unknown>>();
  const keyOf = (k: Record<string, unknown>) => String(k.idempotencyKey);
  dynamo.on(PutCommand).callsFake((input: PutCommandInput) => {
    const item = input.Item ?? {};
    if (input.ConditionExpression === 'attribute_not_exists(idempotencyKey)' && items.has(keyOf(item))) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } });
    }
    items.set(keyOf(item), item);
    return {};
  });
  dynamo.on(GetCommand).callsFake((input: GetCommandInput) => ({ Item: items.get(keyOf(input.Key ?? {})) }));
  return items;
}

function makeDeps(overrides: Partial<ProcessPaymentDeps> = {}): ProcessPaymentDeps {
  let next = 0;
  return {
    region: 'us-east-1',
    parameterPrefix: PREFIX,
    tableName: TABLE,
    maxAmount: 1_000_000,
    ssm: new SSMProvider({ awsSdkV3Client: new SSMClient({ region: 'us-east-1' }) }),
    documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    ...quietObservability(),
    now: () => Date.UTC(2026, 10, 26, 12, 0, 0),
    newTransactionId: () => `00000000-0000-4000-8000-00000000000${++next}`,
    ...overrides,
  };
}

function processEvent(body: unknown, key: string | null = KEY) {
  return apiEvent({
    path: '/payment/process',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: key === null ? {} : { 'Idempotency-Key': key },
  });
}

beforeEach(() => {
  ssm.reset();
  dynamo.reset();
  answerGetParameters(ssm, { [`${PREFIX}/active-region`]: 'us-east-1', [`${PREFIX}/fenced`]: 'false' });
});

describe('process-payment handler', () => {
  it('records the payment under its idempotency key with a conditional put and answers 200 with a transaction id and exact money', async () => {
    const table = fakeSessionsTable();

    const result = await fn(processEvent(payment), makeDeps());

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({
      transactionId: '00000000-0000-4000-8000-000000000001',
      status: 'accepted',
      ...payment,
      amountMinor: 4210,
      region: 'us-east-1',
      createdAt: '2026-11-26T12:00:00.000Z',
    });
    expect(result.headers).toMatchObject({ 'Idempotent-Replayed': 'false' });
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      ConditionExpression: 'attribute_not_exists(idempotencyKey)',
      Item: expect.objectContaining({ idempotencyKey: KEY, amount: '42.10', amountMinor: 4210, currency: 'EUR' }),
    });
    expect(table.size).toBe(1);
  });

  it('finds the Idempotency-Key header whatever its case', async () => {
    fakeSessionsTable();
    const event = apiEvent({ path: '/payment/process', body: JSON.stringify(payment), headers: { 'idempotency-key': KEY } });

    const result = await fn(event, makeDeps());

    expect(result.statusCode).toBe(200);
  });

  it('answers a replay with the same key and body with the original transaction', async () => {
    fakeSessionsTable();
    const deps = makeDeps();
    const first = await fn(processEvent(payment), deps);

    const replay = await fn(processEvent({ userId: 'u-7', method: 'wallet', currency: 'EUR', amount: '42.1' }), deps);

    expect(replay.statusCode).toBe(200);
    expect(bodyOf(replay)).toEqual(bodyOf(first));
    expect(replay.headers).toMatchObject({ 'Idempotent-Replayed': 'true' });
    expect(dynamo).toHaveReceivedCommandWith(GetCommand, { ConsistentRead: true, Key: { idempotencyKey: KEY } });
  });

  it('answers 409 naming the conflict when the key is replayed with a different body', async () => {
    const table = fakeSessionsTable();
    const deps = makeDeps();
    await fn(processEvent(payment), deps);

    const result = await fn(processEvent({ ...payment, amount: '4210' }), deps);

    expect(result.statusCode).toBe(409);
    expect(bodyOf(result)).toMatchObject({ field: 'Idempotency-Key', in: 'header', message: expect.stringContaining('already used for a different payment') });
    expect([...table.values()][0]).toMatchObject({ amountMinor: 4210, transactionId: '00000000-0000-4000-8000-000000000001' });
  });

  it.each<[string, string | null, string]>([
    ['missing', null, 'Idempotency-Key header is required'],
    ['shorter than 8 characters', 'abc1234', 'at least 8 characters'],
    ['longer than 128 characters', 'k'.repeat(129), 'at most 128 characters'],
    ['eight spaces', '        ', 'printable ASCII without spaces'],
    ['carrying a bidirectional override', 'key-\u202E0000001', 'printable ASCII without spaces'],
  ])('answers 400 naming Idempotency-Key when it is %s', async (_case, key, message) => {
    const result = await fn(processEvent(payment, key), makeDeps());

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors).toEqual([{ field: 'Idempotency-Key', in: 'header', message: expect.stringContaining(message) }]);
    expect(dynamo).not.toHaveReceivedCommand(PutCommand);
  });

  it('names the header and every bad body field in one 400', async () => {
    const result = await fn(processEvent({ amount: '0.001', currency: 'XYZ', method: 'cheque' }, 'short'), makeDeps());

    expect(result.statusCode).toBe(400);
    expect(new Set(fieldsOf(result))).toEqual(new Set(['Idempotency-Key', 'amount', 'currency', 'method', 'userId']));
  });

  it('answers 400 saying the body is not JSON', async () => {
    const result = await fn(processEvent('{"amount": "12.50",'), makeDeps());

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors).toEqual([{ field: 'body', in: 'body', message: expect.stringContaining('not valid JSON') }]);
  });

  it('answers 503 with Retry-After and writes nothing when the region is fenced', async () => {
    ssm.reset();
    answerGetParameters(ssm, { [`${PREFIX}/active-region`]: 'us-east-1', [`${PREFIX}/fenced`]: 'true' });

    const result = await fn(processEvent(payment), makeDeps());

    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'Retry-After': '30' });
    expect(bodyOf(result)).toMatchObject({ message: 'region us-east-1 is fenced for failover', region: 'us-east-1' });
    expect(dynamo).not.toHaveReceivedCommand(PutCommand);
  });

  it('answers 503 naming the active region when this region is standby', async () => {
    const result = await fn(processEvent(payment), makeDeps({ region: 'us-east-2' }));

    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'Retry-After': '30' });
    expect(bodyOf(result).message).toBe('region us-east-2 is standby; active region is us-east-1');
    expect(dynamo).not.toHaveReceivedCommand(PutCommand);
  });

  it('reads both region parameters in one GetParameters call', async () => {
    fakeSessionsTable();

    await fn(processEvent(payment), makeDeps());

    expect(ssm).toHaveReceivedCommandTimes(GetParametersCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(GetParametersCommand, { Names: [`${PREFIX}/active-region`, `${PREFIX}/fenced`] });
  });

  it('answers 503 when no active region is published', async () => {
    ssm.reset();
    answerGetParameters(ssm, { [`${PREFIX}/fenced`]: 'false' });

    const result = await fn(processEvent(payment), makeDeps());

    expect(result.statusCode).toBe(503);
    expect(bodyOf(result).message).toMatch(/cannot confirm it is the active region/);
  });

  it('answers 503 when Parameter Store cannot be read', async () => {
    ssm.reset();
    ssm.on(GetParametersCommand).rejects(Object.assign(new Error('User is not authorized to perform ssm:GetParameters'), { name: 'AccessDeniedException' }));

    const result = await fn(processEvent(payment), makeDeps());

    expect(result.statusCode).toBe(503);
    expect(bodyOf(result).message).toBe('region us-east-1 cannot confirm it may take writes (parameter store unavailable)');
    expect(dynamo).not.toHaveReceivedCommand(PutCommand);
  });

  it('answers 503 with Retry-After, charging nothing, when another region is writing the same key (ReplicatedWriteConflictException)', async () => {
    dynamo.on(PutCommand).rejects(Object.assign(new Error('being modified by a request in another Region'), { name: 'ReplicatedWriteConflictException', $fault: 'client' }));

    const result = await fn(processEvent(payment), makeDeps());

    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'Retry-After': '30' });
    expect(bodyOf(result).message).toMatch(/being recorded in another region: retry with the same key and body/);
  });

  it('answers 503 with Retry-After when DynamoDB throttles', async () => {
    dynamo.on(PutCommand).rejects(new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));

    const result = await fn(processEvent(payment), makeDeps());

    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'Retry-After': '30' });
  });

  it('answers 500 without internals when DynamoDB fails for good', async () => {
    dynamo.on(PutCommand).rejects(Object.assign(new Error('User arn:aws:iam::123456789012:role/x is not authorized'), { name: 'AccessDeniedException', $fault: 'client' }));

    const result = await fn(processEvent(payment), makeDeps());

    expect(result.statusCode).toBe(500);
    expect(result.body).not.toMatch(/arn:aws|AccessDenied/);
    expect(bodyOf(result)).toMatchObject({ requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' });
  });
});
