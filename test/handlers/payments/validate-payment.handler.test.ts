import { fn, handler } from '../../../handlers/payments/validate-payment.handler';
import { apiEvent, bodyOf, fieldsOf, lambdaContext, quietObservability } from './payments-fixtures';

const validBody = { amount: 12.5, currency: 'USD', method: 'card', userId: 'u-1' };
const deps = quietObservability();

function validate(body: unknown) {
  return fn(apiEvent({ body: JSON.stringify(body) }), deps);
}

describe('validate-payment handler', () => {
  it('answers 200 {valid: true} for a valid payment', async () => {
    const result = await validate(validBody);

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ valid: true });
    expect(result.headers).toMatchObject({ 'Content-Type': 'application/json' });
  });

  it.each([12, 0.01, 19.99, 1000000.5])('accepts the amount %p', async (amount) => {
    const result = await validate({ ...validBody, amount });

    expect(result.statusCode).toBe(200);
  });

  it('accepts fields beyond the required ones', async () => {
    const result = await validate({ ...validBody, description: 'order 42', metadata: { cart: [1, 2] } });

    expect(result.statusCode).toBe(200);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['amount is missing', { amount: undefined }, 'amount', 'amount is required'],
    ['amount is a string', { amount: '12.50' }, 'amount', 'amount must be a JSON number'],
    ['amount is zero', { amount: 0 }, 'amount', 'greater than 0'],
    ['amount is negative', { amount: -5 }, 'amount', 'greater than 0'],
    ['amount has three decimals', { amount: 12.345 }, 'amount', 'at most 2 decimal places'],
    ['amount carries float noise', { amount: 0.1 + 0.2 }, 'amount', 'at most 2 decimal places'],
    ['currency is missing', { currency: undefined }, 'currency', 'currency is required'],
    ['currency is lowercase', { currency: 'usd' }, 'currency', 'uppercase ISO 4217 code'],
    ['currency is not a supported ISO 4217 code', { currency: 'ABC' }, 'currency', 'one of USD, EUR'],
    ['currency is a number', { currency: 840 }, 'currency', 'currency must be'],
    ['method is missing', { method: undefined }, 'method', 'method is required'],
    ['method is not in the set', { method: 'cash' }, 'method', 'one of card, bank_transfer, wallet'],
    ['userId is missing', { userId: undefined }, 'userId', 'userId is required'],
    ['userId is empty', { userId: '' }, 'userId', 'must not be empty'],
    ['userId is blank', { userId: '   ' }, 'userId', 'must not be empty'],
    ['userId is a number', { userId: 42 }, 'userId', 'userId must be'],
  ])('answers 400 naming the field when %s', async (_case, change, field, message) => {
    const result = await validate({ ...validBody, ...change });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors).toEqual([{ field, in: 'body', message: expect.stringContaining(message) }]);
  });

  it('names every bad field at once, each with how to fix it', async () => {
    const result = await validate({ amount: -1.234, currency: 'usd', method: 'cash', userId: '' });

    expect(result.statusCode).toBe(400);
    expect(new Set(fieldsOf(result))).toEqual(new Set(['amount', 'currency', 'method', 'userId']));
    expect(bodyOf(result).message).toMatch(/5 problems/);
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
    expect(bodyOf(result)).toEqual({ valid: true });
  });
});
