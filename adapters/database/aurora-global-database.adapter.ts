import { callWithRetry, realSleep } from '../retry';
import {
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  SwitchoverGlobalClusterCommand,
  type GlobalCluster,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { GetMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Region } from '../../domain/config';
import type {
  Database,
  DatabaseMember,
  DatabaseStatus,
  PromoteResult,
  PromotionMode,
} from '../../domain/ports/database.port';
import { clusterArnOf } from './cluster-arn';
import { PermanentAdapterError, isTransient } from '../errors';

export interface AuroraGlobalDatabaseOptions {
  /**
   * The RDS client for a region. Global-cluster calls are region-specific: a switchover is issued
   * in the region of the current primary cluster, a failover in the region of the secondary that
   * becomes primary, and status is read from the first member region that answers.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
   */
  readonly rdsFor: (region: Region) => RDSClient;
  /** The CloudWatch client for a region: a secondary's lag metrics live in its own region. */
  readonly cloudWatchFor: (region: Region) => CloudWatchClient;
  /** Name of the Aurora global database (not case-sensitive, like AWS). */
  readonly globalClusterIdentifier: string;
  /**
   * Member DB cluster ARN per region, e.g. `{ 'us-east-1': 'arn:aws:rds:us-east-1:123456789012:cluster:app-primary' }`.
   * Its key order is the order in which regions are asked for the global cluster's status.
   */
  readonly clusterArns: Readonly<Record<Region, string>>;
  /** Clock for the metric window. @default Date.now */
  readonly now?: () => number;
  /** Waits between retries of throttled or transient calls. @default real setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Attempts per call, first one included (bounded backoff: 100 ms, 200 ms, 400 ms, …). @default 3 */
  readonly maxAttempts?: number;
}

/** Lag metrics, preferred first. Both are in milliseconds and exist only for secondary clusters. */
const LAG_METRICS = ['AuroraGlobalDBRPOLag', 'AuroraGlobalDBReplicationLag'] as const;
const LAG_WINDOW_MS = 5 * 60_000;
const LAG_PERIOD_SECONDS = 60;
const BASE_DELAY_MS = 100;

/** `FailoverState.Status` values that mean a switchover or failover has not finished. */
const PROMOTING_FAILOVER_STATES = new Set(['pending', 'failing-over', 'switching-over', 'cancelling']);
/** Global cluster `Status` values of a promotion in progress. */
const PROMOTING_STATUSES = new Set(['failing-over', 'switching-over']);

/**
 * {@link Database} on an Aurora Global Database, through the RDS and CloudWatch SDK v3 clients the
 * caller passes in. Every SDK error leaves as a {@link TransientAdapterError} or
 * {@link PermanentAdapterError} with the SDK error as `cause`; throttling and transient errors are
 * retried a bounded number of times first.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeGlobalClusters.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html
 */
export class AuroraGlobalDatabase implements Database {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxAttempts: number;

  constructor(private readonly options: AuroraGlobalDatabaseOptions) {
    if (Object.keys(options.clusterArns).length === 0) {
      throw new PermanentAdapterError('clusterArns is empty: give the member DB cluster ARN of every region, e.g. { "us-east-1": "arn:aws:rds:us-east-1:123456789012:cluster:app" }');
    }
    for (const [region, arn] of Object.entries(options.clusterArns)) clusterIdentifierOf(region, arn);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  }

  /**
   * Reads the global cluster, asking member regions in order until one answers (the failed region's
   * control plane may be down). The cluster is picked client-side by identifier.
   *
   * Promotion is in progress while `Status` is `failing-over`/`switching-over` or `FailoverState`
   * (present only while a switchover or failover is scheduled or running) has a pending status.
   * `SynchronizationStatus` is absent from some responses and is then left out.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalClusterMember.html
   */
  async status(): Promise<DatabaseStatus> {
    return toStatus(await this.describe(), this.options.clusterArns);
  }

  /**
   * Latest one-minute Maximum of `AuroraGlobalDBRPOLag` (falling back to
   * `AuroraGlobalDBReplicationLag`, for Aurora MySQL versions without the RPO metric) over the last
   * five minutes, namespace `AWS/RDS`, dimension `DBClusterIdentifier`, read in `region`.
   * The metrics are milliseconds; the result is seconds. No datapoint means unknown: `undefined`.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/dimensions.html
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
   */
  async replicationLagSeconds(region: Region): Promise<number | undefined> {
    const clusterIdentifier = clusterIdentifierOf(region, clusterArnOf(this.options.clusterArns, region));
    const end = this.now();
    const output = await this.call(`cloudwatch GetMetricData for ${clusterIdentifier} in ${region}`, () =>
      this.options.cloudWatchFor(region).send(
        new GetMetricDataCommand({
          StartTime: new Date(end - LAG_WINDOW_MS),
          EndTime: new Date(end),
          ScanBy: 'TimestampDescending',
          MetricDataQueries: LAG_METRICS.map((metricName, i) => ({
            Id: `lag${i}`,
            ReturnData: true,
            MetricStat: {
              Metric: {
                Namespace: 'AWS/RDS',
                MetricName: metricName,
                Dimensions: [{ Name: 'DBClusterIdentifier', Value: clusterIdentifier }],
              },
              Period: LAG_PERIOD_SECONDS,
              Stat: 'Maximum',
            },
          })),
        }),
      ),
    );
    for (const i of LAG_METRICS.keys()) {
      // ScanBy TimestampDescending: the newest datapoint comes first.
      const latest = output.MetricDataResults?.find((r) => r.Id === `lag${i}`)?.Values?.[0];
      if (latest !== undefined) return latest / 1000;
    }
    return undefined;
  }

  /**
   * Checks the world first: a writer target or a promotion already running issues nothing.
   * `switchover` calls SwitchoverGlobalCluster in the current primary's region (RPO 0, needs the
   * old primary); `failover` calls FailoverGlobalCluster with `AllowDataLoss: true` in the target's
   * region (FailoverGlobalCluster without `AllowDataLoss` would be a switchover, and `AllowDataLoss`
   * cannot be combined with `Switchover`).
   *
   * `InvalidGlobalClusterStateFault` only says the global cluster cannot do this now, so the status
   * is read again: a concurrent promotion gives `in-progress`, a target already writer gives
   * `already-writer`, anything else stays a {@link PermanentAdapterError}.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html
   */
  async promote(region: Region, mode: PromotionMode): Promise<PromoteResult> {
    const target = clusterArnOf(this.options.clusterArns, region);
    const before = await this.status();
    const settled = settledOutcome(before, region);
    if (settled) return settled;

    const { globalClusterIdentifier } = this.options;
    const context = `rds ${mode === 'switchover' ? 'SwitchoverGlobalCluster' : 'FailoverGlobalCluster'} of global cluster "${globalClusterIdentifier}" to ${target}`;
    try {
      if (mode === 'switchover') {
        const issueIn = before.writerRegion ?? region;
        await this.call(`${context} in ${issueIn}`, () =>
          this.options.rdsFor(issueIn).send(
            new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: globalClusterIdentifier, TargetDbClusterIdentifier: target }),
          ),
        );
      } else {
        await this.call(`${context} in ${region}`, () =>
          this.options.rdsFor(region).send(
            new FailoverGlobalClusterCommand({ GlobalClusterIdentifier: globalClusterIdentifier, TargetDbClusterIdentifier: target, AllowDataLoss: true }),
          ),
        );
      }
    } catch (error) {
      if (!(error instanceof PermanentAdapterError) || !hasName(error.cause, 'InvalidGlobalClusterStateFault')) throw error;
      const after = await this.status();
      const outcome = settledOutcome(after, region);
      if (outcome) return outcome;
      throw error;
    }
    return { type: 'started', mode };
  }

  private async describe(): Promise<GlobalCluster> {
    const { globalClusterIdentifier } = this.options;
    const wanted = globalClusterIdentifier.toLowerCase();
    let lastError: unknown;
    for (const region of Object.keys(this.options.clusterArns)) {
      let output;
      try {
        output = await this.call(`rds DescribeGlobalClusters for global cluster "${globalClusterIdentifier}" in ${region}`, () =>
          this.options.rdsFor(region).send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalClusterIdentifier })),
        );
      } catch (error) {
        if (!isTransient(error)) throw error;
        lastError = error;
        continue;
      }
      const found = output.GlobalClusters?.find((c) => c.GlobalClusterIdentifier?.toLowerCase() === wanted);
      if (!found) {
        throw new PermanentAdapterError(
          `global cluster "${globalClusterIdentifier}" not found in ${region}: check globalClusterIdentifier (the name of the Aurora global database)`,
        );
      }
      return found;
    }
    throw lastError;
  }


  /** Runs one SDK call, retrying throttling and transient errors with bounded exponential backoff. */
  private call<T>(context: string, send: () => Promise<T>): Promise<T> {
    return callWithRetry(send, () => context, { maxAttempts: this.maxAttempts, baseDelayMs: BASE_DELAY_MS, sleep: this.sleep });
  }
}

