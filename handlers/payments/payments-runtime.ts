import { ConfigurationError } from '../../adapters/errors';

/**
 * What every payment Lambda function shares besides observability (handlers/runtime/observability.ts):
 * build-once-per-container and configuration from environment variables. Each handler builds the SDK clients it uses in
 * its own `runtimeDeps` (once per execution environment, on first use) and imports only their
 * packages: the bundles take the AWS SDK from the Lambda runtime, and esbuild keeps the `require`
 * of every external package a bundled module imports, so a client imported here would be loaded
 * at init by every function. Configuration comes from environment variables set by the CDK stack:
 * `PAYMENTS_TABLE`, `MAX_PAYMENT_AMOUNT`, `PARAMETER_PREFIX`, `TOPIC_ARN`, `DB_READER_ENDPOINT`, `DB_PORT`, `TOKEN_SECRET_ID`, `TOKEN_AUDIENCE`,
 * `POWERTOOLS_SERVICE_NAME` and `POWERTOOLS_METRICS_NAMESPACE` (read by the observability module) and `AWS_REGION` (set by Lambda).
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-runtime.html
 */

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
    throw new ConfigurationError(`environment variable ${name} is not set: the stack that deploys this function must set it`);
  }
  return value;
}

/** `PARAMETER_PREFIX` without a trailing slash, e.g. `/dr/payments`; it must start with `/`. */
export function parameterPrefix(env: NodeJS.ProcessEnv = process.env): string {
  const prefix = requireEnv('PARAMETER_PREFIX', env).replace(/\/+$/, '');
  if (!prefix.startsWith('/')) {
    throw new ConfigurationError(`environment variable PARAMETER_PREFIX must start with "/" (a Parameter Store path), got "${prefix}"`);
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
    throw new ConfigurationError(`environment variable DB_PORT must be a TCP port number from 1 to 65535, got "${raw}"`);
  }
  return port;
}

/**
 * Deadlines of the Parameter Store client: a region whose Parameter Store hangs refuses writes in
 * about a second and a half (two attempts of 500 ms connect / 700 ms answer) instead of holding the
 * request to the function's timeout.
 * @see https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export const SSM_CLIENT_DEADLINES = { maxAttempts: 2, requestHandler: { connectionTimeout: 500, requestTimeout: 700 } } as const;

/** Deadlines of the DynamoDB client; a multi-Region strongly consistent write takes a cross-Region round trip. */
export const DYNAMODB_CLIENT_DEADLINES = { maxAttempts: 3, requestHandler: { connectionTimeout: 500, requestTimeout: 2000 } } as const;
