import type { Database } from '../../domain/ports/database.port';
import { database } from '../runtime/database-root';
import type { FailoverState, WriterResult } from './failover-state';
import { stepHandler } from './step-handler';
import { STEP_REGISTRY } from './step-registry';

/** The ports and settings `check-writer` uses; the composition root or a test provides them. */
export interface CheckWriterDeps {
  readonly database: Database;
}

/**
 * One poll of the global cluster: is the target's cluster the writer, and is that cluster itself
 * `available` (DescribeDBClusters in the target region)? Done then, whatever the global cluster's
 * `FailoverState` says: Aurora may keep reporting the promotion in progress while the old
 * primary's region is unreachable, and the target takes writes all the same. Only when the target
 * cluster's own status could not be read does the global view decide (no promotion in progress).
 *
 * The state machine loops on it through a Wait state and gives up after a bounded number of polls
 * (`attempt` counts them across the loop).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalClusterMember.html (IsWriter)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBCluster.html (Status)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html
 */
export async function checkWriter(state: FailoverState, deps: CheckWriterDeps): Promise<WriterResult> {
  const status = await deps.database.status();
  const clusterStatus = status.members.find((m) => m.region === state.target)?.clusterStatus;
  const available = clusterStatus !== undefined ? clusterStatus === 'available' : !status.promotionInProgress;
  return {
    isWriter: status.writerRegion === state.target && available,
    ...(status.writerRegion !== undefined && { writerRegion: status.writerRegion }),
    status: status.status,
    ...(clusterStatus !== undefined && { clusterStatus }),
    attempt: (state.writer?.attempt ?? 0) + 1,
  };
}

/** Lambda entry point of the `check-writer` step: the step above, with its ports from the composition root. */
export const handler = stepHandler('check-writer', (state) => checkWriter(state, { database: database(STEP_REGISTRY['check-writer'].call, state.target) }));
