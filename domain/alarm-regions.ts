import type { ControllerConfig, Region, SignalConfig } from './config';

/**
 * Where each signal's evidence lives: the region whose CloudWatch holds its alarm. Pure, so the
 * engine (which matches an alarm event's ARN to its signal), the decide path (which re-reads alarm
 * states on a tick) and the infrastructure (which routes alarm events by ARN) share one rule.
 */

/**
 * Route 53 publishes health-check metrics, and so raises health-check alarms, only in us-east-1.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html
 */
export const HEALTH_CHECK_ALARM_REGION: Region = 'us-east-1';

/**
 * The region whose CloudWatch holds the signal's alarm: us-east-1 for health checks, the
 * controller region for probes (the prober publishes there), the judged region for other alarms;
 * `undefined` for heartbeats, which are no alarm at all, and for a probe when the controller
 * region is not known.
 */
export function alarmRegionOf(signal: SignalConfig, controllerRegion: Region | undefined): Region | undefined {
  switch (signal.kind) {
    case 'health-check':
      return HEALTH_CHECK_ALARM_REGION;
    case 'probe':
      return controllerRegion;
    case 'alarm':
      return signal.region;
    case 'heartbeat':
      return undefined;
    default: {
      const unknown: never = signal.kind;
      throw new Error(`unknown signal kind ${String(unknown)}`);
    }
  }
}

/** The signals that are CloudWatch alarms (every kind but `heartbeat`). */
export function alarmSignals(config: ControllerConfig): SignalConfig[] {
  return config.signals.filter((signal) => signal.kind !== 'heartbeat');
}

/** Where an alarm event came from: the region and account of its ARN (`resources[0]`). */
export interface AlarmOrigin {
  readonly region: Region;
  readonly account: string;
}

/**
 * Why an alarm raised at `origin` is not `signal`'s alarm, or undefined when it is: the alarm must
 * live in the region {@link alarmRegionOf} gives (checked whenever that region is known) and in
 * the controller's account (checked when `config.account` is set: without it, an alarm of the same
 * name in any account counts, so set it in production).
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html (event `resources`: the alarm ARN)
 */
export function alarmOriginMismatch(signal: SignalConfig, origin: AlarmOrigin, config: Pick<ControllerConfig, 'account' | 'controllerRegion'>): string | undefined {
  const region = alarmRegionOf(signal, config.controllerRegion);
  const problems: string[] = [];
  if (region !== undefined && origin.region !== region) problems.push(`raised in region ${origin.region}, but the ${signal.kind} alarm of this signal lives in ${region}`);
  if (config.account !== undefined && origin.account !== config.account) problems.push(`raised in account ${origin.account}, not the controller's account ${config.account}`);
  return problems.length > 0 ? problems.join('; ') : undefined;
}
