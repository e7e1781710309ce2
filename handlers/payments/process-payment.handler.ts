import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import {
  badRequest,
  fieldErrors,
  headerValue,
  idempotencyKeySchema,
  jsonResponse,
  paymentSchema,
  readJsonBody,
  unavailable,
  unexpectedError,
  type FieldError,
  type Payment,
} from './payment.schema';
import { logger, metrics, once, parameterPrefix, requireEnv } from './payments-runtime';
import { readRegionParameters, writeRefusal } from './region-gate';

export interface ProcessPaymentDeps {
  /** The region this function runs in (`AWS_REGION`). */
  readonly region: string;
  readonly parameterPrefix: string;
  /** The sessions table: partition key `sessionId` (string), sort key `timestamp` (number). */
  readonly tableName: string;
  readonly ssm: SSMProvider;
  readonly documentClient: DynamoDBDocumentClient;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly newTransactionId: () => string;
}

/**
 * Sort key of every payment record. The conditional put's `attribute_not_exists` is checked
 * against the one item with the same full primary key, so the key must be the same on every
 * replay of an idempotency key: a clock value would make each replay a new item. The creation
 * time is kept in `createdAt`.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html#Expressions.ConditionExpressions.PreventingOverwrites
 */
export const PAYMENT_RECORD_TIMESTAMP = 0;

/** The stored payment, as written and as read back on a replay. */
const paymentRecordSchema = z.object({
  sessionId: z.string(),
  timestamp: z.number(),
  transactionId: z.string(),
  requestHash: z.string(),
  status: z.literal('accepted'),
  amount: z.number(),
  currency: z.string(),
  method: z.string(),
  userId: z.string(),
  region: z.string(),
  createdAt: z.number(),
});

type PaymentRecord = z.infer<typeof paymentRecordSchema>;

/** JSON with object keys sorted, so the same body always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function fingerprint(payment: Payment): string {
  return createHash('sha256').update(canonicalJson(payment)).digest('hex');
}

function accepted(record: PaymentRecord, replayed: boolean): APIGatewayProxyResult {
  const { transactionId, status, amount, currency, method, userId, region, createdAt } = record;
  return jsonResponse(
    200,
    { transactionId, status, amount, currency, method, userId, region, createdAt: new Date(createdAt).toISOString() },
    { 'Idempotent-Replayed': String(replayed) },
  );
}

/** Why this region must not write now, or undefined. Parameter Store failures refuse too. */
async function refusal(deps: ProcessPaymentDeps): Promise<string | undefined> {
  try {
    const params = await readRegionParameters(deps.ssm, deps.parameterPrefix, ['active-region', 'fenced']);
    return writeRefusal(deps.region, params);
  } catch (error) {
    deps.logger.warn('cannot read the region parameters', { error, prefix: deps.parameterPrefix });
    return `region ${deps.region} cannot confirm it may take writes (parameter store unavailable)`;
  }
}

/**
 * POST /payment/process: records a payment exactly once per client-supplied `Idempotency-Key`.
 *
 * 1. Validates the body (as /payment/validate) and the key (8 to 128 characters): 400 naming every bad field.
 * 2. Refuses with 503 and `Retry-After` unless this region is the active one and not fenced
 *    (Parameter Store, cached for a few seconds).
 * 3. Writes the transaction to the sessions table under `sessionId = payment#<key>` with a
 *    conditional put. If the key exists, the stored record decides: same body (by hash) → 200 with
 *    the original transaction (header `Idempotent-Replayed: true`); different body → 409.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format
 */
export async function fn(event: APIGatewayProxyEvent, deps: ProcessPaymentDeps): Promise<APIGatewayProxyResult> {
  try {
    const errors: FieldError[] = [];
    const key = idempotencyKeySchema.safeParse(headerValue(event, 'Idempotency-Key'));
    if (!key.success) errors.push(...fieldErrors(key.error, 'header', 'Idempotency-Key'));
    const body = readJsonBody(event);
    if (!body.ok) errors.push(body.error);
    const parsed = body.ok ? paymentSchema.safeParse(body.value) : undefined;
    if (parsed?.success === false) errors.push(...fieldErrors(parsed.error, 'body', 'body'));
    if (!key.success || !parsed?.success) {
      deps.metrics.addMetric('PaymentRejected', MetricUnit.Count, 1);
      return badRequest(errors);
    }

    const reason = await refusal(deps);
    if (reason !== undefined) {
      deps.logger.info('write refused', { reason });
      deps.metrics.addMetric('WriteRefused', MetricUnit.Count, 1);
      return unavailable(reason, { region: deps.region });
    }

    const payment = parsed.data;
    const record: PaymentRecord = {
      sessionId: `payment#${key.data}`,
      timestamp: PAYMENT_RECORD_TIMESTAMP,
      transactionId: deps.newTransactionId(),
      requestHash: fingerprint(payment),
      status: 'accepted',
      amount: payment.amount,
      currency: payment.currency,
      method: payment.method,
      userId: payment.userId,
      region: deps.region,
      createdAt: deps.now(),
    };
    try {
      await deps.documentClient.send(
        new PutCommand({ TableName: deps.tableName, Item: record, ConditionExpression: 'attribute_not_exists(sessionId)' }),
      );
      deps.logger.info('payment accepted', { transactionId: record.transactionId });
      deps.metrics.addMetric('PaymentAccepted', MetricUnit.Count, 1);
      return accepted(record, false);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }

    const existing = await deps.documentClient.send(
      new GetCommand({ TableName: deps.tableName, Key: { sessionId: record.sessionId, timestamp: record.timestamp }, ConsistentRead: true }),
    );
    const stored = paymentRecordSchema.parse(existing.Item);
    if (stored.requestHash !== record.requestHash) {
      deps.metrics.addMetric('IdempotencyConflict', MetricUnit.Count, 1);
      return jsonResponse(409, {
        message: 'Idempotency-Key was already used for a different payment: send a new key for a new payment, or resend the original body to get its result',
        field: 'Idempotency-Key',
        in: 'header',
      });
    }
    deps.metrics.addMetric('PaymentReplayed', MetricUnit.Count, 1);
    return accepted(stored, true);
  } catch (error) {
    return unexpectedError(deps.logger, error, event);
  }
}

const runtimeDeps = once(
  (): ProcessPaymentDeps => ({
    region: requireEnv('AWS_REGION'),
    parameterPrefix: parameterPrefix(),
    tableName: requireEnv('SESSIONS_TABLE'),
    ssm: new SSMProvider({ awsSdkV3Client: new SSMClient({}) }),
    documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    logger,
    metrics,
    now: Date.now,
    newTransactionId: randomUUID,
  }),
);

export const handler = middy((event: APIGatewayProxyEvent) => fn(event, runtimeDeps()))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
