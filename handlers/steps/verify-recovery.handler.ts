import type { SignalConfig } from '../../domain/config';
import { judgeRecovery } from '../../domain/policies/recovery';
import type { StateStore } from '../../domain/ports/state-store.port';
import type { Traffic } from '../../domain/ports/traffic.port';
import { settings } from '../runtime/settings-root';
import { traffic } from '../runtime/traffic-root';
import { stateStore } from '../runtime/state-store-root';
import { healthOrUnknown } from './best-effort';
import type { FailoverState, VerifyResult } from './failover-state';
import { stepHandler } from './step-handler';
import { STEP_REGISTRY } from './step-registry';

/** The ports and settings `verify-recovery` uses; the composition root or a test provides them. */
export interface VerifyRecoveryDeps {
  readonly stateStore: StateStore;
  readonly traffic: Traffic;
  /** The configured signals; those of the target region are checked. */
  readonly signals: readonly SignalConfig[];
  /** Epoch ms. */
  readonly now: () => number;
}

/**
 * One poll of the target region's recovery: reads the controller's state (which the decide handler
 * keeps current from the alarm events) and the target's endpoint health, and asks the recovery
 * rule (`judgeRecovery`, domain/policies/recovery.ts): none of the target's signals in ALARM, and
 * its endpoint not unhealthy (unknown is accepted: Route 53's control plane may be the failed region).
 *
 * Measures recovery from the first ALARM that started the failover (`detectedAt`, else the
 * request time) to now, and reports it as `recoverySeconds` once verified. The state machine
 * polls a bounded number of times and then succeeds anyway with `verified: false`: traffic and
 * database have moved, and a failed run would tell the controller the old region is still active.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 */
export async function verifyRecovery(state: FailoverState, deps: VerifyRecoveryDeps): Promise<VerifyResult> {
  const { app, target } = state;
  const [stored, targetHealth] = await Promise.all([deps.stateStore.load(app), healthOrUnknown(deps.traffic, target)]);
  const attempt = (state.verify?.attempt ?? 0) + 1;
  const verdict = judgeRecovery({
    app,
    target,
    signals: deps.signals,
    records: stored?.state.signals,
    targetHealth,
    since: state.detectedAt ?? state.requestedAt,
    now: deps.now(),
    attempt,
  });
  const { verified, reason, elapsedSeconds, alarming } = verdict;
  return { verified, attempt, reason, ...(verified && { recoverySeconds: elapsedSeconds }), elapsedSeconds, alarming, targetHealth };
}

/** Lambda entry point of the `verify-recovery` step: the step above, with its ports from the composition root. */
export const handler = stepHandler('verify-recovery', (state) =>
  verifyRecovery(state, { stateStore: stateStore(), traffic: traffic(STEP_REGISTRY['verify-recovery'].call), signals: settings().config.signals, now: Date.now }),
);
