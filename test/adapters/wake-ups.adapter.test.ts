import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { PermanentAdapterError } from '../../adapters/errors';
import { SqsWakeUps } from '../../adapters/wake-ups/sqs-wake-ups.adapter';
import { delaySecondsFor } from '../../adapters/wake-ups/wake-up-message';

const QUEUE = 'https://sqs.us-east-2.amazonaws.com/123456789012/payments-dev-wakeups';
const T = Date.UTC(2026, 10, 26, 3, 0, 0);

describe('delaySecondsFor', () => {
  it.each([
    ['a deadline 30 s away', T + 30_000, 30],
    ['a deadline 30.2 s away, rounded up so the wake-up is never early', T + 30_200, 31],
    ['a deadline already passed', T - 5_000, 0],
    ['a deadline an hour away, capped at SQS maximum of 900 s', T + 3_600_000, 900],
  ])('holds %s for the right number of seconds', (_case, at, seconds) => {
    expect(delaySecondsFor(at, T)).toBe(seconds);
  });
});

describe('SqsWakeUps', () => {
  const sqs = mockClient(SQSClient);
  beforeEach(() => sqs.reset());
  afterAll(() => sqs.restore());

  it('sends the wake-up with its delay and the controller region and account in the event', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });

    await new SqsWakeUps({ client: new SQSClient({ region: 'us-east-2' }), queueUrl: QUEUE, controllerRegion: 'us-east-2' }).schedule('payments', T + 30_000, T);

    const input = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ QueueUrl: QUEUE, DelaySeconds: 30 });
    expect(JSON.parse(input.MessageBody ?? '')).toEqual({
      version: '0',
      id: `wake-payments-${T + 30_000}`,
      source: 'dr.controller',
      'detail-type': 'DR Wake-up',
      time: '2026-11-26T03:00:30.000Z',
      region: 'us-east-2',
      account: '123456789012',
      resources: [],
      detail: { app: 'payments', wakeAt: T + 30_000 },
    });
  });

  it('refuses a FIFO queue, which cannot delay one message', () => {
    expect(() => new SqsWakeUps({ client: new SQSClient({ region: 'us-east-2' }), queueUrl: `${QUEUE}.fifo`, controllerRegion: 'us-east-2' })).toThrow(PermanentAdapterError);
  });
});
