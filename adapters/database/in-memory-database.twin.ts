import type { Region } from '../../domain/config';
import type {
  Database,
  DatabaseStatus,
  PromoteResult,
  PromotionMode,
} from '../../domain/ports/database.port';
import { clusterArnOf } from './cluster-arn';
import { PermanentAdapterError, toAdapterError } from '../errors';

export interface InMemoryAuroraDatabaseOptions {
  /** Member DB cluster ARN per region; every region listed is a member of the global cluster. */
  readonly clusterArns: Readonly<Record<Region, string>>;
  /** Region of the writer cluster at the start. */
  readonly writer: Region;
  /**
   * How many `status()` calls report a started promotion as in progress before it completes; the
   * next call shows the new writer. Counting polls, not milliseconds, keeps workflow tests
   * deterministic. `0` completes a promotion inside `promote()`.
   * @default 1
   */
  readonly promotionPolls?: number;
  /**
   * How old a seeded lag datapoint may be for the lag to count as known, as the SDK adapter's
   * `maxLagAgeSeconds`.
   * @default 60
   */
  readonly maxLagAgeSeconds?: number;
}

/** The database operations a fault can be aimed at. */
export type DatabaseOperation = 'status' | 'replicationLagSeconds' | 'promote';

/** A promotion the twin accepted, as the SDK adapter would have issued it to RDS. */
export interface IssuedPromotion {
  readonly region: Region;
  readonly mode: PromotionMode;
  /** Writer region when it was issued. */
  readonly from: Region;
}

interface Fault {
  remaining: number;
  readonly error: unknown;
  readonly operation?: DatabaseOperation;
}

/**
 * An in-memory Aurora global database with the observable behaviour of `AuroraGlobalDatabase`:
 * one writer among the member regions; promotions that stay in progress for a configurable number
 * of status polls (status `switching-over`/`failing-over`, old writer still writer, as AWS reports
 * it); a switchover refused like AWS's `InvalidGlobalClusterStateFault` when the old writer region
 * is unreachable, while a failover works without it; per-region lag that may be unknown; and
 * injectable faults. Used by engine, workflow and local drill tests.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 */
export class InMemoryAuroraDatabase implements Database {
  private writer: Region;
  private inFlight?: { readonly target: Region; readonly mode: PromotionMode; pollsLeft: number };
  private readonly lag = new Map<Region, { readonly seconds: number; readonly ageSeconds: number }>();
  private readonly clusterStatuses = new Map<Region, string>();
  /** A promotion whose new writer is in place while Aurora still reports it in progress (`FailoverState` not cleared). */
  private lingering?: PromotionMode;
  private readonly synchronization = new Map<Region, string | undefined>();
  private readonly unreachable = new Set<Region>();
  private readonly faults: Fault[] = [];
  private readonly issued: IssuedPromotion[] = [];
  private readonly promotionPolls: number;

  constructor(private readonly options: InMemoryAuroraDatabaseOptions) {
    if (!(options.writer in options.clusterArns)) {
      throw new PermanentAdapterError(`writer "${options.writer}" is not in clusterArns: add its DB cluster ARN or pick one of ${Object.keys(options.clusterArns).join(', ')}`);
    }
    this.writer = options.writer;
    this.promotionPolls = Math.max(0, options.promotionPolls ?? 1);
  }

  /** Promotions accepted so far, oldest first (`already-writer`/`in-progress` issue nothing). */
  get promotions(): readonly IssuedPromotion[] {
    return [...this.issued];
  }

  /**
   * Seed the replication lag `region` reports; `undefined` means no datapoints (unknown).
   * `ageSeconds` is how long ago the newest datapoint's period ended: past `maxLagAgeSeconds` the lag is unknown.
   */
  setReplicationLag(region: Region, seconds: number | undefined, ageSeconds = 0): void {
    if (seconds === undefined) this.lag.delete(region);
    else this.lag.set(region, { seconds, ageSeconds });
  }

  /** Seed a member cluster's own status (`available` by default), as DescribeDBClusters reports it. */
  setClusterStatus(region: Region, status: string): void {
    this.clusterStatuses.set(region, status);
  }

