import { randomUUID } from 'node:crypto';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { EventBridgeEvent } from 'aws-lambda';
import type { Region } from '../domain/config';
import type { AlarmState, WorkflowStatus } from '../domain/events';

/**
 * Raw EventBridge events in the exact formats AWS documents, for the drill and the sandbox to feed
 * the controller. Each builder starts from a verbatim copy of AWS's documented example (the same
 * payloads as `test/fixtures/aws/`, which a test keeps equal) and changes only the fields it names.
 */

/** A raw EventBridge event as it reaches a rule target: envelope and detail. */
export type RawEvent = EventBridgeEvent<string, Record<string, unknown>>;

/**
 * CloudWatch User Guide, "Alarm events and EventBridge": a single-metric alarm going OK → ALARM
 * (`test/fixtures/aws/cw_alarm_state_change__single_metric__OK_to_ALARM.json`).
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 */
export const ALARM_STATE_CHANGE_EXAMPLE: RawEvent = {
  version: '0',
  id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
  'detail-type': 'CloudWatch Alarm State Change',
  source: 'aws.cloudwatch',
  account: '123456789012',
  time: '2019-10-02T17:04:40Z',
  region: 'us-east-1',
  resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh'],
  detail: {
    alarmName: 'ServerCpuTooHigh',
    configuration: {
      description: 'Goes into alarm when server CPU utilization is too high!',
      metrics: [
        {
          id: '30b6c6b2-a864-43a2-4877-c09a1afc3b87',
          metricStat: {
            metric: { dimensions: { InstanceId: 'i-12345678901234567' }, name: 'CPUUtilization', namespace: 'AWS/EC2' },
            period: 300,
            stat: 'Average',
          },
          returnData: true,
        },
      ],
    },
    previousState: {
      reason:
        'Threshold Crossed: 1 out of the last 1 datapoints [0.0666851903306472 (01/10/19 13:46:00)] was not greater than the threshold (50.0) (minimum 1 datapoint for ALARM -> OK transition).',
      reasonData:
        '{"version":"1.0","queryDate":"2019-10-01T13:56:40.985+0000","startDate":"2019-10-01T13:46:00.000+0000","statistic":"Average","period":300,"recentDatapoints":[0.0666851903306472],"threshold":50.0}',
      timestamp: '2019-10-01T13:56:40.987+0000',
      value: 'OK',
    },
    state: {
      reason:
        'Threshold Crossed: 1 out of the last 1 datapoints [99.50160229693434 (02/10/19 16:59:00)] was greater than the threshold (50.0) (minimum 1 datapoint for OK -> ALARM transition).',
      reasonData:
        '{"version":"1.0","queryDate":"2019-10-02T17:04:40.985+0000","startDate":"2019-10-02T16:59:00.000+0000","statistic":"Average","period":300,"recentDatapoints":[99.50160229693434],"threshold":50.0}',
      timestamp: '2019-10-02T17:04:40.989+0000',
      value: 'ALARM',
    },
  },
};

/**
 * Step Functions Developer Guide, "EventBridge events": an execution that ended
 * (`test/fixtures/aws/sfn_execution_status_change__SUCCEEDED.json`); `startDate`/`stopDate` are
 * epoch ms, `input` and `output` JSON strings.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 */
export const EXECUTION_STATUS_CHANGE_EXAMPLE: RawEvent = {
  version: '0',
  id: '315c1398-40ff-a850-213b-158f73e60175',
  'detail-type': 'Step Functions Execution Status Change',
  source: 'aws.states',
  account: '012345678912',
  time: '2019-02-26T19:42:21Z',
  region: 'us-east-1',
  resources: ['arn:aws:states:us-east-1:012345678912:execution:state-machine-name:execution-name'],
  detail: {
    executionArn: 'arn:aws:states:us-east-1:012345678912:execution:state-machine-name:execution-name',
    stateMachineArn: 'arn:aws:states:us-east-1:012345678912:stateMachine:state-machine',
    name: 'execution-name',
    status: 'SUCCEEDED',
    startDate: 1547148840101,
    stopDate: 1547148840122,
    input: '{}',
    inputDetails: { included: true },
    output: '"Hello World!"',
    outputDetails: { included: true },
  },
};

/** The envelope `time`: ISO-8601 to the second, as EventBridge writes it (`2019-10-02T17:04:40Z`). */
export function envelopeTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** CloudWatch's `state.timestamp` style: milliseconds and `+0000`. */
function alarmTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

function copy(event: RawEvent): RawEvent {
  return structuredClone(event);
}

