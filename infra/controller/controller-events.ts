import type * as events from 'aws-cdk-lib/aws-events';
import { OVERRIDE_DETAIL_TYPE, OVERRIDE_SOURCE, WAKE_UP_SOURCE } from '../../edge/event.parser';

/**
 * The EventBridge event patterns the controller listens to, in one place so the controller stack
 * and every alarm-forwarding stack match exactly the same events.
 */

/**
 * CloudWatch alarm state changes of exactly these alarms, by ARN. CloudWatch puts them on the
 * default bus of the alarm's own region, with the alarm's ARN as the event's only `resources`
 * entry; an alarm of the same name in another region or account has another ARN and does not
 * match (ARCHITECTURE.md "Trust boundaries"). Build the ARNs with `alarmArnsIn`.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html (an array field matches when any element matches)
 */
export function alarmStateChangePattern(alarmArns: readonly string[]): events.EventPattern {
  if (alarmArns.length === 0) throw new Error('alarmStateChangePattern: no alarm ARN given; EventBridge rejects an empty pattern array, so create no rule instead');
  return {
    source: ['aws.cloudwatch'],
    detailType: ['CloudWatch Alarm State Change'],
    resources: [...new Set(alarmArns)].sort(),
  };
}

/**
 * Heartbeats: the `Scheduled Event`s of the heartbeat rules (one per monitored region, ARNs given),
 * after they travelled to the controller bus. EventBridge sets `resources` to the ARN of the rule
 * that fired, and `region` to that rule's region; forwarding between buses keeps both.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html (Scheduled Event shape)
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html
 */
export function heartbeatPattern(heartbeatRuleArns: readonly string[]): events.EventPattern {
  return { source: ['aws.events'], detailType: ['Scheduled Event'], resources: [...heartbeatRuleArns] };
}

/** How often every monitored region sends its heartbeat. */
export const HEARTBEAT_INTERVAL_SECONDS = 60;

/** Operator overrides: source `dr.operator`, detail-type `DR Override`, as the parser accepts them. */
export const overridePattern: events.EventPattern = { source: [OVERRIDE_SOURCE], detailType: [OVERRIDE_DETAIL_TYPE] };

/**
 * The source of every event the controller itself publishes (decisions, readiness, wake-ups):
 * the publisher's default source.
 */
export const CONTROLLER_SOURCE = WAKE_UP_SOURCE;

/** The detail-type of the readiness function's results, one event per failover target (`readinessNotices`). */
export const READINESS_DETAIL_TYPE = 'DR Readiness';

/**
 * Readiness results on the controller bus, on their way to the controller queue (the engine reads
 * the latest result of each target). Only the readiness detail-type: the controller's own
 * decisions, published on the same bus with the same source, must not come back as input.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 */
export const readinessPattern: events.EventPattern = { source: [CONTROLLER_SOURCE], detailType: [READINESS_DETAIL_TYPE] };

/** The terminal statuses of a failover execution the controller must see (ARCHITECTURE.md "The engine"). */
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
