import { connect } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { apiMethod, jsonResponse } from './payment.schema';
import { dbPort, once } from './payments-runtime';
import { MetricUnit, observed } from '../runtime/observability';
import { isFenced, readRegionParametersCached, regionGateRuntimeDeps, type RegionGateDeps } from './region-gate';

export interface HealthDeps extends RegionGateDeps {
  /**
   * This region's Aurora *reader* endpoint, from `DB_READER_ENDPOINT`; when absent it is read from
   * `<prefix>/db/reader-endpoint`. Not the cluster (writer) endpoint: on a global database's
   * secondary cluster that one is inactive, so a healthy standby would look down.
   */
  readonly dbEndpoint?: string;
  readonly dbPort: number;
  /** How long to wait for the TCP connection to the database. */
  readonly connectTimeoutMs: number;
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
 * Two checks: this region's Aurora reader endpoint accepts a TCP connection (it is active on the
 * primary and on a global database's secondary alike), and the region is not fenced. It does not
 * ask whether the region is active: a healthy standby answers 200, which is what makes it an
 * eligible failover target. 200 `{status:'ok', region, checks}`, or 503 with `failed` saying
 * which check failed (details are logged, not returned). Route 53 treats 2xx/3xx as healthy.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Overview.Endpoints.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format
 */
export const fn = apiMethod(async (event, deps: HealthDeps): Promise<APIGatewayProxyResult> => {
  const failed: string[] = [];
  let fenced: boolean | 'unknown' = 'unknown';
  let endpoint = deps.dbEndpoint;
  try {
    const params = await readRegionParametersCached(deps.ssm, deps.parameterPrefix, endpoint ? ['fenced'] : ['fenced', 'db/reader-endpoint'], deps.now);
    fenced = isFenced(params.fenced);
    endpoint ??= params['db/reader-endpoint']?.trim() || undefined;
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
    deps.logger.error('no database endpoint: set DB_READER_ENDPOINT or the db/reader-endpoint parameter', { prefix: deps.parameterPrefix });
    failed.push('database: endpoint not configured');
  }

  const checks = { database, fenced };
  if (failed.length > 0) {
    deps.metrics.addMetric('HealthCheckFailed', MetricUnit.Count, 1);
    return jsonResponse(503, { status: 'unhealthy', region: deps.region, checks, failed });
  }
  return jsonResponse(200, { status: 'ok', region: deps.region, checks });
});

const runtimeDeps = once(
  (): HealthDeps => ({
    ...regionGateRuntimeDeps(),
    dbEndpoint: process.env.DB_READER_ENDPOINT?.trim() || undefined,
    dbPort: dbPort(),
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
  }),
);

export const handler = observed((event: APIGatewayProxyEvent) => fn(event, runtimeDeps()));
