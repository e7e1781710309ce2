import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmConfigStore } from '../../adapters/config-store/ssm-config-store.adapter';
import { AuroraGlobalDatabase } from '../../adapters/database/aurora-global-database.adapter';
import { EventBridgePublisher } from '../../adapters/publisher/eventbridge-publisher.adapter';
import { Route53Traffic } from '../../adapters/traffic/route53-traffic.adapter';
import { StepFunctionsWorkflow } from '../../adapters/workflow/step-functions-workflow.adapter';
import type { ControllerConfig, Region } from '../../domain/config';
import type { ConfigStore } from '../../domain/ports/config-store.port';
import type { Database } from '../../domain/ports/database.port';
import type { Publisher } from '../../domain/ports/publisher.port';
import type { Traffic } from '../../domain/ports/traffic.port';
import type { Workflow } from '../../domain/ports/workflow.port';
import { parseConfig } from '../../edge/config.schema';
import { missingRegions, parseResources, type Resources } from '../../edge/resources.schema';

/**
 * The composition root of the controller's Lambda functions: configuration from the environment
 * and the SDK clients and adapters, each built once per container, lazily, on first use. Every
 * factory is a plain function, so a bundle keeps only the ones its handler calls (and only their
 * SDK clients). Tests build their dependencies from the in-memory twins instead.
 */

/** What a function knows about its deployment: validated `DR_CONFIG`, `DR_RESOURCES` and its region. */
export interface Settings {
  readonly config: ControllerConfig;
  readonly resources: Resources;
  /** The region this function runs in (`AWS_REGION`). */
  readonly region: Region;
}

/** The deployment's configuration is unusable: the message lists every problem and its fix. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

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
 * error only with `throwOnRequestTimeout`) instead of hanging until the Lambda timeout; the SDK's
 * standard retries stay on for throttling and transient errors.
 *
 * @see https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html (requestHandler options)
 * @see https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/Package/-smithy-node-http-handler
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export const clientConfig = (region: Region) => ({
  region,
  requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
});

/** Validated configuration of this function (from `process.env`). */
export function settings(): Settings {
  return once('settings', () => loadSettings(process.env));
}

/** The workload's Aurora global database: RDS and CloudWatch clients per member region. */
export function database(): Database {
  return once('database', () => {
    const { database: ids } = settings().resources;
    return new AuroraGlobalDatabase({
      rdsFor: (region) => once(`rds:${region}`, () => new RDSClient(clientConfig(region))),
      cloudWatchFor: (region) => once(`cloudwatch:${region}`, () => new CloudWatchClient(clientConfig(region))),
      globalClusterIdentifier: ids.globalClusterIdentifier,
      clusterArns: ids.clusterArns,
    });
  });
}

/**
 * The workload's weighted records. Route 53 is a global service whose API endpoint is signed for
 * us-east-1, whatever region the caller runs in.
 *
 * @see https://docs.aws.amazon.com/general/latest/gr/r53.html
 */
export function traffic(): Traffic {
  return once('traffic', () => {
    const { traffic: ids } = settings().resources;
    return new Route53Traffic({
      client: new Route53Client(clientConfig('us-east-1')),
      hostedZoneId: ids.hostedZoneId,
      recordName: ids.recordName,
      recordType: ids.recordType,
      setIdentifiers: ids.setIdentifiers,
      healthCheckIds: ids.healthCheckIds,
    });
  });
}

/** The workload's SSM parameters, with one client per region. */
export function configStore(): ConfigStore {
  return once('config-store', () =>
    new SsmConfigStore({
      clientFor: (region) => new SSMClient(clientConfig(region)),
      parameterPrefix: settings().resources.parameterPrefix,
    }),
  );
}

/** The controller bus, in the controller's region: decisions and failover notices go there. */
export function publisher(): Publisher {
  return once('publisher', () => {
    const { resources } = settings();
    return new EventBridgePublisher({ client: new EventBridgeClient(clientConfig(resources.controllerRegion)), busName: resources.controllerBusName });
  });
}

/**
 * The failover state machine, in the controller's region. Needs `DR_RESOURCES.stateMachineArn`
 * (the decide handler's environment has it; the steps' does not).
 */
export function workflow(): Workflow {
  return once('workflow', () => {
    const { resources } = settings();
    if (!resources.stateMachineArn) {
      throw new ConfigurationError('DR_RESOURCES.stateMachineArn: not set; the function that starts failovers needs the failover state machine ARN');
    }
    return new StepFunctionsWorkflow({ client: new SFNClient(clientConfig(resources.controllerRegion)), stateMachineArn: resources.stateMachineArn });
  });
}
