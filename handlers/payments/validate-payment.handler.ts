import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { maxPaymentAmount } from './money';
import { apiMethod, badRequest, jsonResponse, parsePayment, readJsonBody } from './payment.schema';
import { once } from './payments-runtime';
import { MetricUnit, observability, observed, type Observability } from '../runtime/observability';

export interface ValidatePaymentDeps extends Observability {
  /** Largest amount of one payment, in major units of its currency (`MAX_PAYMENT_AMOUNT`). */
  readonly maxAmount: number;
}

/**
 * POST /payment/validate: checks a payment request without side effects, by exactly the rules
 * /payment/process applies. 200 `{valid: true, amount, amountMinor, currency}` (the amount as it
 * would be recorded), or 400 naming every bad field and how to fix it.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format
 */
export const fn = apiMethod(async (event, deps: ValidatePaymentDeps): Promise<APIGatewayProxyResult> => {
  const body = readJsonBody(event);
  if (!body.ok) return badRequest([body.error]);
  const parsed = parsePayment(body.value, deps.maxAmount);
  if (!parsed.ok) {
    deps.metrics.addMetric('PaymentRejected', MetricUnit.Count, 1);
    return badRequest(parsed.errors);
  }
  const { amount, amountMinor, currency } = parsed.payment;
  deps.metrics.addMetric('PaymentValidated', MetricUnit.Count, 1);
  return jsonResponse(200, { valid: true, amount, amountMinor, currency });
});

const runtimeDeps = once((): ValidatePaymentDeps => ({ maxAmount: maxPaymentAmount(), ...observability }));

export const handler = observed((event: APIGatewayProxyEvent) => fn(event, runtimeDeps()));
