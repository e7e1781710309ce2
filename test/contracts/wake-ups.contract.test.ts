import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { InMemoryWakeUps } from '../../adapters/wake-ups/in-memory-wake-ups.twin';
import { SqsWakeUps } from '../../adapters/wake-ups/sqs-wake-ups.adapter';
import { motoClientConfig, startMoto, type Moto } from '../support/moto';
import { wakeUpsContract } from './wake-ups.contract';

wakeUpsContract('InMemoryWakeUps twin', async () => {
  const twin = new InMemoryWakeUps();
  return { wakeUps: twin, deliverableNow: async () => twin.due(Date.now()) };
});

describe('SqsWakeUps over the wire', () => {
  let moto: Moto;
  let sqs: SQSClient;
  let queues = 0;
  beforeAll(async () => {
    moto = await startMoto();
    sqs = new SQSClient(motoClientConfig(moto, 'us-east-2'));
  });
  afterAll(async () => {
    sqs.destroy();
    await moto.stop();
  });

  wakeUpsContract('SqsWakeUps SDK adapter on moto_server', async () => {
    const { QueueUrl: queueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: `payments-dev-wakeups-${++queues}` }));
    return {
      wakeUps: new SqsWakeUps({ client: sqs, queueUrl, controllerRegion: 'us-east-2' }),
      deliverableNow: async () => {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        for (const m of Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
        return Messages.map((m) => JSON.parse(m.Body ?? 'null') as unknown);
      },
    };
  });
});
