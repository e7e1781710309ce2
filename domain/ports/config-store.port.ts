import type { Region } from '../config';

/** The parameters the workload reads in each region and the controller keeps true. */
export interface AppParameters {
  /** The region that takes writes. */
  readonly activeRegion?: Region;
  /** A fenced region refuses writes (set on the old region during a failover). */
  readonly fenced?: boolean;
}

export interface WriteResult {
  /** Which parameters actually changed; empty when the values were already there. */
  readonly changed: readonly (keyof AppParameters)[];
}

/** The workload's published configuration (SSM Parameter Store in AWS), per region. */
export interface ConfigStore {
  read(region: Region): Promise<AppParameters>;
  /** Write the given parameters in `region`, only those whose value differs. */
  write(region: Region, params: AppParameters): Promise<WriteResult>;
}
