import { Stack, Token, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { ControllerConfig } from '../../domain/config';
import { alarmArnsIn } from './alarm-regions';
import { encryptedAlarmTopic } from './controller-alarms.construct';
import { alarmStateChangePattern } from './controller-events';
import { controllerNames } from './controller-names';
import { DeadLetterQueue } from './dead-letter-queue.construct';
import { addHeartbeatRule } from './heartbeat';

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
  /**
   * Topic (in this stack's region: alarm actions cannot cross regions) notified when this stack's
   * dead-letter alarm fires or clears.
   * @default - a topic `<app>-<envName>-alarm-forwarding-<region>`, encrypted with a key CloudWatch may use; subscribe to it
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * One monitored region's part of the controller: a rule on the region's default bus that forwards
 * the `CloudWatch Alarm State Change` events of the configured alarms that live in this region
 * (matched by alarm ARN: this region and account) to the controller bus in the controller region,
 * and (when a `heartbeat` signal is configured) the region's heartbeat rule,
 * `<app>-<env>-heartbeat`, whose events take the same path (see `addHeartbeatRule`). The target is
 * the bus ARN, built from names (not tokens) so no cross-region reference is needed; EventBridge
 * needs an IAM role to put events on a bus in another region.
 *
 * Where an alarm lives is not always the region it judges (Route 53 health-check alarms live in
 * us-east-1; probe alarms in the controller region): `alarmArnsIn` says which alarms are this
 * region's. A region where no configured alarm lives gets no alarm rule (only its heartbeat).
 * Events EventBridge cannot deliver go to a standard dead-letter queue whose alarm notifies a
 * topic of this region, so none is lost silently.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-event-delivery.html#eb-rule-dlq
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html
 */
export class AlarmForwardingStack extends Stack {
  /** The alarm rule; undefined when no configured alarm lives in this region. */
  readonly rule?: events.Rule;
  /** The region's heartbeat rule; undefined when no `heartbeat` signal is configured. */
  readonly heartbeatRule?: events.Rule;
  readonly deadLetterQueue: DeadLetterQueue;
  /** The topic the dead-letter alarm notifies. */
  readonly alarmTopic: sns.ITopic;

  constructor(scope: Construct, id: string, props: AlarmForwardingStackProps) {
    super(scope, id, props);
    const names = controllerNames(props.config.app, props.envName);
    const hasHeartbeat = props.config.signals.some((signal) => signal.kind === 'heartbeat');
    // Token.isUnresolved(region) is reported below; the ARNs are then account- and region-agnostic tokens.
    const alarmArns = alarmArnsIn(props.config, this.region, props.controllerRegion, { partition: this.partition, account: this.account });
    this.node.addValidation({
      validate: () => {
        if (Token.isUnresolved(this.region)) return ['the alarm-forwarding stack needs an explicit region (env.region): it forwards that region’s alarms'];
        if (this.region === props.controllerRegion) {
          return [`the alarm-forwarding stack is in the controller region ${this.region}; the controller stack already routes that region’s alarms, so remove this stack`];
        }
        if (alarmArns.length === 0 && !hasHeartbeat) {
          return [`no configured alarm lives in ${this.region} and no heartbeat signal is configured; there is nothing to forward, so remove this stack`];
        }
        return [];
      },
    });
    const controllerBus = events.EventBus.fromEventBusArn(
      this,
      'ControllerBus',
      this.formatArn({ service: 'events', region: props.controllerRegion, resource: 'event-bus', resourceName: props.controllerBusName }),
    );
    this.alarmTopic = props.alarmTopic ?? encryptedAlarmTopic(this, names.forwardingTopicName(this.region));
    this.deadLetterQueue = new DeadLetterQueue(this, 'UndeliveredAlarms', {
      queueName: names.forwardingDeadLetterQueueName,
      alarmName: names.queueNotEmptyAlarmName(names.forwardingDeadLetterQueueName),
      holds: `alarm and heartbeat events EventBridge could not forward to the controller bus in ${props.controllerRegion}`,
      terminalReason: 'Dead-letter queue of the alarm-forwarding rule target: EventBridge DLQs must be standard queues and are the end of the line.',
      alarmTopic: this.alarmTopic,
    });
    if (alarmArns.length > 0) {
      this.rule = new events.Rule(this, 'ForwardAlarms', {
        ruleName: names.forwardAlarmsRuleName,
        description: `Configured alarms of this region to the ${props.controllerBusName} bus in ${props.controllerRegion}`,
        eventPattern: alarmStateChangePattern(alarmArns),
        targets: [new targets.EventBus(controllerBus, { deadLetterQueue: this.deadLetterQueue.queue })],
      });
    }
    if (hasHeartbeat) {
      this.heartbeatRule = addHeartbeatRule(this, 'Heartbeat', {
        ruleName: names.heartbeatRuleName,
        controllerBus,
        deadLetterQueue: this.deadLetterQueue.queue,
      });
    }
  }
}
