import type { Database } from '../../domain/ports/database.port';
import { database } from '../runtime/database-root';
import { required, type FailoverState, type PromotionResult } from './failover-state';
import { stepHandler } from './step-handler';
import { STEP_REGISTRY } from './step-registry';

/** The ports and settings `promote-database` uses; the composition root or a test provides them. */
export interface PromoteDatabaseDeps {
  readonly database: Database;
}

/**
 * Make the target's cluster the writer, the way preflight chose (`$.preflight.mode`). The port
 * checks the world first: a target already writer, or a promotion already running, issues
 * nothing, so a retried or re-run step never starts a second promotion. The promotion runs on in
 * Aurora; `check-writer` polls for its end.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html
 */
export async function promoteDatabase(state: FailoverState, deps: PromoteDatabaseDeps): Promise<PromotionResult> {
  const { mode } = required(state.preflight, 'preflight result ($.preflight)');
  const result = await deps.database.promote(state.target, mode);
  return { outcome: result.type, mode };
}

/** Lambda entry point of the `promote-database` step: the step above, with its ports from the composition root. */
export const handler = stepHandler('promote-database', (state) =>
  promoteDatabase(state, { database: database(STEP_REGISTRY['promote-database'].call, state.target) }),
);
