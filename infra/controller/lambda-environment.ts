import { DEFAULT_POLICY, type ControllerConfig, type Policy } from '../../domain/config';
import { CONTROLLER_METRICS } from './controller-alarms.construct';

/**
 * The most a Lambda function's environment variables may add up to, in bytes (keys and values).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const MAX_LAMBDA_ENVIRONMENT_BYTES = 4096;

/**
 * The environment of every controller Lambda (decide, prober, readiness): its configuration as
 * JSON (validated at cold start), any further settings (`DR_READINESS`, …), the Powertools
 * settings and source-mapped stack traces (the bundles ship a source map).
 *
 * @see https://docs.aws.amazon.com/powertools/typescript/latest/environment-variables/
 * @see https://nodejs.org/api/cli.html#--enable-source-maps
 */
export function controllerEnvironment(configJson: string, resourcesJson: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    DR_CONFIG: configJson,
    DR_RESOURCES: resourcesJson,
    ...extra,
    POWERTOOLS_SERVICE_NAME: CONTROLLER_METRICS.service,
    POWERTOOLS_METRICS_NAMESPACE: CONTROLLER_METRICS.namespace,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    NODE_OPTIONS: '--enable-source-maps',
  };
}

/** Bytes an environment takes against {@link MAX_LAMBDA_ENVIRONMENT_BYTES}: every key and value, UTF-8. */
export function environmentBytes(environment: Readonly<Record<string, string>>): number {
  return Object.entries(environment).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
}

/**
 * `config` as its shortest `DR_CONFIG`: without the values `parseConfig` fills in when they are
 * absent (a signal's `critical: true`, each policy field equal to `DEFAULT_POLICY`), so the
 * functions parse back exactly `config` while its environment stays well under Lambda's 4 KB
 * (the readiness function's carries `DR_READINESS` on top). Every other field is kept as it is.
 */
export function compactConfig(config: ControllerConfig): object {
  const policy = Object.fromEntries(
    (Object.entries(config.policy) as [keyof Policy, unknown][]).filter(([key, value]) => value !== DEFAULT_POLICY[key]),
  );
  return {
    ...config,
    signals: config.signals.map(({ critical, ...signal }) => (critical ? signal : { ...signal, critical })),
    policy,
  };
}
