import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgePublisher } from '../../adapters/publisher/eventbridge-publisher.adapter';
import { InMemoryPublisher } from '../../adapters/publisher/in-memory-publisher.twin';
import type { Notice, NoticeType } from '../../domain/ports/publisher.port';
import { motoClientConfig, startMoto, type Moto } from '../support/moto';
import { publisherContract } from './publisher.contract';

publisherContract('InMemoryPublisher twin', async () => {
  const twin = new InMemoryPublisher();
  return {
    publisher: twin,
    delivered: async () => twin.published.splice(0),
    requests: () => twin.requests.length,
  };
});

describe('EventBridgePublisher over the wire', () => {
  let moto: Moto;
  let events: EventBridgeClient;
  let sqs: SQSClient;
  let putEventsRequests = 0;
  let buses = 0;
  beforeAll(async () => {
    moto = await startMoto();
    events = new EventBridgeClient(motoClientConfig(moto));
    sqs = new SQSClient(motoClientConfig(moto));
    events.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutEventsCommand') putEventsRequests++;
        return next(args);
      },
      { step: 'initialize', name: 'countPutEvents' },
    );
  });
  afterAll(async () => {
    events.destroy();
    sqs.destroy();
    await moto.stop();
  });

  /** A custom bus whose rule sends `dr.controller` events to a FIFO queue (one group keeps their order). */
  async function arrangeBus() {
    const n = ++buses;
    const busName = `dr-controller-${n}`;
    await events.send(new CreateEventBusCommand({ Name: busName }));
    // EventBridge -> SQS FIFO needs ContentBasedDeduplication on the queue (AWS requires it; moto drops the message otherwise).
    const { QueueUrl: queueUrl = '' } = await sqs.send(
      new CreateQueueCommand({ QueueName: `notices-${n}.fifo`, Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } }),
    );
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    await events.send(new PutRuleCommand({ Name: 'all-notices', EventBusName: busName, EventPattern: JSON.stringify({ source: ['dr.controller'] }) }));
    await events.send(
      new PutTargetsCommand({
        Rule: 'all-notices',
        EventBusName: busName,
        Targets: [
          {
            Id: 'queue',
            Arn: Attributes?.QueueArn,
            SqsParameters: { MessageGroupId: 'payments' },
            // Only the fields compared: moto evaluates every input path per event (~20 ms each), and
            // its default is the whole event's nine.
            InputTransformer: {
              InputPathsMap: { detailType: '$.detail-type', detail: '$.detail' },
              InputTemplate: '{"detail-type": "<detailType>", "detail": <detail>}',
            },
          },
        ],
      }),
    );
    return { busName, queueUrl };
  }

  /** Drain the queue: each message body is the detail type and detail of an event the rule matched. */
  async function receiveAll(queueUrl: string): Promise<Notice[]> {
    const notices: Notice[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (Messages.length === 0) return notices;
      for (const message of Messages) {
        const event = JSON.parse(message.Body ?? '{}') as { 'detail-type': NoticeType; detail: Notice['detail'] };
        notices.push({ detailType: event['detail-type'], detail: event.detail });
      }
      await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }),
      );
    }
  }

  publisherContract('EventBridgePublisher SDK adapter on moto_server (rule -> SQS FIFO)', async () => {
    const { busName, queueUrl } = await arrangeBus();
    const before = putEventsRequests;
    return {
      publisher: new EventBridgePublisher({ client: events, busName, sleep: async () => {} }),
      delivered: () => receiveAll(queueUrl),
      requests: () => putEventsRequests - before,
    };
  });
});
