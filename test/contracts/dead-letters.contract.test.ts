import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { InMemoryDeadLetters } from '../../adapters/dead-letters/in-memory-dead-letters.twin';
import { SqsDeadLetters } from '../../adapters/dead-letters/sqs-dead-letters.adapter';
import type { DeadLetter, DeadLetters } from '../../domain/ports/dead-letters.port';
import { motoClientConfig, startMoto, type Moto } from '../support/moto';

interface Subject {
  readonly letters: DeadLetters;
  /** What the queue holds now, oldest first. */
  received(): Promise<DeadLetter[]>;
}

const letter = (sourceId: string, reason = 'detail.state.value: expected one of ALARM, OK, INSUFFICIENT_DATA'): DeadLetter => ({
  body: `{"id":"${sourceId}"}`,
  reason,
  field: 'detail.state.value',
  sourceId,
});

function deadLettersContract(name: string, make: () => Promise<Subject>) {
  describe(`DeadLetters contract: ${name}`, () => {
    it('keeps the rejected body with its reason, field and source id', async () => {
      const s = await make();
      await s.letters.send(letter('m-1'));
      expect(await s.received()).toEqual([letter('m-1')]);
    });

    it('stores a redelivered letter once', async () => {
      const s = await make();
      await s.letters.send(letter('m-2'));
      await s.letters.send(letter('m-2'));
      await s.letters.send(letter('m-3', 'not JSON'));
      expect((await s.received()).map((l) => l.sourceId)).toEqual(['m-2', 'm-3']);
    });
  });
}

deadLettersContract('in-memory twin', async () => {
  const twin = new InMemoryDeadLetters();
  return { letters: twin, received: async () => [...twin.letters] };
});

describe('over the wire (moto_server)', () => {
  let moto: Moto;
  let sqs: SQSClient;
  let n = 0;
  beforeAll(async () => {
    moto = await startMoto();
    sqs = new SQSClient(motoClientConfig(moto));
  });
  afterAll(async () => {
    sqs.destroy();
    await moto.stop();
  });

  deadLettersContract('SQS FIFO queue on moto_server', async () => {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: `dlq-${++n}.fifo`, Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' } }),
    );
    const letters = new SqsDeadLetters({ client: sqs, queueUrl: QueueUrl!, messageGroupId: 'payments' });
    return {
      letters,
      async received() {
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
        return (out.Messages ?? []).map((m) => ({
          body: m.Body!,
          reason: m.MessageAttributes!.reason!.StringValue!,
          field: m.MessageAttributes!.field!.StringValue!,
          sourceId: m.MessageAttributes!.sourceId!.StringValue!,
        }));
      },
    };
  });
});
