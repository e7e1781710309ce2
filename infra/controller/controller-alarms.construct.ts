import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { controllerNamesOf } from './controller-names';

/**
 * Where the decide Lambda's metrics go: namespace `DrController`, and Powertools' default
 * dimension `service` = `dr-controller` (no other dimension) on every metric an alarm below watches.
 *
 * @see https://docs.aws.amazon.com/powertools/typescript/latest/features/metrics/#adding-default-dimensions
 */
export const CONTROLLER_METRICS = { namespace: 'DrController', service: 'dr-controller' } as const;

/** Props of {@link ControllerAlarms}. */
export interface ControllerAlarmsProps {
  /** `<app>-<envName>`: every alarm is `<prefix>-controller-<what>`. */
  readonly prefix: string;
  /**
   * Topic every alarm notifies, on ALARM and on OK.
   * @default - a topic `<prefix>-controller-alarms`, encrypted with a key CloudWatch may use
   */
  readonly topic?: sns.ITopic;
  /** Minutes without a decision, or without a tick, before the controller counts as silent. */
  readonly silenceMinutes: number;
  /** The failover run's timeout: a failover in flight for longer is stuck (its end was never seen). */
  readonly runTimeoutSeconds: number;
  /** The prober, when there is one: its errors hide probe evidence (its alarms go INSUFFICIENT_DATA). */
  readonly prober?: lambda.IFunction;
}

/**
 * The controller notices its own silence (ARCHITECTURE.md "How the controller converges"). Each alarm notifies the topic:
 * - `<prefix>-controller-no-decisions`: no `Decisions` for `silenceMinutes` (missing data breaches:
 *   a controller that stopped deciding publishes nothing at all);
 * - `<prefix>-controller-ticks-missing`: no `Ticks` for `silenceMinutes` (the tick rule, the queue
 *   or the decide Lambda is broken; sustained outages then wait for an unrelated event);
 * - `<prefix>-controller-failover-stuck`: `FailoverInFlightSeconds` above the run timeout (the run
 *   must have ended; its end never reached the controller and reconciliation has not fixed it);
 * - `<prefix>-controller-reconcile-failures`: `ReconcileFailures` every minute for `silenceMinutes`
 *   (a monitored region's CloudWatch unreachable: expected while that region is down, otherwise
 *   lost evidence is no longer re-read);
 * - `<prefix>-controller-state-unreadable`: any `StateUnreadable` in a minute (safe mode: the stored
 *   state is corrupt or inconsistent, automatic action stopped; an operator must acknowledge);
 * - `<prefix>-controller-dead-letter-failures`: any `DeadLetterFailures` in a minute (a rejected
 *   record the dead-letter queue refused: it survives only in the decide Lambda's logs);
 * - `<prefix>-controller-halted`: `Halted` (Maximum) ≥ 1 in a minute; the decide path sends it on
 *   every tick while the controller is halted, so the alarm lasts as long as the halt (no automatic
 *   failover until an operator acknowledges);
 * - `<prefix>-prober-errors`: the prober failing for 3 minutes.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html (encrypted topics: key policy for cloudwatch.amazonaws.com)
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html
 */
