import type { Region } from '../config';
import type { AlarmState } from '../events';

/** One alarm's current state, as CloudWatch reports it now. */
export interface AlarmReading {
  readonly alarmName: string;
  readonly state: AlarmState;
  /** When the alarm entered `state` (CloudWatch's `StateUpdatedTimestamp`), epoch ms. */
  readonly at: number;
  readonly reason?: string;
}

/**
 * The configured alarms' current states, read where they live (CloudWatch DescribeAlarms in AWS).
 * Used on every tick to recover a state change that was lost, dead-lettered or never sent. A region
 * that cannot be reached within the adapter's short deadline throws; the caller carries on without it.
 */
export interface AlarmStates {
  read(region: Region, alarmNames: readonly string[]): Promise<readonly AlarmReading[]>;
}
