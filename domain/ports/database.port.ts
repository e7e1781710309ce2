import type { Region } from '../config';

/** How a promotion is done: switchover keeps every write (RPO 0); failover may lose some. */
export type PromotionMode = 'switchover' | 'failover';

export interface DatabaseMember {
  readonly region: Region;
  readonly clusterArn: string;
  readonly isWriter: boolean;
  /** `connected` or `pending-resync`, as Aurora reports it for secondaries. */
  readonly synchronizationStatus?: string;
  /**
   * The member DB cluster's own `Status` (`available`, `failing-over`, …) when the adapter read it
   * (it reads the region it asks first, the failover's target); absent when unknown.
   */
  readonly clusterStatus?: string;
}

export interface DatabaseStatus {
  /** Region of the writer cluster; undefined while no member is writer. */
  readonly writerRegion?: Region;
  /** Global cluster status, e.g. `available`, `failing-over`, `switching-over`. */
  readonly status: string;
  /** True while a switchover or failover is in progress. */
  readonly promotionInProgress: boolean;
  readonly members: readonly DatabaseMember[];
}

export type PromoteResult =
  | { readonly type: 'started'; readonly mode: PromotionMode }
  | { readonly type: 'already-writer' }
  | { readonly type: 'in-progress' };

/** The workload's replicated database (Aurora Global Database in AWS). */
export interface Database {
  status(): Promise<DatabaseStatus>;
  /** Replication lag of `region`'s replica in seconds; undefined when unknown (no data). */
  replicationLagSeconds(region: Region): Promise<number | undefined>;
  /** Make `region` the writer; idempotent: a writer target issues nothing. */
  promote(region: Region, mode: PromotionMode): Promise<PromoteResult>;
}
