import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlarmState } from '../../domain/events';

/**
 * Raw EventBridge payloads in the exact format AWS documents, made by copying the fixtures in
 * test/fixtures/aws and changing only the named fields.
 */
const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'aws', name), 'utf8'));
const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
/** CloudWatch's `state.timestamp` style: milliseconds and `+0000`. */
const alarmTimestamp = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
let seq = 0;

export function alarmEvent(alarmName: string, state: AlarmState, at: number, region = 'us-east-1') {
  const e = fixture('cw_alarm_state_change__single_metric__OK_to_ALARM.json');
  e.id = `alarm-${++seq}`;
  e.time = isoSeconds(at);
  e.region = region;
  e.resources = [`arn:aws:cloudwatch:${region}:123456789012:alarm:${alarmName}`];
  e.detail.alarmName = alarmName;
  e.detail.state.value = state;
  e.detail.state.timestamp = alarmTimestamp(at);
  e.detail.previousState.value = state === 'OK' ? 'ALARM' : 'OK';
  return e;
}

export function tickEvent(at: number) {
  return { version: '0', id: `tick-${++seq}`, 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time: isoSeconds(at), region: 'us-east-2', resources: ['arn:aws:events:us-east-2:123456789012:rule/payments-tick'], detail: {} };
}

export function overrideEvent(detail: Record<string, unknown>, at: number) {
  return { version: '0', id: `override-${++seq}`, 'detail-type': 'DR Override', source: 'dr.operator', account: '123456789012', time: isoSeconds(at), region: 'us-east-2', resources: [], detail };
}

export function sfnEvent(executionName: string, status: string, at: number, output?: Record<string, unknown>) {
  const e = fixture(status === 'FAILED' ? 'sfn_execution_status_change__FAILED.json' : 'sfn_execution_status_change__SUCCEEDED.json');
  e.id = `sfn-${++seq}`;
  e.time = isoSeconds(at);
  e.detail.name = executionName;
  e.detail.status = status;
  e.detail.executionArn = `arn:aws:states:us-east-2:123456789012:execution:payments-dev-failover:${executionName}`;
  e.detail.stopDate = status === 'RUNNING' ? null : at;
  if (output !== undefined) e.detail.output = JSON.stringify(output);
  return e;
}
