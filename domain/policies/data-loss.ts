import type { DataLossPolicy, Region } from '../config';

/**
 * The data-loss gate: how the failover workflow promotes the target's database, or whether it must
 * refuse. Pure: the `preflight` step reads the world (the global cluster, the target's replication
 * lag, the old region's endpoint health) and asks this rule.
 *
 * - **switchover** (RPO 0: Aurora waits for the secondary to catch up before it promotes it) when
 *   the old writer is reachable and the target's lag is known, fresh and within the budget;
 * - a **planned** request (a failback) is a switchover or nothing: it never fails over with data
 *   loss, whatever the operator flag or the policy says;
 * - otherwise **failover**, which may lose the writes not yet replicated, only when the operator
 *   (`allowDataLoss`) or the policy (`always`, or `within-rpo-budget` with the lag known, fresh and
 *   within the budget) allows it;
 * - else **refuse**, naming the lag and the budget.
 *
 * A lag reading older than {@link MAX_LAG_AGE_SECONDS} is unknown: a stalled metric says nothing
 * about what a failover would lose now.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html (needs the old primary; RPO 0)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html (AllowDataLoss: unreplicated writes are lost)
 */

/** How old the newest replication-lag datapoint may be to describe now (the metric is published every minute or faster). */
export const MAX_LAG_AGE_SECONDS = 60;

export interface DataLossInputs {
  readonly from: Region;
  readonly target: Region;
  /** The target's replication lag in seconds; undefined when unknown (no recent datapoint, or unreadable). */
  readonly lagSeconds?: number;
  /** Age of that lag reading in seconds, when known; older than {@link MAX_LAG_AGE_SECONDS} makes the lag unknown. */
  readonly lagAgeSeconds?: number;
  readonly rpoBudgetSeconds: number;
  readonly dataLoss: DataLossPolicy;
  /** The operator allowed data loss (a manual failover override with `allowDataLoss`). */
  readonly allowDataLoss: boolean;
  /** A planned move (failback): RPO 0 or nothing. */
  readonly planned: boolean;
  /** The global cluster still names `from` as its writer and `from`'s endpoint is healthy. */
  readonly oldWriterReachable: boolean;
  /** How the old writer was found, for the reason (e.g. "writer us-east-1, endpoint unhealthy"). */
  readonly oldWriterSeen?: string;
}

export type DataLossChoice =
  | { readonly mode: 'switchover'; readonly reason: string }
  | { readonly mode: 'failover'; readonly allowedBy: 'operator' | 'policy'; readonly reason: string }
  | { readonly mode: 'refuse'; readonly reason: string };

/** The lag that counts: undefined when unknown or too old. */
export function usableLag(i: Pick<DataLossInputs, 'lagSeconds' | 'lagAgeSeconds'>): number | undefined {
  if (!Number.isFinite(i.lagSeconds)) return undefined; // undefined is not finite either
  if (i.lagAgeSeconds !== undefined && !(i.lagAgeSeconds <= MAX_LAG_AGE_SECONDS)) return undefined;
  return i.lagSeconds;
}

/** Choose switchover, failover with data loss, or refusal (see the module comment). Total. */
export function chooseDataLoss(i: DataLossInputs): DataLossChoice {
  const lag = usableLag(i);
  const budget = i.rpoBudgetSeconds;
  const lagText =
    lag !== undefined
      ? `lag ${lag} s`
      : i.lagSeconds !== undefined && i.lagAgeSeconds !== undefined
        ? `lag unknown (newest reading ${i.lagAgeSeconds} s old, over ${MAX_LAG_AGE_SECONDS} s)`
        : 'lag unknown';
  const withinBudget = lag !== undefined && lag <= budget;
  const seen = i.oldWriterSeen !== undefined ? ` (${i.oldWriterSeen})` : '';

  if (i.oldWriterReachable && withinBudget) {
    return { mode: 'switchover', reason: `old writer in ${i.from} reachable and ${lagText} <= budget ${budget} s: switchover, no data loss` };
  }
  const why = i.oldWriterReachable ? `old writer in ${i.from} reachable but ${lagText} is not within budget ${budget} s` : `old writer in ${i.from} not reachable${seen}`;
  if (i.planned) {
    return {
      mode: 'refuse',
      reason: `planned move to ${i.target} needs a switchover (RPO 0) and ${why} (${lagText}); a planned move never fails over with data loss: wait until ${i.target} is in sync and ${i.from} reachable, then ask again`,
    };
  }
  if (i.allowDataLoss) {
    return { mode: 'failover', allowedBy: 'operator', reason: `${why}: failover allowed by the operator to lose unreplicated writes (${lagText})` };
  }
  if (i.dataLoss === 'always' || (i.dataLoss === 'within-rpo-budget' && withinBudget)) {
    return { mode: 'failover', allowedBy: 'policy', reason: `${why}: failover allowed by policy dataLoss=${i.dataLoss} (${lagText}, budget ${budget} s)` };
  }
  const refused =
    i.dataLoss === 'never' ? `policy dataLoss=never (${lagText}, budget ${budget} s)` : lag === undefined ? `${lagText}, budget ${budget} s` : `lag ${lag} s > budget ${budget} s`;
  return {
    mode: 'refuse',
    reason: `data loss not permitted: ${refused}; ${why}. An operator can allow it with a failover override with allowDataLoss: true`,
  };
}
