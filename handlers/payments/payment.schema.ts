import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { isTransient } from '../../adapters/errors';

/**
 * Request schemas of the payment API and the responses every payment function returns.
 * Responses use the Lambda proxy integration format of API Gateway REST APIs: a thrown error
 * becomes a bare 502, so every function catches at its edge and answers with one of these.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html
 */

/**
 * ISO 4217 codes the payment system settles in. An allow-list rather than the three-letter
 * shape rule: a well-formed but unknown code (`ABC`) or a withdrawn one (`DEM`) is refused
 * here instead of failing later at the processor.
 */
export const SUPPORTED_CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CAD', 'AUD', 'CHF', 'SEK', 'NOK', 'DKK', 'NZD', 'SGD', 'HKD', 'MXN', 'BRL', 'INR'] as const;

export const PAYMENT_METHODS = ['card', 'bank_transfer', 'wallet'] as const;

export const NOTIFICATION_CHANNELS = ['email', 'sms'] as const;

/**
 * SNS refuses an SMS publish longer than this, and a topic may fan out to SMS subscribers.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export const MAX_NOTIFICATION_CHARACTERS = 1600;

/** `<field> is required: …` when absent, `<field> must be …` when present but wrong. */
function expected(field: string, what: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? `${field} is required: send ${what}` : `${field} must be ${what}`);
}

/** A JSON number written with at most two decimals (`12`, `12.5`, `12.34`; not `12.345` or `1e21`). */
const TWO_DECIMALS = /^-?\d+(\.\d{1,2})?$/;

const userId = z
  .string({ error: expected('userId', 'the paying user\'s id as a non-empty string') })
  .trim()
  .min(1, 'userId must not be empty or blank: send the paying user\'s id');

/** Body of POST /payment/validate and /payment/process. Other fields are allowed and kept. */
export const paymentSchema = z.looseObject(
  {
    amount: z
      .number({ error: expected('amount', 'a JSON number greater than 0 with at most 2 decimals, e.g. 12.5') })
      .positive('amount must be greater than 0, e.g. 12.5')
      .refine((amount) => TWO_DECIMALS.test(String(amount)), 'amount must have at most 2 decimal places, e.g. 12.34 (not 12.345)'),
    currency: z.enum(SUPPORTED_CURRENCIES, {
      error: expected('currency', `an uppercase ISO 4217 code, one of ${SUPPORTED_CURRENCIES.join(', ')}`),
    }),
    method: z.enum(PAYMENT_METHODS, { error: expected('method', `one of ${PAYMENT_METHODS.join(', ')}`) }),
    userId,
  },
  { error: 'the request body must be a JSON object like {"amount":12.5,"currency":"USD","method":"card","userId":"u-1"}' },
);

export type Payment = z.infer<typeof paymentSchema>;

/** Header `Idempotency-Key` of POST /payment/process: one unique key per payment, e.g. a UUID. */
export const idempotencyKeySchema = z
  .string({ error: 'Idempotency-Key header is required: send a unique key of 8 to 128 characters per payment, e.g. a UUID' })
  .min(8, 'Idempotency-Key must be at least 8 characters: send a unique key per payment, e.g. a UUID')
  .max(128, 'Idempotency-Key must be at most 128 characters: send a shorter unique key, e.g. a UUID');

/** Body of POST /payment/notify. `channel` defaults to `email`. */
export const notificationSchema = z.object(
  {
    transactionId: z.uuid({ error: expected('transactionId', 'the transaction id returned by /payment/process (a UUID)') }),
    userId,
    channel: z.enum(NOTIFICATION_CHANNELS, { error: `channel must be one of ${NOTIFICATION_CHANNELS.join(', ')}, or left out for email` }).default('email'),
    message: z
      .string({ error: expected('message', 'the text to send as a non-empty string') })
      .trim()
      .min(1, 'message must not be empty or blank: send the text to deliver')
      .max(MAX_NOTIFICATION_CHARACTERS, `message must be at most ${MAX_NOTIFICATION_CHARACTERS} characters (the SNS limit for SMS): shorten it`),
  },
  { error: 'the request body must be a JSON object like {"transactionId":"<uuid>","userId":"u-1","message":"Payment received"}' },
);

export type Notification = z.infer<typeof notificationSchema>;

/** One problem with the request, named so the caller can fix it. */
export interface FieldError {
  readonly field: string;
  readonly in: 'body' | 'header';
  readonly message: string;
}

/** Every issue of a failed parse, one entry per issue; `rootField` names issues about the whole value. */
export function fieldErrors(error: z.ZodError, location: FieldError['in'], rootField: string): FieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : rootField,
    in: location,
    message: issue.message,
  }));
}

export type JsonBody = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: FieldError };

/**
 * The request body parsed as JSON (base64-decoded first when API Gateway says so).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
 */
export function readJsonBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): JsonBody {
  if (event.body === null || event.body.trim() === '') {
    return { ok: false, error: { field: 'body', in: 'body', message: 'the request body is empty: send a JSON object with Content-Type: application/json' } };
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, error: { field: 'body', in: 'body', message: 'the request body is not valid JSON: send a JSON object with Content-Type: application/json' } };
  }
}

/**
 * A request header by name, ignoring case: REST APIs pass header names as the client sent them.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
 */
export function headerValue(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** A proxy-integration response with a JSON body. */
export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** 400 naming every bad field and how to fix it. */
export function badRequest(errors: readonly FieldError[]): APIGatewayProxyResult {
  const count = errors.length === 1 ? '1 problem' : `${errors.length} problems`;
  return jsonResponse(400, { message: `invalid request (${count}): fix each field listed in errors and send it again`, errors });
}

/** How long a client should wait before retrying a 503, in seconds. */
export const RETRY_AFTER_SECONDS = 30;

/**
 * 503 with `Retry-After`: the request was valid but this region cannot serve it now.
 * @see https://www.rfc-editor.org/rfc/rfc9110#name-retry-after
 */
export function unavailable(reason: string, extra: Record<string, unknown> = {}): APIGatewayProxyResult {
  return jsonResponse(503, { message: reason, ...extra }, { 'Retry-After': String(RETRY_AFTER_SECONDS) });
}

/**
 * The answer to an error nobody handled: 503 when the SDK says it is transient (throttling,
 * 5xx, network), otherwise 500. Details go to the log only; the body carries the API Gateway
 * request id so a caller can quote it.
 */
export function unexpectedError(logger: Logger, error: unknown, event: Pick<APIGatewayProxyEvent, 'requestContext'>): APIGatewayProxyResult {
  const requestId = event.requestContext?.requestId;
  if (isTransient(error)) {
    logger.warn('transient dependency failure', { error });
    return unavailable('the service is temporarily unavailable: retry shortly', { requestId });
  }
  logger.error('unexpected error', { error });
  return jsonResponse(500, { message: 'internal error: the request was not completed; retry later or quote the requestId to support', requestId });
}
