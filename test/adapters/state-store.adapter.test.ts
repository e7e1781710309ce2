import { ConditionalCheckFailedException, DynamoDBClient, DynamoDBServiceException, InternalServerError, ProvisionedThroughputExceededException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { PermanentAdapterError, TransientAdapterError } from '../../adapters/errors';
import { DynamoDbStateStore, type DynamoDbStateStoreProps } from '../../adapters/state-store/dynamodb-state-store.adapter';
import { aControllerState, aDecision } from '../contracts/state-store.contract-fixtures';

const TABLE = 'dr-state';
const NOW = 1_700_000_000_999;

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const ddb = mockClient(doc);

function aStore(overrides: Partial<DynamoDbStateStoreProps> = {}) {
  const sleeps: number[] = [];
  const store = new DynamoDbStateStore({
    client: doc,
    tableName: TABLE,
    now: () => NOW,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  return { store, sleeps };
}

const meta = { $metadata: { httpStatusCode: 400 } };
const throttled = () => new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput for the table was exceeded', ...meta });
const serverError = () => new InternalServerError({ message: 'Internal server error', $metadata: { httpStatusCode: 500 } });
const accessDenied = () =>
  new DynamoDBServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'User is not authorized to perform: dynamodb:GetItem', ...meta });

beforeEach(() => ddb.reset());

describe('DynamoDbStateStore (SDK mocked)', () => {
  it('conditions a first save on attribute_not_exists(pk) and writes version 1 with updatedAt from the clock', async () => {
    ddb.on(PutCommand).resolves({});
    const { store } = aStore();

    await expect(store.save('payments', aControllerState('payments'), undefined)).resolves.toEqual({ type: 'saved', version: 1 });

    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'pk' },
      Item: { pk: 'app#payments', sk: 'state', version: 1, state: JSON.stringify(aControllerState('payments')), updatedAt: NOW },
    });
  });

  it('conditions a later save on version = expectedVersion and writes expectedVersion + 1', async () => {
    ddb.on(PutCommand).resolves({});
    const { store } = aStore();

    await expect(store.save('payments', aControllerState('payments'), 4)).resolves.toEqual({ type: 'saved', version: 5 });

    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expected': 4 },
    });
  });

  it('returns a conflict, not an error, when DynamoDB answers ConditionalCheckFailedException', async () => {
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', ...meta }));
    const { store } = aStore();

    await expect(store.save('payments', aControllerState('payments'), 2)).resolves.toEqual({ type: 'conflict' });
  });

  it('loads with a strongly consistent GetItem on the state key', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'app#payments', sk: 'state', version: 3, state: JSON.stringify(aControllerState('payments')), updatedAt: 1 } });
    const { store } = aStore();

    await expect(store.load('payments')).resolves.toEqual({ state: aControllerState('payments'), version: 3 });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: TABLE, Key: { pk: 'app#payments', sk: 'state' }, ConsistentRead: true });
  });

  it('reports throttling as a TransientAdapterError with the SDK error as cause, and the next call succeeds', async () => {
    const sdkError = throttled();
    ddb.on(GetCommand).rejectsOnce(sdkError).resolves({});
    const { store } = aStore();

    const error = await store.load('payments').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientAdapterError);
    expect((error as Error).cause).toBe(sdkError);
    expect((error as Error).message).toMatch(/dynamodb GetItem app#payments on dr-state/);
    await expect(store.load('payments')).resolves.toBeUndefined();
  });

  it.each([
    ['a 5xx InternalServerError on save', 'TransientAdapterError', TransientAdapterError, serverError, 'save'],
    ['AccessDeniedException on save', 'PermanentAdapterError', PermanentAdapterError, accessDenied, 'save'],
    ['AccessDeniedException on load', 'PermanentAdapterError', PermanentAdapterError, accessDenied, 'load'],
    ['a 5xx InternalServerError on append', 'TransientAdapterError', TransientAdapterError, serverError, 'append'],
    ['AccessDeniedException on recentDecisions', 'PermanentAdapterError', PermanentAdapterError, accessDenied, 'recent'],
  ] as const)('maps %s to a %s, keeping the cause', async (_case, _name, errorClass, makeError, operation) => {
    const sdkError = makeError();
    ddb.on(PutCommand).rejects(sdkError).on(GetCommand).rejects(sdkError).on(BatchWriteCommand).rejects(sdkError).on(QueryCommand).rejects(sdkError);
    const { store } = aStore();
    const call = {
      save: () => store.save('payments', aControllerState('payments'), 1),
      load: () => store.load('payments'),
      append: () => store.appendDecisions('payments', [aDecision('payments', 1)]),
      recent: () => store.recentDecisions('payments', 5),
    }[operation];

    const error = await call().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(errorClass);
    expect((error as Error).cause).toBe(sdkError);
  });

  it('re-sends unprocessed decision records with doubling backoff until DynamoDB takes them (throttling then success)', async () => {
    const decisions = [1, 2, 3].map((at) => aDecision('payments', at));
    ddb
      .on(BatchWriteCommand)
      .callsFake((input: { RequestItems: Record<string, unknown[]> }) => ({ UnprocessedItems: { [TABLE]: input.RequestItems[TABLE]?.slice(1) } }));
    const { store, sleeps } = aStore();

    await store.appendDecisions('payments', decisions);

    const sent = ddb.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems?.[TABLE]?.length);
    expect(sent).toEqual([3, 2, 1]);
    expect(sleeps).toEqual([50, 100]);
  });

  it('raises a TransientAdapterError naming the unprocessed count after the bounded retries', async () => {
    ddb.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => ({ UnprocessedItems: input.RequestItems }));
    const { store, sleeps } = aStore({ maxBatchRetries: 3, baseBackoffMs: 1_000 });

    const error = await store.appendDecisions('payments', [aDecision('payments', 1), aDecision('payments', 2)]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientAdapterError);
    expect((error as Error).message).toMatch(/2 of 2 items still unprocessed after 4 attempts/);
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 4);
    expect(sleeps).toEqual([1_000, 2_000, 2_000]);
  });

  it('writes decisions in BatchWriteItem requests of at most 25 items', async () => {
    ddb.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
    const { store } = aStore();

    await store.appendDecisions('payments', Array.from({ length: 60 }, (_, i) => aDecision('payments', i)));

    expect(ddb.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems?.[TABLE]?.length)).toEqual([25, 25, 10]);
  });

  it('sets the TTL attribute to now + 90 days in epoch seconds by default', async () => {
    ddb.on(BatchWriteCommand).resolves({});
    const { store } = aStore();

    await store.appendDecisions('payments', [aDecision('payments', 42, 'evt-a')]);

    const item = ddb.commandCalls(BatchWriteCommand)[0]?.args[0].input.RequestItems?.[TABLE]?.[0]?.PutRequest?.Item;
    expect(item).toMatchObject({ pk: 'app#payments', sk: 'decision#000000000000042#evt-a#none#000', expiresAt: Math.floor(NOW / 1000) + 90 * 86_400 });
  });

  it('issues nothing for an empty append', async () => {
    const { store } = aStore();

    await store.appendDecisions('payments', []);

    expect(ddb).not.toHaveReceivedCommand(BatchWriteCommand);
  });

  it('queries decisions newest first and follows LastEvaluatedKey until the limit is reached', async () => {
    const item = (at: number) => ({ pk: 'app#payments', sk: `decision#${at}`, decision: JSON.stringify(aDecision('payments', at)) });
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [item(9), item(8)], LastEvaluatedKey: { pk: 'app#payments', sk: 'decision#8' } })
      .resolvesOnce({ Items: [item(7)], LastEvaluatedKey: { pk: 'app#payments', sk: 'decision#7' } });
    const { store } = aStore();

    const recent = await store.recentDecisions('payments', 3);

    expect(recent.map((d) => d.at)).toEqual([9, 8, 7]);
    const inputs = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(2);
    expect(inputs[0]).toMatchObject({ ScanIndexForward: false, Limit: 3, ExpressionAttributeValues: { ':pk': 'app#payments', ':prefix': 'decision#' } });
    expect(inputs[1]).toMatchObject({ Limit: 1, ExclusiveStartKey: { pk: 'app#payments', sk: 'decision#8' } });
  });

  it('rejects a corrupt decision record with a PermanentAdapterError naming the attribute', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ pk: 'app#payments', sk: 'decision#1', decision: JSON.stringify({ app: 'payments' }) }] });
    const { store } = aStore();

    const error = await store.recentDecisions('payments', 1).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PermanentAdapterError);
    expect((error as Error).message).toMatch(/app#payments\/decision#1: attribute decision\.eventId/);
  });

  it.each([
    ['an empty tableName', { tableName: ' ' }, /tableName is empty/],
    ['a retention of 0 days', { decisionRetentionDays: 0 }, /decisionRetentionDays must be a positive number/],
  ])('refuses to build with %s, saying what to pass', (_case, overrides, message) => {
    expect(() => aStore(overrides)).toThrow(message);
  });
});

