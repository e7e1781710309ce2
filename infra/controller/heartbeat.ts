import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { HEARTBEAT_INTERVAL_SECONDS } from './controller-events';

/** Props of {@link addHeartbeatRule}. */
export interface HeartbeatRuleProps {
  /** `<app>-<envName>-heartbeat` (`controllerNames(…).heartbeatRuleName`): the parser keys on its suffix. */
  readonly ruleName: string;
  /** The controller bus: in the controller region itself, or in another region (then a cross-region target). */
  readonly controllerBus: events.IEventBus;
  /** Where EventBridge puts heartbeats it could not deliver (a standard queue). */
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * A region's heartbeat: a scheduled rule on the region's default bus (scheduled rules exist only
 * there) that sends its `Scheduled Event` to the controller bus once a minute, so heartbeats travel
 * the same path as the region's forwarded alarms. When heartbeats stop arriving, that path (and
 * probably the region) is gone: a missing *expected* event is evidence.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-bus-to-bus.html
 */
export function addHeartbeatRule(scope: Construct, id: string, props: HeartbeatRuleProps): events.Rule {
  return new events.Rule(scope, id, {
    ruleName: props.ruleName,
    description: `Heartbeat of this region to the controller bus, every ${HEARTBEAT_INTERVAL_SECONDS} s`,
    schedule: events.Schedule.rate(Duration.seconds(HEARTBEAT_INTERVAL_SECONDS)),
    targets: [new targets.EventBus(props.controllerBus, { deadLetterQueue: props.deadLetterQueue })],
  });
}
