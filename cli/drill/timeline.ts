import type { DecisionAction } from '../../domain/decision';
import type { AlarmState } from '../../domain/events';
import type { Phase } from '../../domain/state';

/**
 * What a drill scenario recorded, in the drill's simulated time (epoch ms). The console timeline
 * and the HTML report are both rendered from this.
 */
export type TimelineEntry =
  | { readonly kind: 'signal'; readonly at: number; readonly alarmName: string; readonly region: string; readonly signalKind: 'alarm' | 'health-check'; readonly state: AlarmState }
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

export interface Check {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
}

/**
 * The recovery time objective as modelled by the drill: how long each phase of a real failover
 * would take, next to what the controller itself spent (measured).
 */
export interface RtoBreakdown {
  /** First ALARM → the last alarm of the quorum (how long until the signals agree). */
  readonly detectionSeconds: number;
  /** Quorum → failover started: the sustain period (debounce). */
  readonly sustainSeconds: number;
  /** Workflow run, modelled with AWS-typical step durations (promotion, DNS change propagation). */
  readonly workflowSeconds: number;
  /** Clients keep the old answer until the record's TTL expires. */
  readonly dnsTtlSeconds: number;
  /** Real time the controller's own code took (decide + every step handler), measured. */
  readonly controllerOverheadMs: number;
  readonly totalSeconds: number;
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
