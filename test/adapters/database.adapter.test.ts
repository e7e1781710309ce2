import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  GlobalClusterNotFoundFault,
  InvalidGlobalClusterStateFault,
  RDSServiceException,
  SwitchoverGlobalClusterCommand,
  type GlobalCluster,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { AuroraGlobalDatabase } from '../../adapters/database/aurora-global-database.adapter';
import { PermanentAdapterError, TransientAdapterError } from '../../adapters/errors';
import {
  EXAMPLE,
  FAILOVER_GLOBAL_CLUSTER_RESPONSE,
  REMOVE_FROM_GLOBAL_CLUSTER_RESPONSE,
  SWITCHOVER_GLOBAL_CLUSTER_RESPONSE,
  mockedRdsClients,
  steadyGlobalCluster,
} from '../contracts/database.contract-fixtures';

const PRIMARY_ARN = EXAMPLE.clusterArns[EXAMPLE.primary];
const SECONDARY_ARN = EXAMPLE.clusterArns[EXAMPLE.secondary];
const NOW = Date.parse('2026-11-26T12:00:00Z');

const throttling = () =>
  new RDSServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
const serverError = () =>
  new RDSServiceException({ name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'An internal error has occurred' });
const accessDenied = () =>
  new RDSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'User is not authorized to perform: rds:DescribeGlobalClusters' });
const invalidState = () =>
  new InvalidGlobalClusterStateFault({ $metadata: { httpStatusCode: 400 }, message: 'Global cluster global-database is not in a valid state' });