export class ControllerAlarms extends Construct {
  readonly topic: sns.ITopic;
  readonly noDecisions: cloudwatch.Alarm;
  readonly ticksMissing: cloudwatch.Alarm;
  readonly failoverStuck: cloudwatch.Alarm;
  readonly reconcileFailures: cloudwatch.Alarm;
  readonly stateUnreadable: cloudwatch.Alarm;
  readonly deadLetterFailures: cloudwatch.Alarm;
  readonly halted: cloudwatch.Alarm;
  readonly proberErrors?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ControllerAlarmsProps) {
    super(scope, id);
    const names = controllerNamesOf(props.prefix);
    this.topic = props.topic ?? encryptedAlarmTopic(this, names.alarmTopicName);
    const metric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: CONTROLLER_METRICS.namespace,
        metricName,
        dimensionsMap: { service: CONTROLLER_METRICS.service },
        statistic,
        period: Duration.minutes(1),
      });
    const name = names.controllerAlarmName;
    const silent = {
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: props.silenceMinutes,
      datapointsToAlarm: props.silenceMinutes,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    };

    this.noDecisions = this.alarm('NoDecisions', {
      ...silent,
      alarmName: name('no-decisions'),
      alarmDescription: `the controller made no decision for ${props.silenceMinutes} minutes: check the decide Lambda's errors, the controller queue and its dead-letter queue`,
      metric: metric('Decisions', cloudwatch.Stats.SUM),
    });
    this.ticksMissing = this.alarm('TicksMissing', {
      ...silent,
      alarmName: name('ticks-missing'),
      alarmDescription: `no tick reached the controller for ${props.silenceMinutes} minutes: sustain periods and reconciliation wait for unrelated events; check the tick rule and the queue`,
      metric: metric('Ticks', cloudwatch.Stats.SUM),
    });
    this.failoverStuck = this.alarm('FailoverStuck', {
      alarmName: name('failover-stuck'),
      alarmDescription: `a failover has been in flight longer than the run timeout (${props.runTimeoutSeconds} s): its end was never seen; run drctl status and check the execution`,
      metric: metric('FailoverInFlightSeconds', cloudwatch.Stats.MAXIMUM),
      threshold: props.runTimeoutSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.reconcileFailures = this.alarm('ReconcileFailures', {
      alarmName: name('reconcile-failures'),
      alarmDescription: `re-reading alarm states failed every minute for ${props.silenceMinutes} minutes: expected while a monitored region is down, otherwise lost alarm changes are not recovered`,
      metric: metric('ReconcileFailures', cloudwatch.Stats.SUM),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: props.silenceMinutes,
      datapointsToAlarm: props.silenceMinutes,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // One occurrence is enough: each of these needs a person, and none happens in normal operation.
    const any = {
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    this.stateUnreadable = this.alarm('StateUnreadable', {
      ...any,
      alarmName: name('state-unreadable'),
      alarmDescription:
        'safe mode: the stored controller state is unreadable (corrupt or inconsistent with the configuration); automatic action stopped, overrides still work: run drctl status, then send acknowledge to rebuild the state from the observed world',
      metric: metric('StateUnreadable', cloudwatch.Stats.SUM),
    });
    this.deadLetterFailures = this.alarm('DeadLetterFailures', {
      ...any,
      alarmName: name('dead-letter-failures'),
      alarmDescription:
        "the controller's dead-letter queue refused a rejected record: it exists only in the decide Lambda's logs (search for the messageId); check the queue and the function's permissions",
      metric: metric('DeadLetterFailures', cloudwatch.Stats.SUM),
    });
    // `Halted` is a gauge (1 on every tick while halted), so the alarm stays in ALARM for as long
    // as the controller is halted and clears once an operator's acknowledge ends it (no more data).
    this.halted = this.alarm('Halted', {
      alarmName: name('halted'),
      alarmDescription:
        'the controller is halted (a failover failed or could not start): no automatic failover until an operator acknowledges; run drctl status and drctl explain for the reason',
      metric: metric('Halted', cloudwatch.Stats.MAXIMUM),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.prober) {
      this.proberErrors = this.alarm('ProberErrors', {
        alarmName: names.proberErrorsAlarmName,
        alarmDescription: 'the prober failed for 3 minutes: probe alarms go INSUFFICIENT_DATA, so outside evidence is missing; check its logs',
        metric: props.prober.metricErrors({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
  }

  /** Notify the topic when `alarm` (e.g. a dead-letter queue's) fires and when it clears. */
  notify(alarm: cloudwatch.Alarm): void {
    alarm.addAlarmAction(new cwActions.SnsAction(this.topic));
    alarm.addOkAction(new cwActions.SnsAction(this.topic));
  }

  private alarm(id: string, props: cloudwatch.AlarmProps): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, props);
    this.notify(alarm);
    return alarm;
  }
}

/**
 * An SNS topic for alarm actions, encrypted with a customer managed key (rotated yearly) whose
 * policy lets CloudWatch publish: alarms cannot notify a topic encrypted with the AWS managed key
 * `aws/sns`. Creates `TopicKey` and `Topic` under `scope`. Subscribe to it to be paged.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html
 */
export function encryptedAlarmTopic(scope: Construct, topicName: string): sns.Topic {
  const key = new kms.Key(scope, 'TopicKey', {
    description: `Encrypts ${topicName}`,
    enableKeyRotation: true,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  );
  return new sns.Topic(scope, 'Topic', { topicName, masterKey: key, enforceSSL: true });
}
