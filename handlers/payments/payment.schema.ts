import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { isTransient } from '../../adapters/errors';
import { AMOUNT_MAX_LENGTH, AMOUNT_PATTERN, parseAmount, SUPPORTED_CURRENCIES, type Currency } from './money';

/**
 * Request schemas of the payment API and the responses every payment function returns.
 * Responses use the Lambda proxy integration format of API Gateway REST APIs: a thrown error
 * becomes a bare 502, so every function catches at its edge and answers with one of these.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html
 */

export { SUPPORTED_CURRENCIES };

export const PAYMENT_METHODS = ['card', 'bank_transfer', 'wallet'] as const;

export const NOTIFICATION_CHANNELS = ['email', 'sms'] as const;

/**
 * SNS refuses an SMS publish longer than this, and a topic may fan out to SMS subscribers. At
 * 1,600 characters of at most 4 UTF-8 bytes each, a message plus its three attributes stays far
 * below the 256 KB publish limit.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export const MAX_NOTIFICATION_CHARACTERS = 1600;

/** Longest `userId` and `Idempotency-Key`. */
export const MAX_ID_LENGTH = 128;
/** Shortest `Idempotency-Key`: a key this short is too easy to reuse by accident. */
export const MIN_IDEMPOTENCY_KEY_LENGTH = 8;

/**
 * Ids (`userId`, `Idempotency-Key`) are printable ASCII without spaces (`!` to `~`): no control,
 * bidirectional-override or invisible characters, never blank, and the same bytes in every log,
 * index and SNS attribute. A UUID, an email address or a ULID all fit.
 */
export const ID_CHARACTERS = '[!-~]';
const ID_PATTERN = new RegExp(`^${ID_CHARACTERS}*$`);

/** `<field> is required: …` when absent, `<field> must be …` when present but wrong. */
function expected(field: string, what: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? `${field} is required: send ${what}` : `${field} must be ${what}`);
}

/** The message of an object-level issue: unknown fields are named one by one (see {@link fieldErrors}). */
function objectError(notAnObject: string) {
  return (issue: { code?: string }) => (issue.code === 'unrecognized_keys' ? 'is not a field of this request: remove it' : notAnObject);
}

const userId = z
  .string({ error: expected('userId', "the paying user's id as a string") })
  .min(1, { error: "userId must not be empty: send the paying user's id", abort: true })
  .max(MAX_ID_LENGTH, { error: `userId must be at most ${MAX_ID_LENGTH} characters`, abort: true })
  .regex(ID_PATTERN, 'userId must be printable ASCII without spaces (characters ! to ~), e.g. "u-1" or a UUID');

/**
 * Shape of the body of POST /payment/validate and /payment/process; the API Gateway model is
 * generated from it. Unknown fields are refused (a misspelt field must not be silently dropped from
 * a payment). Whether the amount fits its currency's decimals and the configured maximum is
 * checked by {@link parsePayment}, which needs the deployment's maximum.
 */
export const paymentSchema = z.strictObject(
  {
    amount: z
      .string({ error: expected('amount', 'a decimal string in the currency\'s major unit, e.g. "12.50" (not a JSON number)') })
      .max(AMOUNT_MAX_LENGTH, { error: `amount must be at most ${AMOUNT_MAX_LENGTH} characters, e.g. "12.50"`, abort: true })
      .regex(AMOUNT_PATTERN, 'amount must be a decimal string like "12.50": digits, at most one ".", no sign, exponent or leading zeros'),
    currency: z.enum(SUPPORTED_CURRENCIES, {
      error: expected('currency', `an uppercase ISO 4217 code, one of ${SUPPORTED_CURRENCIES.join(', ')}`),
    }),
    method: z.enum(PAYMENT_METHODS, { error: expected('method', `one of ${PAYMENT_METHODS.join(', ')}`) }),
    userId,
  },
  { error: objectError('the request body must be a JSON object like {"amount":"12.50","currency":"USD","method":"card","userId":"u-1"}') },
);

/** A valid payment: the body's fields plus the amount in integer minor units. */
export interface Payment {
  /** The amount written with exactly the currency's decimals, e.g. `"12.50"`. */
  readonly amount: string;
  /** The amount in the currency's minor unit (cents, yen), an integer. */
  readonly amountMinor: number;
  readonly currency: Currency;
  readonly method: (typeof PAYMENT_METHODS)[number];
  readonly userId: string;
}

export type ParsedPayment = { readonly ok: true; readonly payment: Payment } | { readonly ok: false; readonly errors: FieldError[] };

/**
 * The body as a {@link Payment}, or every problem with it: the shape ({@link paymentSchema}), then
 * the amount against its currency's ISO 4217 exponent and `maxAmount` (major units).
 */
