import { callWithRetry, retryOptions, type RetryOptions } from '../retry';
import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  SwitchoverGlobalClusterCommand,
  type GlobalCluster,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Region } from '../../domain/config';
import type { Database, DatabaseMember, DatabaseStatus, PromoteResult, PromotionMode } from '../../domain/ports/database.port';
import { clusterArnOf } from './cluster-arn';
import { PermanentAdapterError, isTransient } from '../errors';
import { newestDatapoint, newestDatapointsQuery } from '../newest-datapoints';

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
   * After {@link askFirst}, its key order is the order in which regions are asked for the global cluster's status.
   */
  readonly clusterArns: Readonly<Record<Region, string>>;
  /**
   * The region asked first for the global cluster's status, and whose member cluster's own status
   * is read (DescribeDBClusters): a failover's target. The others, the region being left among
   * them, are asked only when it does not answer.
   * @default - the first region of `clusterArns`
   */
  readonly askFirst?: Region;
  /**
   * How old the newest replication-lag datapoint may be (seconds from the end of its one-minute
   * period to now) for the lag to count as known; older, the lag is unknown.
   * @default 60
   */
  readonly maxLagAgeSeconds?: number;
  /** Delay before the first retry of a call; it doubles per retry. @default 100 */
  readonly baseDelayMs?: number;
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
/** Default of {@link AuroraGlobalDatabaseOptions.maxLagAgeSeconds}. */
export const MAX_LAG_AGE_SECONDS = 60;

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
  private readonly retry: RetryOptions;
  private readonly maxLagAgeMs: number;
  private readonly regionOrder: readonly Region[];

  constructor(private readonly options: AuroraGlobalDatabaseOptions) {
    if (Object.keys(options.clusterArns).length === 0) {
      throw new PermanentAdapterError('clusterArns is empty: give the member DB cluster ARN of every region, e.g. { "us-east-1": "arn:aws:rds:us-east-1:123456789012:cluster:app" }');
    }
    for (const [region, arn] of Object.entries(options.clusterArns)) clusterIdentifierOf(region, arn);
    this.now = options.now ?? Date.now;
    this.retry = retryOptions('AuroraGlobalDatabase', { ...options, maxAttempts: Math.max(1, options.maxAttempts ?? 3) }, { maxAttempts: 3, baseDelayMs: 100 });
    this.maxLagAgeMs = (options.maxLagAgeSeconds ?? MAX_LAG_AGE_SECONDS) * 1000;
    const regions = Object.keys(options.clusterArns);
    if (options.askFirst !== undefined) clusterArnOf(options.clusterArns, options.askFirst);
    this.regionOrder = options.askFirst === undefined ? regions : [options.askFirst, ...regions.filter((r) => r !== options.askFirst)];
  }

  /**
   * Reads the global cluster, asking {@link AuroraGlobalDatabaseOptions.askFirst} first and the
   * other member regions only when it does not answer (the region being left may be down: each
   * call is bounded by the client's deadline and `maxAttempts`). The cluster is picked client-side
   * by identifier. Beside it, the `askFirst` region's own member cluster status is read
   * (DescribeDBClusters), best effort: absent when that call fails.
   *
   * Promotion is in progress while `Status` is `failing-over`/`switching-over` or `FailoverState`
   * (present only while a switchover or failover is scheduled or running) has a pending status.
   * `SynchronizationStatus` is absent from some responses and is then left out.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalClusterMember.html
   */
  async status(): Promise<DatabaseStatus> {
    const [cluster, clusterStatus] = await Promise.all([this.describe(), this.askFirstClusterStatus()]);
    return toStatus(cluster, this.options.clusterArns, this.options.askFirst, clusterStatus);
  }

  /**
   * Latest one-minute Maximum of `AuroraGlobalDBRPOLag` (falling back to
   * `AuroraGlobalDBReplicationLag`, for Aurora MySQL versions without the RPO metric) over the last
   * five minutes, namespace `AWS/RDS`, dimension `DBClusterIdentifier`, read in `region`.
   * The metrics are milliseconds; the result is seconds. No datapoint, or a newest datapoint whose
   * period ended more than `maxLagAgeSeconds` ago (a stalled metric says nothing about now), means
   * unknown: `undefined`.
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
        newestDatapointsQuery(
          end,
          LAG_WINDOW_MS,
          LAG_METRICS.map((metricName, i) => ({
            id: `lag${i}`,
            namespace: 'AWS/RDS',
            metricName,
            dimensions: { DBClusterIdentifier: clusterIdentifier },
            periodSeconds: LAG_PERIOD_SECONDS,
          })),
        ),
      ),
    );
    for (const i of LAG_METRICS.keys()) {
      // The newest datapoint comes first. Its timestamp is the start of its period.
      const newest = newestDatapoint(output, `lag${i}`);
      if (newest === undefined) continue;
      if (newest.at === undefined || end - (newest.at + LAG_PERIOD_SECONDS * 1000) > this.maxLagAgeMs) return undefined;
      return newest.value / 1000;
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
    for (const region of this.regionOrder) {
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


  /**
   * The `askFirst` region's member cluster `Status`, or undefined when there is no such region or
   * the call fails (best effort: the global cluster's view decides, this only refines it).
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusters.html
   */
  private async askFirstClusterStatus(): Promise<string | undefined> {
    const region = this.options.askFirst;
    if (region === undefined) return undefined;
    const arn = clusterArnOf(this.options.clusterArns, region);
    try {
      const output = await this.call(`rds DescribeDBClusters for ${arn} in ${region}`, () =>
        this.options.rdsFor(region).send(new DescribeDBClustersCommand({ DBClusterIdentifier: arn })),
      );
      return output.DBClusters?.find((c) => c.DBClusterArn === arn)?.Status ?? output.DBClusters?.[0]?.Status;
    } catch {
      return undefined;
    }
  }

  /** Runs one SDK call, retrying throttling and transient errors with bounded exponential backoff. */
  private call<T>(context: string, send: () => Promise<T>): Promise<T> {
    return callWithRetry(send, () => context, this.retry);
  }
}

/**
 * `already-writer` or `in-progress` when the world makes a promotion to `region` unnecessary. A
 * target that is already the writer needs nothing, even while Aurora still reports the promotion
 * that made it so (its `FailoverState` may linger while the old primary's region is unreachable).
 */
function settledOutcome(status: DatabaseStatus, region: Region): PromoteResult | undefined {
  if (status.writerRegion === region) return { type: 'already-writer' };
  if (status.promotionInProgress) return { type: 'in-progress' };
  return undefined;
}

function toStatus(cluster: GlobalCluster, clusterArns: Readonly<Record<Region, string>>, askFirst?: Region, clusterStatus?: string): DatabaseStatus {
  const members: DatabaseMember[] = (cluster.GlobalClusterMembers ?? []).map((m) => {
    const clusterArn = m.DBClusterArn ?? '';
    const region = regionOf(clusterArn, clusterArns);
    return {
      region,
      clusterArn,
      isWriter: m.IsWriter === true,
      ...(m.SynchronizationStatus ? { synchronizationStatus: m.SynchronizationStatus } : {}),
      ...(region === askFirst && clusterStatus !== undefined ? { clusterStatus } : {}),
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
