import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmConfigStore } from '../../adapters/config-store/ssm-config-store.adapter';
import type { ConfigStore } from '../../domain/ports/config-store.port';
import { clientConfig, once, settings } from './settings-root';

/** The workload's SSM parameters, with one client per region, built once per container. */
export function configStore(): ConfigStore {
  return once('config-store', () =>
    new SsmConfigStore({
      clientFor: (region) => new SSMClient(clientConfig(region)),
      parameterPrefix: settings().resources.parameterPrefix,
    }),
  );
}
