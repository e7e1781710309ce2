import type { App } from 'aws-cdk-lib';
import { Arn, ArnFormat, Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DEFAULT_POLICY, type ControllerConfig, type Policy, type Region, type SignalConfig } from '../domain/config';
import { parseConfig } from '../edge/config.schema';
import type { Resources } from '../edge/resources.schema';
import { controllerNames } from './controller/controller-names';
import { controllerStacks, type ControllerSettings, type ControllerStacks } from './controller/controller-stacks';
import type { TrafficTiming } from './controller/dr-controller.construct';
import { PARAMETER_MAX_AGE_MS } from '../handlers/payments/region-gate';
import { API_STAGE } from './workload/payment-api.construct';
import { addPaymentWorkload, type PaymentWorkload } from './workload/payment-workload';
import { workloadSignals, type AlarmNaming } from './workload/workload-alarms.construct';
import { API_RECORD_TTL_SECONDS, HEALTH_CHECK_FAILURE_THRESHOLD, HEALTH_CHECK_INTERVAL_SECONDS } from './workload/workload-routing.stack';
import { resolveWorkloadProps, type PaymentWorkloadProps, type WorkloadConfig } from './workload/workload-props';
import { API_RECORD_TYPE } from './workload/workload-routing.stack';

/** The reference deployment: the payment system, active in us-east-1, standby in us-east-2. */
export const REFERENCE_APP = 'payments';
export const REFERENCE_REGIONS = ['us-east-1', 'us-east-2'] as const;
/**
 * By default the controller runs in the standby region, so an outage of the primary cannot take it
 * down; {@link addProtectedPayments} can put it in a witness region instead.
 */
export const REFERENCE_CONTROLLER_REGION = 'us-east-2';

/**
 * The CDK context key that moves the reference app's controller: `npx cdk synth -c controllerRegion=us-west-2`
 * runs it in a witness region that serves no traffic (default {@link REFERENCE_CONTROLLER_REGION}).
 */
export const CONTROLLER_REGION_CONTEXT_KEY = 'controllerRegion';

/**
 * The reference decision policy, in one place: a region is down when two critical signals of two
 * different kinds agree for 30 s. A full blackout does that (its probe fails and its heartbeat
 * stops, even with no alarm event at all from the region); a prober failure alone (its alarms go
 * INSUFFICIENT_DATA, not ALARM), a heartbeat loss alone, or one flapping alarm does not. The
 * heartbeat window leaves room for one late or lost heartbeat (they come every 60 s).
 */
export const REFERENCE_POLICY: Policy = {
  ...DEFAULT_POLICY,
  quorum: 2,
  minKinds: 2,
  sustainSeconds: 30,
  heartbeatWindowSeconds: 90,
};

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

/**
 * Workload props of the reference deployment in `envName`, its controller in `controllerRegion`
 * (the standby, or a witness region that serves no traffic).
 */
export function referenceWorkloadProps(envName: string, account?: string, controllerRegion: Region = REFERENCE_CONTROLLER_REGION): PaymentWorkloadProps {
  return {
    app: REFERENCE_APP,
    envName,
    regions: REFERENCE_REGIONS,
    ...(account ? { account } : {}),
    domainName: `${REFERENCE_APP}-${envName}.example.com`,
    controllerRegion,
    // The lag alarms fire above the budget the controller's data-loss gate uses.
    rpoBudgetSeconds: REFERENCE_POLICY.rpoBudgetSeconds,
  };
}

/**
 * How the reference workload's traffic follows a failover, from the constants its stacks are built
 * with: the routing stack's health checks and record TTL, the payment functions' parameter cache.
 */
export const REFERENCE_TRAFFIC_TIMING: TrafficTiming = {
  healthCheckIntervalSeconds: HEALTH_CHECK_INTERVAL_SECONDS,
  healthCheckFailureThreshold: HEALTH_CHECK_FAILURE_THRESHOLD,
  recordTtlSeconds: API_RECORD_TTL_SECONDS,
  workloadConfigCacheSeconds: PARAMETER_MAX_AGE_MS / 1000,
  sources: {
    healthCheck: 'WorkloadRoutingStack HealthCheck requestInterval, failureThreshold (HEALTH_CHECK_INTERVAL_SECONDS, HEALTH_CHECK_FAILURE_THRESHOLD)',
    recordTtl: 'WorkloadRoutingStack weighted records ttl (API_RECORD_TTL_SECONDS)',
    workloadConfigCache: 'payment functions region gate PARAMETER_MAX_AGE_MS (handlers/payments/region-gate.ts)',
  },
};

