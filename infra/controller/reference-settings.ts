import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Arn, ArnFormat, Aws } from 'aws-cdk-lib';
import { parseConfig } from '../../edge/config.schema';
import type { ControllerSettings } from './controller-stacks';
import { controllerNames } from './controller-names';

/** The reference workload's controller configuration (the same file `drctl` and the examples use). */
export const REFERENCE_CONFIG_PATH = path.resolve(__dirname, '..', '..', 'examples', 'config.json');

/** Where the reference controller runs: the standby region, so a primary outage cannot take it down. */
export const REFERENCE_CONTROLLER_REGION = 'us-east-2';

/**
 * Ids Route 53 generated for the reference deployment's hosted zone and health checks (AWS picks
 * them, so they cannot be derived from names). Replaced by the workload stacks' outputs once those
 * stacks are composed into the app.
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
  const parsed = parseConfig(JSON.parse(readFileSync(REFERENCE_CONFIG_PATH, 'utf8')));
  if (!parsed.ok) throw new Error(`${REFERENCE_CONFIG_PATH} is not a valid controller configuration:\n  ${parsed.errors.join('\n  ')}`);
  const { config } = parsed;
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