function arrange(options: { maxAttempts?: number; askFirst?: string; baseDelayMs?: number } = {}) {
  const rds = mockedRdsClients();
  const cloudWatch = new CloudWatchClient({ region: EXAMPLE.secondary });
  const cloudWatchMock = mockClient(cloudWatch);
  const sleeps: number[] = [];
  const db = new AuroraGlobalDatabase({
    rdsFor: rds.rdsFor,
    cloudWatchFor: () => cloudWatch,
    globalClusterIdentifier: EXAMPLE.globalClusterIdentifier,
    clusterArns: EXAMPLE.clusterArns,
    now: () => NOW,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  const primary = rds.mocks[EXAMPLE.primary]!;
  const secondary = rds.mocks[EXAMPLE.secondary]!;
  const describes = (clusters: GlobalCluster[]) => ({ GlobalClusters: clusters });
  return {
    db,
    primary,
    secondary,
    cloudWatchMock,
    sleeps,
    describes,
    restore: () => {
      rds.restore();
      cloudWatchMock.restore();
    },
  };
}

describe('AuroraGlobalDatabase', () => {
  let world: ReturnType<typeof arrange>;
  afterEach(() => world.restore());

  describe('status', () => {
    it('retries throttling with backoff, then succeeds', async () => {
      world = arrange();
      world.primary
        .on(DescribeGlobalClustersCommand)
        .rejectsOnce(throttling())
        .rejectsOnce(throttling())
        .resolves(world.describes([steadyGlobalCluster(PRIMARY_ARN)]));

      const status = await world.db.status();

      expect(status.writerRegion).toBe(EXAMPLE.primary);
      expect(world.primary.commandCalls(DescribeGlobalClustersCommand)).toHaveLength(3);
      expect(world.sleeps).toEqual([100, 200]);
    });

    it('maps access denied to a PermanentAdapterError with the SDK error as cause, without retrying', async () => {
      world = arrange();
      const denied = accessDenied();
      world.primary.on(DescribeGlobalClustersCommand).rejects(denied);

      const error = await world.db.status().catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PermanentAdapterError);
      expect((error as Error).cause).toBe(denied);
      expect((error as Error).message).toContain('global-database');
      expect(world.primary.commandCalls(DescribeGlobalClustersCommand)).toHaveLength(1);
      expect(world.secondary.commandCalls(DescribeGlobalClustersCommand)).toHaveLength(0);
    });

    it('reads from the next member region when the first one keeps failing with 5xx', async () => {
      world = arrange();
      world.primary.on(DescribeGlobalClustersCommand).rejects(serverError());
      world.secondary.on(DescribeGlobalClustersCommand).resolves(world.describes([steadyGlobalCluster(PRIMARY_ARN)]));

      const status = await world.db.status();

      expect(status.writerRegion).toBe(EXAMPLE.primary);
      expect(world.primary.commandCalls(DescribeGlobalClustersCommand)).toHaveLength(3);
    });

    it('asks the target (askFirst) first and never calls the region being left when the target answers', async () => {
      world = arrange({ askFirst: EXAMPLE.secondary });
      world.secondary.on(DescribeGlobalClustersCommand).resolves(world.describes([steadyGlobalCluster(PRIMARY_ARN)]));
      world.secondary.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DBClusterArn: SECONDARY_ARN, Status: 'available' }] });
      world.primary.on(DescribeGlobalClustersCommand).rejects(serverError());

      const status = await world.db.status();

      expect(status.writerRegion).toBe(EXAMPLE.primary);
      expect(world.primary.calls()).toHaveLength(0);
      expect(world.secondary.commandCalls(DescribeDBClustersCommand)[0]?.args[0].input).toEqual({ DBClusterIdentifier: SECONDARY_ARN });
      expect(status.members.find((m) => m.region === EXAMPLE.secondary)).toMatchObject({ clusterStatus: 'available' });
      expect(status.members.find((m) => m.region === EXAMPLE.primary)).not.toHaveProperty('clusterStatus');
    });

    it('asks the old region only when the target does not answer, and leaves the target cluster status out when unreadable', async () => {
      world = arrange({ askFirst: EXAMPLE.secondary, maxAttempts: 2, baseDelayMs: 50 });
      world.secondary.on(DescribeGlobalClustersCommand).rejects(serverError());
      world.secondary.on(DescribeDBClustersCommand).rejects(serverError());
      world.primary.on(DescribeGlobalClustersCommand).resolves(world.describes([steadyGlobalCluster(PRIMARY_ARN)]));

      const status = await world.db.status();

      expect(status.writerRegion).toBe(EXAMPLE.primary);
      expect(world.secondary.commandCalls(DescribeGlobalClustersCommand)).toHaveLength(2);
      expect(world.primary.commandCalls(DescribeGlobalClustersCommand)).toHaveLength(1);
      expect(status.members.every((m) => m.clusterStatus === undefined)).toBe(true);
      expect(world.sleeps).toEqual([50, 50]);
    });

    it('refuses an askFirst region without a member cluster, naming it', () => {
      expect(() => arrange({ askFirst: 'eu-west-1' })).toThrow(/eu-west-1.*clusterArns/);
    });

    it('raises a TransientAdapterError with cause when every member region keeps failing with 5xx', async () => {
      world = arrange({ maxAttempts: 2 });
      const failure = serverError();
      world.primary.on(DescribeGlobalClustersCommand).rejects(failure);
      world.secondary.on(DescribeGlobalClustersCommand).rejects(failure);

      const error = await world.db.status().catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TransientAdapterError);
      expect((error as Error).cause).toBe(failure);
      expect(world.sleeps).toEqual([100, 100]);
    });

    it('picks the global cluster by identifier client-side, as moto ignores the filter', async () => {
      world = arrange();
      world.primary
        .on(DescribeGlobalClustersCommand)
        .resolves(world.describes([REMOVE_FROM_GLOBAL_CLUSTER_RESPONSE.GlobalCluster, steadyGlobalCluster(SECONDARY_ARN)]));

      const status = await world.db.status();

      expect(status.writerRegion).toBe(EXAMPLE.secondary);
      expect(world.primary.commandCalls(DescribeGlobalClustersCommand)[0]?.args[0].input).toEqual({
        GlobalClusterIdentifier: EXAMPLE.globalClusterIdentifier,
      });
    });

    it('fails permanently, naming the identifier, when the global cluster is not listed', async () => {
      world = arrange();
      world.primary.on(DescribeGlobalClustersCommand).resolves(world.describes([REMOVE_FROM_GLOBAL_CLUSTER_RESPONSE.GlobalCluster]));

      await expect(world.db.status()).rejects.toThrow(new PermanentAdapterError(
        'global cluster "global-database" not found in us-east-1: check globalClusterIdentifier (the name of the Aurora global database)',
      ));
    });

    it('fails permanently, naming the identifier, on GlobalClusterNotFoundFault', async () => {
      world = arrange();
      world.primary.on(DescribeGlobalClustersCommand).rejects(new GlobalClusterNotFoundFault({ $metadata: { httpStatusCode: 404 }, message: 'not found' }));

      const error = await world.db.status().catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PermanentAdapterError);
      expect((error as Error).message).toMatch(/"global-database".*GlobalClusterNotFoundFault/);
    });

    it('leaves synchronizationStatus out when AWS omits it and takes an unconfigured member region from its ARN', async () => {
      world = arrange();
      const other = structuredClone(REMOVE_FROM_GLOBAL_CLUSTER_RESPONSE.GlobalCluster) as GlobalCluster;
      other.GlobalClusterIdentifier = EXAMPLE.globalClusterIdentifier;
      world.primary.on(DescribeGlobalClustersCommand).resolves(world.describes([other]));

      const status = await world.db.status();

      expect(status).toEqual({
        writerRegion: 'us-east-1',
        status: 'available',
        promotionInProgress: false,
        members: [
          { region: 'us-east-1', clusterArn: 'arn:aws:rds:us-east-1:123456789012:cluster:js-global-cluster', isWriter: true },
          { region: 'us-west-2', clusterArn: 'arn:aws:rds:us-west-2:123456789012:cluster:DB-1', isWriter: false },
        ],
      });
    });

    it.each(['pending', 'failing-over', 'cancelling'] as const)(
      'reports a promotion in progress when FailoverState.Status is %s',
      async (failoverStatus) => {
        world = arrange();
        const cluster = steadyGlobalCluster(PRIMARY_ARN);
        cluster.FailoverState = { ...SWITCHOVER_GLOBAL_CLUSTER_RESPONSE.GlobalCluster.FailoverState, Status: failoverStatus };
        world.primary.on(DescribeGlobalClustersCommand).resolves(world.describes([cluster]));

        const status = await world.db.status();

        expect(status).toMatchObject({ status: 'available', promotionInProgress: true, writerRegion: EXAMPLE.primary });
      },
    );

    it('reports the documented failover response as a promotion in progress with members in sync', async () => {
      world = arrange();
      world.primary.on(DescribeGlobalClustersCommand).resolves(world.describes([FAILOVER_GLOBAL_CLUSTER_RESPONSE.GlobalCluster]));

      const status = await world.db.status();

      expect(status).toEqual({
        writerRegion: EXAMPLE.primary,
        status: 'failing-over',
        promotionInProgress: true,
        members: [
          { region: EXAMPLE.primary, clusterArn: PRIMARY_ARN, isWriter: true, synchronizationStatus: 'connected' },
          { region: EXAMPLE.secondary, clusterArn: SECONDARY_ARN, isWriter: false, synchronizationStatus: 'connected' },
        ],
      });
    });
  });

  describe('promote (aws-sdk-client-mock: moto cannot fail over global clusters)', () => {
    it('issues SwitchoverGlobalCluster in the primary region with exactly the identifier and target ARN', async () => {
      world = arrange();
      world.primary.on(DescribeGlobalClustersCommand).resolves(world.describes([steadyGlobalCluster(PRIMARY_ARN)]));
      world.primary.on(SwitchoverGlobalClusterCommand).resolves(SWITCHOVER_GLOBAL_CLUSTER_RESPONSE);

      const result = await world.db.promote(EXAMPLE.secondary, 'switchover');

      expect(result).toEqual({ type: 'started', mode: 'switchover' });
      const calls = world.primary.commandCalls(SwitchoverGlobalClusterCommand);
      expect(calls.map((c) => c.args[0].input)).toEqual([
        { GlobalClusterIdentifier: 'global-database', TargetDbClusterIdentifier: SECONDARY_ARN },
      ]);
      expect(world.primary.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
      expect(world.secondary.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(0);
    });

    it('issues FailoverGlobalCluster in the target region with AllowDataLoss and without Switchover', async () => {
      world = arrange();
      world.primary.on(DescribeGlobalClustersCommand).rejects(serverError());
      world.secondary.on(DescribeGlobalClustersCommand).resolves(world.describes([steadyGlobalCluster(PRIMARY_ARN)]));
      world.secondary.on(FailoverGlobalClusterCommand).resolves(FAILOVER_GLOBAL_CLUSTER_RESPONSE);

      const result = await world.db.promote(EXAMPLE.secondary, 'failover');

      expect(result).toEqual({ type: 'started', mode: 'failover' });
      expect(world.secondary.commandCalls(FailoverGlobalClusterCommand).map((c) => c.args[0].input)).toEqual([
        { GlobalClusterIdentifier: 'global-database', TargetDbClusterIdentifier: SECONDARY_ARN, AllowDataLoss: true },
      ]);
      expect(world.primary.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
    });

    it('retries a throttled switchover, then reports it started', async () => {
      world = arrange();
      world.primary.on(DescribeGlobalClustersCommand).resolves(world.describes([steadyGlobalCluster(PRIMARY_ARN)]));
      world.primary.on(SwitchoverGlobalClusterCommand).rejectsOnce(throttling()).resolves(SWITCHOVER_GLOBAL_CLUSTER_RESPONSE);

      const result = await world.db.promote(EXAMPLE.secondary, 'switchover');

      expect(result).toEqual({ type: 'started', mode: 'switchover' });
      expect(world.primary.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(2);
      expect(world.sleeps).toEqual([100]);
    });

    it('reports in-progress when InvalidGlobalClusterStateFault comes from a concurrent promotion', async () => {
      world = arrange();
      world.primary
        .on(DescribeGlobalClustersCommand)
        .resolvesOnce(world.describes([steadyGlobalCluster(PRIMARY_ARN)]))
        .resolves(world.describes([SWITCHOVER_GLOBAL_CLUSTER_RESPONSE.GlobalCluster]));
      world.primary.on(SwitchoverGlobalClusterCommand).rejects(invalidState());

      const result = await world.db.promote(EXAMPLE.secondary, 'switchover');

      expect(result).toEqual({ type: 'in-progress' });
    });

    it('raises a PermanentAdapterError with cause on InvalidGlobalClusterStateFault when nothing is in progress', async () => {
      world = arrange();
      const fault = invalidState();
      world.primary.on(DescribeGlobalClustersCommand).resolves(world.describes([steadyGlobalCluster(PRIMARY_ARN)]));
      world.primary.on(SwitchoverGlobalClusterCommand).rejects(fault);

      const error = await world.db.promote(EXAMPLE.secondary, 'switchover').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PermanentAdapterError);
      expect((error as Error).cause).toBe(fault);
      expect(world.primary.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(1);
    });
  });

  describe('replicationLagSeconds', () => {
    it('asks GetMetricData for the last five minutes of one-minute Maximum lag of the member cluster', async () => {
      world = arrange();
      world.cloudWatchMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

      await world.db.replicationLagSeconds(EXAMPLE.secondary);

      const metric = (name: string) => ({
        Namespace: 'AWS/RDS',
        MetricName: name,
        Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'secondary-cluster' }],
      });
      expect(world.cloudWatchMock.commandCalls(GetMetricDataCommand)[0]?.args[0].input).toEqual({
        StartTime: new Date(NOW - 5 * 60_000),
        EndTime: new Date(NOW),
        ScanBy: 'TimestampDescending',
        MetricDataQueries: [
          { Id: 'lag0', ReturnData: true, MetricStat: { Metric: metric('AuroraGlobalDBRPOLag'), Period: 60, Stat: 'Maximum' } },
          { Id: 'lag1', ReturnData: true, MetricStat: { Metric: metric('AuroraGlobalDBReplicationLag'), Period: 60, Stat: 'Maximum' } },
        ],
      });
    });

    it('converts the newest AuroraGlobalDBRPOLag datapoint from milliseconds to seconds', async () => {
      world = arrange();
      world.cloudWatchMock.on(GetMetricDataCommand).resolves({
        MetricDataResults: [
          { Id: 'lag0', Values: [1500, 9000], Timestamps: [new Date(NOW - 60_000), new Date(NOW - 120_000)], StatusCode: 'Complete' },
          { Id: 'lag1', Values: [7000], Timestamps: [new Date(NOW - 60_000)], StatusCode: 'Complete' },
        ],
      });

      await expect(world.db.replicationLagSeconds(EXAMPLE.secondary)).resolves.toBe(1.5);
    });

    it.each([
      ['ended 61 s ago', NOW - 121_000, undefined],
      ['ended 60 s ago', NOW - 120_000, 1.5],
    ])('treats the newest datapoint whose period %s as %p seconds (older than 60 s: unknown)', async (_age, timestamp, expected) => {
      world = arrange();
      world.cloudWatchMock.on(GetMetricDataCommand).resolves({
        MetricDataResults: [{ Id: 'lag0', Values: [1500], Timestamps: [new Date(timestamp)], StatusCode: 'Complete' }],
      });

      await expect(world.db.replicationLagSeconds(EXAMPLE.secondary)).resolves.toBe(expected);
    });

    it('falls back to AuroraGlobalDBReplicationLag when the RPO lag metric has no datapoints', async () => {
      world = arrange();
      world.cloudWatchMock.on(GetMetricDataCommand).resolves({
        MetricDataResults: [
          { Id: 'lag0', Values: [], Timestamps: [], StatusCode: 'Complete' },
          { Id: 'lag1', Values: [250], Timestamps: [new Date(NOW - 60_000)], StatusCode: 'Complete' },
        ],
      });

      await expect(world.db.replicationLagSeconds(EXAMPLE.secondary)).resolves.toBe(0.25);
    });

    it('maps access denied to a PermanentAdapterError with the SDK error as cause', async () => {
      world = arrange();
      const denied = Object.assign(new Error('not authorized to perform: cloudwatch:GetMetricData'), {
        name: 'AccessDenied',
        $fault: 'client' as const,
        $metadata: { httpStatusCode: 403 },
      });
      world.cloudWatchMock.on(GetMetricDataCommand).rejects(denied);

      const error = await world.db.replicationLagSeconds(EXAMPLE.secondary).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PermanentAdapterError);
      expect((error as Error).cause).toBe(denied);
    });
  });

  describe('configuration', () => {
    it('rejects a member ARN that is not a DB cluster ARN, naming the region and the expected form', () => {
      const build = () =>
        new AuroraGlobalDatabase({
          rdsFor: () => {
            throw new Error('unused');
          },
          cloudWatchFor: () => new CloudWatchClient({ region: 'us-east-1' }),
          globalClusterIdentifier: 'app',
          clusterArns: { 'us-east-1': 'primary-cluster' },
        });

      expect(build).toThrow('clusterArns["us-east-1"] is not a DB cluster ARN ("primary-cluster"): use arn:aws:rds:<region>:<account>:cluster:<identifier>');
    });
  });
});
