import type { Policy } from '../../domain/config';
import { chooseDataLoss } from '../../domain/policies/data-loss';
import type { Database } from '../../domain/ports/database.port';
import type { Traffic } from '../../domain/ports/traffic.port';
import { healthOrUnknown } from './best-effort';
import { database } from '../runtime/database-root';
import { settings } from '../runtime/settings-root';
import { traffic } from '../runtime/traffic-root';
import type { FailoverState, PreflightResult } from './failover-state';
import { stepHandler } from './step-handler';
import { STEP_REGISTRY } from './step-registry';
import { DataLossNotPermitted, TargetNotReady } from './workflow-errors';

/** The ports and settings `preflight` uses; the composition root or a test provides them. */
export interface PreflightDeps {
  readonly database: Database;
  readonly traffic: Traffic;
  readonly policy: Pick<Policy, 'dataLoss' | 'rpoBudgetSeconds'>;
}

/**
 * Check the world before anything moves, and let the data-loss gate (`chooseDataLoss`,
 * domain/policies/data-loss.ts) choose how the database is promoted:
 *
 * - the target must have a member cluster that can be promoted (not `pending-resync`), else
 *   {@link TargetNotReady};
 * - a target that is already the writer (a re-run) needs no promotion: nothing can be lost;
 * - otherwise the gate picks switchover, failover with data loss, or refusal
 *   ({@link DataLossNotPermitted}) from what this step reads: the target's replication lag, whether
 *   the old writer is reachable (the global cluster still reports it as writer and its region's
 *   endpoint is healthy), the request (`allowDataLoss`, `planned`) and the policy. A planned
 *   request (failback) is a switchover or refused, never a failover with data loss.
 *
 * Health is read from Route 53, whose control plane may be the failed region: an unreadable health
 * counts as unknown (old writer not reachable), never as a reason to stop. The three reads run side
 * by side, each bounded by the step's call deadline, so the step takes the longest of them, not
 * their sum. The lag is unknown when its newest datapoint is older than the adapter's
 * `maxLagAgeSeconds` (60 s): a stalled metric says nothing about what a failover would lose now.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalClusterMember.html (SynchronizationStatus connected | pending-resync)
 */
export async function preflight(state: FailoverState, deps: PreflightDeps): Promise<PreflightResult> {
  const { from, target } = state;
  const { rpoBudgetSeconds, dataLoss } = deps.policy;
  // Started together: the target's lag (its own region) and the old region's health (Route 53)
  // must not wait behind each other. Failures surface only where the value is used.
  const lagRead = settle(deps.database.replicationLagSeconds(target));
  const healthRead = healthOrUnknown(deps.traffic, from);
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
      rpoBudgetSeconds,
      reason: `target ${target} is already the writer: nothing to promote, no data at risk`,
    };
  }
  if (member.synchronizationStatus === 'pending-resync') {
    throw new TargetNotReady(`target cluster in ${target} is pending-resync: Aurora cannot promote it until it has resynchronized with the writer`);
  }

  const lagSeconds = unwrap(await lagRead);
  const oldHealth = await healthRead;
  const oldWriterReachable = status.writerRegion === from && oldHealth === 'healthy';
  const choice = chooseDataLoss({
    from,
    target,
    ...(lagSeconds !== undefined && { lagSeconds }),
    rpoBudgetSeconds,
    dataLoss,
    allowDataLoss: state.allowDataLoss,
    planned: state.planned === true,
    oldWriterReachable,
    oldWriterSeen: `writer ${status.writerRegion ?? 'none'}, endpoint ${oldHealth}`,
  });
  if (choice.mode === 'refuse') throw new DataLossNotPermitted(choice.reason);
  const common = { targetAlreadyWriter: false, oldWriterReachable, rpoBudgetSeconds, ...(lagSeconds !== undefined && { lagSeconds }), reason: choice.reason };
  return choice.mode === 'switchover' ? { ...common, mode: 'switchover' } : { ...common, mode: 'failover', dataLossAllowedBy: choice.allowedBy };
}

/** Lambda entry point of the `preflight` step: the step above, with its ports from the composition root. */
export const handler = stepHandler('preflight', (state) =>
  preflight(state, {
    database: database(STEP_REGISTRY.preflight.call, state.target),
    traffic: traffic(STEP_REGISTRY.preflight.call),
    policy: settings().config.policy,
  }),
);

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** A promise that never rejects (no unhandled rejection while the step awaits something else first). */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

function unwrap<T>(settled: Settled<T>): T {
  if (!settled.ok) throw settled.error;
  return settled.value;
}
