import type { ConfigStore } from '../../domain/ports/config-store.port';
import { configStore } from '../runtime/config-store-root';
import type { FailoverState, FenceResult } from './failover-state';
import { stepHandler } from './step-handler';
import { STEP_REGISTRY } from './step-registry';

/** The ports and settings `fence-old-region` uses; the composition root or a test provides them. */
export interface FenceOldRegionDeps {
  readonly configStore: ConfigStore;
}

/**
 * Set `fenced` in the old region's parameters so its workload stops taking writes while the
 * database moves. Writes only what differs, so a re-run changes nothing.
 *
 * Off the critical path and best effort: it runs after the target has taken over (promotion,
 * traffic and parameters done), so the old region's control plane, which may be down, never delays
 * the recovery. Its calls are bounded by the step's deadline × attempts and not retried by the
 * state machine; any failure is recorded in `$.fence` and the failover completes.
 *
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
 */
export async function fenceOldRegion(state: FailoverState, deps: FenceOldRegionDeps): Promise<FenceResult> {
  const { changed } = await deps.configStore.write(state.from, { fenced: true });
  return { fenced: true, changed: [...changed] };
}

/** Lambda entry point of the `fence-old-region` step: the step above, with its ports from the composition root. */
export const handler = stepHandler('fence-old-region', (state) => fenceOldRegion(state, { configStore: configStore(STEP_REGISTRY['fence-old-region'].call) }));
