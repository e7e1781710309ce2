import { createHash, randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { maxPaymentAmount } from './money';
import {
  apiMethod,
  badRequest,
  fieldErrors,
  headerValue,
  idempotencyKeySchema,
  jsonResponse,
  parsePayment,
  readJsonBody,
  unavailable,
  type FieldError,
  type Payment,
} from './payment.schema';
import { DYNAMODB_CLIENT_DEADLINES, once, requireEnv } from './payments-runtime';
import { MetricUnit, observed } from '../runtime/observability';
import { readRegionParametersCached, regionGateRuntimeDeps, writeRefusal, type RegionGateDeps } from './region-gate';

export interface ProcessPaymentDeps extends RegionGateDeps {
  /** The payments table (multi-Region strongly consistent): partition key `idempotencyKey` (string). */
  readonly tableName: string;
  /** Largest amount of one payment, in major units of its currency (`MAX_PAYMENT_AMOUNT`). */
  readonly maxAmount: number;
  readonly documentClient: DynamoDBDocumentClient;
  readonly newTransactionId: () => string;
}

/** The stored payment, as written and as read back on a replay. */
const paymentRecordSchema = z.object({
  idempotencyKey: z.string(),
  transactionId: z.string(),
  requestHash: z.string(),
  status: z.literal('accepted'),
  amount: z.string(),
  amountMinor: z.number().int(),
  currency: z.string(),
  method: z.string(),
  userId: z.string(),
  region: z.string(),
  createdAt: z.number(),
});

type PaymentRecord = z.infer<typeof paymentRecordSchema>;

/**
 * Fingerprint of what the payment *means*: amount in minor units, currency, method and user, so
 * `"12.5"` and `"12.50"` replay each other while any change of meaning is a 409.
 */
function fingerprint(payment: Payment): string {
  const { amountMinor, currency, method, userId } = payment;
  return createHash('sha256').update(JSON.stringify([amountMinor, currency, method, userId])).digest('hex');
}

function accepted(record: PaymentRecord, replayed: boolean): APIGatewayProxyResult {
  const { transactionId, status, amount, amountMinor, currency, method, userId, region, createdAt } = record;
  return jsonResponse(
    200,
    { transactionId, status, amount, amountMinor, currency, method, userId, region, createdAt: new Date(createdAt).toISOString() },
    { 'Idempotent-Replayed': String(replayed) },
  );
}

/** Why this region must not write now, or undefined. Parameter Store failures refuse too. */
async function refusal(deps: ProcessPaymentDeps): Promise<string | undefined> {
  try {
    const params = await readRegionParametersCached(deps.ssm, deps.parameterPrefix, ['active-region', 'fenced'], deps.now);
    return writeRefusal(deps.region, params);
  } catch (error) {
    deps.logger.warn('cannot read the region parameters', { error, prefix: deps.parameterPrefix });
    return `region ${deps.region} cannot confirm it may take writes (parameter store unavailable)`;
  }
}

/**
 * DynamoDB refuses a write to an item another Region is writing at the same moment; only a
 * multi-Region strongly consistent table does this. The other write is this payment's own retry
 * (same key), so the client's next retry replays whichever write won.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html#API_PutItem_Errors
 */
function isReplicatedWriteConflict(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ReplicatedWriteConflictException';
}

/**
 * POST /payment/process: records a payment exactly once per client-supplied `Idempotency-Key`,
 * in every Region.
 *
 * 1. Validates the key (8 to 128 printable ASCII characters) and the body (as /payment/validate):
 *    400 naming every bad field.
 * 2. Refuses with 503 and `Retry-After` unless this region is the active one and not fenced
 *    (Parameter Store, read at most 500 ms before the decision: `PARAMETER_MAX_AGE_MS` in region-gate).
 * 3. Writes the payment to the payments table under `idempotencyKey` with a conditional put. The
 *    table is a multi-Region strongly consistent (MRSC) global table: the put succeeds only once it
 *    is durable in a second Region, and the `attribute_not_exists` check sees every write any
 *    Region acknowledged, so a retry after a failover finds the original. If the key exists, a
 *    strongly consistent read of the stored record decides: same payment → 200 with the original
 *    transaction (header `Idempotent-Replayed: true`); different payment → 409. A concurrent write
 *    of the same key in another Region, or a Region cut off from the others (no majority), is a
 *    503 with `Retry-After`: nothing was charged twice.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html#V2globaltables_HowItWorks.consistency-modes-mrsc
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format
 */
export const fn = apiMethod(async (event, deps: ProcessPaymentDeps): Promise<APIGatewayProxyResult> => {
  const errors: FieldError[] = [];
  const key = idempotencyKeySchema.safeParse(headerValue(event, 'Idempotency-Key'));
  if (!key.success) errors.push(...fieldErrors(key.error, 'header', 'Idempotency-Key'));
  const body = readJsonBody(event);
  if (!body.ok) errors.push(body.error);
  const parsed = body.ok ? parsePayment(body.value, deps.maxAmount) : undefined;
  if (parsed?.ok === false) errors.push(...parsed.errors);
  if (!key.success || !parsed?.ok) {
    deps.metrics.addMetric('PaymentRejected', MetricUnit.Count, 1);
    return badRequest(errors);
  }

  const reason = await refusal(deps);
  if (reason !== undefined) {
    deps.logger.info('write refused', { reason });
    deps.metrics.addMetric('WriteRefused', MetricUnit.Count, 1);
    return unavailable(reason, { region: deps.region });
  }

  const { payment } = parsed;
  const record: PaymentRecord = {
    idempotencyKey: key.data,
    transactionId: deps.newTransactionId(),
    requestHash: fingerprint(payment),
    status: 'accepted',
    amount: payment.amount,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    method: payment.method,
    userId: payment.userId,
    region: deps.region,
    createdAt: deps.now(),
  };
  try {
    await deps.documentClient.send(
      new PutCommand({ TableName: deps.tableName, Item: record, ConditionExpression: 'attribute_not_exists(idempotencyKey)' }),
    );
    deps.logger.info('payment accepted', { transactionId: record.transactionId });
    deps.metrics.addMetric('PaymentAccepted', MetricUnit.Count, 1);
    return accepted(record, false);
  } catch (error) {
    if (isReplicatedWriteConflict(error)) {
      deps.metrics.addMetric('IdempotencyInProgress', MetricUnit.Count, 1);
      return unavailable('a request with this Idempotency-Key is being recorded in another region: retry with the same key and body', { region: deps.region });
    }
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }

  const existing = await deps.documentClient.send(
    new GetCommand({ TableName: deps.tableName, Key: { idempotencyKey: record.idempotencyKey }, ConsistentRead: true }),
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
});

const runtimeDeps = once(
  (): ProcessPaymentDeps => ({
    ...regionGateRuntimeDeps(),
    tableName: requireEnv('PAYMENTS_TABLE'),
    maxAmount: maxPaymentAmount(),
    documentClient: DynamoDBDocumentClient.from(new DynamoDBClient(DYNAMODB_CLIENT_DEADLINES)),
    newTransactionId: randomUUID,
  }),
);

export const handler = observed((event: APIGatewayProxyEvent) => fn(event, runtimeDeps()));
