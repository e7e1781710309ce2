import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateDBClusterCommand, CreateGlobalClusterCommand, RDSClient } from '@aws-sdk/client-rds';
import { AuroraGlobalDatabase } from '../../adapters/database/aurora-global-database.adapter';
import { InMemoryAuroraDatabase } from '../../adapters/database/in-memory-database.twin';
import { motoClientConfig, startMoto, type Moto } from '../support/moto';
import { databaseContract } from './database.contract';
import { EXAMPLE, fakeGlobalCluster } from './database.contract-fixtures';

const PRIMARY = 'us-east-1';
const SECONDARY = 'us-east-2';
const noSleep = async () => {};

databaseContract({
  implementation: 'InMemoryAuroraDatabase',
  read: async () => {
    const clusterArns = { [PRIMARY]: 'arn:aws:rds:us-east-1:123456789012:cluster:app-primary', [SECONDARY]: 'arn:aws:rds:us-east-2:123456789012:cluster:app-secondary' };
    const twin = new InMemoryAuroraDatabase({ clusterArns, writer: PRIMARY });
    return {
      db: twin,
      writer: PRIMARY,
      secondary: SECONDARY,
      clusterArns,
      recordLag: async (region, seconds) => twin.setReplicationLag(region, seconds),
      recordStaleLag: async (region, seconds) => twin.setReplicationLag(region, seconds, 180),
    };
  },
  promotion: async () => {
    const twin = new InMemoryAuroraDatabase({ clusterArns: EXAMPLE.clusterArns, writer: EXAMPLE.primary });
    return {
      db: twin,
      writer: EXAMPLE.primary,
      secondary: EXAMPLE.secondary,
      promotionsIssued: () => twin.promotions.map(({ region, mode }) => ({ region, mode })),
    };
  },
});

describe('AuroraGlobalDatabase over moto_server', () => {
  let moto: Moto;
  const clients: { dispose(): void }[] = [];
  const rds = new Map<string, RDSClient>();
  const cloudWatch = new Map<string, CloudWatchClient>();
  const client = <C extends { destroy(): void }>(cache: Map<string, C>, region: string, create: () => C): C => {
    const existing = cache.get(region);
    if (existing) return existing;
    const created = create();
    cache.set(region, created);
    clients.push({ dispose: () => created.destroy() });
    return created;
  };
  const rdsFor = (region: string) => client(rds, region, () => new RDSClient(motoClientConfig(moto, region)));
  const cloudWatchFor = (region: string) => client(cloudWatch, region, () => new CloudWatchClient(motoClientConfig(moto, region)));

  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    clients.forEach((c) => c.dispose());
    await moto.stop();
  });

  databaseContract({
    implementation: 'AuroraGlobalDatabase over moto_server',
    read: async () => {
      await moto.reset();
      const globalClusterIdentifier = 'app-global';
      await rdsFor(PRIMARY).send(new CreateGlobalClusterCommand({ GlobalClusterIdentifier: globalClusterIdentifier, Engine: 'aurora-postgresql' }));
      const clusterArns: Record<string, string> = {};
      for (const [region, name] of [[PRIMARY, 'app-primary'], [SECONDARY, 'app-secondary']] as const) {
        const created = await rdsFor(region).send(
          new CreateDBClusterCommand({
            DBClusterIdentifier: name,
            Engine: 'aurora-postgresql',
            GlobalClusterIdentifier: globalClusterIdentifier,
            ...(region === PRIMARY ? { MasterUsername: 'dradmin', MasterUserPassword: 'not-a-secret-1' } : {}),
          }),
        );
        clusterArns[region] = created.DBCluster?.DBClusterArn ?? '';
      }
      return {
        db: new AuroraGlobalDatabase({ rdsFor, cloudWatchFor, globalClusterIdentifier, clusterArns, sleep: noSleep }),
        writer: PRIMARY,
        secondary: SECONDARY,
        clusterArns,
        // 20 s ago: its one-minute period (moto counts periods from the query's StartTime) ends within
        // the 60 s the adapter accepts, however slow the machine; 60 s ago sat right on that limit.
        recordLag: async (region, seconds) => putLag(region, seconds, Date.now() - 20_000),
        recordStaleLag: async (region, seconds) => putLag(region, seconds, Date.now() - 240_000),
      };
      async function putLag(region: string, seconds: number, at: number): Promise<void> {
        await cloudWatchFor(region).send(
          new PutMetricDataCommand({
            Namespace: 'AWS/RDS',
            MetricData: [
              {
                MetricName: 'AuroraGlobalDBRPOLag',
                Dimensions: [{ Name: 'DBClusterIdentifier', Value: clusterArns[region]?.split(':').pop() ?? '' }],
                Unit: 'Milliseconds',
                Value: seconds * 1000,
                // Inside the five-minute window the adapter reads.
                Timestamp: new Date(at),
              },
            ],
          }),
        );
      }
    },
  });
});

databaseContract({
  implementation: 'AuroraGlobalDatabase (aws-sdk-client-mock: moto cannot fail over global clusters)',
  promotion: async () => {
    const fake = fakeGlobalCluster();
    const cloudWatch = new CloudWatchClient({ region: EXAMPLE.secondary });
    return {
      db: new AuroraGlobalDatabase({
        rdsFor: fake.rdsFor,
        cloudWatchFor: () => cloudWatch,
        globalClusterIdentifier: EXAMPLE.globalClusterIdentifier,
        clusterArns: EXAMPLE.clusterArns,
        sleep: noSleep,
      }),
      writer: EXAMPLE.primary,
      secondary: EXAMPLE.secondary,
      promotionsIssued: () => fake.issued().map(({ target, mode }) => ({ region: target, mode })),
      dispose: () => {
        fake.restore();
        cloudWatch.destroy();
      },
    };
  },
});
