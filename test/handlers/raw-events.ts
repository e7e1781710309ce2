import { alarmStateChange, envelopeTime, executionStatusChange, scheduledTick } from '../../local/aws-events';
import type { AlarmState, WorkflowStatus } from '../../domain/events';

/**
 * Raw EventBridge payloads in the exact format AWS documents, built by the drill's own builders
 * (local/aws-events.ts, which start from the fixtures in test/fixtures/aws and change only the
 * named fields), with predictable ids for tests.
 */
const ACCOUNT = '123456789012';
const STATE_MACHINE_ARN = `arn:aws:states:us-east-2:${ACCOUNT}:stateMachine:payments-dev-failover`;
let seq = 0;

export function alarmEvent(alarmName: string, state: AlarmState, at: number, region = 'us-east-1') {
  return alarmStateChange({ id: `alarm-${++seq}`, alarmName, state, at, region, account: ACCOUNT });
}

export function tickEvent(at: number) {
  return scheduledTick({ id: `tick-${++seq}`, at, region: 'us-east-2', account: ACCOUNT, ruleArn: `arn:aws:events:us-east-2:${ACCOUNT}:rule/payments-tick` });
}

export function overrideEvent(detail: Record<string, unknown>, at: number) {
  return { version: '0', id: `override-${++seq}`, 'detail-type': 'DR Override', source: 'dr.operator', account: ACCOUNT, time: envelopeTime(at), region: 'us-east-2', resources: [], detail };
}

export function sfnEvent(executionName: string, status: string, at: number, output?: Record<string, unknown>) {
  const e = executionStatusChange({
    id: `sfn-${++seq}`,
    stateMachineArn: STATE_MACHINE_ARN,
    executionArn: `arn:aws:states:us-east-2:${ACCOUNT}:execution:payments-dev-failover:${executionName}`,
    name: executionName,
    status: 'SUCCEEDED',
    startDate: at - 60_000,
    stopDate: at,
    input: '{}',
    ...(output !== undefined ? { output: JSON.stringify(output) } : {}),
    region: 'us-east-2',
    account: ACCOUNT,
  });
  // Any status, including ones the controller must reject or ignore (e.g. RUNNING).
  return { ...e, detail: { ...e.detail, status: status as WorkflowStatus, ...(status === 'RUNNING' ? { stopDate: null } : {}) } };
}
