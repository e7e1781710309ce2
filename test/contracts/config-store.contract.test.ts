import { GetParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { InMemoryConfigStore } from '../../adapters/config-store/in-memory-config-store.twin';
import { SsmConfigStore } from '../../adapters/config-store/ssm-config-store.adapter';
import { startMoto, motoClientConfig, type Moto } from '../support/moto';
import { configStoreContract, type ParameterKey } from './config-store.contract';

const LEAF: Record<ParameterKey, string> = { activeRegion: 'active-region', fenced: 'fenced' };

configStoreContract('InMemoryConfigStore twin', async () => {
  const prefix = '/contract/twin';
  const twin = new InMemoryConfigStore({ parameterPrefix: prefix });
  return {
    store: twin,
    prefix,
    seedRaw: async (region, key, value) => twin.seedRaw(region, key, value),
    versions: async (region) => twin.versions(region),
  };
});

describe('SsmConfigStore over the wire on moto_server', () => {
  let moto: Moto;
  const clients = new Map<string, SSMClient>();
  let prefixes = 0;

  const clientFor = (region: string): SSMClient => {
    let client = clients.get(region);
    if (!client) {
      client = new SSMClient(motoClientConfig(moto, region));
      clients.set(region, client);
    }
    return client;
  };

  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    for (const client of clients.values()) client.destroy();
    await moto?.stop();
  });

  configStoreContract('SsmConfigStore on moto_server', async () => {
    prefixes += 1;
    const prefix = `/contract/t${prefixes}`;
    return {
      store: new SsmConfigStore({ clientFor, parameterPrefix: prefix }),
      prefix,
      seedRaw: async (region, key, value) => {
        await clientFor(region).send(new PutParameterCommand({ Name: `${prefix}/${LEAF[key]}`, Value: value, Type: 'String', Overwrite: true }));
      },
      versions: async (region) => {
        const out = await clientFor(region).send(new GetParametersCommand({ Names: Object.values(LEAF).map((leaf) => `${prefix}/${leaf}`) }));
        const keys = Object.keys(LEAF) as ParameterKey[];
        return Object.fromEntries((out.Parameters ?? []).map((p) => [keys.find((k) => p.Name === `${prefix}/${LEAF[k]}`), p.Version]));
      },
    };
  });
});
