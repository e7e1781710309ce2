import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALARM_STATE_CHANGE_EXAMPLE, alarmStateChange, EXECUTION_STATUS_CHANGE_EXAMPLE, executionStatusChange } from '../../local/aws-events';
import { matchesPattern } from '../../local/event-routing';
import { parseEvent } from '../../edge/event.parser';

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'aws', name), 'utf8'));
const AT = Date.UTC(2026, 10, 26, 3, 4, 5, 678);

describe('drill events', () => {
  it('start from verbatim copies of the AWS documentation examples', () => {
    expect(ALARM_STATE_CHANGE_EXAMPLE).toEqual(fixture('cw_alarm_state_change__single_metric__OK_to_ALARM.json'));
    expect(EXECUTION_STATUS_CHANGE_EXAMPLE).toEqual(fixture('sfn_execution_status_change__SUCCEEDED.json'));
  });

  it('change only the named fields of an alarm state change, which the controller reads back', () => {
    const event = alarmStateChange({ alarmName: 'payments-us-east-1-api-5xx', state: 'OK', at: AT, region: 'us-east-1', account: '111122223333', id: 'e-1' });

    const expected = structuredClone(ALARM_STATE_CHANGE_EXAMPLE) as typeof ALARM_STATE_CHANGE_EXAMPLE & { detail: Record<string, Record<string, unknown>> };
    Object.assign(expected, { id: 'e-1', time: '2026-11-26T03:04:05Z', account: '111122223333', resources: ['arn:aws:cloudwatch:us-east-1:111122223333:alarm:payments-us-east-1-api-5xx'] });
    Object.assign(expected.detail, { alarmName: 'payments-us-east-1-api-5xx' });
    Object.assign(expected.detail.state!, { value: 'OK', timestamp: '2026-11-26T03:04:05.678+0000' });
    Object.assign(expected.detail.previousState!, { value: 'ALARM' });
    expect(event).toEqual(expected);
    expect(parseEvent(event)).toEqual({
      ok: true,
      event: expect.objectContaining({ type: 'signal-changed', eventId: 'e-1', alarmName: 'payments-us-east-1-api-5xx', state: 'OK', previousState: 'ALARM', at: AT }),
    });
  });

  it('carry a failed execution’s error and cause, which the controller reads as the halt reason', () => {
    const event = executionStatusChange({
      stateMachineArn: 'arn:aws:states:us-east-2:123456789012:stateMachine:payments-drill-failover',
      executionArn: 'arn:aws:states:us-east-2:123456789012:execution:payments-drill-failover:payments-failover-g1',
      name: 'payments-failover-g1',
      status: 'FAILED',
      startDate: AT - 5_000,
      stopDate: AT,
      input: '{}',
      error: 'DataLossNotPermitted',
      cause: 'preflight: data loss not permitted: lag 9 s > budget 5 s',
      region: 'us-east-2',
      account: '123456789012',
    });

    expect(event.detail).toMatchObject({ status: 'FAILED', output: null, outputDetails: null, stopDate: AT });
    expect(parseEvent(event)).toEqual({
      ok: true,
      event: expect.objectContaining({
        type: 'workflow-ended',
        executionName: 'payments-failover-g1',
        status: 'FAILED',
        at: AT,
        detail: 'DataLossNotPermitted: preflight: data loss not permitted: lag 9 s > budget 5 s',
      }),
    });
  });
});

describe('matchesPattern', () => {
  const pattern = { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { alarmName: ['a', 'b'] } };
  const event = (alarmName: unknown) => ({ source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', detail: { alarmName } });

  it('matches when every field has one of the listed values, nested objects included', () => {
    expect(matchesPattern(pattern, event('b'))).toBe(true);
    expect(matchesPattern(pattern, event(['x', 'a']))).toBe(true);
  });

  it('does not match another value or a missing field', () => {
    expect(matchesPattern(pattern, event('c'))).toBe(false);
    expect(matchesPattern(pattern, { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change' })).toBe(false);
  });

  it('refuses content filters it would get wrong, naming the field', () => {
    expect(() => matchesPattern({ source: [{ prefix: 'aws.' }] }, event('a'))).toThrow(/field source: content filter \{"prefix":"aws\."\} is not supported in memory/);
  });
});
