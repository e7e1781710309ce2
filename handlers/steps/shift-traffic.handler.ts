import type { Traffic } from '../../domain/ports/traffic.port';
import { traffic } from '../runtime/traffic-root';
import type { FailoverState, TrafficResult } from './failover-state';
import { stepHandler } from './step-handler';
import { STEP_REGISTRY } from './step-registry';

/** The ports and settings `shift-traffic` uses; the composition root or a test provides them. */
export interface ShiftTrafficDeps {
  readonly traffic: Traffic;
}

/**
 * Send all traffic to the target (its weighted record 100, the others 0) and wait until Route 53
 * has applied the change. Idempotent: nothing is issued when traffic already goes there.
 *
 * Route 53's control plane lives in us-east-1. Every call is bounded by the step's deadline ×
 * attempts (step registry), and the state machine retries the step once: if the control plane
 * stays unreachable, within that bounded time the state machine records "traffic relying on health
 * checks" in `$.traffic` and goes on: the records carry health checks, and when every non-zero-weight record is unhealthy Route 53
 * answers with the zero-weight ones, so traffic moves without the control plane.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/route-53-concepts.html#route-53-concepts-control-and-data-plane
 */
export async function shiftTraffic(state: FailoverState, deps: ShiftTrafficDeps): Promise<TrafficResult> {
  const { changed } = await deps.traffic.shiftTo(state.target);
  return { shifted: true, changed, relyingOnHealthChecks: false };
}

/** Lambda entry point of the `shift-traffic` step: the step above, with its ports from the composition root. */
export const handler = stepHandler('shift-traffic', (state) => shiftTraffic(state, { traffic: traffic(STEP_REGISTRY['shift-traffic'].call) }));
