import { Arn, ArnFormat, Aws } from 'aws-cdk-lib';
import { protectedPaymentsConfig, REFERENCE_CONTROLLER_REGION } from '../protected-payments';
import type { ControllerSettings } from './controller-stacks';
import { controllerNames } from './controller-names';

/**
 * Example Route 53 ids for a controller deployed on its own, next to a workload that already exists
 * (AWS generates these ids; copy yours from Route 53). `infra/app.ts` deploys the workload too and
 * reads the real ids from its stacks instead (`infra/protected-payments.ts`).
 */
export const REFERENCE_TRAFFIC_IDS = {
  hostedZoneId: 'Z0REFERENCEPAYMENTS',
  healthCheckIds: {
    'us-east-1': 'a1b2c3d4-0000-4000-8000-0000000000e1',
    'us-east-2': 'a1b2c3d4-0000-4000-8000-0000000000e2',
  },
} as const;

/**
 * Controller settings of the reference payments workload (active us-east-1, standby us-east-2) in
 * `envName`. The config is `examples/config.json`; the resource identifiers follow the workload's
 * naming (`payments-<env>-…`); the Route 53 ids are {@link REFERENCE_TRAFFIC_IDS}.
 *
 * @param account the deploying account; undefined keeps ARNs account-agnostic (`AWS::AccountId`)
 */
export function referenceSettings(envName: string, account?: string): ControllerSettings {
  // The same configuration infra/app.ts deploys: the workload's alarms as signals.
  const config = protectedPaymentsConfig(envName);
  const names = controllerNames(config.app, envName);
  const perRegion = (value: (region: string) => string) => Object.fromEntries(config.regions.map((region) => [region, value(region)]));
  return {
    envName,
    account,
    config,
    resources: {
      stateTableName: names.tableName,
      controllerBusName: names.busName,
      controllerRegion: REFERENCE_CONTROLLER_REGION,
      parameterPrefix: `/${config.app}/${envName}`,
      database: {
        globalClusterIdentifier: `${names.prefix}-global`,
        clusterArns: perRegion((region) =>
          Arn.format({
            partition: 'aws',
            service: 'rds',
            region,
            account: account ?? Aws.ACCOUNT_ID,
            resource: 'cluster',
            resourceName: `${names.prefix}-${region}`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      },
      traffic: {
        hostedZoneId: REFERENCE_TRAFFIC_IDS.hostedZoneId,
        recordName: `api.${envName}.${config.app}.example.com`,
        recordType: 'CNAME',
        setIdentifiers: perRegion((region) => region),
        healthCheckIds: { ...REFERENCE_TRAFFIC_IDS.healthCheckIds },
      },
    },
  };
}
