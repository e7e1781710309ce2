import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { InMemoryDeadLetters } from '../../adapters/dead-letters/in-memory-dead-letters.twin';
import { TransientAdapterError } from '../../adapters/errors';
import { InMemoryPublisher } from '../../adapters/publisher/in-memory-publisher.twin';
import { InMemoryStateStore } from '../../adapters/state-store/in-memory-state-store.twin';
import { InMemoryWorkflow } from '../../adapters/workflow/in-memory-workflow.twin';
import type { DecideDeps } from '../../handlers/decide/decide-record';
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

  it('reports the failing record and every later one, in order, so SQS redelivers them', async () => {
    const d = deps();
    d.stateStore.failNext(1, new TransientAdapterError('DynamoDB throttled'), 'save');
    const event: SQSEvent = { Records: [record(1, 'not json'), record(2, alarmEvent('us-east-1-api-5xx', 'ALARM', T)), record(3, tickEvent(T + 60_000))] };

    const response = await processBatch(event, context, d);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }, { itemIdentifier: 'm-3' }] });
    expect(d.deadLetters.letters.map((l) => l.sourceId)).toEqual(['m-1']);
    expect(d.stateStore.view('payments').stored).toBeUndefined();
  });

  it('fails the whole invocation when every record fails, so Lambda retries the batch', async () => {
    const d = deps();
    d.stateStore.failNext(1, new TransientAdapterError('DynamoDB throttled'), 'load');
    await expect(processBatch({ Records: [record(1, tickEvent(T))] }, context, d)).rejects.toThrow(/All records failed/);
  });
});
