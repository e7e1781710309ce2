import { PublishCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { CURRENCY_EXPONENTS } from '../../../handlers/payments/money';
import { fn as notify } from '../../../handlers/payments/notify.handler';
import { fn as processPayment } from '../../../handlers/payments/process-payment.handler';
import { fn as validate } from '../../../handlers/payments/validate-payment.handler';
import { apiEvent, bodyOf, quietObservability } from './payments-fixtures';
import { ReplicatedPaymentsTable } from './replicated-payments-table.twin';

/**
 * Fuzz of the three payment endpoints against an oracle of the contract (README "The payment API
 * contract"), written independently of the handlers (BigInt money, code-point loops instead of zod):
 * 2,000 validate + 2,000 process + 1,000 notify inputs, mixing valid requests with the inputs that
 * broke the old contract (floats, 2^53, 1e20, JPY decimals, 300 KB ids, control and bidi
 * characters, blank keys, unpaired surrogates, unknown fields, non-JSON). For each: no 5xx, nothing
 * accepted that the contract refuses (and nothing refused that it accepts), and every accepted
 * payment, sent again as it was, replayed with the same transaction id.
 */
const MAX_AMOUNT = 1_000_000;
const METHODS = ['card', 'bank_transfer', 'wallet'];
const PREFIX = '/payments/dev';

// ---------------------------------------------------------------- the oracle

const isIdChar = (code: number) => code >= 0x21 && code <= 0x7e;
const isId = (value: unknown, min: number): value is string =>
  typeof value === 'string' && value.length >= min && value.length <= 128 && [...value].every((c) => isIdChar(c.charCodeAt(0)) && c.length === 1);
const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const onlyKeys = (value: Record<string, unknown>, allowed: readonly string[]) => Object.keys(value).every((key) => allowed.includes(key));

/** Minor units of a contract-valid amount, as a BigInt, or undefined. */
function contractMinorUnits(amount: unknown, currency: unknown): bigint | undefined {
  if (typeof amount !== 'string' || typeof currency !== 'string' || !(currency in CURRENCY_EXPONENTS)) return undefined;
  const exponent = CURRENCY_EXPONENTS[currency as keyof typeof CURRENCY_EXPONENTS];
  const match = /^([0-9]+)(?:\.([0-9]+))?$/.exec(amount);
  if (!match) return undefined;
  const [, whole = '', fraction = ''] = match;
  if ((whole.length > 1 && whole.startsWith('0')) || whole.length > 12 || fraction.length > exponent) return undefined;
  const scale = 10n ** BigInt(exponent);
  const minor = BigInt(whole) * scale + BigInt(fraction.padEnd(exponent, '0') || '0');
  return minor > 0n && minor <= BigInt(MAX_AMOUNT) * scale ? minor : undefined;
}

/** The payment's meaning when the body is contract-valid. */
function contractPayment(body: unknown): string | undefined {
  if (!isPlainObject(body) || !onlyKeys(body, ['amount', 'currency', 'method', 'userId'])) return undefined;
  const minor = contractMinorUnits(body.amount, body.currency);
  if (minor === undefined || !METHODS.includes(body.method as string) || !isId(body.userId, 1)) return undefined;
  return `${minor}|${String(body.currency)}|${String(body.method)}|${body.userId}`;
}

const UUID = /^([0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/i;

function deliverable(text: string): boolean {
  for (const c of text) {
    const cp = c.codePointAt(0) ?? 0;
    const ok =
      cp === 0x9 ||
      cp === 0xa ||
      cp === 0xd ||
      (cp >= 0x20 && cp <= 0xd7ff && !(cp >= 0x202a && cp <= 0x202e) && !(cp >= 0x2066 && cp <= 0x2069)) ||
      (cp >= 0xe000 && cp <= 0xfffd) ||
      cp >= 0x10000;
    if (!ok) return false;
  }
  return true;
}

function contractNotification(body: unknown): boolean {
  if (!isPlainObject(body) || !onlyKeys(body, ['transactionId', 'userId', 'channel', 'message'])) return false;
  const { transactionId, userId, channel, message } = body;
  return (
    typeof transactionId === 'string' &&
    UUID.test(transactionId) &&
    isId(userId, 1) &&
    (channel === undefined || channel === 'email' || channel === 'sms') &&
    typeof message === 'string' &&
    message.length >= 1 &&
    message.length <= 1600 &&
    message.trim().length > 0 &&
    deliverable(message)
  );
}

// ---------------------------------------------------------------- the inputs

const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '        ', '\u202Eevil', 'a\u0000b', 'x\uD800', '\u2066id\u2069', 'tab\there', 'é', '🎉'),
  fc.string({ unit: fc.constantFrom('a', ' ', '\u200B', '\u0007', '\u202E', '-'), minLength: 1, maxLength: 10 }),
  fc.nat({ max: 3 }).map((n) => 'u'.repeat([129, 300, 300_000, 128][n] ?? 129)),
);
const validId = fc.stringMatching(/^[!-~]{1,40}$/);
const idLike = fc.oneof({ weight: 3, arbitrary: validId }, { weight: 2, arbitrary: hostileText });

const validAmount = fc.oneof(
  fc.integer({ min: 1, max: MAX_AMOUNT }).map(String),
  fc.tuple(fc.integer({ min: 0, max: MAX_AMOUNT }), fc.integer({ min: 0, max: 99 })).map(([a, b]) => `${a}.${String(b).padStart(2, '0')}`),
  fc.tuple(fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 9 })).map(([a, b]) => `${a}.${b}`),
);
const hostileAmount = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(2 ** 53, 2 ** 53 + 2, 1e20, 0.1 + 0.2, -1, 0),
  fc.constantFrom('99999999999999999999', '1e3', '-1', '0', '0.00', '012', '12.', '.5', '12.345', '1000000.01', '１２', '12,50', ' 12', 'NaN'),
  fc.string({ maxLength: 20 }),
  fc.bigInt({ min: 0n, max: 10n ** 16n }).map(String),
);
const amount = fc.oneof({ weight: 3, arbitrary: validAmount }, { weight: 2, arbitrary: hostileAmount });
const currency = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...Object.keys(CURRENCY_EXPONENTS)) }, { weight: 1, arbitrary: fc.constantFrom('usd', 'ABC', 'DEM', 840, '') });
const method = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: fc.constantFrom('cash', '', 'CARD') });

