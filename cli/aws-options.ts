import { AWS_REGION_PATTERN } from '../edge/aws-formats';
import { CliError } from './cli-error';

/** Where drctl's AWS calls go: a region, and optionally a local endpoint such as moto_server. */
export interface AwsTarget {
  readonly region: string;
  readonly endpointUrl?: string;
}

/** The `--region` / `--endpoint-url` flags every AWS-calling command takes. */
export interface AwsFlags {
  readonly region?: string;
  readonly 'endpoint-url'?: string;
}

/** The `--region` / `--endpoint-url` options, for a command's `parseFlags`. */
export const AWS_FLAG_OPTIONS = { region: { type: 'string' }, 'endpoint-url': { type: 'string' } } as const;

/** Credentials for a local endpoint: moto and other emulators accept any. */
const LOCAL_CREDENTIALS = { accessKeyId: 'drctl-local', secretAccessKey: 'drctl-local' } as const;

/**
 * Per-attempt limits: an operator at a terminal should hear "cannot reach" in seconds, not wait on
 * the SDK's unlimited defaults. `throwOnRequestTimeout` makes a breached request timeout an error
 * instead of a logged warning.
 */
const CONNECTION_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 5_000;
const MAX_ATTEMPTS = 2;

/**
 * Region from `--region`, else `AWS_REGION`; endpoint from `--endpoint-url`, else
 * `AWS_ENDPOINT_URL`. A missing region or a malformed value is a one-line CliError naming the flag.
 *
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export function resolveAwsTarget(flags: AwsFlags, env: NodeJS.ProcessEnv, usage: string): AwsTarget {
  const region = flags.region ?? env.AWS_REGION;
  if (region === undefined || region === '') throw new CliError(`no region: pass --region (e.g. --region us-east-2) or set AWS_REGION; ${usage}`);
  if (!AWS_REGION_PATTERN.test(region)) throw new CliError(`--region '${region}' is not a region code; use one such as us-east-2`);
  const endpointUrl = flags['endpoint-url'] ?? (env.AWS_ENDPOINT_URL || undefined);
  if (endpointUrl !== undefined) assertEndpointUrl(endpointUrl);
  return { region, ...(endpointUrl !== undefined ? { endpointUrl } : {}) };
}

function assertEndpointUrl(value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new CliError(`--endpoint-url '${value}' is not an http(s) URL; use one such as http://127.0.0.1:5000`);
  }
}

/**
 * SDK v3 client settings for `target`: at most {@link MAX_ATTEMPTS} attempts with short timeouts.
 * With an endpoint URL and no credentials configured (`AWS_ACCESS_KEY_ID` or `AWS_PROFILE`),
 * fixed local credentials are used, so drctl runs against moto without an AWS account.
 *
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-static-credentials.html
 * @see https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html
 */
export function awsClientConfig(target: AwsTarget, env: NodeJS.ProcessEnv, region: string = target.region) {
  const configured = Boolean(env.AWS_ACCESS_KEY_ID) || Boolean(env.AWS_PROFILE);
  return {
    region,
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    ...(target.endpointUrl !== undefined ? { endpoint: target.endpointUrl } : {}),
    ...(target.endpointUrl !== undefined && !configured ? { credentials: LOCAL_CREDENTIALS } : {}),
  };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
}

/** The error and its `cause` chain (adapters wrap SDK errors, keeping them as `cause`). */
function chain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  for (let e = error; typeof e === 'object' && e !== null && out.length < 5; e = (e as ErrorLike).cause) out.push(e as ErrorLike);
  return out;
}

/**
 * One line for a failed AWS call, as a CliError with exit code 1: "cannot reach DynamoDB at
 * http://127.0.0.1:1234: ECONNREFUSED", "no AWS credentials …", or the service's own error name
 * and message.
 */
export function awsFailure(error: unknown, service: string, target: AwsTarget, doing: string): CliError {
  const errors = chain(error);
  const where = target.endpointUrl ?? `its ${target.region} endpoint`;
  const network = errors.find((e) => typeof e.code === 'string' && NETWORK_CODES.has(e.code));
  if (network !== undefined) return new CliError(`cannot reach ${service} at ${where}: ${String(network.code)}`, 1);
  if (errors.some((e) => e.name === 'TimeoutError')) return new CliError(`cannot reach ${service} at ${where}: timed out`, 1);
  if (errors.some((e) => e.name === 'CredentialsProviderError')) {
    return new CliError(`no AWS credentials for ${service}: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or pass --endpoint-url for a local endpoint`, 1);
  }
  const root = errors[errors.length - 1] ?? {};
  const name = typeof root.name === 'string' ? root.name : 'Error';
  const message = typeof root.message === 'string' ? root.message : String(error);
  return new CliError(`${doing} failed: ${name}: ${message}`.replace(/\s*\n\s*/g, ' '), 1);
}
