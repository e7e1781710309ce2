import type { SignalKind } from '../domain/config';
import type { Decision, DecisionAction } from '../domain/decision';
import type { AlarmState } from '../domain/events';
import type { Phase } from '../domain/state';

/**
 * What a drill scenario recorded, in the drill's simulated time (epoch ms). The console timeline
 * and the HTML report are both rendered from this.
 */
export type TimelineEntry =
  | { readonly kind: 'signal'; readonly at: number; readonly alarmName: string; readonly region: string; readonly signalKind: SignalKind; readonly state: AlarmState }
  | {
      readonly kind: 'decision';
      readonly at: number;
      readonly action: DecisionAction;
      readonly reason: string;
      readonly active: string;
      readonly phase: Phase;
      readonly target?: string;
      readonly generation?: number;
      readonly dryRun?: boolean;
    }
  | { readonly kind: 'override'; readonly at: number; readonly action: string; readonly operator: string; readonly reason: string; readonly via: 'drctl' | 'aws-cli' }
  | {
      readonly kind: 'step';
      /** Simulated start and end of the workflow step. */
      readonly at: number;
      readonly endAt: number;
      readonly step: string;
      readonly status: 'succeeded' | 'failed';
      /** Retries the state machine made before the step's final outcome. */
      readonly retries: number;
      readonly detail?: string;
      /** Real time the step's handler took on this machine (the controller's own overhead). */
      readonly realMs: number;
    }
  | { readonly kind: 'note'; readonly at: number; readonly text: string };

/** How a decision of the controller stands in the timeline. */
export function decisionEntry(decision: Decision): TimelineEntry {
  return {
    kind: 'decision',
    at: decision.at,
    action: decision.action,
    reason: decision.reason,
    active: decision.active,
    phase: decision.phase,
    ...('target' in decision ? { target: decision.target } : {}),
    ...('generation' in decision ? { generation: decision.generation } : {}),
    ...('dryRun' in decision ? { dryRun: decision.dryRun } : {}),
  };
}

export interface Check {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
}

/**
 * The recovery time of the scenario's automatic failover on the simulated clock (every duration
 * from the synthesized stacks and the RTO model), next to what the controller itself spent
 * (measured) and the model's worst case for the same stacks (what `drctl rto` prints).
 */
export interface RtoBreakdown {
  /** The outage begins → the last signal of the quorum in ALARM (how long until the evidence agrees). */
  readonly detectionSeconds: number;
  /** Quorum → failover started: the sustain period, met by a wake-up. */
  readonly sustainSeconds: number;
  /** Failover started → the last step on the critical path (promotion, traffic, configuration) ended. */
  readonly workflowSeconds: number;
  /** Critical path done → clients sent to the target: the workload's parameter cache, or the wait for a failing health check to move traffic. */
  readonly trafficSeconds: number;
  /** Clients keep the old answer until the record's TTL expires. */
  readonly dnsTtlSeconds: number;
  /** Real time the controller's own code took (decide + every step handler), measured. */
  readonly controllerOverheadMs: number;
  readonly totalSeconds: number;
  /** `controllerOverheadMs` as a share of `totalSeconds` (0.01 = 1 %). */
  readonly controllerShare: number;
  /** The RTO model's worst case for the synthesized stacks (`drctl rto`), and the target both are held to. */
  readonly modelWorstCaseSeconds: number;
  readonly targetSeconds: number;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly title: string;
  readonly description: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly entries: readonly TimelineEntry[];
  readonly checks: readonly Check[];
  readonly passed: boolean;
  readonly rto?: RtoBreakdown;
  /** Real seconds the scenario took to run. */
  readonly wallSeconds: number;
}

export interface DrillRun {
  /** When the drill ran (real time, ISO-8601). */
  readonly ranAt: string;
  /** `moto` (AWS APIs over HTTP on 127.0.0.1) or `in-memory` (twins, when moto is absent). */
  readonly backend: 'moto' | 'in-memory';
  readonly notes: readonly string[];
  readonly scenarios: readonly ScenarioResult[];
}