export function parsePayment(value: unknown, maxAmount: number): ParsedPayment {
  const parsed = paymentSchema.safeParse(value);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error, 'body', 'body') };
  const { amount, currency, method, userId: user } = parsed.data;
  const money = parseAmount(amount, currency, maxAmount);
  if (!money.ok) return { ok: false, errors: [{ field: 'amount', in: 'body', message: money.message }] };
  return { ok: true, payment: { amount: money.canonical, amountMinor: money.minorUnits, currency, method, userId: user } };
}

/** Header `Idempotency-Key` of POST /payment/process: one unique key per payment, e.g. a UUID. */
export const idempotencyKeySchema = z
  .string({ error: `Idempotency-Key header is required: send a unique key of ${MIN_IDEMPOTENCY_KEY_LENGTH} to ${MAX_ID_LENGTH} characters per payment, e.g. a UUID` })
  .min(MIN_IDEMPOTENCY_KEY_LENGTH, {
    error: `Idempotency-Key must be at least ${MIN_IDEMPOTENCY_KEY_LENGTH} characters: send a unique key per payment, e.g. a UUID`,
    abort: true,
  })
  .max(MAX_ID_LENGTH, { error: `Idempotency-Key must be at most ${MAX_ID_LENGTH} characters: send a shorter unique key, e.g. a UUID`, abort: true })
  .regex(ID_PATTERN, 'Idempotency-Key must be printable ASCII without spaces (characters ! to ~), e.g. a UUID');

/**
 * Characters SNS accepts in a message and in String attribute values (XML's character set: tab,
 * newline, carriage return and U+0020 upwards, without lone surrogates, U+FFFE or U+FFFF), minus
 * the bidirectional overrides and isolates (U+202A to U+202E, U+2066 to U+2069), which can make a
 * notification display differently from what was sent.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 */
export function isDeliverableText(text: string): boolean {
  return /^[\t\n\r\u0020-\u2029\u202F-\u2065\u206A-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u.test(text);
}

/** Body of POST /payment/notify. `channel` defaults to `email`. */
export const notificationSchema = z.strictObject(
  {
    transactionId: z.uuid({ error: expected('transactionId', 'the transaction id returned by /payment/process (a UUID)') }),
    userId,
    channel: z.enum(NOTIFICATION_CHANNELS, { error: `channel must be one of ${NOTIFICATION_CHANNELS.join(', ')}, or left out for email` }).default('email'),
    message: z
      .string({ error: expected('message', 'the text to send as a non-empty string') })
      .min(1, { error: 'message must not be empty or blank: send the text to deliver', abort: true })
      .max(MAX_NOTIFICATION_CHARACTERS, { error: `message must be at most ${MAX_NOTIFICATION_CHARACTERS} characters (the SNS limit for SMS): shorten it`, abort: true })
      .refine((text) => text.trim().length > 0, { error: 'message must not be empty or blank: send the text to deliver', abort: true })
      .refine(
        isDeliverableText,
        'message must contain only characters SNS delivers: no control characters other than tab and newline, no unpaired surrogates, no bidirectional overrides',
      ),
  },
  { error: objectError('the request body must be a JSON object like {"transactionId":"<uuid>","userId":"u-1","message":"Payment received"}') },
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
  return error.issues.flatMap((issue) => {
    const at = issue.path.length > 0 ? `${issue.path.join('.')}.` : '';
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: `${at}${key}`.slice(0, 64), in: location, message: `${`${at}${key}`.slice(0, 64)} ${issue.message}` }));
    }
    return [{ field: issue.path.length > 0 ? issue.path.join('.') : rootField, in: location, message: issue.message }];
  });
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
export function unexpectedError(logger: Pick<Logger, 'warn' | 'error'>, error: unknown, event: Pick<APIGatewayProxyEvent, 'requestContext'>): APIGatewayProxyResult {
  const requestId = event.requestContext?.requestId;
  if (isTransient(error)) {
    logger.warn('transient dependency failure', { error });
    return unavailable('the service is temporarily unavailable: retry shortly', { requestId });
  }
  logger.error('unexpected error', { error });
  return jsonResponse(500, { message: 'internal error: the request was not completed; retry later or quote the requestId to support', requestId });
}

/**
 * A payment API method: `route` answers the request, and whatever it throws becomes
 * {@link unexpectedError}'s 503 or 500, never an unhandled function error (which API Gateway
 * would turn into a bare 502 and the region's Lambda-error alarm would count).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/handle-errors-in-lambda-integration.html
 */
export function apiMethod<D extends { readonly logger: Pick<Logger, 'warn' | 'error'> }>(
  route: (event: APIGatewayProxyEvent, deps: D) => Promise<APIGatewayProxyResult>,
): (event: APIGatewayProxyEvent, deps: D) => Promise<APIGatewayProxyResult> {
  return async (event, deps) => {
    try {
      return await route(event, deps);
    } catch (error) {
      return unexpectedError(deps.logger, error, event);
    }
  };
}
