import { alarmRegionOf, alarmSignals, HEALTH_CHECK_ALARM_REGION } from '../../domain/alarm-regions';
import type { ControllerConfig, Region, SignalConfig } from '../../domain/config';

/**
 * Where each signal's evidence lives, for the infrastructure (rule patterns, IAM). Free of CDK. The
 * rule itself (which region holds which kind of alarm) is the domain's, `domain/alarm-regions.ts`,
 * shared with the engine that matches alarm ARNs and with the decide path's reconciliation.
 */
export { alarmRegionOf, alarmSignals, HEALTH_CHECK_ALARM_REGION };

/**
 * Regions where configured alarms can fire and heartbeats are sent from: the protected regions,
 * plus us-east-1 for health checks.
 */
export function monitoredRegions(config: ControllerConfig): Region[] {
  const regions = new Set(config.regions);
  if (config.signals.some((signal) => signal.kind === 'health-check')) regions.add(HEALTH_CHECK_ALARM_REGION);
  return [...regions];
}

/** Partition and account of the ARNs {@link alarmArnOf} builds (literal values or CloudFormation tokens). */
export interface ArnEnvironment {
  readonly partition: string;
  readonly account: string;
}

/**
 * The ARN of the signal's CloudWatch alarm, `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>`,
 * in the region where it lives ({@link alarmRegionOf}); `undefined` for heartbeats. A `CloudWatch
 * Alarm State Change` event names this ARN in `resources`: matching it, not the name alone, binds a
 * signal to its alarm's region and account, so an alarm of the same name elsewhere is not evidence.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html (event `resources`)
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html#amazoncloudwatch-resources-for-iam-policies (alarm ARN format)
 */
export function alarmArnOf(signal: SignalConfig, controllerRegion: Region, env: ArnEnvironment): string | undefined {
  const region = alarmRegionOf(signal, controllerRegion);
  return region === undefined ? undefined : `arn:${env.partition}:cloudwatch:${region}:${env.account}:alarm:${signal.alarmName}`;
}

/**
 * The alarm ARNs of the configured signals whose alarm lives in `region`, sorted, without
 * duplicates: what the rule on that region's default bus matches.
 */
export function alarmArnsIn(config: ControllerConfig, region: Region, controllerRegion: Region, env: ArnEnvironment): string[] {
  const arns = alarmSignals(config)
    .filter((signal) => alarmRegionOf(signal, controllerRegion) === region)
    .map((signal) => alarmArnOf(signal, controllerRegion, env)!);
  return [...new Set(arns)].sort();
}
