import type * as events from 'aws-cdk-lib/aws-events';
import { OVERRIDE_DETAIL_TYPE, OVERRIDE_SOURCE } from '../../edge/event.parser';

/**
 * The EventBridge event patterns the controller listens to, in one place so the controller stack
 * and every alarm-forwarding stack match exactly the same events.
 */

/**
 * CloudWatch alarm state changes of the named alarms. CloudWatch puts them on the default bus of the
 * alarm's own region; `detail.alarmName` is the alarm's name.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 */
export function alarmStateChangePattern(alarmNames: readonly string[]): events.EventPattern {
  return {
    source: ['aws.cloudwatch'],
    detailType: ['CloudWatch Alarm State Change'],
    detail: { alarmName: [...new Set(alarmNames)].sort() },
  };
}

/** Operator overrides: source `dr.operator`, detail-type `DR Override`, as the parser accepts them. */
export const overridePattern: events.EventPattern = { source: [OVERRIDE_SOURCE], detailType: [OVERRIDE_DETAIL_TYPE] };

/** The terminal statuses of a failover execution the controller must see (DESIGN.md "Inputs"). */
export const TERMINAL_WORKFLOW_STATUSES = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/**
 * Step Functions `Execution Status Change` events of one state machine that ended. Step Functions
 * emits them on the default bus of the state machine's region.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 */
export function workflowEndedPattern(stateMachineArn: string): events.EventPattern {
  return {
    source: ['aws.states'],
    detailType: ['Step Functions Execution Status Change'],
    detail: { stateMachineArn: [stateMachineArn], status: [...TERMINAL_WORKFLOW_STATUSES] },
  };
}

/**
 * The longest event pattern EventBridge accepts, in characters.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
 */
export const MAX_EVENT_PATTERN_LENGTH = 4096;

/** Length of `pattern` as EventBridge receives it (JSON, `detail-type` spelled the AWS way). */
export function eventPatternLength(pattern: events.EventPattern): number {
  const { detailType, ...rest } = pattern;
  return JSON.stringify({ ...rest, ...(detailType ? { 'detail-type': detailType } : {}) }).length;
}
