import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ControllerNames } from './controller-names';
import { DeadLetterQueue } from './dead-letter-queue.construct';

/**
 * The longest per-message delay SQS allows, in seconds: a wake-up further away is scheduled in
 * steps (the decide path re-schedules on the early tick).
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-timers.html
 */
export const MAX_WAKE_UP_DELAY_SECONDS = 900;

/** Props of {@link WakeUps}. */
export interface WakeUpsProps {
  /** The controller's names: the queue and pipe are `wakeUpQueueName`, the dead-letter queue `wakeUpDeadLetterQueueName`. */
  readonly names: ControllerNames;
  /** The controller's FIFO queue the wake-ups are piped into. */
  readonly controllerQueue: sqs.IQueue;
  /** Message group of every wake-up in the FIFO queue: the app, like every other controller event. */
  readonly messageGroupId: string;
  /** Receives before a wake-up the pipe cannot deliver moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /**
   * Topic of the dead-letter queue's alarm.
   * @default - no action (the controller adds its alarm topic with `ControllerAlarms.notify`)
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * Wake-ups at a deadline, within seconds: the decide path sends a message with `DelaySeconds`
 * (≤ 900) to a standard queue (FIFO queues have no per-message delay), and an EventBridge Pipe
 * moves each one, once visible, into the controller's FIFO queue with the app as message group,
 * so a wake-up is ordered with every other controller event. EventBridge Scheduler would not do:
 * it fires with one-minute precision.
 *
 * The pipe forwards the message body only (`<$.body>`: Pipes parses a JSON body, so the FIFO
 * queue receives the wake-up event exactly as sent). A wake-up the pipe cannot deliver returns to
 * the queue and, after `maxReceiveCount` receives, lands in `<wakeUpQueueName>-dlq` with an alarm.
 *
 * aws-cdk-lib 2.276 has only the L1 `CfnPipe` (the L2 is the separate, experimental
 * `@aws-cdk/aws-pipes-alpha`).
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-timers.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-sqs.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html (implicit body data parsing)
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-permissions.html
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html (one-minute precision)
 */
export class WakeUps extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: DeadLetterQueue;
  readonly pipe: pipes.CfnPipe;
  /**
   * The pipe's execution role: the identity the pipe sends to the controller queue as (the queue
   * policy lets this role's ARN through, see `DrController`).
   * @see https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_CreatePipe.html#pipes-CreatePipe-request-RoleArn
   */
  readonly pipeRole: iam.Role;

  constructor(scope: Construct, id: string, props: WakeUpsProps) {
    super(scope, id);
    const { names } = props;
    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue', {
      queueName: names.wakeUpDeadLetterQueueName,
      alarmName: names.queueNotEmptyAlarmName(names.wakeUpDeadLetterQueueName),
      holds: `wake-ups the pipe failed to move into the controller queue ${props.maxReceiveCount} times`,
      alarmTopic: props.alarmTopic,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: names.wakeUpQueueName,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue.queue, maxReceiveCount: props.maxReceiveCount },
    });

    const role = (this.pipeRole = new iam.Role(this, 'PipeRole', {
      assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com'),
      description: `Moves wake-ups from ${names.wakeUpQueueName} into the controller queue`,
    }));
    this.queue.grantConsumeMessages(role);
    props.controllerQueue.grantSendMessages(role);

    this.pipe = new pipes.CfnPipe(this, 'Pipe', {
      name: names.wakeUpQueueName,
      description: `Wake-ups of ${props.messageGroupId}: delayed messages into the controller queue`,
      roleArn: role.roleArn,
      source: this.queue.queueArn,
      sourceParameters: { sqsQueueParameters: { batchSize: 1 } },
      target: props.controllerQueue.queueArn,
      targetParameters: {
        inputTemplate: '<$.body>',
        sqsQueueParameters: { messageGroupId: props.messageGroupId },
      },
      desiredState: 'RUNNING',
    });
    // The role's policy must exist before the pipe starts polling.
    this.pipe.node.addDependency(role);
  }
}
