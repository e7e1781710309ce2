import type { Region, SignalConfig } from '../config';
import type { HealthStatus } from '../ports/traffic.port';
import type { SignalRecord } from '../state';

/**
 * Recovery verification: has the failover's target taken over? Pure: the `verify-recovery` step
 * reads the controller's state (kept current from the alarm events by the decide handler) and the
 * target's endpoint health, and asks this rule.
 *
 * The target is recovered when the controller's state is there, none of the target's configured
 * signals is in ALARM in it, and its endpoint is not unhealthy (unknown is accepted: Route 53's
 * control plane may be the failed region). Recovery time runs from the first ALARM that started the
 * failover (`detectedAt`, else the request time) to the poll.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/route-53-concepts.html#route-53-concepts-control-and-data-plane
 */

export interface RecoveryInputs {
  readonly app: string;
  readonly target: Region;
  /** The configured signals; those of the target count. */
  readonly signals: readonly SignalConfig[];
  /** The controller state's signal records; undefined when no state is stored. */
  readonly records: Readonly<Record<string, SignalRecord>> | undefined;
  readonly targetHealth: HealthStatus;
  /** Epoch ms: when the outage was first seen (or the failover requested), and the poll's clock. */
  readonly since: number;
  readonly now: number;
  /** Which poll this is (1-based). */
  readonly attempt: number;
}

export interface RecoveryVerdict {
  readonly verified: boolean;
  readonly reason: string;
  /** The target's signals in ALARM. */
  readonly alarming: string[];
  /** Whole seconds from `since` to `now`, never negative. */
  readonly elapsedSeconds: number;
}

/** Judge one poll (see the module comment). Total. */
export function judgeRecovery(i: RecoveryInputs): RecoveryVerdict {
  const alarming = i.signals.filter((s) => s.region === i.target && i.records?.[s.alarmName]?.state === 'ALARM').map((s) => s.alarmName);
  const elapsedSeconds = Math.max(0, Math.round((i.now - i.since) / 1000));
  const problems = [
    ...(i.records === undefined ? [`no controller state stored for ${i.app}`] : []),
    ...(alarming.length > 0 ? [`in ALARM: ${alarming.join(', ')}`] : []),
    ...(i.targetHealth === 'unhealthy' ? [`endpoint in ${i.target} unhealthy`] : []),
  ];
  if (problems.length > 0) {
    return { verified: false, alarming, elapsedSeconds, reason: `${i.target} not recovered yet (poll ${i.attempt}): ${problems.join('; ')}` };
  }
  return { verified: true, alarming, elapsedSeconds, reason: `${i.target} recovered: no signal in ALARM, endpoint ${i.targetHealth}` };
}
