import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';

/**
 * Composition root of the payment Lambda functions: the logger, the metrics and one SDK client
 * per service, each built at most once per execution environment (container) and reused by
 * every invocation it serves. Clients are built on first use, so a function only pays for the
 * clients it touches. Configuration comes from environment variables set by the CDK stack:
 * `SESSIONS_TABLE`, `PARAMETER_PREFIX`, `TOPIC_ARN`, `DB_ENDPOINT`, `DB_PORT`,
 * `POWERTOOLS_SERVICE_NAME` (read by the logger and metrics themselves) and `AWS_REGION` (set by Lambda).
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-runtime.html
 */

/** Structured JSON logger; service name from `POWERTOOLS_SERVICE_NAME`. */
export const logger = new Logger();

/** CloudWatch embedded-metric-format metrics; namespace from `POWERTOOLS_METRICS_NAMESPACE`. */
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'dr-payments' });

/** Memoize a zero-argument factory: the value is built on first call and reused afterwards. */
export function once<T>(make: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = make();
      built = true;
    }
    return value as T;
  };
}

/** The value of a required environment variable, or an error that names it and the fix. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name]?.trim();
  if (!value) {
    throw new Error(`environment variable ${name} is not set: the stack that deploys this function must set it`);
  }
  return value;
}

/** `PARAMETER_PREFIX` without a trailing slash, e.g. `/dr/payments`; it must start with `/`. */
export function parameterPrefix(env: NodeJS.ProcessEnv = process.env): string {
  const prefix = requireEnv('PARAMETER_PREFIX', env).replace(/\/+$/, '');
  if (!prefix.startsWith('/')) {
    throw new Error(`environment variable PARAMETER_PREFIX must start with "/" (a Parameter Store path), got "${prefix}"`);
  }
  return prefix;
}

/** Default port of Aurora PostgreSQL, used when `DB_PORT` is not set. */
export const DEFAULT_DB_PORT = 5432;

/** `DB_PORT` as a TCP port number (default {@link DEFAULT_DB_PORT}). */
export function dbPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.DB_PORT?.trim();
  if (!raw) return DEFAULT_DB_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`environment variable DB_PORT must be a TCP port number from 1 to 65535, got "${raw}"`);
  }
  return port;
}

/**
 * DynamoDB client. Functions wrap it in a `DynamoDBDocumentClient` themselves: `@aws-sdk/lib-dynamodb`
 * is not marked side-effect free, so importing it here would put it in every function's bundle.
 */
export const dynamoDbClient = /* @__PURE__ */ once(() => new DynamoDBClient({}));

/** Parameter Store reader with Powertools' in-memory cache. */
export const ssmProvider = /* @__PURE__ */ once(() => new SSMProvider({ awsSdkV3Client: new SSMClient({}) }));

/** SNS client for notifications. */
export const snsClient = /* @__PURE__ */ once(() => new SNSClient({}));
