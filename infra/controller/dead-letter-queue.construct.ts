import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Props of {@link DeadLetterQueue}. */
export interface DeadLetterQueueProps {
  /** Queue name; a FIFO queue's name must end in `.fifo`. */
  readonly queueName: string;
  /** Name of the depth alarm. */
  readonly alarmName: string;
  /** What lands here, for the alarm description (e.g. `controller events the decide Lambda failed 5 times`). */
  readonly holds: string;
  /**
   * A FIFO queue (the dead-letter queue of a FIFO queue must be FIFO) or a standard one (EventBridge
   * target dead-letter queues must be standard).
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * Why the queue is its own end of the line (acknowledges cdk-nag AwsSolutions-SQS3, "queue has no
   * dead-letter queue"). Only needed when no queue in the same stack redrives into this one.
   * @default - no acknowledgement: another queue of the stack must name this one in its redrive policy
   */
  readonly terminalReason?: string;
  /**
   * What to do with the messages once the cause is fixed, for the alarm description.
   * @default 'then redrive or delete them'
   */
  readonly remedy?: string;
  /**
   * Topic notified when the alarm fires and when it clears.
   * @default - no action; the alarm state is visible in CloudWatch and as an EventBridge event
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * A dead-letter queue nobody can miss: encrypted (SQS-managed SSE), TLS-only, 14 days' retention
 * (the maximum), and a CloudWatch alarm as soon as one message is visible in it.
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
 */
export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: props.queueName,
      fifo: props.fifo ? true : undefined,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    if (props.terminalReason) {
      Validations.of(this.queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: props.terminalReason });
    }
    this.alarm = this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }).createAlarm(this, 'DepthAlarm', {
      alarmName: props.alarmName,
      alarmDescription: `${props.queueName} holds ${props.holds}: inspect the messages, fix the cause, ${props.remedy ?? 'then redrive or delete them'}.`,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) {
      this.alarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
      this.alarm.addOkAction(new cwActions.SnsAction(props.alarmTopic));
    }
  }
}
