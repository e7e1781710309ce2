import { ConfigurationError } from '../../adapters/errors';
import type { ControllerConfig, Region } from '../../domain/config';
import { parseConfig } from '../../edge/config.schema';
import { missingRegions, parseResources, type Resources } from '../../edge/resources.schema';

/**
 * The SDK-free core of the controller's composition root: configuration from the environment,
 * build-once-per-container, and the SDK client settings. Each port's factory lives in its own
 * `*-root.ts` module next to this one, importing only its SDK client. The bundles leave the AWS
 * SDK to the Lambda runtime (see the constructs' bundling options), and esbuild cannot tell
 * whether an external package has side effects, so it keeps the `require` of every one that a
 * bundled module imports, used or not: a handler that imports only the roots it calls loads only
 * its own SDK clients at init.
 *
 * @see https://esbuild.github.io/api/#external
 * @see https://esbuild.github.io/api/#tree-shaking
 */

/** What a function knows about its deployment: validated `DR_CONFIG`, `DR_RESOURCES` and its region. */
export interface Settings {
  readonly config: ControllerConfig;
  readonly resources: Resources;
  /** The region this function runs in (`AWS_REGION`). */
  readonly region: Region;
}

export { ConfigurationError };

/**
 * Read and validate the function's configuration: `DR_CONFIG` (controller configuration JSON),
 * `DR_RESOURCES` (resource identifiers JSON) and `AWS_REGION`, then check that the resources cover
 * every configured region. Throws {@link ConfigurationError} naming every bad field at once.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-runtime.html (AWS_REGION)
 */
export function loadSettings(env: Readonly<Record<string, string | undefined>>): Settings {
  const errors: string[] = [];
  let config: ControllerConfig | undefined;
  if (env.DR_CONFIG === undefined) {
    errors.push('DR_CONFIG: not set; set it to the controller configuration JSON');
  } else {
    let json: unknown;
    try {
      json = JSON.parse(env.DR_CONFIG);
    } catch (error) {
      errors.push(`DR_CONFIG: not valid JSON (${(error as Error).message}); set it to the controller configuration JSON`);
    }
    if (json !== undefined) {
      const parsed = parseConfig(json);
      if (parsed.ok) config = parsed.config;
      else errors.push(...parsed.errors.map((e) => `DR_CONFIG.${e}`));
    }
  }
  const resources = env.DR_RESOURCES === undefined ? undefined : parseResources(env.DR_RESOURCES);
  if (resources === undefined) errors.push('DR_RESOURCES: not set; set it to the resource identifiers JSON the controller stack writes');
  else if (!resources.ok) errors.push(...resources.errors);
  if (!env.AWS_REGION) errors.push('AWS_REGION: not set; Lambda sets it, elsewhere set it to the region the code runs in');

  if (config && resources?.ok) errors.push(...missingRegions(resources.resources, config.regions));
  if (errors.length > 0 || !config || !resources?.ok || !env.AWS_REGION) {
    throw new ConfigurationError(`the function's configuration is invalid:\n- ${errors.join('\n- ')}`);
  }
  return { config, resources: resources.resources, region: env.AWS_REGION };
}

const built = new Map<string, unknown>();

/** Build a dependency once per container (Lambda reuses the container between invocations). */
export function once<T>(key: string, build: () => T): T {
  if (!built.has(key)) built.set(key, build());
  return built.get(key) as T;
}

/**
 * SDK client settings: fail fast on a dead region (connection and request timeouts, the latter an
 * error only with `throwOnRequestTimeout`) instead of hanging until the Lambda timeout.
 *
 * Retries are layered once, not multiplied: a client whose adapter retries with its own bounded
 * backoff (Route 53, Step Functions, RDS and CloudWatch, EventBridge: `adapterRetries`) makes a
 * single SDK attempt per adapter attempt; the others (DynamoDB, SSM, SQS) keep the SDK's standard
 * retries. The workflow's Retry, or SQS redelivery, is the layer above. Retries stacked at every
 * layer multiply the calls an overloaded service receives in exactly the outage the controller exists for.
 *
 * @see https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html (requestHandler options)
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 * @see https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/
 */
export const clientConfig = (region: Region, retries: 'sdk' | 'adapterRetries' = 'sdk') => ({
  region,
  requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
  ...(retries === 'adapterRetries' ? { maxAttempts: 1 } : {}),
});

/**
 * Where a port factory's SDK clients connect. Lambda passes nothing: each region's public endpoint
 * and the function's role. A local AWS (`drctl drill` and the sandbox on moto_server) passes its
 * endpoint and the credentials it accepts; every other client setting (deadlines, retries) stays
 * the production one, written once in the factory.
 *
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export interface AwsTarget {
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Told about every client a factory makes, so a caller that outlives its adapters (the drill) can destroy them. */
  readonly onClient?: (client: { destroy(): void }) => void;
}

/** How an adapter waits between its own bounded retries. @default - real time */
export interface AdapterTuning {
  readonly sleep?: (ms: number) => Promise<void>;
}

/** An SDK client made from `config` aimed at `aws`: `make` is the client's constructor call. */
export function clientOn<C extends { destroy(): void }, T extends object>(aws: AwsTarget, config: T, make: (config: T) => C): C {
  const client = make({
    ...config,
    ...(aws.endpoint !== undefined ? { endpoint: aws.endpoint } : {}),
    ...(aws.credentials !== undefined ? { credentials: aws.credentials } : {}),
  });
  aws.onClient?.(client);
  return client;
}

/**
 * An SDK client in the controller's region aimed at `aws`, with the {@link clientConfig} of
 * `retries`: the client of each port that lives beside the controller (its bus, state machine,
 * state table and dead-letter queue).
 */
export function controllerRegionClient<C extends { destroy(): void }>(
  ids: Pick<Resources, 'controllerRegion'>,
  aws: AwsTarget,
  retries: 'sdk' | 'adapterRetries',
  make: (config: ReturnType<typeof clientConfig>) => C,
): C {
  return clientOn(aws, clientConfig(ids.controllerRegion, retries), make);
}

/** Validated configuration of this function (from `process.env`). */
export function settings(): Settings {
  return once('settings', () => loadSettings(process.env));
}
