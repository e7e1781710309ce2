import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmConfigStore } from '../../adapters/config-store/ssm-config-store.adapter';
import type { ConfigStore } from '../../domain/ports/config-store.port';
import { sdkDeadlineConfig, type CallDeadline } from '../steps/step-registry';
import { clientOn, once, settings, type AwsTarget } from './settings-root';

/**
 * The workload's SSM parameters under `parameterPrefix`, one client per region (made on first use)
 * with the calling step's deadline. The SSM adapter does not retry itself: the SDK's standard
 * retry makes the `call.attempts` attempts, each bounded by the deadline.
 */
export function configStoreAdapter(call: CallDeadline, parameterPrefix: string, aws: AwsTarget = {}): ConfigStore {
  return new SsmConfigStore({
    clientFor: (region) => clientOn(aws, sdkDeadlineConfig(region, call, call.attempts), (c) => new SSMClient(c)),
    parameterPrefix,
  });
}

/** The config store for one step of this function, built once per container. */
export function configStore(call: CallDeadline): ConfigStore {
  const key = `${call.connectTimeoutMs}/${call.requestTimeoutMs}/${call.attempts}`;
  return once(`config-store:${key}`, () => configStoreAdapter(call, settings().resources.parameterPrefix));
}