/**
 * The controller's own evidence about each region, from outside it: the prober's alarm
 * `<app>-<env>-<region>-probe` (kind `probe`, lives in the controller region) and the region's
 * heartbeat `<app>-<env>-<region>-heartbeat` (kind `heartbeat`, no alarm); both critical. The
 * names follow the workload alarms' `<app>-<env>-<region>-<what>` convention.
 */
export function controllerSignals(naming: AlarmNaming): SignalConfig[] {
  return naming.regions.flatMap((region): SignalConfig[] => [
    { alarmName: `${naming.app}-${naming.envName}-${region}-probe`, region, kind: 'probe', critical: true },
    { alarmName: `${naming.app}-${naming.envName}-${region}-heartbeat`, region, kind: 'heartbeat', critical: true },
  ]);
}

/**
 * The controller configuration that protects the workload: its signals are the workload's own
 * alarms, derived from the same naming code that creates them (never typed twice), plus the
 * controller's probe and heartbeat per region; the policy is {@link REFERENCE_POLICY}.
 */
export function protectedPaymentsConfig(envName: string, policy: Policy = REFERENCE_POLICY): ControllerConfig {
  const naming = { app: REFERENCE_APP, envName, regions: REFERENCE_REGIONS };
  const parsed = parseConfig({
    app: REFERENCE_APP,
    regions: [...REFERENCE_REGIONS],
    initialActive: REFERENCE_REGIONS[0],
    signals: [...workloadSignals(naming), ...controllerSignals(naming)],
    policy,
  });
  if (!parsed.ok) throw new Error(`the derived controller configuration is invalid:\n  ${parsed.errors.join('\n  ')}`);
  return parsed.config;
}

/**
 * The ids AWS generates for the workload: Route 53's hosted zone and health checks, and each
 * region's REST API (one per region).
 */
export interface WorkloadIds {
  readonly hostedZoneId: string;
  readonly healthCheckIds: Readonly<Record<string, string>>;
  readonly restApiIds: Readonly<Record<string, string>>;
}

/**
 * A region's own `/health` URL: the API's regional execute-api host and stage, not the shared
 * (weighted) DNS name, so a probe judges that one region. `AWS::URLSuffix` is the deploying
 * partition's (`amazonaws.com`).
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html
 */
export function regionalHealthUrl(region: Region, restApiId: string): string {
  return `https://${restApiId}.execute-api.${region}.${Aws.URL_SUFFIX}/${API_STAGE}/health`;
}

/**
 * The resource identifiers the controller acts on, derived from the workload's naming: its global
 * cluster and member clusters, its weighted records, its parameters, and the regional health URLs
 * the prober calls. Route 53's and API Gateway's ids cannot be derived (AWS generates them): `ids`
 * gives them, from the workload's stacks or copied from the console.
 */
export function protectedPaymentsResources(workload: WorkloadConfig, ids: WorkloadIds, account?: string): Resources {
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
      hostedZoneId: ids.hostedZoneId,
      recordName: workload.apiRecordName,
      recordType: API_RECORD_TYPE,
      setIdentifiers: perRegion((region) => region),
      healthCheckIds: { ...ids.healthCheckIds },
    },
    probeUrls: perRegion((region) => regionalHealthUrl(region, ids.restApiIds[region] ?? '')),
  };
}

/** Who may assume the reference controller's operator role, and whether with MFA. */
export interface ReferenceOperators {
  readonly principals: readonly iam.IPrincipal[];
  /** @default true */
  readonly requireMfa?: boolean;
}

/** The CDK context key naming the reference app's operators: `npx cdk synth -c operators=arn:aws:iam::<account>:role/<name>[,…]`. */
export const OPERATORS_CONTEXT_KEY = 'operators';

/**
 * The reference app's operators: the principal ARNs given as context {@link OPERATORS_CONTEXT_KEY}
 * (comma-separated), with MFA; without them, the example principal is the deploying account's
 * root, with MFA: only identities of that account whose own policies allow `sts:AssumeRole` on the
 * operator role, and only in an MFA-authenticated session. Name your operators' role or users
 * instead of relying on the example.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
 */
