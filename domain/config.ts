/**
 * Controller configuration as the engine sees it: already validated (see `edge/config.schema.ts`).
 * Plain readonly data; no behaviour.
 */

/** An AWS region name, e.g. `us-east-1`. Regions are listed in preference order. */
export type Region = string;

/** What a signal measures: a CloudWatch alarm on the workload, or a Route 53 health check's alarm. */
export type SignalKind = 'alarm' | 'health-check';

/** One CloudWatch alarm that judges one region. */
export interface SignalConfig {
  readonly alarmName: string;
  readonly region: Region;
  readonly kind: SignalKind;
  /** Critical signals count towards the down quorum; every signal counts against a target. */
  readonly critical: boolean;
}

/** How much data loss an automatic or manual failover may accept. */
export type DataLossPolicy = 'never' | 'within-rpo-budget' | 'always';

export interface Policy {
  /** Critical signals of a region that must be in ALARM for it to be down. */
  readonly quorum: number;
  /** Distinct signal kinds among them (an alarm *and* a health check). */
  readonly minKinds: number;
  /** How long the quorum must hold before the region counts as down (debounce). */
  readonly sustainSeconds: number;
  /** After a failover completes, no automatic failover starts for this long. */
  readonly cooldownSeconds: number;
  /** Automatic failovers allowed per sliding window. */
  readonly maxAutoFailovers: number;
  readonly windowSeconds: number;
  /** Whether an automatic failover may move back to `initialActive` (the home region). */
  readonly autoFailback: boolean;
  /** Decide and publish, never execute. */
  readonly dryRun: boolean;
  readonly dataLoss: DataLossPolicy;
  /** Replication lag a failover with data loss may accept under `within-rpo-budget`. */
  readonly rpoBudgetSeconds: number;
}

export interface ControllerConfig {
  /** The protected application; also the FIFO message group and the state key. */
  readonly app: string;
  /** Preference order, at least two. */
  readonly regions: readonly Region[];
  readonly initialActive: Region;
  readonly signals: readonly SignalConfig[];
  readonly policy: Policy;
}

/** The defaults every optional policy field takes. */
export const DEFAULT_POLICY: Policy = {
  quorum: 2,
  minKinds: 2,
  sustainSeconds: 60,
  cooldownSeconds: 3600,
  maxAutoFailovers: 1,
  windowSeconds: 86400,
  autoFailback: false,
  dryRun: false,
  dataLoss: 'within-rpo-budget',
  rpoBudgetSeconds: 5,
};