const paymentBody = fc.oneof(
  { weight: 6, arbitrary: fc.record({ amount: validAmount, currency: fc.constantFrom(...Object.keys(CURRENCY_EXPONENTS)), method: fc.constantFrom(...METHODS), userId: validId }) },
  { weight: 8, arbitrary: fc.record({ amount, currency, method, userId: idLike }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.record({ amount: validAmount, currency: fc.constant('USD'), method: fc.constant('card'), userId: validId, extra: fc.anything() }) },
  { weight: 1, arbitrary: fc.anything() },
);

const uuid = fc.oneof(fc.uuid(), fc.constantFrom('tx-1', '', '00000000-0000-0000-0000-000000000000'));
const message = fc.oneof(
  { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 200 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', 'x'.repeat(1600), 'x'.repeat(1601), 'paid\u0000', 'paid \uD800', '\u202Epaid', 'ok\n\tdone') },
);
const notificationBody = fc.oneof(
  { weight: 8, arbitrary: fc.record({ transactionId: uuid, userId: idLike, channel: fc.constantFrom('email', 'sms', 'pigeon'), message }, { requiredKeys: ['transactionId', 'message'] }) },
  { weight: 1, arbitrary: fc.anything() },
);

/** The body as the client sends it: JSON of the value, or something that is not JSON at all. */
function rawBody<T>(value: fc.Arbitrary<T>): fc.Arbitrary<{ readonly value: unknown; readonly raw: string | null }> {
  return fc.oneof(
    { weight: 9, arbitrary: value.map((v) => ({ value: v, raw: JSON.stringify(v) ?? null })) },
    { weight: 1, arbitrary: fc.constantFrom('{"amount": "12.50",', 'amount=12.50', '', '[]', 'null').map((raw) => ({ value: undefined, raw })) },
  );
}

const parsedValue = (raw: string | null): unknown => {
  try {
    return raw === null ? undefined : JSON.parse(raw);
  } catch {
    return undefined;
  }
};

// ---------------------------------------------------------------- the endpoints

function sentry(result: APIGatewayProxyResult): void {
  expect(result.statusCode).toBeLessThan(500);
}

describe('payment API fuzz (5,000 inputs)', () => {
  it('validate: 2,000 inputs, no 5xx, 200 exactly when the contract accepts the body', async () => {
    const deps = { maxAmount: MAX_AMOUNT, ...quietObservability() };
    const statuses: number[] = [];
    await fc.assert(
      fc.asyncProperty(rawBody(paymentBody), async ({ raw }) => {
        const result = await validate(apiEvent({ body: raw }), deps);
        statuses.push(result.statusCode);

        sentry(result);
        expect(result.statusCode).toBe(contractPayment(parsedValue(raw)) === undefined ? 400 : 200);
      }),
      { numRuns: 2000 },
    );
    // Both sides of the contract were exercised, not just refusals.
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(200);
    expect(statuses.filter((status) => status === 400).length).toBeGreaterThan(200);
  });

  it('process: 2,000 inputs, no 5xx, accepted exactly when the contract accepts key and body, and every retry replayed with the same transaction id', async () => {
    const table = new ReplicatedPaymentsTable('strong');
    const ssmClient = new SSMClient({ region: 'us-east-1' });
    mockClient(ssmClient)
      .on(GetParametersCommand)
      .resolves({ Parameters: [{ Name: `${PREFIX}/active-region`, Value: 'us-east-1' }, { Name: `${PREFIX}/fenced`, Value: 'false' }] });
    let ids = 0;
    const deps = {
      region: 'us-east-1',
      parameterPrefix: PREFIX,
      tableName: 'payments-dev-payments',
      maxAmount: MAX_AMOUNT,
      ssm: new SSMProvider({ awsSdkV3Client: ssmClient }),
      documentClient: table.clientIn('us-east-1'),
      ...quietObservability(),
      now: () => Date.UTC(2026, 10, 26, 12, 0, 0),
      newTransactionId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    };
    const meaningOfKey = new Map<string, string>();
    let replayed = 0;
    const key = fc.oneof({ weight: 4, arbitrary: fc.uuid() }, { weight: 1, arbitrary: fc.stringMatching(/^[!-~]{8,12}$/) }, { weight: 1, arbitrary: hostileText });

    await fc.assert(
      fc.asyncProperty(rawBody(paymentBody), fc.option(key, { nil: undefined }), async ({ raw }, idempotencyKey) => {
        const event = apiEvent({ path: '/payment/process', body: raw, headers: idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey } });
        const result = await processPayment(event, deps);
        sentry(result);

        const meaning = contractPayment(parsedValue(raw));
        const earlier = meaning === undefined ? undefined : meaningOfKey.get(String(idempotencyKey));
        const expected = meaning === undefined || !isId(idempotencyKey, 8) ? 400 : earlier !== undefined && earlier !== meaning ? 409 : 200;
        expect(result.statusCode).toBe(expected);
        if (expected !== 200 || meaning === undefined || idempotencyKey === undefined) return;
        meaningOfKey.set(idempotencyKey, meaning);

        const retry = await processPayment(event, deps);
        expect(retry.statusCode).toBe(200);
        expect(retry.headers).toMatchObject({ 'Idempotent-Replayed': 'true' });
        expect(bodyOf(retry).transactionId).toBe(bodyOf(result).transactionId);
        expect(table.transactionIdsOf(idempotencyKey).size).toBe(1);
        replayed++;
      }),
      { numRuns: 2000 },
    );
    expect(replayed).toBeGreaterThan(200);
  });

  it('notify: 1,000 inputs, no 5xx, published exactly when the contract accepts the body, never anything SNS refuses', async () => {
    const snsClient = new SNSClient({ region: 'us-east-1' });
    // SNS's own parameter checks: what reaches it must pass them, or SNS answers InvalidParameter.
    mockClient(snsClient)
      .on(PublishCommand)
      .callsFake((input: PublishCommandInput) => {
        const texts = [input.Message ?? '', ...Object.values(input.MessageAttributes ?? {}).map((attribute) => attribute.StringValue ?? '')];
        const bytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
        if (texts.some((text) => text === '' || !deliverable(text)) || bytes > 256 * 1024) {
          throw Object.assign(new Error('Invalid parameter'), { name: 'InvalidParameterException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
        }
        return { MessageId: '567910cd-659e-55d4-8ccb-5aaf14679dc0' };
      });
    const deps = { topicArn: 'arn:aws:sns:us-east-1:123456789012:payment-notifications', sns: snsClient, ...quietObservability() };
    let published = 0;

    await fc.assert(
      fc.asyncProperty(rawBody(notificationBody), async ({ raw }) => {
        const result = await notify(apiEvent({ path: '/payment/notify', body: raw }), deps);

        sentry(result);
        expect(result.statusCode).toBe(contractNotification(parsedValue(raw)) ? 202 : 400);
        if (result.statusCode === 202) published++;
      }),
      { numRuns: 1000 },
    );
    expect(published).toBeGreaterThan(100);
  });
});