export interface AlarmChange {
  readonly alarmName: string;
  readonly state: AlarmState;
  /** @default - `ALARM` when the new state is OK, else `OK` */
  readonly previousState?: AlarmState;
  /** When the alarm changed state (epoch ms): `state.timestamp` and the envelope `time`. */
  readonly at: number;
  /** Region the alarm lives in: CloudWatch puts its events on that region's default bus. */
  readonly region: string;
  readonly account: string;
  readonly reason?: string;
  /** @default - a random UUID, as EventBridge assigns */
  readonly id?: string;
}

/** A `CloudWatch Alarm State Change` event for `change`, in the documented format. */
export function alarmStateChange(change: AlarmChange): RawEvent {
  const e = copy(ALARM_STATE_CHANGE_EXAMPLE);
  const detail = e.detail as { alarmName: string; state: Record<string, unknown>; previousState: Record<string, unknown> };
  e.id = change.id ?? randomUUID();
  e.time = envelopeTime(change.at);
  e.region = change.region;
  e.account = change.account;
  e.resources = [`arn:aws:cloudwatch:${change.region}:${change.account}:alarm:${change.alarmName}`];
  detail.alarmName = change.alarmName;
  detail.state.value = change.state;
  detail.state.timestamp = alarmTimestamp(change.at);
  if (change.reason !== undefined) detail.state.reason = change.reason;
  detail.previousState.value = change.previousState ?? (change.state === 'OK' ? 'ALARM' : 'OK');
  return e;
}

/**
 * The `Scheduled Event` a `rate(1 minute)` rule delivers, in the documented format.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
 */
export function scheduledTick(tick: { readonly at: number; readonly region: string; readonly account: string; readonly ruleArn: string; readonly id?: string }): RawEvent {
  return {
    version: '0',
    id: tick.id ?? randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: tick.account,
    time: envelopeTime(tick.at),
    region: tick.region,
    resources: [tick.ruleArn],
    detail: {},
  };
}

export interface ExecutionEnd {
  readonly stateMachineArn: string;
  readonly executionArn: string;
  readonly name: string;
  readonly status: WorkflowStatus;
  readonly startDate: number;
  readonly stopDate: number;
  /** The execution input, as JSON. */
  readonly input: string;
  /** The execution output, as JSON; only a SUCCEEDED execution has one. */
  readonly output?: string;
  /** Error and cause of a FAILED, TIMED_OUT or ABORTED execution, as DescribeExecution reports them. */
  readonly error?: string;
  readonly cause?: string;
  readonly region: string;
  readonly account: string;
  readonly id?: string;
}

/**
 * A `Step Functions Execution Status Change` event for an execution that ended, in the documented
 * format: the DescribeExecution fields, with `error` and `cause` when it did not succeed.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
 */
export function executionStatusChange(end: ExecutionEnd): RawEvent {
  const e = copy(EXECUTION_STATUS_CHANGE_EXAMPLE);
  e.id = end.id ?? randomUUID();
  e.time = envelopeTime(end.stopDate);
  e.region = end.region;
  e.account = end.account;
  e.resources = [end.executionArn];
  const succeeded = end.status === 'SUCCEEDED';
  e.detail = {
    ...e.detail,
    executionArn: end.executionArn,
    stateMachineArn: end.stateMachineArn,
    name: end.name,
    status: end.status,
    startDate: end.startDate,
    stopDate: end.stopDate,
    input: end.input,
    output: succeeded ? (end.output ?? null) : null,
    outputDetails: succeeded ? { included: true } : null,
    ...(end.error !== undefined ? { error: end.error } : {}),
    ...(end.cause !== undefined ? { cause: end.cause } : {}),
  };
  return e;
}

/**
 * The PutEvents entry that makes EventBridge deliver `event`: the envelope fields a caller may set
 * (source, detail-type, resources, time) and the detail as JSON. EventBridge adds id, account and
 * region itself.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html
 */
export function putEventsEntry(event: RawEvent, eventBusName?: string): PutEventsRequestEntry {
  return {
    Source: event.source,
    DetailType: event['detail-type'],
    Detail: JSON.stringify(event.detail),
    Resources: [...event.resources],
    Time: new Date(event.time),
    ...(eventBusName !== undefined ? { EventBusName: eventBusName } : {}),
  };
}

/**
 * The event EventBridge makes of one PutEvents entry published in `region` of `account`: what a
 * rule on that bus sees (envelope time from the entry's `Time`, else now).
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
 */
export function rawEventOf(entry: PutEventsRequestEntry, account: string, region: Region, id: string): RawEvent {
  return {
    version: '0',
    id,
    'detail-type': entry.DetailType ?? '',
    source: entry.Source ?? '',
    account,
    time: envelopeTime((entry.Time ?? new Date()).getTime()),
    region,
    resources: [...(entry.Resources ?? [])],
    detail: JSON.parse(entry.Detail ?? '{}') as Record<string, unknown>,
  };
}
