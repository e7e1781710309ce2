import { Stack, Token, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import type { ControllerConfig } from '../../domain/config';
import { alarmStateChangePattern } from './controller-events';
import { controllerNames } from './controller-names';
import { DeadLetterQueue } from './dead-letter-queue.construct';

/** Props of {@link AlarmForwardingStack}. */
export interface AlarmForwardingStackProps extends StackProps {
  /** Deployment environment, as given to the controller stack. */
  readonly envName: string;
  /** The controller configuration: its app names the rule, its signals' alarm names are matched. */
  readonly config: ControllerConfig;
  /** Region of the controller bus (the controller stack's region). */
  readonly controllerRegion: string;
  /** Name of the controller bus in {@link controllerRegion}. */
  readonly controllerBusName: string;
}

/**
 * One monitored region's part of the controller: a rule on the region's default bus that forwards
 * the configured alarms' `CloudWatch Alarm State Change` events to the controller bus in the
 * controller region. The target is the bus ARN, built from names (not tokens) so no cross-region
 * reference is needed; EventBridge needs an IAM role to put events on a bus in another region.
 *
 * Every configured alarm name is matched, not only the signals judging this region: where an alarm
 * lives is not the region it judges (Route 53 health-check alarms live in us-east-1), and an alarm
 * that does not exist here simply never matches. Events EventBridge cannot deliver go to a standard
 * dead-letter queue with an alarm, so none is lost silently.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-event-delivery.html#eb-rule-dlq
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 */
export class AlarmForwardingStack extends Stack {
  readonly rule: events.Rule;
  readonly deadLetterQueue: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: AlarmForwardingStackProps) {
    super(scope, id, props);
    const names = controllerNames(props.config.app, props.envName);
    this.node.addValidation({
      validate: () => {
        if (Token.isUnresolved(this.region)) return ['the alarm-forwarding stack needs an explicit region (env.region): it forwards that region’s alarms'];
        if (this.region === props.controllerRegion) {
          return [`the alarm-forwarding stack is in the controller region ${this.region}; the controller stack already routes that region’s alarms, so remove this stack`];
        }
        if (props.config.signals.length === 0) return ['config.signals must list at least one alarm; there is nothing to forward'];
        return [];
      },
    });
    const controllerBus = events.EventBus.fromEventBusArn(
      this,
      'ControllerBus',
      this.formatArn({ service: 'events', region: props.controllerRegion, resource: 'event-bus', resourceName: props.controllerBusName }),
    );
    this.deadLetterQueue = new DeadLetterQueue(this, 'UndeliveredAlarms', {
      queueName: `${names.prefix}-alarm-forwarding-undelivered`,
      alarmName: `${names.prefix}-alarm-forwarding-undelivered-not-empty`,
      holds: `alarm events EventBridge could not forward to the controller bus in ${props.controllerRegion}`,
      terminalReason: 'Dead-letter queue of the alarm-forwarding rule target: EventBridge DLQs must be standard queues and are the end of the line.',
    });
    this.rule = new events.Rule(this, 'ForwardAlarms', {
      ruleName: `${names.prefix}-forward-alarms`,
      description: `Configured alarms of this region to the ${props.controllerBusName} bus in ${props.controllerRegion}`,
      eventPattern: alarmStateChangePattern(props.config.signals.map((signal) => signal.alarmName)),
      targets: [new targets.EventBus(controllerBus, { deadLetterQueue: this.deadLetterQueue.queue })],
    });
  }
}