  /**
   * Whether a completed promotion keeps being reported in progress (global cluster status and
   * `FailoverState`), as Aurora may while the old primary's region is unreachable.
   */
  setPromotionLingers(lingers: boolean): void {
    this.lingers = lingers;
    if (!lingers) this.lingering = undefined;
  }

  private lingers = false;

  /** Mark a region's cluster unreachable (a switchover away from it is refused) or reachable again. */
  setReachable(region: Region, reachable: boolean): void {
    if (reachable) this.unreachable.delete(region);
    else this.unreachable.add(region);
  }

  /** Seed a member's `SynchronizationStatus` (`connected` by default; `undefined`: absent, as in some AWS responses). */
  setSynchronizationStatus(region: Region, status: string | undefined): void {
    this.synchronization.set(region, status);
  }

  /**
   * The next `times` calls (of `operation`, or of any operation) throw `error`, mapped like an SDK
   * error (`toAdapterError`), so a throttling error becomes transient and access denied permanent.
   */
  failNext(times: number, error: unknown, operation?: DatabaseOperation): void {
    this.faults.push({ remaining: times, error, ...(operation ? { operation } : {}) });
  }

  async status(): Promise<DatabaseStatus> {
    this.injectFault('status');
    const promotion = this.inFlight;
    if (promotion && promotion.pollsLeft <= 0) this.completePromotion();
    else if (promotion) promotion.pollsLeft--;
    return this.snapshot();
  }

  async replicationLagSeconds(region: Region): Promise<number | undefined> {
    this.injectFault('replicationLagSeconds');
    clusterArnOf(this.options.clusterArns, region);
    const lag = this.lag.get(region);
    if (lag === undefined || lag.ageSeconds > (this.options.maxLagAgeSeconds ?? 60)) return undefined;
    return lag.seconds;
  }

  async promote(region: Region, mode: PromotionMode): Promise<PromoteResult> {
    this.injectFault('promote');
    const target = clusterArnOf(this.options.clusterArns, region);
    if (this.inFlight) return { type: 'in-progress' };
    if (this.writer === region) return { type: 'already-writer' };
    if (mode === 'switchover' && this.unreachable.has(this.writer)) {
      throw toAdapterError(
        {
          name: 'InvalidGlobalClusterStateFault',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
          message: `switchover needs the primary cluster in ${this.writer}, which is unreachable; fail over instead`,
        },
        `rds SwitchoverGlobalCluster to ${target} (in-memory twin)`,
      );
    }
    this.issued.push({ region, mode, from: this.writer });
    this.inFlight = { target: region, mode, pollsLeft: this.promotionPolls };
    if (this.promotionPolls === 0) this.completePromotion();
    return { type: 'started', mode };
  }

  private completePromotion(): void {
    if (!this.inFlight) return;
    this.writer = this.inFlight.target;
    if (this.lingers) this.lingering = this.inFlight.mode;
    this.inFlight = undefined;
  }

  private snapshot(): DatabaseStatus {
    const reported = this.inFlight?.mode ?? this.lingering;
    return {
      writerRegion: this.writer,
      status: reported ? (reported === 'switchover' ? 'switching-over' : 'failing-over') : 'available',
      promotionInProgress: reported !== undefined,
      members: Object.entries(this.options.clusterArns).map(([region, clusterArn]) => {
        const synchronizationStatus = this.synchronization.has(region) ? this.synchronization.get(region) : 'connected';
        const clusterStatus = this.clusterStatuses.get(region) ?? 'available';
        return { region, clusterArn, isWriter: region === this.writer, ...(synchronizationStatus ? { synchronizationStatus } : {}), clusterStatus };
      }),
    };
  }


  private injectFault(operation: DatabaseOperation): void {
    const fault = this.faults.find((f) => f.remaining > 0 && (f.operation === undefined || f.operation === operation));
    if (!fault) return;
    fault.remaining--;
    throw toAdapterError(fault.error, `in-memory database ${operation}`);
  }
}
