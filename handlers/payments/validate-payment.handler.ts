import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { badRequest, fieldErrors, jsonResponse, paymentSchema, readJsonBody, unexpectedError } from './payment.schema';
import { logger, metrics } from './payments-runtime';

export interface ValidatePaymentDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * POST /payment/validate: checks a payment request without side effects. 200 `{valid: true}`,
 * or 400 naming every bad field and how to fix it.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format
 */
export async function fn(event: APIGatewayProxyEvent, deps: ValidatePaymentDeps): Promise<APIGatewayProxyResult> {
  try {
    const body = readJsonBody(event);
    if (!body.ok) return badRequest([body.error]);
    const parsed = paymentSchema.safeParse(body.value);
    if (!parsed.success) {
      deps.metrics.addMetric('PaymentRejected', MetricUnit.Count, 1);
      return badRequest(fieldErrors(parsed.error, 'body', 'body'));
    }
    deps.metrics.addMetric('PaymentValidated', MetricUnit.Count, 1);
    return jsonResponse(200, { valid: true });
  } catch (error) {
    return unexpectedError(deps.logger, error, event);
  }
}

export const handler = middy((event: APIGatewayProxyEvent) => fn(event, { logger, metrics }))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
