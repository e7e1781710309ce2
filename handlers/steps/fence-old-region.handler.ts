import type { ConfigStore } from '../../domain/ports/config-store.port';
import { configStore } from '../runtime/config-store-root';
import type { FailoverState, FenceResult } from './failover-state';
import { stepHandler } from './step-handler';

/** The ports and settings `fence-old-region` uses; the composition root or a test provides them. */
export interface FenceOldRegionDeps {
  readonly configStore: ConfigStore;
}

/**
 * Set `fenced` in the old region's parameters so its workload stops taking writes while the
 * database moves. Writes only what differs, so a re-run changes nothing.
 *
 * Best effort: the old region's control plane may be down. The state machine retries transient
 * errors, then records the failure in `$.fence` and goes on to promote the database; only an
 * unexpected error (a bug) halts the failover.
 *
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
 */
export async function fenceOldRegion(state: FailoverState, deps: FenceOldRegionDeps): Promise<FenceResult> {
  const { changed } = await deps.configStore.write(state.from, { fenced: true });
  return { fenced: true, changed: [...changed] };
}

/** Lambda entry point of the `fence-old-region` step: the step above, with its ports from the composition root. */
export const handler = stepHandler('fence-old-region', (state) => fenceOldRegion(state, { configStore: configStore() }));
