import type { ControllerConfig } from '../domain/config';
import type { Decision, StartFailover } from '../domain/decision';
import type { AlarmState } from '../domain/events';
import { stepSpec, type FailoverStep } from '../handlers/steps/step-registry';
import type { Check, RtoBreakdown, TimelineEntry } from './drill-timeline';
import type { StepRecord } from './local-workflow';
import type { DrillTimings } from './timings';

/** The scenario's recovery, on the simulated clock, within the RTO target. */
export function rtoCheck(rto: RtoBreakdown | undefined): Check {
  if (!rto) return { name: 'modelled RTO within the target', passed: false, detail: 'no automatic failover completed: nothing to measure' };
  return {
    name: `modelled RTO within the ${rto.targetSeconds} s target`,
    passed: rto.totalSeconds <= rto.targetSeconds,
    detail:
      `${rto.totalSeconds} s = detection ${rto.detectionSeconds} s + sustain ${rto.sustainSeconds} s + workflow ${rto.workflowSeconds} s + traffic ${rto.trafficSeconds} s + DNS TTL ${rto.dnsTtlSeconds} s ` +
      `(the RTO model's worst case for these stacks: ${rto.modelWorstCaseSeconds} s); controller overhead ${rto.controllerOverheadMs} ms measured, ${(rto.controllerShare * 100).toFixed(3)} % of it`,
  };
}

export interface RtoRun {
  readonly config: ControllerConfig;
  readonly timings: DrillTimings;
  readonly entries: readonly TimelineEntry[];
  readonly decisions: readonly Decision[];
  readonly steps: readonly StepRecord[];
  /** When the scenario's outage began; undefined: at the first ALARM of the failed region. */
  readonly outageAt: number | undefined;
  readonly overheadMs: number;
}

/**
 * The recovery time of the scenario's automatic failover on the simulated clock: outage → the
 * failed region's quorum of signals in ALARM (detection) → failover started (sustain) → the last
 * critical-path step done (workflow) → clients sent to the target (the workload's parameter cache,
 * or, when the traffic shift could not be made, the failing health check moving traffic) → the
 * record's TTL (DNS). Next to it the model's worst case (`drctl rto`) and the controller's measured
 * share.
 */
export function rtoOf(r: RtoRun): RtoBreakdown | undefined {
  const { config, timings, entries, decisions } = r;
  const start = decisions.find((d): d is StartFailover => d.action === 'start-failover' && !d.dryRun && d.request.mode === 'auto');
  if (!start) return undefined;
  const done = decisions.find((d) => d.action === 'completed' && d.generation === start.generation);
  if (!done) return undefined;
  const critical = config.signals.filter((s) => s.region === start.request.from && s.critical);
  const states = new Map<string, AlarmState>();
  let firstAlarmAt: number | undefined;
  let quorumAt: number | undefined;
  for (const e of entries) {
    if (e.kind !== 'signal' || e.at > start.at) continue;
    const signal = critical.find((s) => s.alarmName === e.alarmName);
    if (!signal) continue;
    states.set(signal.alarmName, e.state);
    const alarming = critical.filter((s) => states.get(s.alarmName) === 'ALARM');
    if (e.state === 'ALARM') firstAlarmAt ??= e.at;
    if (quorumAt === undefined && alarming.length >= config.policy.quorum && new Set(alarming.map((s) => s.kind)).size >= config.policy.minKinds) quorumAt = e.at;
  }
  const outageAt = r.outageAt ?? firstAlarmAt;
  if (outageAt === undefined || quorumAt === undefined) return undefined;
  const run = r.steps.filter((s) => s.executionName === start.executionName);
  const criticalEnd = Math.max(...run.filter((s) => stepSpec(s.step as FailoverStep).criticalPath).map((s) => s.endAt));
  const shifted = run.find((s) => s.step === 'shift-traffic' && s.status === 'succeeded');
  // Without a shift, Route 53 stops answering with the failed region once its health check fails.
  const trafficMovedAt = shifted ? shifted.endAt : outageAt + timings.healthCheckFails.seconds * 1000;
  const servedAt = Math.max(criticalEnd + timings.model.workloadConfigCacheSeconds * 1000, trafficMovedAt);
  const seconds = (ms: number) => Math.round(ms / 100) / 10;
  const detectionSeconds = seconds(quorumAt - outageAt);
  const sustainSeconds = seconds(start.at - quorumAt);
  const workflowSeconds = seconds(criticalEnd - start.at);
  const trafficSeconds = seconds(servedAt - criticalEnd);
  const dnsTtlSeconds = timings.model.dnsTtlSeconds;
  const totalSeconds = seconds(servedAt - outageAt) + dnsTtlSeconds;
  return {
    detectionSeconds,
    sustainSeconds,
    workflowSeconds,
    trafficSeconds,
    dnsTtlSeconds,
    controllerOverheadMs: Math.round(r.overheadMs),
    totalSeconds,
    controllerShare: r.overheadMs / (totalSeconds * 1000),
    modelWorstCaseSeconds: timings.budget.worstCaseSeconds,
    targetSeconds: timings.budget.targetSeconds,
  };
}

