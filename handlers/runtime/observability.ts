import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

/**
 * The one observability module of every Lambda function this project deploys, controller and
 * payment workload alike: a structured JSON logger and CloudWatch embedded-metric-format metrics,
 * and {@link observed}, the middy wrapper each handler is exported through. The domain never logs;
 * handlers log and measure what the domain decided.
 *
 * The service name and the metrics namespace come from the function's environment
 * (`POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE`), which each stack sets per function:
 * the controller's to {@link SERVICE_NAME} / {@link METRICS_NAMESPACE} (the defaults, which its
 * alarms watch), each payment function to its own name and the workload's namespace.
 *
 * No tracer: the functions make a handful of SDK calls per invocation and the execution history of
 * the state machine already shows every step with its input, output and timing.
 *
 * @see https://docs.aws.amazon.com/powertools/typescript/latest/core/logger/
 * @see https://docs.aws.amazon.com/powertools/typescript/latest/core/metrics/
 * @see https://docs.aws.amazon.com/powertools/typescript/latest/environment-variables/
 */

/** Service name on every log line and metric when the environment names none: the controller's. */
export const SERVICE_NAME = 'dr-controller';

/** CloudWatch namespace of every metric when the environment names none: the controller's. */
export const METRICS_NAMESPACE = 'DrController';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME;

export const logger = new Logger({ serviceName });

export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE, serviceName });

export { MetricUnit };

/** What a handler's `fn` receives to log and measure: the module's own in Lambda, spies in tests. */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** The module's logger and metrics, for a handler's runtime dependencies. */
export const observability: Observability = { logger, metrics };

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
