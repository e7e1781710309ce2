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
import { resolveWorkloadProps, type PaymentWorkloadProps } from './workload/workload-props';

/** The reference deployment: the payment system, active in us-east-1, standby in us-east-2. */
export const REFERENCE_APP = 'payments';
export const REFERENCE_REGIONS = ['us-east-1', 'us-east-2'] as const;
/** The controller runs in the standby region, so an outage of the primary cannot take it down. */
export const REFERENCE_CONTROLLER_REGION = 'us-east-2';

/** The decision policy is kept in one place: the example configuration's `policy`. */
const POLICY_SOURCE = path.resolve(__dirname, '..', 'examples', 'config.json');

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

/**
 * The resource identifiers the controller acts on, taken from the workload: its global cluster and
 * member clusters, its weighted records and health checks, its parameters.
 */
export function protectedPaymentsResources(workload: PaymentWorkload, envName: string, account?: string): Resources {
  const wl = workload.config;
  const names = controllerNames(REFERENCE_APP, envName);
  const perRegion = (value: (region: string) => string) => Object.fromEntries(wl.regions.map((region) => [region, value(region)]));
  return {
    stateTableName: names.tableName,
    controllerBusName: names.busName,
    controllerRegion: REFERENCE_CONTROLLER_REGION,
    parameterPrefix: wl.parameterPrefix,
    database: {
      globalClusterIdentifier: wl.globalClusterIdentifier,
      clusterArns: perRegion((region) =>
        Arn.format({
          partition: 'aws',
          service: 'rds',
          region,
          account: account ?? Aws.ACCOUNT_ID,
          resource: 'cluster',
          resourceName: wl.clusterIdentifier(region),
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ),
    },
    traffic: {
      // Route 53 generates these ids: cross-region references from the us-east-1 stacks.
      hostedZoneId: workload.dns.hostedZone.hostedZoneId,
      recordName: wl.apiRecordName,
      recordType: 'A',
      setIdentifiers: perRegion((region) => region),
      healthCheckIds: { ...workload.routing.healthCheckIds },
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
    resources: protectedPaymentsResources(workload, envName, account),
  });
  return { workload, controller };
}
