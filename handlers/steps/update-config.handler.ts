import type { Region } from '../../domain/config';
import type { AppParameters, ConfigStore } from '../../domain/ports/config-store.port';
import { configStore } from '../runtime/config-store-root';
import { settings } from '../runtime/settings-root';
import { messageOf } from './best-effort';
import type { ConfigResult, FailoverState } from './failover-state';
import { stepHandler } from './step-handler';
import { STEP_REGISTRY } from './step-registry';

/** The ports and settings `update-config` uses; the composition root or a test provides them. */
export interface UpdateConfigDeps {
  readonly configStore: ConfigStore;
  /** Every region of the workload. */
  readonly regions: readonly Region[];
}

/**
 * Publish the new active region in every region's parameters, and lift the fence in the target
 * (a previous failover may have fenced it). Only differing values are written, so a re-run changes
 * nothing.
 *
 * Every region but the old one must succeed (errors propagate, so the state machine retries and,
 * failing that, halts): the target's workload refuses writes until its `active-region` names it.
 * The old region is best effort: its control plane may be down, so a failure there is recorded in
 * `skipped` and the failover goes on. Its write runs beside the others, bounded by the step's call
 * deadline, so the target's parameters never wait for it.
 *
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
 */
export async function updateConfig(state: FailoverState, deps: UpdateConfigDeps): Promise<ConfigResult> {
  const { from, target } = state;
  const paramsFor = (region: Region): AppParameters => (region === target ? { activeRegion: target, fenced: false } : { activeRegion: target });
  const [writes, old] = await Promise.all([
    Promise.all(
      deps.regions
        .filter((region) => region !== from)
        .map(async (region): Promise<[Region, string[]]> => [region, [...(await deps.configStore.write(region, paramsFor(region))).changed]]),
    ),
    deps.configStore.write(from, paramsFor(from)).then(
      ({ changed }) => ({ ok: true as const, changed: [...changed] }),
      (error: unknown) => ({ ok: false as const, reason: messageOf(error) }),
    ),
  ]);
  const changed: Record<Region, string[]> = Object.fromEntries(writes);
  if (old.ok) changed[from] = old.changed;
  return { changed, skipped: old.ok ? [] : [{ region: from, reason: old.reason }] };
}

/** Lambda entry point of the `update-config` step: the step above, with its ports from the composition root. */
export const handler = stepHandler('update-config', (state) =>
  updateConfig(state, { configStore: configStore(STEP_REGISTRY['update-config'].call), regions: settings().config.regions }),
);
