import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { fn, type NotifyDeps } from '../../../handlers/payments/notify.handler';
import { apiEvent, bodyOf, fieldsOf, quietObservability } from './payments-fixtures';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:payment-notifications';
const TRANSACTION_ID = '00000000-0000-4000-8000-000000000001';
const notification = { transactionId: TRANSACTION_ID, userId: 'u-1', message: 'Payment of 12.50 USD received' };

const sns = mockClient(SNSClient);

function deps(): NotifyDeps {
  return { topicArn: TOPIC_ARN, sns: new SNSClient({ region: 'us-east-1' }), ...quietObservability() };
}

function notify(body: unknown) {
  return fn(apiEvent({ path: '/payment/notify', body: JSON.stringify(body) }), deps());
}

beforeEach(() => {
  sns.reset();
  // Publish response shape from the SNS API reference.
  sns.on(PublishCommand).resolves({ MessageId: '567910cd-659e-55d4-8ccb-5aaf14679dc0' });
});

describe('notify handler', () => {
  it('publishes the message with channel, userId and transactionId attributes and answers 202 with the MessageId', async () => {
    const result = await notify({ ...notification, channel: 'sms' });

    expect(result.statusCode).toBe(202);
    expect(bodyOf(result)).toEqual({ messageId: '567910cd-659e-55d4-8ccb-5aaf14679dc0', transactionId: TRANSACTION_ID, channel: 'sms' });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC_ARN,
      Message: 'Payment of 12.50 USD received',
      MessageAttributes: {
        channel: { DataType: 'String', StringValue: 'sms' },
        userId: { DataType: 'String', StringValue: 'u-1' },
        transactionId: { DataType: 'String', StringValue: TRANSACTION_ID },
      },
    });
  });

  it('delivers tabs, newlines and text beyond the Basic Multilingual Plane unchanged', async () => {
    const result = await notify({ ...notification, message: 'Payment received\n\t✓ 12,50 € 🎉' });

    expect(result.statusCode).toBe(202);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { Message: 'Payment received\n\t✓ 12,50 € 🎉' });
  });

  it('sends by email when no channel is given', async () => {
    const result = await notify(notification);

    expect(result.statusCode).toBe(202);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      MessageAttributes: expect.objectContaining({ channel: { DataType: 'String', StringValue: 'email' } }),
    });
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['transactionId is missing', { transactionId: undefined }, 'transactionId', 'transactionId is required'],
    ['transactionId is not a UUID', { transactionId: 'tx-1' }, 'transactionId', 'a UUID'],
    ['userId is blank', { userId: ' ' }, 'userId', 'printable ASCII without spaces'],
    ['userId is longer than 128 characters', { userId: 'u'.repeat(129) }, 'userId', 'at most 128 characters'],
    ['channel is unknown', { channel: 'pigeon' }, 'channel', 'one of email, sms'],
    ['message is missing', { message: undefined }, 'message', 'message is required'],
    ['message is empty', { message: '' }, 'message', 'must not be empty'],
    ['message is longer than an SMS publish allows', { message: 'x'.repeat(1601) }, 'message', 'at most 1600 characters'],
    ['message is blank', { message: ' \n ' }, 'message', 'must not be empty or blank'],
    ['message has an unpaired surrogate SNS cannot encode', { message: 'paid \uD800' }, 'message', 'only characters SNS delivers'],
    ['message has a control character SNS refuses', { message: 'paid\u0000' }, 'message', 'only characters SNS delivers'],
    ['message has a bidirectional override', { message: 'paid \u202Edesrever' }, 'message', 'only characters SNS delivers'],
    ['a field is not part of the contract', { priority: 'high' }, 'priority', 'not a field of this request'],
  ])('answers 400 naming the field when %s', async (_case, change, field, message) => {
    const result = await notify({ ...notification, ...change });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors).toEqual([{ field, in: 'body', message: expect.stringContaining(message) }]);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('names every missing field of an empty object', async () => {
    const result = await notify({});

    expect(result.statusCode).toBe(400);
    expect(fieldsOf(result)).toEqual(['transactionId', 'userId', 'message']);
  });

  it('answers 400 saying the body is not JSON', async () => {
    const result = await fn(apiEvent({ path: '/payment/notify', body: 'hello' }), deps());

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors).toEqual([{ field: 'body', in: 'body', message: expect.stringContaining('not valid JSON') }]);
  });

  it('answers 500 without internals when SNS refuses the publish', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error(`User is not authorized to perform SNS:Publish on resource ${TOPIC_ARN}`), { name: 'AuthorizationErrorException', $fault: 'client' }));

    const result = await notify(notification);

    expect(result.statusCode).toBe(500);
    expect(result.body).not.toMatch(/arn:aws|Authorization/);
  });
});
