import type { Region } from '../config';

export type HealthStatus = 'healthy' | 'unhealthy' | 'unknown';

export interface ShiftResult {
  /** False when traffic already went to the region: nothing was issued. */
  readonly changed: boolean;
}

/** Where the workload's users are sent (Route 53 weighted records in AWS). */
export interface Traffic {
  /** Send all traffic to `region` and wait until the change is in effect. Idempotent. */
  shiftTo(region: Region): Promise<ShiftResult>;
  /** Region that currently gets all traffic; undefined when split or unknown. */
  activeRegion(): Promise<Region | undefined>;
  /** Health of the region's endpoint, as the health checker sees it. */
  healthOf(region: Region): Promise<HealthStatus>;
}