export function referenceOperators(contextValue?: unknown): ReferenceOperators {
  const arns = typeof contextValue === 'string' ? contextValue.split(',').map((arn) => arn.trim()).filter((arn) => arn !== '') : [];
  for (const arn of arns) {
    if (!/^arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+$/.test(arn)) {
      throw new Error(`context ${OPERATORS_CONTEXT_KEY}: "${arn}" is not an IAM principal ARN; give arn:aws:iam::<account>:role/<name> (comma-separated for several)`);
    }
  }
  return { principals: arns.length > 0 ? arns.map((arn) => new iam.ArnPrincipal(arn)) : [new iam.AccountRootPrincipal()], requireMfa: true };
}

/**
 * Compose the protected reference workload and its DR controller into `app`: every workload stack
 * in both regions, the controller stack in `controllerRegion` (default the standby, us-east-2; a
 * region outside {@link REFERENCE_REGIONS}, such as us-west-2, makes it a witness) and an
 * alarm-forwarding stack in every monitored region other than the controller's. `operators` may
 * assume the operator role (default: {@link referenceOperators}, the account root with MFA).
 */
export function addProtectedPayments(
  app: App,
  envName: string,
  account?: string,
  operators: ReferenceOperators = referenceOperators(),
  controllerRegion: Region = REFERENCE_CONTROLLER_REGION,
): { workload: PaymentWorkload; controller: ControllerStacks } {
  const props = referenceWorkloadProps(envName, account, controllerRegion);
  resolveWorkloadProps(props); // validate first: a bad prop is reported before anything is built
  const workload = addPaymentWorkload(app, props);
  const config = protectedPaymentsConfig(envName);
  const controller = controllerStacks(app, {
    envName,
    account,
    config,
    operatorPrincipals: operators.principals,
    ...(operators.requireMfa !== undefined ? { requireOperatorMfa: operators.requireMfa } : {}),
    traffic: REFERENCE_TRAFFIC_TIMING,
    // Route 53's ids are generated in us-east-1, each API's id in its region: read through
    // cross-region references (the same-region one through a CloudFormation export).
    resources: protectedPaymentsResources(
      workload.config,
      {
        hostedZoneId: workload.dns.hostedZone.hostedZoneId,
        healthCheckIds: workload.routing.healthCheckIds,
        restApiIds: Object.fromEntries(workload.config.regions.map((region) => [region, workload.services[region]!.api.api.restApiId])),
      },
      account,
    ),
  });
  return { workload, controller };
}

/**
 * Example Route 53 and API Gateway ids for the reference controller deployed on its own, next to a
 * workload that already exists (AWS generates these ids; copy yours from Route 53 and API Gateway).
 * {@link addProtectedPayments} deploys the workload too and reads the real ids from its stacks instead.
 */
export const REFERENCE_WORKLOAD_IDS = {
  hostedZoneId: 'Z0REFERENCEPAYMENTS',
  healthCheckIds: {
    'us-east-1': 'a1b2c3d4-0000-4000-8000-0000000000e1',
    'us-east-2': 'a1b2c3d4-0000-4000-8000-0000000000e2',
  },
  restApiIds: {
    'us-east-1': 'refapiuse1',
    'us-east-2': 'refapiuse2',
  },
} as const;

/**
 * Controller settings of the reference payments workload (active us-east-1, standby us-east-2) in
 * `envName`, for a controller deployed without the workload: the signals are the workload's alarms,
 * the resource identifiers follow the workload's naming (`payments-<env>-…`); the Route 53 and API
 * ids are {@link REFERENCE_WORKLOAD_IDS}; the operators are the reference example
 * ({@link referenceOperators}: the account root, with MFA).
 *
 * @param account the deploying account; undefined keeps ARNs account-agnostic (`AWS::AccountId`)
 * @param controllerRegion where the controller runs: the standby (default) or a witness region that serves no traffic
 */
export function referenceSettings(envName: string, account?: string, controllerRegion: Region = REFERENCE_CONTROLLER_REGION): ControllerSettings {
  return {
    envName,
    account,
    // The same configuration and names addProtectedPayments deploys; only the Route 53 and API ids are examples.
    config: protectedPaymentsConfig(envName),
    resources: protectedPaymentsResources(resolveWorkloadProps(referenceWorkloadProps(envName, account, controllerRegion)), REFERENCE_WORKLOAD_IDS, account),
    traffic: REFERENCE_TRAFFIC_TIMING,
    operatorPrincipals: referenceOperators().principals,
    requireOperatorMfa: true,
  };
}
