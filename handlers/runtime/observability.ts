import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

/**
 * The one observability module of the controller's Lambda functions: a structured JSON logger and
 * CloudWatch embedded-metric-format metrics, shared by the failover steps and the decide handler.
 * The domain never logs; handlers log and measure what the domain decided.
 *
 * No tracer: the functions make a handful of SDK calls per invocation and the execution history of
 * the state machine already shows every step with its input, output and timing.
 *
 * @see https://docs.aws.amazon.com/powertools/typescript/latest/core/logger/
 * @see https://docs.aws.amazon.com/powertools/typescript/latest/core/metrics/
 */

/** Service name on every log line and metric. */
export const SERVICE_NAME = 'dr-controller';

/** CloudWatch namespace of every controller metric. */
export const METRICS_NAMESPACE = 'DrController';

export const logger = new Logger({ serviceName: SERVICE_NAME });

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

export { MetricUnit };

/**
 * Wrap a plain handler function for Lambda: Lambda context on every log line (keys reset between
 * invocations), metrics flushed after each invocation (also when it throws). Errors propagate
 * unchanged so Lambda reports them with their `name` as `errorType`, which is what the state
 * machine's Retry and Catch match.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html
 */
export function observed<TEvent, TResult>(fn: (event: TEvent, context: Context) => Promise<TResult>) {
  return middy(fn)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { throwOnEmptyMetrics: false }));
}