describe('DynamoDbStateStore.save with decisions (SDK mocked)', () => {
  const cancelled = (...codes: string[]) =>
    new TransactionCanceledException({ message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`, CancellationReasons: codes.map((Code) => ({ Code })), ...meta });

  it('writes the conditional state Put and one Put per decision record in one TransactWriteItems', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const { store } = aStore();

    await store.save('payments', aControllerState('payments'), 4, [aDecision('payments', 1_000, 'evt-1')]);

    const input = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input;
    expect(input.TransactItems).toEqual([
      { Put: expect.objectContaining({ TableName: TABLE, ConditionExpression: '#version = :expected', ExpressionAttributeValues: { ':expected': 4 }, Item: expect.objectContaining({ sk: 'state', version: 5 }) }) },
      { Put: { TableName: TABLE, Item: expect.objectContaining({ sk: 'decision#000000000001000#evt-1#none#000' }) } },
    ]);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it("is a conflict when the state's condition failed", async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));

    await expect(aStore().store.save('payments', aControllerState('payments'), 4, [aDecision('payments', 1_000)])).resolves.toEqual({ type: 'conflict' });
  });

  it('raises a TransientAdapterError when a concurrent transaction or throttling cancelled it', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('TransactionConflict', 'None'));

    const error = await aStore().store.save('payments', aControllerState('payments'), 4, [aDecision('payments', 1_000)]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientAdapterError);
    expect((error as Error).message).toMatch(/TransactionConflict/);
  });

  it('raises a PermanentAdapterError when DynamoDB refuses an item (a validation error)', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ValidationError'));

    await expect(aStore().store.save('payments', aControllerState('payments'), 4, [aDecision('payments', 1_000)])).rejects.toBeInstanceOf(PermanentAdapterError);
  });

  it('refuses a decision record larger than an item may be, before calling DynamoDB', async () => {
    const huge = aDecision('payments', 1_000, 'evt-1', { reason: 'x'.repeat(410 * 1024) });

    const error = await aStore().store.save('payments', aControllerState('payments'), 4, [huge]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PermanentAdapterError);
    expect((error as Error).message).toMatch(/at most 409600 bytes/);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });
});
