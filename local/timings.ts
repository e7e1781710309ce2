import type { Region } from '../domain/config';
import { modelledDurations, type ModelledDurations, type RtoBudget } from '../infra/controller/rto-model';
import type { ControllerNames } from '../infra/controller/controller-names';
import type { PlannedRule, SynthesizedReference, SynthesizedStack } from './stacks';

/**
 * Every duration a drill scenario simulates, read from the synthesized stacks and the RTO model
 * `drctl rto` uses, never typed into a scenario: when an alarm fires after its metric starts
 * breaching (its period × datapoints to alarm), when the prober's alarm and the heartbeat window
 * call a dark region down, when a Route 53 health check fails, how often heartbeats are sent, and
 * (through the model) each step's duration, the promotion and the DNS parts.
 */

/** A duration and where it comes from (construct and property, or the model's part). */
export interface Timing {
  readonly seconds: number;
  readonly source: string;
}

export interface DrillTimings {
  /** The RTO model over the synthesized stacks: the same numbers `drctl rto` prints. */
  readonly model: ModelledDurations;
  /** The model's worst case, part by part with sources. */
  readonly budget: RtoBudget;
  /** Seconds from the moment `alarmName`'s metric starts breaching to the alarm's ALARM. */
  breachToAlarm(alarmName: string): Timing;
  /** Seconds from a region going dark (or its API failing) to its probe alarm's ALARM. */
  readonly probeAlarm: Timing;
  /** Seconds from the endpoint failing to its Route 53 health check reporting unhealthy. */
  readonly healthCheckFails: Timing;
  /** Seconds without a heartbeat after which a region's heartbeat signal is in ALARM. */
  readonly heartbeatWindow: Timing;
  /** Seconds between two heartbeats of `region` (its heartbeat rule's schedule). */
  heartbeatInterval(region: Region): Timing;
  /** The heartbeat rule of `region`; undefined when the stacks give it none. */
  heartbeatRule(region: Region): PlannedRule | undefined;
}

interface AlarmProperties {
  readonly AlarmName?: unknown;
  readonly Period?: unknown;
  readonly EvaluationPeriods?: unknown;
  readonly DatapointsToAlarm?: unknown;
  readonly Metrics?: readonly { readonly MetricStat?: { readonly Period?: unknown }; readonly Period?: unknown }[];
}

/**
 * A metric alarm goes to ALARM when `DatapointsToAlarm` (default: `EvaluationPeriods`) datapoints
 * breach; with a steady breach from the start of a period, that is one period each. A metric-math
 * alarm's period is its queries' (`Metrics[].MetricStat.Period` or `Metrics[].Period`).
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-alarm.html
 */
function alarmTimingOf(stack: SynthesizedStack, logicalId: string, p: AlarmProperties): Timing {
  const periods = [p.Period, ...(p.Metrics ?? []).flatMap((m) => [m.MetricStat?.Period, m.Period])].filter((x): x is number => typeof x === 'number');
  const period = Math.max(...periods);
  const datapoints = typeof p.DatapointsToAlarm === 'number' ? p.DatapointsToAlarm : Number(p.EvaluationPeriods);
  if (!(period > 0) || !(datapoints > 0)) throw new Error(`alarm ${String(p.AlarmName)} (${stack.name}/${logicalId}) has no period or evaluation periods the drill can read`);
  return { seconds: period * datapoints, source: `${stack.name} AWS::CloudWatch::Alarm ${String(p.AlarmName)}: Period ${period} s × DatapointsToAlarm ${datapoints}` };
}

/**
 * Seconds between two firings of a schedule rule: `rate(<n> <unit>)`.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-rate-expressions
 */
export function rateSeconds(expression: string): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!match) throw new Error(`schedule ${expression} is not a rate(<n> <unit>) expression the drill can follow`);
  const unit = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86_400, days: 86_400 }[match[2] as 'minute'];
  return Number(match[1]) * unit;
}

/** The timings of the reference app the drill runs, from its synthesized stacks. */
export function drillTimings(reference: SynthesizedReference, plan: { readonly rules: readonly PlannedRule[]; readonly names: Pick<ControllerNames, 'heartbeatRuleName'> }): DrillTimings {
  const model = modelledDurations(reference.rto.inputs);
  const alarms = new Map<string, Timing>();
  for (const stack of [...reference.stacks, ...reference.workloadStacks]) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
      if (resource.Type !== 'AWS::CloudWatch::Alarm') continue;
      const p = (resource.Properties ?? {}) as AlarmProperties;
      if (typeof p.AlarmName === 'string') alarms.set(p.AlarmName, alarmTimingOf(stack, logicalId, p));
    }
  }
  const heartbeatRule = (region: Region) => plan.rules.find((r) => r.region === region && r.scheduleExpression !== undefined && r.name === plan.names.heartbeatRuleName);
  const { probeSeconds, heartbeatSeconds } = model.detection;
  const { inputs } = reference.rto;
  return {
    model,
    budget: reference.rto.budget,
    breachToAlarm(alarmName) {
      const timing = alarms.get(alarmName);
      if (!timing) throw new Error(`no alarm named ${alarmName} in the synthesized stacks; the configuration and the stacks disagree`);
      return timing;
    },
    probeAlarm: {
      seconds: probeSeconds ?? Number.POSITIVE_INFINITY,
      source: probeSeconds === undefined ? 'no probe signal configured' : `RTO model detection: probe interval ${inputs.probe?.intervalSeconds} s + timeout ${inputs.probe?.timeoutSeconds} s + period ${inputs.probe?.periodSeconds} s × ${inputs.probe?.evaluationPeriods}`,
    },
    healthCheckFails: { seconds: model.dnsHealthCheckSeconds, source: 'AWS::Route53::HealthCheck RequestInterval × FailureThreshold (RTO model dns: health check fails)' },
    heartbeatWindow: {
      seconds: heartbeatSeconds ?? Number.POSITIVE_INFINITY,
      source: heartbeatSeconds === undefined ? 'no heartbeat signal configured' : 'DR_CONFIG policy.heartbeatWindowSeconds (RTO model detection)',
    },
    heartbeatInterval(region) {
      const rule = heartbeatRule(region);
      if (!rule?.scheduleExpression) throw new Error(`no heartbeat rule ${plan.names.heartbeatRuleName} in ${region} in the synthesized stacks`);
      return { seconds: rateSeconds(rule.scheduleExpression), source: `AWS::Events::Rule ${rule.name} (${rule.region}) ScheduleExpression ${rule.scheduleExpression}` };
    },
    heartbeatRule,
  };
}