/** `already-writer` or `in-progress` when the world makes a promotion to `region` unnecessary. */
function settledOutcome(status: DatabaseStatus, region: Region): PromoteResult | undefined {
  if (status.writerRegion === region && !status.promotionInProgress) return { type: 'already-writer' };
  if (status.promotionInProgress) return { type: 'in-progress' };
  return undefined;
}

function toStatus(cluster: GlobalCluster, clusterArns: Readonly<Record<Region, string>>): DatabaseStatus {
  const members: DatabaseMember[] = (cluster.GlobalClusterMembers ?? []).map((m) => {
    const clusterArn = m.DBClusterArn ?? '';
    return {
      region: regionOf(clusterArn, clusterArns),
      clusterArn,
      isWriter: m.IsWriter === true,
      ...(m.SynchronizationStatus ? { synchronizationStatus: m.SynchronizationStatus } : {}),
    };
  });
  const status = cluster.Status ?? 'unknown';
  const failoverState = cluster.FailoverState?.Status;
  const writerRegion = members.find((m) => m.isWriter)?.region;
  return {
    ...(writerRegion !== undefined ? { writerRegion } : {}),
    status,
    promotionInProgress: PROMOTING_STATUSES.has(status) || (failoverState !== undefined && PROMOTING_FAILOVER_STATES.has(failoverState)),
    members,
  };
}

/** The configured region of a member ARN, else the region field of the ARN itself. */
function regionOf(clusterArn: string, clusterArns: Readonly<Record<Region, string>>): Region {
  const configured = Object.entries(clusterArns).find(([, arn]) => arn === clusterArn)?.[0];
  return configured ?? clusterArn.split(':')[3] ?? '';
}

/** `arn:aws:rds:<region>:<account>:cluster:<identifier>` → `<identifier>`. */
function clusterIdentifierOf(region: Region, arn: string): string {
  const match = /^arn:[^:]+:rds:[^:]+:\d+:cluster:(.+)$/.exec(arn);
  if (!match?.[1]) {
    throw new PermanentAdapterError(
      `clusterArns["${region}"] is not a DB cluster ARN ("${arn}"): use arn:aws:rds:<region>:<account>:cluster:<identifier>`,
    );
  }
  return match[1];
}

function hasName(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}
