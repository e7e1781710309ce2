import {
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
  SwitchoverGlobalClusterCommand,
  type GlobalCluster,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import type { PromotionMode } from '../../domain/ports/database.port';

/**
 * AWS-documented RDS responses (AWS CLI reference examples for `switchover-global-cluster`,
 * `failover-global-cluster` and `remove-from-global-cluster`), copied verbatim from
 * /work/shared/fixtures/aws/api_example__rds_*.json so the repository's tests stand alone.
 * Variations are made by copying one and changing the fields named, never by inventing a shape.
 */
export const SWITCHOVER_GLOBAL_CLUSTER_RESPONSE = {
  GlobalCluster: {
    GlobalClusterIdentifier: 'global-database',
    GlobalClusterResourceId: 'cluster-f0e523bfe07aabb',
    GlobalClusterArn: 'arn:aws:rds::123456789012:global-cluster:global-database',
    Status: 'switching-over',
    Engine: 'aurora-postgresql',
    EngineVersion: '17.7',
    EngineLifecycleSupport: 'open-source-rds-extended-support-disabled',
    StorageEncrypted: true,
    StorageEncryptionType: 'sse-kms',
    DeletionProtection: false,
    GlobalClusterMembers: [
      {
        DBClusterArn: 'arn:aws:rds:us-east-1:123456789012:cluster:primary-cluster',
        Readers: ['arn:aws:rds:us-east-2:123456789012:cluster:secondary-cluster'],
        IsWriter: true,
        SynchronizationStatus: 'connected',
      },
      {
        DBClusterArn: 'arn:aws:rds:us-east-2:123456789012:cluster:secondary-cluster',
        Readers: [],
        IsWriter: false,
        GlobalWriteForwardingStatus: 'disabled',
        SynchronizationStatus: 'connected',
      },
    ],
    Endpoint: 'global-database.global-cnpexample.global.rds.amazonaws.com',
    FailoverState: {
      Status: 'pending',
      FromDbClusterArn: 'arn:aws:rds:us-east-1:123456789012:cluster:primary-cluster',
      ToDbClusterArn: 'arn:aws:rds:us-east-2:123456789012:cluster:secondary-cluster',
      IsDataLossAllowed: false,
    },
    TagList: [],
  },
} satisfies { GlobalCluster: GlobalCluster };

/** From api_example__rds_failover_global_cluster__response.json. */
export const FAILOVER_GLOBAL_CLUSTER_RESPONSE = {
  GlobalCluster: {
    GlobalClusterIdentifier: 'global-database',
    GlobalClusterResourceId: 'cluster-f0e523bfe07aabb',
    GlobalClusterArn: 'arn:aws:rds::123456789012:global-cluster:global-database',
    Status: 'failing-over',
    Engine: 'aurora-postgresql',
    EngineVersion: '17.7',
    EngineLifecycleSupport: 'open-source-rds-extended-support-disabled',
    StorageEncrypted: true,
    StorageEncryptionType: 'sse-kms',
    DeletionProtection: false,
    GlobalClusterMembers: [
      {
        DBClusterArn: 'arn:aws:rds:us-east-1:123456789012:cluster:primary-cluster',
        Readers: ['arn:aws:rds:us-east-2:123456789012:cluster:secondary-cluster'],
        IsWriter: true,
        SynchronizationStatus: 'connected',
      },
      {
        DBClusterArn: 'arn:aws:rds:us-east-2:123456789012:cluster:secondary-cluster',
        Readers: [],
        IsWriter: false,
        GlobalWriteForwardingStatus: 'disabled',
        SynchronizationStatus: 'connected',
      },
    ],
    Endpoint: 'global-database.global-cnpexample.global.rds.amazonaws.com',
    FailoverState: {
      Status: 'pending',
      FromDbClusterArn: 'arn:aws:rds:us-east-1:123456789012:cluster:primary-cluster',
      ToDbClusterArn: 'arn:aws:rds:us-east-2:123456789012:cluster:secondary-cluster',
      IsDataLossAllowed: true,
    },
    TagList: [],
  },
} satisfies { GlobalCluster: GlobalCluster };

/** From api_example__rds_remove_from_global_cluster__response_members_without_SynchronizationStatus.json. */
export const REMOVE_FROM_GLOBAL_CLUSTER_RESPONSE = {
  GlobalCluster: {
    GlobalClusterIdentifier: 'myglobalcluster',
    GlobalClusterResourceId: 'cluster-abc123def456gh',
    GlobalClusterArn: 'arn:aws:rds::123456789012:global-cluster:myglobalcluster',
    Status: 'available',
    Engine: 'aurora-postgresql',
    EngineVersion: '10.11',
    StorageEncrypted: true,
    DeletionProtection: false,
    GlobalClusterMembers: [
      {
        DBClusterArn: 'arn:aws:rds:us-east-1:123456789012:cluster:js-global-cluster',
        Readers: ['arn:aws:rds:us-west-2:123456789012:cluster:DB-1'],
        IsWriter: true,
      },
      {
        DBClusterArn: 'arn:aws:rds:us-west-2:123456789012:cluster:DB-1',
        Readers: [],
        IsWriter: false,
        GlobalWriteForwardingStatus: 'disabled',
      },
    ],
  },
} satisfies { GlobalCluster: GlobalCluster };

/** The global database of the switchover/failover examples: writer in us-east-1, secondary in us-east-2. */
export const EXAMPLE = {
  globalClusterIdentifier: 'global-database',
  primary: 'us-east-1',
  secondary: 'us-east-2',
  clusterArns: {
    'us-east-1': 'arn:aws:rds:us-east-1:123456789012:cluster:primary-cluster',
    'us-east-2': 'arn:aws:rds:us-east-2:123456789012:cluster:secondary-cluster',
  },
} as const;

/** A deep, mutable copy of a documented global cluster. */
function copyOf(cluster: GlobalCluster): GlobalCluster {
  return structuredClone(cluster) as GlobalCluster;
}

/**
 * The documented switchover response once nothing is in progress: `Status` `available`, no
 * `FailoverState`, and `IsWriter`/`Readers` set for `writerArn`.
 */
export function steadyGlobalCluster(writerArn: string): GlobalCluster {
  const cluster = copyOf(SWITCHOVER_GLOBAL_CLUSTER_RESPONSE.GlobalCluster);
  cluster.Status = 'available';
  delete cluster.FailoverState;
  const arns = (cluster.GlobalClusterMembers ?? []).map((m) => m.DBClusterArn ?? '');
  cluster.GlobalClusterMembers = (cluster.GlobalClusterMembers ?? []).map((m) => ({
    ...m,
    IsWriter: m.DBClusterArn === writerArn,
    Readers: m.DBClusterArn === writerArn ? arns.filter((a) => a !== writerArn) : [],
  }));
  return cluster;
}

/** One RDS client per region of {@link EXAMPLE}, each with its own aws-sdk-client-mock stub. */
export function mockedRdsClients() {
  const clients = {
    [EXAMPLE.primary]: new RDSClient({ region: EXAMPLE.primary }),
    [EXAMPLE.secondary]: new RDSClient({ region: EXAMPLE.secondary }),
  } as Record<string, RDSClient>;
  const mocks = Object.fromEntries(Object.entries(clients).map(([region, client]) => [region, mockClient(client)]));
  return {
    mocks,
    rdsFor: (region: string): RDSClient => {
      const client = clients[region];
      if (!client) throw new Error(`no mocked RDS client for ${region}`);
      return client;
    },
    restore: () => Object.values(mocks).forEach((m) => m.restore()),
  };
}

/**
 * A global cluster behind aws-sdk-client-mock, built from the documented responses, that moves like
 * AWS: `SwitchoverGlobalCluster`/`FailoverGlobalCluster` answer with the documented in-progress
 * cluster; `DescribeGlobalClusters` reports it for `promotionPolls` calls, then the target as writer.
 * Needed because moto_server cannot fail over or switch over global clusters.
 */
export function fakeGlobalCluster(promotionPolls = 1) {
  const rds = mockedRdsClients();
  let writerArn: string = EXAMPLE.clusterArns[EXAMPLE.primary];
  let inFlight: { cluster: GlobalCluster; targetArn: string; pollsLeft: number } | undefined;
  /** `target`: region of the promoted cluster; `calledIn`: region of the RDS client that was called. */
  const issued: { target: string; calledIn: string; mode: PromotionMode; input: object }[] = [];

  const start = (calledIn: string, mode: PromotionMode, input: { TargetDbClusterIdentifier?: string }, response: { GlobalCluster: GlobalCluster }) => {
    const targetArn = input.TargetDbClusterIdentifier ?? '';
    if (targetArn !== response.GlobalCluster.FailoverState?.ToDbClusterArn) {
      throw new Error(`the documented response promotes ${response.GlobalCluster.FailoverState?.ToDbClusterArn}, not ${targetArn}`);
    }
    const target = Object.entries(EXAMPLE.clusterArns).find(([, arn]) => arn === targetArn)?.[0] ?? '';
    issued.push({ target, calledIn, mode, input });
    inFlight = { cluster: copyOf(response.GlobalCluster), targetArn, pollsLeft: promotionPolls };
    return { GlobalCluster: copyOf(response.GlobalCluster) };
  };

  for (const [region, mock] of Object.entries(rds.mocks)) {
    mock.on(DescribeGlobalClustersCommand).callsFake(() => {
      if (inFlight && inFlight.pollsLeft > 0) {
        inFlight.pollsLeft--;
        return { GlobalClusters: [copyOf(inFlight.cluster)] };
      }
      if (inFlight) {
        writerArn = inFlight.targetArn;
        inFlight = undefined;
      }
      return { GlobalClusters: [steadyGlobalCluster(writerArn)] };
    });
    mock.on(SwitchoverGlobalClusterCommand).callsFake((input) => start(region, 'switchover', input, SWITCHOVER_GLOBAL_CLUSTER_RESPONSE));
    mock.on(FailoverGlobalClusterCommand).callsFake((input) => start(region, 'failover', input, FAILOVER_GLOBAL_CLUSTER_RESPONSE));
  }
  return { ...rds, issued: () => [...issued] };
}
