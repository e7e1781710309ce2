import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchAlarmStates } from '../../adapters/alarm-states/cloudwatch-alarm-states.adapter';
import type { AlarmStates } from '../../domain/ports/alarm-states.port';
import { once } from './settings-root';

/** One region's read of the configured alarms may take this long on a tick, in all. */
export const ALARM_READ_DEADLINE_MS = 2_000;

/**
 * The alarms' current states, read with one CloudWatch client per region (built once per
 * container), for the decide path's tick reconciliation. The clients connect and answer within the
 * read's deadline and make a single attempt: the next tick is the retry, and a dead region must
 * cost a tick two seconds, not the SDK's default retries.
 *
 * @see https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html (requestHandler options)
 */
export function alarmStates(): AlarmStates {
  return once('alarm-states', () =>
    new CloudWatchAlarmStates({
      clientFor: (region) =>
        once(`alarm-states:cloudwatch:${region}`, () =>
          new CloudWatchClient({
            region,
            maxAttempts: 1,
            requestHandler: { connectionTimeout: 1_000, requestTimeout: ALARM_READ_DEADLINE_MS, throwOnRequestTimeout: true },
          }),
        ),
      deadlineMs: ALARM_READ_DEADLINE_MS,
    }),
  );
}
