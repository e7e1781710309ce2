import type { Policy } from '../../domain/config';
import type { Database } from '../../domain/ports/database.port';
import type { Traffic } from '../../domain/ports/traffic.port';
import { healthOrUnknown } from './best-effort';
import { database } from '../runtime/database-root';
import { settings } from '../runtime/settings-root';
import { traffic } from '../runtime/traffic-root';
import type { FailoverState, PreflightResult } from './failover-state';
import { stepHandler } from './step-handler';
import { DataLossNotPermitted, TargetNotReady } from './workflow-errors';

/** The ports and settings `preflight` uses; the composition root or a test provides them. */
export interface PreflightDeps {
  readonly database: Database;
  readonly traffic: Traffic;
  readonly policy: Pick<Policy, 'dataLoss' | 'rpoBudgetSeconds'>;
}

/**
 * Check the world before anything moves, and choose how the database is promoted:
 *
 * - the target must have a member cluster that can be promoted (not `pending-resync`), else
 *   {@link TargetNotReady};
 * - a target that is already the writer (a re-run) needs no promotion: nothing can be lost;
 * - **switchover** (RPO 0) when the old writer is reachable — the global cluster still reports it
 *   as writer and its region's endpoint is healthy — and the target's lag is within the budget;
 * - otherwise **failover**, which may lose the writes not yet replicated, only when the operator
 *   (`allowDataLoss`) or the policy (`always`, or `within-rpo-budget` with the lag known and within
 *   the budget) allows it; else {@link DataLossNotPermitted} with the lag and the budget.
 *
 * Health is read from Route 53, whose control plane may be the failed region: an unreadable health
 * counts as unknown (old writer not reachable), never as a reason to stop.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html (needs the old primary; RPO 0)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html (AllowDataLoss: unreplicated writes are lost)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalClusterMember.html (SynchronizationStatus connected | pending-resync)
 */
export async function preflight(state: FailoverState, deps: PreflightDeps): Promise<PreflightResult> {
  const { from, target } = state;
  const budget = deps.policy.rpoBudgetSeconds;
  const status = await deps.database.status();
  const member = status.members.find((m) => m.region === target);
  if (!member) {
    throw new TargetNotReady(`target region ${target} has no cluster in the global database (members: ${status.members.map((m) => m.region).join(', ') || 'none'})`);
  }
  if (member.isWriter || status.writerRegion === target) {
    return {
      mode: 'switchover',
      targetAlreadyWriter: true,
      oldWriterReachable: false,
      rpoBudgetSeconds: budget,
      reason: `target ${target} is already the writer: nothing to promote, no data at risk`,
    };
  }
  if (member.synchronizationStatus === 'pending-resync') {
    throw new TargetNotReady(`target cluster in ${target} is pending-resync: Aurora cannot promote it until it has resynchronized with the writer`);
  }

  const lagSeconds = await deps.database.replicationLagSeconds(target);
  const oldHealth = await healthOrUnknown(deps.traffic, from);
  const oldWriterReachable = status.writerRegion === from && oldHealth === 'healthy';
  const lagText = lagSeconds === undefined ? 'lag unknown' : `lag ${lagSeconds} s`;
  const withinBudget = lagSeconds !== undefined && lagSeconds <= budget;
  const common = { targetAlreadyWriter: false, oldWriterReachable, rpoBudgetSeconds: budget, ...(lagSeconds !== undefined && { lagSeconds }) };

  if (oldWriterReachable && withinBudget) {
    return { ...common, mode: 'switchover', reason: `old writer in ${from} reachable and ${lagText} <= budget ${budget} s: switchover, no data loss` };
  }
  const why = oldWriterReachable
    ? `old writer in ${from} reachable but ${lagText} is not within budget ${budget} s`
    : `old writer in ${from} not reachable (writer ${status.writerRegion ?? 'none'}, endpoint ${oldHealth})`;
  if (state.allowDataLoss) {
    return { ...common, mode: 'failover', dataLossAllowedBy: 'operator', reason: `${why}: failover allowed by the operator to lose unreplicated writes (${lagText})` };
  }
  if (deps.policy.dataLoss === 'always' || (deps.policy.dataLoss === 'within-rpo-budget' && withinBudget)) {
    return { ...common, mode: 'failover', dataLossAllowedBy: 'policy', reason: `${why}: failover allowed by policy dataLoss=${deps.policy.dataLoss} (${lagText}, budget ${budget} s)` };
  }
  const refused =
    deps.policy.dataLoss === 'never'
      ? `policy dataLoss=never (${lagText}, budget ${budget} s)`
      : lagSeconds === undefined
        ? `lag unknown, budget ${budget} s`
        : `lag ${lagSeconds} s > budget ${budget} s`;
  throw new DataLossNotPermitted(
    `data loss not permitted: ${refused}; ${why}. An operator can allow it with a failover override with allowDataLoss: true`,
  );
}

/** Lambda entry point of the `preflight` step: the step above, with its ports from the composition root. */
export const handler = stepHandler('preflight', (state) =>
  preflight(state, { database: database(), traffic: traffic(), policy: settings().config.policy }),
);
