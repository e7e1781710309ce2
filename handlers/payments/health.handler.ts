import { connect } from 'node:net';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { jsonResponse, unexpectedError } from './payment.schema';
import { dbPort, logger, metrics, once, parameterPrefix, requireEnv } from './payments-runtime';
import { isFenced, readRegionParameters } from './region-gate';

export interface HealthDeps {
  /** The region this function runs in (`AWS_REGION`). */
  readonly region: string;
  readonly parameterPrefix: string;
  readonly ssm: SSMProvider;
  /** Database host from `DB_ENDPOINT`; when absent it is read from `<prefix>/db/endpoint`. */
  readonly dbEndpoint?: string;
  readonly dbPort: number;
  /** How long to wait for the TCP connection to the database. */
  readonly connectTimeoutMs: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * Default database connect timeout. Route 53 counts an HTTP(S) check as failed unless the
 * endpoint answers within two seconds of the connection, so the probe must finish well before.
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 1000;

export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Open a TCP connection to `host:port` and close it at once; fail after `timeoutMs` without one. */
export function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done({ ok: true }));
    socket.once('timeout', () => done({ ok: false, reason: `no TCP connection within ${timeoutMs} ms` }));
    socket.once('error', (error: NodeJS.ErrnoException) => done({ ok: false, reason: error.code ?? 'connection error' }));
  });
}

type DatabaseCheck = 'ok' | 'unreachable' | 'unknown';

/**
 * GET /health: whether THIS region can serve, for the Route 53 health check in front of it.
 * Two checks: the database accepts a TCP connection, and the region is not fenced. It does not
 * ask whether the region is active: a healthy standby answers 200, which is what makes it an
 * eligible failover target. 200 `{status:'ok', region, checks}`, or 503 with `failed` saying
 * which check failed (details are logged, not returned). Route 53 treats 2xx/3xx as healthy.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format
 */
export async function fn(event: APIGatewayProxyEvent, deps: HealthDeps): Promise<APIGatewayProxyResult> {
  try {
    const failed: string[] = [];
    let fenced: boolean | 'unknown' = 'unknown';
    let endpoint = deps.dbEndpoint;
    try {
      const params = await readRegionParameters(deps.ssm, deps.parameterPrefix, endpoint ? ['fenced'] : ['fenced', 'db/endpoint']);
      fenced = isFenced(params.fenced);
      endpoint ??= params['db/endpoint']?.trim() || undefined;
      if (fenced) failed.push('fenced: region is fenced for failover');
    } catch (error) {
      deps.logger.warn('cannot read the region parameters', { error, prefix: deps.parameterPrefix });
      failed.push('fenced: cannot read the region parameters');
    }

    let database: DatabaseCheck = 'unknown';
    if (endpoint) {
      const probe = await probeTcp(endpoint, deps.dbPort, deps.connectTimeoutMs);
      database = probe.ok ? 'ok' : 'unreachable';
      if (!probe.ok) {
        deps.logger.warn('database unreachable', { endpoint, port: deps.dbPort, reason: probe.reason });
        failed.push(`database: ${probe.reason}`);
      }
    } else if (fenced !== 'unknown') {
      deps.logger.error('no database endpoint: set DB_ENDPOINT or the db/endpoint parameter', { prefix: deps.parameterPrefix });
      failed.push('database: endpoint not configured');
    }

    const checks = { database, fenced };
    if (failed.length > 0) {
      deps.metrics.addMetric('HealthCheckFailed', MetricUnit.Count, 1);
      return jsonResponse(503, { status: 'unhealthy', region: deps.region, checks, failed });
    }
    return jsonResponse(200, { status: 'ok', region: deps.region, checks });
  } catch (error) {
    return unexpectedError(deps.logger, error, event);
  }
}

const runtimeDeps = once(
  (): HealthDeps => ({
    region: requireEnv('AWS_REGION'),
    parameterPrefix: parameterPrefix(),
    ssm: new SSMProvider({ awsSdkV3Client: new SSMClient({}) }),
    dbEndpoint: process.env.DB_ENDPOINT?.trim() || undefined,
    dbPort: dbPort(),
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    logger,
    metrics,
  }),
);

export const handler = middy((event: APIGatewayProxyEvent) => fn(event, runtimeDeps()))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
