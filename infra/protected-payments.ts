import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Arn, ArnFormat, Aws } from 'aws-cdk-lib';
import type { ControllerConfig } from '../domain/config';
import { parseConfig } from '../edge/config.schema';
import type { Resources } from '../edge/resources.schema';
import { controllerNames } from './controller/controller-names';
import { controllerStacks, type ControllerStacks } from './controller/controller-stacks';
import { addPaymentWorkload, type PaymentWorkload } from './workload/payment-workload';
import { workloadSignals } from './workload/workload-alarms.construct';
import { resolveWorkloadProps, type PaymentWorkloadProps, type WorkloadConfig } from './workload/workload-props';

/** The reference deployment: the payment system, active in us-east-1, standby in us-east-2. */
export const REFERENCE_APP = 'payments';
export const REFERENCE_REGIONS = ['us-east-1', 'us-east-2'] as const;
/** The controller runs in the standby region, so an outage of the primary cannot take it down. */
export const REFERENCE_CONTROLLER_REGION = 'us-east-2';

/** The decision policy is kept in one place: the example configuration's `policy`. */
const POLICY_SOURCE = path.resolve(__dirname, '..', 'examples', 'config.json');

/** ARN of an Aurora DB cluster from its identifier; without an account, the deploying one's. */
export function auroraClusterArn(region: string, clusterIdentifier: string, account?: string): string {
  return Arn.format({
    partition: 'aws',
    service: 'rds',
    region,
    account: account ?? Aws.ACCOUNT_ID,
    resource: 'cluster',
    resourceName: clusterIdentifier,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** Workload props of the reference deployment in `envName`. */
export function referenceWorkloadProps(envName: string, account?: string): PaymentWorkloadProps {
  return {
    app: REFERENCE_APP,
    envName,
    regions: REFERENCE_REGIONS,
    ...(account ? { account } : {}),
    domainName: `${REFERENCE_APP}-${envName}.example.com`,
    controllerRegion: REFERENCE_CONTROLLER_REGION,
  };
}

/**
 * The controller configuration that protects the workload: its signals are the workload's own
 * alarms, derived from the same naming code that creates them (never typed twice); the policy comes
 * from `examples/config.json`.
 */
export function protectedPaymentsConfig(envName: string): ControllerConfig {
  const { policy } = JSON.parse(readFileSync(POLICY_SOURCE, 'utf8')) as { policy?: unknown };
  const parsed = parseConfig({
    app: REFERENCE_APP,
    regions: [...REFERENCE_REGIONS],
    initialActive: REFERENCE_REGIONS[0],
    signals: workloadSignals({ app: REFERENCE_APP, envName, regions: REFERENCE_REGIONS }),
    ...(policy !== undefined ? { policy } : {}),
  });
  if (!parsed.ok) throw new Error(`the derived controller configuration is invalid:\n  ${parsed.errors.join('\n  ')}`);
  return parsed.config;
}

/** The ids Route 53 generates for the workload's hosted zone and health checks (one per region). */
export interface TrafficIds {
  readonly hostedZoneId: string;
  readonly healthCheckIds: Readonly<Record<string, string>>;
}

/**
 * The resource identifiers the controller acts on, derived from the workload's naming: its global
 * cluster and member clusters, its weighted records, its parameters. Route 53's ids cannot be derived
 * (AWS generates them): `traffic` gives them, from the workload's stacks or copied from Route 53.
 */
export function protectedPaymentsResources(workload: WorkloadConfig, traffic: TrafficIds, account?: string): Resources {
  const names = controllerNames(workload.app, workload.envName);
  const perRegion = (value: (region: string) => string) => Object.fromEntries(workload.regions.map((region) => [region, value(region)]));
  return {
    stateTableName: names.tableName,
    controllerBusName: names.busName,
    controllerRegion: workload.controllerRegion,
    parameterPrefix: workload.parameterPrefix,
    database: {
      globalClusterIdentifier: workload.globalClusterIdentifier,
      clusterArns: perRegion((region) => auroraClusterArn(region, workload.clusterIdentifier(region), account)),
    },
    traffic: {
      hostedZoneId: traffic.hostedZoneId,
      recordName: workload.apiRecordName,
      recordType: 'A',
      setIdentifiers: perRegion((region) => region),
      healthCheckIds: { ...traffic.healthCheckIds },
    },
  };
}

/**
 * Compose the protected reference workload and its DR controller into `app`: every workload stack
 * in both regions, the controller stack in the standby region and the alarm-forwarding stacks.
 */
export function addProtectedPayments(app: App, envName: string, account?: string): { workload: PaymentWorkload; controller: ControllerStacks } {
  const props = referenceWorkloadProps(envName, account);
  resolveWorkloadProps(props); // validate first: a bad prop is reported before anything is built
  const workload = addPaymentWorkload(app, props);
  const config = protectedPaymentsConfig(envName);
  const controller = controllerStacks(app, {
    envName,
    account,
    config,
    // Route 53's ids are generated in us-east-1: read through cross-region references.
    resources: protectedPaymentsResources(
      workload.config,
      { hostedZoneId: workload.dns.hostedZone.hostedZoneId, healthCheckIds: workload.routing.healthCheckIds },
      account,
    ),
  });
  return { workload, controller };
}
