import { fn, handler } from '../../../handlers/payments/validate-payment.handler';
import { apiEvent, bodyOf, fieldsOf, lambdaContext, quietObservability } from './payments-fixtures';

const validBody = { amount: '12.50', currency: 'USD', method: 'card', userId: 'u-1' };
const deps = { maxAmount: 1_000_000, ...quietObservability() };

function validate(body: unknown) {
  return fn(apiEvent({ body: JSON.stringify(body) }), deps);
}

describe('validate-payment handler', () => {
  it('answers 200 {valid: true} for a valid payment', async () => {
    const result = await validate(validBody);

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ valid: true, amount: '12.50', amountMinor: 1250, currency: 'USD' });
    expect(result.headers).toMatchObject({ 'Content-Type': 'application/json' });
  });

  it.each<[string, string, string, number]>([
    ['12', 'USD', '12.00', 1200],
    ['0.01', 'USD', '0.01', 1],
    ['19.9', 'EUR', '19.90', 1990],
    ['1000000', 'USD', '1000000.00', 100_000_000],
    ['1250', 'JPY', '1250', 1250],
  ])('accepts %p %s as %s, %d minor units', async (amount, currency, canonical, minor) => {
    const result = await validate({ ...validBody, amount, currency });

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ amount: canonical, amountMinor: minor });
  });

  it('refuses fields beyond the contract, naming them', async () => {
    const result = await validate({ ...validBody, description: 'order 42' });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors).toEqual([{ field: 'description', in: 'body', message: 'description is not a field of this request: remove it' }]);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['amount is missing', { amount: undefined }, 'amount', 'amount is required'],
    ['amount is a JSON number', { amount: 12.5 }, 'amount', 'amount must be a decimal string'],
    ['amount is 2^53 as a number', { amount: 2 ** 53 }, 'amount', 'amount must be a decimal string'],
    ['amount is zero', { amount: '0' }, 'amount', 'greater than 0'],
    ['amount is zero with decimals', { amount: '0.00' }, 'amount', 'greater than 0'],
    ['amount is negative', { amount: '-5' }, 'amount', 'decimal string like'],
    ['amount has an exponent', { amount: '1e3' }, 'amount', 'decimal string like'],
    ['amount has a leading zero', { amount: '012' }, 'amount', 'decimal string like'],
    ['amount has three decimals', { amount: '12.345' }, 'amount', 'decimal string like'],
    ['amount has 20 digits', { amount: '99999999999999999999' }, 'amount', 'at most 15 characters'],
    ['amount is above the maximum', { amount: '1000000.01' }, 'amount', 'at most 1000000.00 USD per payment'],
    ['amount has decimals in a currency without minor unit', { amount: '12.5', currency: 'JPY' }, 'amount', 'whole number for JPY'],
    ['currency is missing', { currency: undefined }, 'currency', 'currency is required'],
    ['currency is lowercase', { currency: 'usd' }, 'currency', 'uppercase ISO 4217 code'],
    ['currency is not a supported ISO 4217 code', { currency: 'ABC' }, 'currency', 'one of USD, EUR'],
    ['currency is a number', { currency: 840 }, 'currency', 'currency must be'],
    ['method is missing', { method: undefined }, 'method', 'method is required'],
    ['method is not in the set', { method: 'cash' }, 'method', 'one of card, bank_transfer, wallet'],
    ['userId is missing', { userId: undefined }, 'userId', 'userId is required'],
    ['userId is empty', { userId: '' }, 'userId', 'must not be empty'],
    ['userId is blank', { userId: '   ' }, 'userId', 'printable ASCII without spaces'],
    ['userId is 129 characters', { userId: 'u'.repeat(129) }, 'userId', 'at most 128 characters'],
    ['userId is 300 KB', { userId: 'u'.repeat(300_000) }, 'userId', 'at most 128 characters'],
    ['userId has a control character', { userId: 'u-1\u0007' }, 'userId', 'printable ASCII without spaces'],
    ['userId has a bidirectional override', { userId: 'u-\u202Eevil' }, 'userId', 'printable ASCII without spaces'],
    ['userId is a number', { userId: 42 }, 'userId', 'userId must be'],
  ])('answers 400 naming the field when %s', async (_case, change, field, message) => {
    const result = await validate({ ...validBody, ...change });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors).toEqual([{ field, in: 'body', message: expect.stringContaining(message) }]);
  });

  it('names every bad field at once, each with how to fix it', async () => {
    const result = await validate({ amount: '-1.234', currency: 'usd', method: 'cash', userId: '' });

    expect(result.statusCode).toBe(400);
    expect(new Set(fieldsOf(result))).toEqual(new Set(['amount', 'currency', 'method', 'userId']));
    expect(bodyOf(result).message).toMatch(/4 problems/);
  });

  it('answers 400 saying the body is not JSON when it is not', async () => {
    const result = await fn(apiEvent({ body: 'amount=12.5&currency=USD' }), deps);

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors).toEqual([{ field: 'body', in: 'body', message: expect.stringContaining('not valid JSON') }]);
  });

  it('answers 400 when the body is missing', async () => {
    const result = await fn(apiEvent({ body: null }), deps);

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors).toEqual([{ field: 'body', in: 'body', message: expect.stringContaining('empty') }]);
  });

  it('answers 400 naming the body when the JSON is not an object', async () => {
    const result = await validate([validBody]);

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors).toEqual([{ field: 'body', in: 'body', message: expect.stringContaining('must be a JSON object') }]);
  });

  it('decodes a base64-encoded body', async () => {
    const body = Buffer.from(JSON.stringify(validBody)).toString('base64');

    const result = await fn(apiEvent({ body, isBase64Encoded: true }), deps);

    expect(result.statusCode).toBe(200);
  });

  it('is wired through middy with the Powertools middlewares', async () => {
    const result = await handler(apiEvent({ body: JSON.stringify(validBody) }), lambdaContext('validate-payment'));

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ valid: true });
  });
});
