import { App, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { ControllerConfig, Region, SignalConfig } from '../domain/config';
import { parseConfig } from '../edge/config.schema';
import { controllerStacks, type ControllerStacks } from '../infra/controller/controller-stacks';
import type { ProtectedResources } from '../infra/controller/dr-controller.construct';

/**
 * Add DR to your own app: a CDK app that protects an application this repository knows nothing
 * about, using only the controller's public props (`DrControllerProps`, through `controllerStacks`).
 *
 * The app is "orders": it already runs in three EU regions, in preference order eu-west-1 (primary),
 * eu-central-1, eu-west-2, with an Aurora global cluster, a weighted Route 53 record per region with
 * a health check, and CloudWatch alarms of its own. Everything below is copied from the console or
 * the app's own stacks, as plain strings. The controller runs in eu-central-1, the first standby: it
 * survives an outage of the primary (pick a region that serves no traffic, a witness, when it
 * must also survive the outage of the region it fails over into).
 *
 * Synthesize it offline: `npx cdk synth --app "npx tsx examples/bring-your-own-app.ts"`.
 */

/** The account everything lives in. */
export const ACCOUNT = '111122223333';
/** Preference order: the first is the primary. */
export const REGIONS = ['eu-west-1', 'eu-central-1', 'eu-west-2'] as const satisfies readonly Region[];
/** The first standby runs the controller. */
export const CONTROLLER_REGION: Region = 'eu-central-1';
export const ENV_NAME = 'prod';
const APP = 'orders';

/** Short region names the orders team uses in its resource names. */
const SHORT: Readonly<Record<(typeof REGIONS)[number], string>> = { 'eu-west-1': 'euw1', 'eu-central-1': 'euc1', 'eu-west-2': 'euw2' };

/**
 * The evidence that a region is down: per region, the app's own 5xx alarm, its Route 53 health
 * check's alarm (which Route 53 makes live in us-east-1), the controller's probe of the regional
 * endpoint and the region's heartbeat. A region counts as down when two of these, of two kinds,
 * agree for 30 s.
 */
export function ordersConfig(): ControllerConfig {
  const signals = REGIONS.flatMap((region): SignalConfig[] => [
    { alarmName: `orders-${SHORT[region]}-http-5xx`, region, kind: 'alarm', critical: true },
    { alarmName: `orders-${SHORT[region]}-route53-health`, region, kind: 'health-check', critical: true },
    { alarmName: `orders-${ENV_NAME}-${region}-probe`, region, kind: 'probe', critical: true },
    { alarmName: `orders-${ENV_NAME}-${region}-heartbeat`, region, kind: 'heartbeat', critical: true },
  ]);
  const parsed = parseConfig({
    app: APP,
    regions: [...REGIONS],
    initialActive: REGIONS[0],
    account: ACCOUNT,
    controllerRegion: CONTROLLER_REGION,
    signals,
    policy: { quorum: 2, minKinds: 2, sustainSeconds: 30, heartbeatWindowSeconds: 90, rpoBudgetSeconds: 10, dataLoss: 'within-rpo-budget' },
  });
  if (!parsed.ok) throw new Error(`orders: invalid controller configuration:\n  ${parsed.errors.join('\n  ')}`);
  return parsed.config;
}

/** What the controller acts on: the orders app's global cluster, records, health checks, parameters and regional endpoints. */
export const ORDERS_RESOURCES: ProtectedResources = {
  controllerRegion: CONTROLLER_REGION,
  parameterPrefix: '/orders/prod',
  database: {
    globalClusterIdentifier: 'orders-prod-global',
    clusterArns: Object.fromEntries(REGIONS.map((region) => [region, `arn:aws:rds:${region}:${ACCOUNT}:cluster:orders-prod-${SHORT[region]}`])),
  },
  traffic: {
    hostedZoneId: 'Z0ORDERSEXAMPLE1',
    recordName: 'api.orders.example.com',
    recordType: 'CNAME',
    setIdentifiers: Object.fromEntries(REGIONS.map((region) => [region, SHORT[region]])),
    healthCheckIds: {
      'eu-west-1': '0b6f0c1e-1111-4a4a-9a9a-00000000e001',
      'eu-central-1': '0b6f0c1e-2222-4a4a-9a9a-00000000e002',
      'eu-west-2': '0b6f0c1e-3333-4a4a-9a9a-00000000e003',
    },
  },
  probeUrls: {
    'eu-west-1': 'https://o1a2b3c4d5.execute-api.eu-west-1.amazonaws.com/prod/health',
    'eu-central-1': 'https://o6e7f8g9h0.execute-api.eu-central-1.amazonaws.com/prod/health',
    'eu-west-2': 'https://o1j2k3l4m5.execute-api.eu-west-2.amazonaws.com/prod/health',
  },
};

/** The controller stack in the controller region, and an alarm-forwarding stack wherever the app's alarms live. */
export function addOrdersController(app: App): ControllerStacks {
  return controllerStacks(app, {
    envName: ENV_NAME,
    account: ACCOUNT,
    config: ordersConfig(),
    resources: ORDERS_RESOURCES,
    operatorPrincipals: [new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/OrdersOnCall`)],
    // OrdersOnCall is an IAM Identity Center role: its sessions carry no MFA context (MFA is enforced at sign-in).
    requireOperatorMfa: false,
    rtoTargetSeconds: 300,
    // The orders app's records: health checks every 10 s, 3 failures; TTL 30 s; no parameter cache.
    traffic: {
      healthCheckIntervalSeconds: 10,
      healthCheckFailureThreshold: 3,
      recordTtlSeconds: 30,
      sources: { healthCheck: 'orders Route 53 health checks (console)', recordTtl: 'orders weighted records (console)' },
    },
    readinessIntervalMinutes: 15,
  });
}

if (require.main === module) {
  const app = new App();
  addOrdersController(app);
  // cdk synth fails on any cdk-nag finding not acknowledged with a reason.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
