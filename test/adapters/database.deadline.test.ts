import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmConfigStore } from '../../adapters/config-store/ssm-config-store.adapter';
import { AuroraGlobalDatabase } from '../../adapters/database/aurora-global-database.adapter';
import { TransientAdapterError } from '../../adapters/errors';
import { Route53Traffic } from '../../adapters/traffic/route53-traffic.adapter';
import { callWorstSeconds, sdkDeadlineConfig, type CallDeadline } from '../../handlers/steps/step-registry';
import { startHungEndpoint, type HungEndpoint } from '../support/hung-endpoint';

/**
 * Every adapter the failover steps use, with the SDK client settings the step Lambdas get
 * (`sdkDeadlineConfig`), against an endpoint that accepts connections and never answers: each call
 * fails transiently within deadline × attempts (+ backoff), having made exactly `attempts` attempts.
 */

const CALL: CallDeadline = { connectTimeoutMs: 200, requestTimeoutMs: 300, attempts: 2, backoffMs: 50 };
/** Scheduling slack on a loaded test machine. */
const SLACK_MS = 700;
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

let endpoint: HungEndpoint;
beforeEach(async () => {
  endpoint = await startHungEndpoint();
});
afterEach(async () => {
  await endpoint.close();
});

function clientConfig(region: string, sdkAttempts = 1) {
  return { ...sdkDeadlineConfig(region, CALL, sdkAttempts), endpoint: endpoint.url, credentials };
}

async function timed(call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await call();
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  throw new Error('expected the call to a hung endpoint to fail');
}

function expectBoundedFailure(result: { error: unknown; ms: number }) {
  expect(result.error).toBeInstanceOf(TransientAdapterError);
  expect((result.error as Error).cause).toMatchObject({ name: 'TimeoutError' });
  expect(result.ms).toBeGreaterThanOrEqual(CALL.attempts * CALL.requestTimeoutMs - 50);
  expect(result.ms).toBeLessThan(callWorstSeconds(CALL) * 1000 + SLACK_MS);
  expect(endpoint.connections()).toBe(CALL.attempts);
}

describe('step call deadlines against a hung endpoint', () => {
  it('AuroraGlobalDatabase.status fails within deadline × attempts when every member region hangs', async () => {
    const rds = new RDSClient(clientConfig('us-east-2'));
    const db = new AuroraGlobalDatabase({
      rdsFor: () => rds,
      cloudWatchFor: () => new CloudWatchClient(clientConfig('us-east-2')),
      globalClusterIdentifier: 'payments',
      clusterArns: { 'us-east-2': 'arn:aws:rds:us-east-2:123456789012:cluster:payments-use2' },
      maxAttempts: CALL.attempts,
      baseDelayMs: CALL.backoffMs,
    });

    expectBoundedFailure(await timed(() => db.status()));
  });

  it('AuroraGlobalDatabase.replicationLagSeconds fails within deadline × attempts', async () => {
    const db = new AuroraGlobalDatabase({
      rdsFor: () => new RDSClient(clientConfig('us-east-2')),
      cloudWatchFor: () => new CloudWatchClient(clientConfig('us-east-2')),
      globalClusterIdentifier: 'payments',
      clusterArns: { 'us-east-2': 'arn:aws:rds:us-east-2:123456789012:cluster:payments-use2' },
      maxAttempts: CALL.attempts,
      baseDelayMs: CALL.backoffMs,
    });

    expectBoundedFailure(await timed(() => db.replicationLagSeconds('us-east-2')));
  });

  it('Route53Traffic.shiftTo fails within deadline × attempts when Route 53\'s control plane hangs', async () => {
    const traffic = new Route53Traffic({
      client: new Route53Client(clientConfig('us-east-1')),
      hostedZoneId: 'Z0123456789ABC',
      recordName: 'api.payments.example.com',
      maxAttempts: CALL.attempts,
      baseDelayMs: CALL.backoffMs,
    });

    expectBoundedFailure(await timed(() => traffic.shiftTo('us-east-2')));
  });

  it('SsmConfigStore.write fails within deadline × attempts (the SDK\'s bounded retry)', async () => {
    const store = new SsmConfigStore({ clientFor: (region) => new SSMClient(clientConfig(region, CALL.attempts)), parameterPrefix: '/payments/test' });

    expectBoundedFailure(await timed(() => store.write('us-east-1', { fenced: true })));
  });
});
