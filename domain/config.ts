/**
 * Controller configuration as the engine sees it: already validated (see `edge/config.schema.ts`).
 * Plain readonly data; no behaviour.
 */

/** An AWS region name, e.g. `us-east-1`. Regions are listed in preference order. */
export type Region = string;

/**
 * What a signal measures, and so where its evidence comes from:
 * - `alarm`: a CloudWatch alarm on the workload, evaluated in (and travelling through) the judged region;
 * - `health-check`: a Route 53 health check's alarm (us-east-1's CloudWatch);
 * - `probe`: an alarm on the controller's prober, which calls the judged region's regional endpoint
 *   from outside it (the controller region, or a witness region);
 * - `heartbeat`: no alarm at all: the engine judges it in ALARM when no heartbeat event from the
 *   region has arrived for `policy.heartbeatWindowSeconds` (a missing *expected* event is evidence).
 */
export type SignalKind = 'alarm' | 'health-check' | 'probe' | 'heartbeat';

/** One signal that judges one region: a CloudWatch alarm, or (kind `heartbeat`) the region's heartbeat. */
export interface SignalConfig {
  /** The CloudWatch alarm's name; for a `heartbeat` signal, a unique name of the signal (e.g. `payments-us-east-1-heartbeat`). */
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
  /**
   * A `heartbeat` signal is in ALARM once no heartbeat from its region has arrived for this long
   * (heartbeats are sent once a minute, so leave room for one late or lost).
   */
  readonly heartbeatWindowSeconds: number;
  /**
   * How long a readiness result (`DR Readiness`, one per target) guards failovers: an automatic
   * failover (and a manual one without force) into a target whose last result, at most this old,
   * failed a guarding check is refused; a failback needs a passing result at most this old. Older
   * results are ignored, so readiness that stopped running never blocks a failover for ever.
   * Three readiness intervals (15 min each) by default.
   */
  readonly readinessMaxAgeSeconds: number;
}

export interface ControllerConfig {
  /** The protected application; also the FIFO message group and the state key. */
  readonly app: string;
  /** Preference order, at least two. */
  readonly regions: readonly Region[];
  readonly initialActive: Region;
  readonly signals: readonly SignalConfig[];
  readonly policy: Policy;
  /**
   * The controller's AWS account (12 digits). Alarm events (by their ARN), heartbeats and overrides
   * must come from it. When absent, ANY account is accepted: an alarm of a signal's name raised in
   * another account (whose events reach the controller, e.g. through a shared bus) would count as
   * evidence, and an override published from another account would be obeyed. Set it in production.
   */
  readonly account?: string;
  /**
   * The region the controller runs in: probe alarms live there (see `domain/alarm-regions.ts`) and
   * overrides must come from it (the controller bus). When absent, a probe alarm is accepted from
   * any region and overrides from any region.
   */
  readonly controllerRegion?: Region;
  /**
   * The failover state machine's ARN: a Step Functions status-change event counts only when it
   * names it (`detail.stateMachineArn`). When absent, any state machine's execution of the in-flight
   * name is believed.
   */
  readonly stateMachineArn?: string;
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
  heartbeatWindowSeconds: 90,
  readinessMaxAgeSeconds: 2700,
};
