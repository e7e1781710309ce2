import type { Database } from '../../domain/ports/database.port';
import { database } from '../runtime/database-root';
import type { FailoverState, WriterResult } from './failover-state';
import { stepHandler } from './step-handler';

/** The ports and settings `check-writer` uses; the composition root or a test provides them. */
export interface CheckWriterDeps {
  readonly database: Database;
}

/**
 * One poll of the global cluster: is the target's cluster the writer, with no promotion still
 * running (Aurora reports `FailoverState` until a switchover or failover has finished)? The state machine
 * loops on it through a Wait state and gives up after a bounded number of polls (`attempt`
 * counts them across the loop).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalClusterMember.html (IsWriter)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html
 */
export async function checkWriter(state: FailoverState, deps: CheckWriterDeps): Promise<WriterResult> {
  const status = await deps.database.status();
  return {
    isWriter: status.writerRegion === state.target && !status.promotionInProgress,
    ...(status.writerRegion !== undefined && { writerRegion: status.writerRegion }),
    status: status.status,
    attempt: (state.writer?.attempt ?? 0) + 1,
  };
}

/** Lambda entry point of the `check-writer` step: the step above, with its ports from the composition root. */
export const handler = stepHandler('check-writer', (state) => checkWriter(state, { database: database() }));
