import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { AuroraGlobalDatabase } from '../../adapters/database/aurora-global-database.adapter';
import type { Region } from '../../domain/config';
import type { Database } from '../../domain/ports/database.port';
import { sdkDeadlineConfig, type CallDeadline } from '../steps/step-registry';
import { once, settings } from './settings-root';

/**
 * The workload's Aurora global database for one step: RDS and CloudWatch clients per member region
 * with the step's call deadline (built once per container), asking `askFirst` (the failover's
 * target) before any other region, so no call waits on the region being left.
 */
export function database(call: CallDeadline, askFirst?: Region): Database {
  const key = `${call.connectTimeoutMs}/${call.requestTimeoutMs}/${call.attempts}`;
  return once(`database:${key}:${askFirst ?? ''}`, () => {
    const { database: ids } = settings().resources;
    return new AuroraGlobalDatabase({
      rdsFor: (region) => once(`rds:${region}:${key}`, () => new RDSClient(sdkDeadlineConfig(region, call))),
      cloudWatchFor: (region) => once(`cloudwatch:${region}:${key}`, () => new CloudWatchClient(sdkDeadlineConfig(region, call))),
      globalClusterIdentifier: ids.globalClusterIdentifier,
      clusterArns: ids.clusterArns,
      maxAttempts: call.attempts,
      baseDelayMs: call.backoffMs,
      ...(askFirst !== undefined && { askFirst }),
    });
  });
}
