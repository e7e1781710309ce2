import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { AuroraGlobalDatabase } from '../../adapters/database/aurora-global-database.adapter';
import type { Database } from '../../domain/ports/database.port';
import { clientConfig, once, settings } from './settings-root';

/** The workload's Aurora global database: RDS and CloudWatch clients per member region, built once per container. */
export function database(): Database {
  return once('database', () => {
    const { database: ids } = settings().resources;
    return new AuroraGlobalDatabase({
      rdsFor: (region) => once(`rds:${region}`, () => new RDSClient(clientConfig(region, 'adapterRetries'))),
      cloudWatchFor: (region) => once(`cloudwatch:${region}`, () => new CloudWatchClient(clientConfig(region, 'adapterRetries'))),
      globalClusterIdentifier: ids.globalClusterIdentifier,
      clusterArns: ids.clusterArns,
    });
  });
}
