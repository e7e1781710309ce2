import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { InMemoryDeadLetters } from '../../adapters/dead-letters/in-memory-dead-letters.twin';
import { PermanentAdapterError, TransientAdapterError } from '../../adapters/errors';
import { InMemoryPublisher } from '../../adapters/publisher/in-memory-publisher.twin';
import { InMemoryStateStore } from '../../adapters/state-store/in-memory-state-store.twin';
import { InMemoryWorkflow } from '../../adapters/workflow/in-memory-workflow.twin';
import { DEFAULT_MAX_TRANSIENT_ATTEMPTS, type DecideDeps } from '../../handlers/decide/decide-record';
import { processBatch } from '../../handlers/decide.handler';
import { testConfig } from '../domain/fixtures';
import { alarmEvent, tickEvent } from './raw-events';

const T = Date.UTC(2026, 10, 26, 3, 0, 0);
const context = { functionName: 'decide', awsRequestId: 'req-1' } as Context;

/** An SQS FIFO record as Lambda's event source mapping delivers it. */
function record(n: number, body: unknown): SQSRecord {
  return {
    messageId: `m-${n}`,
    receiptHandle: `rh-${n}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(T),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(T),
      SequenceNumber: String(18800000000000000000n + BigInt(n)),
      MessageGroupId: 'payments',
      MessageDeduplicationId: `dedup-${n}`,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-2:123456789012:payments-dev-controller.fifo',
    awsRegion: 'us-east-2',
  };
}

function deps(): DecideDeps & { stateStore: InMemoryStateStore; deadLetters: InMemoryDeadLetters; workflow: InMemoryWorkflow } {
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  return {
    config: testConfig(),
    stateStore: new InMemoryStateStore(),
    workflow: new InMemoryWorkflow(),
    publisher: new InMemoryPublisher(),
    deadLetters: new InMemoryDeadLetters(),
    now: () => T + 1000,
    log: quiet,
    sleep: async () => undefined,
  };
}

describe('decide handler', () => {
  it('processes a batch with a good record, a duplicate and a malformed one, losing none', async () => {
    const d = deps();
    const good = alarmEvent('us-east-1-api-5xx', 'ALARM', T);
    const event: SQSEvent = { Records: [record(1, good), record(2, good), record(3, '{"detail-type": 42'), record(4, alarmEvent('us-east-1-health', 'ALARM', T))] };

    const response = await processBatch(event, context, d);

    expect(response).toEqual({ batchItemFailures: [] });
    const decisions = d.stateStore.view('payments').decisions;
    expect(decisions.map((x) => x.action).sort()).toEqual(['ignored', 'none', 'none']);
    expect(decisions.find((x) => x.action === 'ignored')!.reason).toMatch(/^duplicate/);
    expect(d.deadLetters.letters).toEqual([expect.objectContaining({ sourceId: 'm-3', reason: expect.stringMatching(/not JSON/) })]);
    expect(d.stateStore.view('payments').stored?.state.signals).toMatchObject({
      'us-east-1-api-5xx': { state: 'ALARM' },
      'us-east-1-health': { state: 'ALARM' },
    });
  });

  it('retries a transient state-store error inside the handler, so the record does not go back to SQS', async () => {
    const d = deps();
    d.stateStore.failNext(2, new TransientAdapterError('DynamoDB throttled'), 'save');

    const response = await processBatch({ Records: [record(1, alarmEvent('us-east-1-api-5xx', 'ALARM', T))] }, context, d);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(d.stateStore.view('payments').stored?.state.signals).toMatchObject({ 'us-east-1-api-5xx': { state: 'ALARM' } });
    expect(d.stateStore.calls.filter((c) => c.operation === 'save')).toHaveLength(3);
  });

  it('reports the failing record and every later one, in order, so SQS redelivers them, once the in-handler retries are spent', async () => {
    const d = deps();
    d.stateStore.failNext(DEFAULT_MAX_TRANSIENT_ATTEMPTS, new TransientAdapterError('DynamoDB throttled'), 'save');
    const event: SQSEvent = { Records: [record(1, 'not json'), record(2, alarmEvent('us-east-1-api-5xx', 'ALARM', T)), record(3, tickEvent(T + 60_000))] };

    const response = await processBatch(event, context, d);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }, { itemIdentifier: 'm-3' }] });
    expect(d.deadLetters.letters.map((l) => l.sourceId)).toEqual(['m-1']);
    expect(d.stateStore.view('payments').stored).toBeUndefined();
  });

  it('reports every record of a batch that fails entirely as a batch item failure instead of throwing, so Lambda retries them all', async () => {
    const d = deps();
    d.stateStore.failNext(DEFAULT_MAX_TRANSIENT_ATTEMPTS, new TransientAdapterError('DynamoDB throttled'), 'load');

    const response = await processBatch({ Records: [record(1, tickEvent(T)), record(2, tickEvent(T + 1))] }, context, d);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }] });
  });
});

describe('decide handler: one poison record never blocks or costs a failover (issue 10)', () => {
  it.each([
    ['a PermanentAdapterError from the state store', new PermanentAdapterError('dynamodb TransactWriteItems failed (ValidationException: Item size has exceeded the maximum allowed size)'), /ValidationException: Item size has exceeded/],
    ['a bug (any error that is not transient)', new TypeError("Cannot read properties of undefined (reading 'since')"), /TypeError: Cannot read properties of undefined/],
  ])('dead-letters a record failing with %s with its reason, and decides both ALARMs behind it in the same invocation', async (_what, error, reason) => {
    const d = deps();
    d.stateStore.failNext(1, error, 'save');
    const event: SQSEvent = {
      Records: [record(1, alarmEvent('us-east-1-lambda-errors', 'ALARM', T)), record(2, alarmEvent('us-east-1-api-5xx', 'ALARM', T)), record(3, alarmEvent('us-east-1-health', 'ALARM', T))],
    };

    const response = await processBatch(event, context, d);

    // Nothing goes back to SQS: no receive count grows, so maxReceiveCount never drags a valid ALARM to the DLQ.
    expect(response).toEqual({ batchItemFailures: [] });
    expect(d.deadLetters.letters).toEqual([expect.objectContaining({ sourceId: 'm-1', reason: expect.stringMatching(reason) })]);
    expect(d.deadLetters.letters[0]!.reason).toMatch(/could not be decided/);
    expect(d.stateStore.view('payments').stored?.state.signals).toEqual({
      'us-east-1-api-5xx': expect.objectContaining({ state: 'ALARM' }),
      'us-east-1-health': expect.objectContaining({ state: 'ALARM' }),
    });
  });

  it('retries only transient failures: the records behind a throttled one are given back, none is dead-lettered', async () => {
    const d = deps();
    d.stateStore.failNext(DEFAULT_MAX_TRANSIENT_ATTEMPTS, new TransientAdapterError('DynamoDB throttled'), 'save');
    const event: SQSEvent = { Records: [record(1, alarmEvent('us-east-1-api-5xx', 'ALARM', T)), record(2, alarmEvent('us-east-1-health', 'ALARM', T))] };

    const first = await processBatch(event, context, d);
    const redelivered = await processBatch(event, context, d);

    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }] });
    expect(redelivered).toEqual({ batchItemFailures: [] });
    expect(d.deadLetters.letters).toEqual([]);
    expect(Object.keys(d.stateStore.view('payments').stored!.state.signals).sort()).toEqual(['us-east-1-api-5xx', 'us-east-1-health']);
  });

  it('keeps deciding when the dead-letter queue refuses a letter: the letter is logged and counted, the record acknowledged', async () => {
    const d = deps();
    const metrics: string[] = [];
    const errors: { message: string; extra?: Record<string, unknown> }[] = [];
    const withLogs: DecideDeps = { ...d, metric: (name) => metrics.push(name), log: { ...d.log, error: (message, extra) => errors.push({ message, extra }) } };
    d.deadLetters.failNext(1, Object.assign(new Error('Access to the resource is denied'), { name: 'AccessDenied', $fault: 'client' }));

    const response = await processBatch({ Records: [record(1, 'not json'), record(2, alarmEvent('us-east-1-api-5xx', 'ALARM', T))] }, context, withLogs);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(metrics).toContain('DeadLetterFailures');
    expect(errors).toContainEqual(expect.objectContaining({ extra: expect.objectContaining({ messageId: 'm-1', body: 'not json', reason: expect.stringMatching(/not JSON/) }) }));
    expect(d.stateStore.view('payments').stored?.state.signals['us-east-1-api-5xx']).toMatchObject({ state: 'ALARM' });
  });
});
