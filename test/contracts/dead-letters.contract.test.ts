import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient, type SendMessageCommandInput } from '@aws-sdk/client-sqs';
import { InMemoryDeadLetters } from '../../adapters/dead-letters/in-memory-dead-letters.twin';
import { SqsDeadLetters } from '../../adapters/dead-letters/sqs-dead-letters.adapter';
import type { DeadLetter, DeadLetters } from '../../domain/ports/dead-letters.port';
import { motoClientConfig, startMoto, type Moto } from '../support/moto';

interface Subject {
  readonly letters: DeadLetters;
  /** What the queue holds now, oldest first, with every String attribute. */
  received(): Promise<(DeadLetter & { attributes: Record<string, string> })[]>;
}

const letter = (sourceId: string, reason = 'detail.state.value: expected one of ALARM, OK, INSUFFICIENT_DATA'): DeadLetter => ({
  body: `{"id":"${sourceId}"}`,
  reason,
  field: 'detail.state.value',
  sourceId,
});

/** Every control character SQS refuses (all of C0 but tab, LF, CR), U+FFFE, U+FFFF and a lone surrogate. */
const REFUSED = [...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).filter((c) => !'\t\n\r'.includes(c)), '\uFFFE', '\uFFFF', '\uD800'].join('');

/**
 * SendMessage's rules on the message, written out independently of the adapter's code: body and
 * String attribute values only `#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF`,
 * and body plus attributes (names, types, values) at most 256 KiB. moto_server checks neither.
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_MessageAttributeValue.html
 */
function sendMessageViolation(input: SendMessageCommandInput): string | undefined {
  const allowed = (cp: number) => cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
  const texts: [string, string][] = [['MessageBody', input.MessageBody ?? ''], ...Object.entries(input.MessageAttributes ?? {}).map(([name, v]): [string, string] => [name, v.StringValue ?? ''])];
  for (const [where, text] of texts) {
    for (const c of text) {
      if (!allowed(c.codePointAt(0)!)) return `InvalidMessageContents: invalid character U+${c.codePointAt(0)!.toString(16)} in ${where}`;
    }
  }
  const size =
    Buffer.byteLength(input.MessageBody ?? '') +
    Object.entries(input.MessageAttributes ?? {}).reduce((sum, [name, v]) => sum + Buffer.byteLength(name) + Buffer.byteLength(v.DataType ?? '') + Buffer.byteLength(v.StringValue ?? ''), 0);
  return size > 262_144 ? `InvalidParameterValue: message of ${size} bytes is longer than 262144` : undefined;
}

function deadLettersContract(name: string, make: () => Promise<Subject>) {
  describe(`DeadLetters contract: ${name}`, () => {
    it('keeps the rejected body with its reason, field and source id', async () => {
      const s = await make();
      await s.letters.send(letter('m-1'));
      expect(await s.received()).toEqual([{ ...letter('m-1'), attributes: { reason: letter('m-1').reason, field: 'detail.state.value', sourceId: 'm-1' } }]);
    });

    it('stores a redelivered letter once', async () => {
      const s = await make();
      await s.letters.send(letter('m-2'));
      await s.letters.send(letter('m-2'));
      await s.letters.send(letter('m-3', 'not JSON'));
      expect((await s.received()).map((l) => l.sourceId)).toEqual(['m-2', 'm-3']);
    });

    it('keeps a reason and field quoting characters SQS refuses, escaped, so the send is accepted', async () => {
      const s = await make();
      await s.letters.send({ body: '{"id":"m-4"}', reason: `detail.alarmName: unknown alarm "evil${REFUSED}name"`, field: `detail.x${String.fromCharCode(0)}`, sourceId: 'm-4' });

      const [stored] = await s.received();
      expect(stored!.reason).toMatch(/^detail\.alarmName: unknown alarm "evil\\u0000\\u0001.*\\u001f\\ufffe\\uffff\\ud800name"$/);
      expect(stored!.field).toBe('detail.x\\u0000');
    });

    it('bounds a huge reason, saying how much was cut, and keeps tabs, newlines and astral characters', async () => {
      const s = await make();
      await s.letters.send({ body: '{}', reason: `line 1\tthen\r\nline 2 😀 ${'x'.repeat(100_000)}`, sourceId: 'm-5' });

      const [stored] = await s.received();
      expect(Array.from(stored!.reason).length).toBeLessThanOrEqual(1000);
      expect(stored!.reason).toMatch(/^line 1\tthen\r\nline 2 😀 x+ … \(\d+ more characters\)$/);
    });

    it('keeps a body at the size limit by cutting it to fit next to the attributes, and says so', async () => {
      const s = await make();
      const body = `{"pad":"${'p'.repeat(262_144 - 11)}"}`;

      await s.letters.send({ body, reason: 'too big to decide', sourceId: 'm-6' });

      const [stored] = await s.received();
      expect(body.startsWith(stored!.body)).toBe(true);
      expect(stored!.attributes.bodyTruncatedFromBytes).toBe(String(Buffer.byteLength(body)));
    });
  });
}

deadLettersContract('in-memory twin', async () => {
  const twin = new InMemoryDeadLetters();
  return { letters: twin, received: async () => twin.letters.map((l) => ({ ...l, attributes: { ...l.attributes } })) };
});

describe('SqsDeadLetters on a stand-in for SQS that enforces SendMessage’s character and size rules', () => {
  /** Accepts what SQS accepts, refuses what it refuses (as a client-fault SDK error), keeps a FIFO dedup window. */
  function enforcingSqs() {
    const queue: SendMessageCommandInput[] = [];
    const client = {
      async send(command: SendMessageCommand) {
        const violation = sendMessageViolation(command.input);
        if (violation !== undefined) {
          throw Object.assign(new Error(violation), { name: violation.split(':')[0], $fault: 'client', $metadata: { httpStatusCode: 400 } });
        }
        if (!queue.some((m) => m.MessageDeduplicationId === command.input.MessageDeduplicationId)) queue.push(command.input);
        return { MessageId: `id-${queue.length}` };
      },
    } as unknown as SQSClient;
    return { client, queue };
  }

  deadLettersContract('SQS stand-in enforcing SendMessage rules', async () => {
    const sqs = enforcingSqs();
    return {
      letters: new SqsDeadLetters({ client: sqs.client, queueUrl: 'https://sqs.us-east-2.amazonaws.com/123456789012/dlq.fifo', messageGroupId: 'payments' }),
      received: async () =>
        sqs.queue.map((m) => {
          const attributes = Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue!]));
          return { body: m.MessageBody!, reason: attributes.reason!, sourceId: attributes.sourceId!, ...(attributes.field !== undefined ? { field: attributes.field } : {}), attributes };
        }),
    };
  });

  it('refuses, as SQS does, the raw control characters a reason may quote (what the adapter must never send)', () => {
    expect(sendMessageViolation({ QueueUrl: 'q', MessageBody: '{}', MessageAttributes: { reason: { DataType: 'String', StringValue: `bad ${String.fromCharCode(7)}` } } })).toMatch(/InvalidMessageContents: invalid character U\+7 in reason/);
    expect(sendMessageViolation({ QueueUrl: 'q', MessageBody: '{}', MessageAttributes: { reason: { DataType: 'String', StringValue: 'tab\tnewline\n😀' } } })).toBeUndefined();
  });
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
        return (out.Messages ?? []).map((m) => {
          const attributes = Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue!]));
          return { body: m.Body!, reason: attributes.reason!, sourceId: attributes.sourceId!, ...(attributes.field !== undefined ? { field: attributes.field } : {}), attributes };
        });
      },
    };
  });
});
