import { DescribeAlarmsCommand, type CloudWatchClient, type CompositeAlarm, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { Region } from '../../domain/config';
import type { AlarmState } from '../../domain/events';
import type { AlarmReading, AlarmStates } from '../../domain/ports/alarm-states.port';
import { PermanentAdapterError, TransientAdapterError, toAdapterError } from '../errors';

/** What {@link CloudWatchAlarmStates} needs: a CloudWatch client per region and its deadline. */
export interface CloudWatchAlarmStatesOptions {
  /** The CloudWatch client of `region` (the composition root builds one per region, once). */
  readonly clientFor: (region: Region) => CloudWatchClient;
  /**
   * How long one region's read may take in all, every page included; past it the read is
   * aborted and fails as unreachable. Short: this runs on every tick, before the tick is decided.
   * @default 2000
   */
  readonly deadlineMs?: number;
}

/** DescribeAlarms takes at most 100 alarm names per call and returns at most 100 records per page. */
export const MAX_ALARM_NAMES_PER_CALL = 100;

const ALARM_STATES: ReadonlySet<string> = new Set<AlarmState>(['OK', 'ALARM', 'INSUFFICIENT_DATA']);

/**
 * {@link AlarmStates} on CloudWatch: DescribeAlarms by name, metric and composite alarms both
 * (CloudWatch returns only metric alarms unless `AlarmTypes` names composites too), at most 100
 * names per call, following `NextToken`. Each reading is the alarm's `StateValue` since its
 * `StateUpdatedTimestamp`, with `StateReason`. A name CloudWatch does not know is simply absent.
 *
 * The whole read of a region runs under one deadline (an AbortSignal on every call): an
 * unreachable region costs the tick {@link CloudWatchAlarmStatesOptions.deadlineMs} and a
 * TransientAdapterError, never the Lambda's timeout. The SDK client should make a single attempt
 * (the composition root's `adapterRetries`): the next tick is the retry.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_CompositeAlarm.html
 * @see https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/migrating.html (abortSignal on send)
 */
export class CloudWatchAlarmStates implements AlarmStates {
  private readonly clientFor: (region: Region) => CloudWatchClient;
  private readonly deadlineMs: number;

  constructor(options: CloudWatchAlarmStatesOptions) {
    const deadlineMs = options.deadlineMs ?? 2_000;
    if (!(Number.isFinite(deadlineMs) && deadlineMs > 0)) throw new PermanentAdapterError(`CloudWatchAlarmStates: deadlineMs must be a positive number of milliseconds, got ${deadlineMs}`);
    this.clientFor = options.clientFor;
    this.deadlineMs = deadlineMs;
  }

  async read(region: Region, alarmNames: readonly string[]): Promise<readonly AlarmReading[]> {
    const names = [...new Set(alarmNames)];
    if (names.length === 0) return [];
    const client = this.clientFor(region);
    const signal = AbortSignal.timeout(this.deadlineMs);
    const readings: AlarmReading[] = [];
    for (let start = 0; start < names.length; start += MAX_ALARM_NAMES_PER_CALL) {
      const batch = names.slice(start, start + MAX_ALARM_NAMES_PER_CALL);
      let nextToken: string | undefined;
      do {
        let page;
        try {
          page = await client.send(
            new DescribeAlarmsCommand({
              AlarmNames: batch,
              AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
              MaxRecords: MAX_ALARM_NAMES_PER_CALL,
              ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
            }),
            { abortSignal: signal },
          );
        } catch (error) {
          if (signal.aborted) {
            throw new TransientAdapterError(`cloudwatch DescribeAlarms in ${region}: no answer within the ${this.deadlineMs} ms deadline; the region may be unreachable`, { cause: error });
          }
          throw toAdapterError(error, `cloudwatch DescribeAlarms in ${region}`);
        }
        for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          const reading = readingOf(alarm);
          if (reading) readings.push(reading);
        }
        nextToken = page.NextToken;
      } while (nextToken !== undefined);
    }
    return readings;
  }
}

/** A reading, or nothing for an alarm record without a name, a known state or its time. */
function readingOf(alarm: MetricAlarm | CompositeAlarm): AlarmReading | undefined {
  const { AlarmName: alarmName, StateValue: state, StateUpdatedTimestamp: updated, StateReason: reason } = alarm;
  if (alarmName === undefined || state === undefined || !ALARM_STATES.has(state) || updated === undefined) return undefined;
  return { alarmName, state: state as AlarmState, at: updated.getTime(), ...(reason !== undefined ? { reason } : {}) };
}
