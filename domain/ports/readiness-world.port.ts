import type { Region } from '../config';
import type { AlarmState } from '../events';
import type { AppParameters } from './config-store.port';

/**
 * One reading of the world: its value, or why it could not be read (the region did not answer,
 * access was denied, the resource is gone). Readiness never throws on an unreadable part: the
 * check that needed it fails (or, for the region being left, says so) with the error as detail.
 */
export type Observed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** One member of the global database, as the global cluster and the member's own region report it. */
export interface DatabaseMemberView {
  readonly region: Region;
  readonly clusterArn: string;
  readonly isWriter: boolean;
  /** `connected` or `pending-resync` for secondaries, when Aurora reports it. */
  readonly synchronizationStatus?: string;
  /** The member DB cluster's `EngineVersion`; absent when its region could not be read. */
  readonly engineVersion?: string;
}

export interface GlobalDatabaseView {
  /** The global cluster's own `EngineVersion`. */
  readonly engineVersion?: string;
  readonly members: readonly DatabaseMemberView[];
}

/** The prober's latest word on one region's regional endpoint. */
export interface ProbeView {
  /** Newest `ProbeSuccess` datapoint in the look-back window; absent when the prober published none. */
  readonly latest?: { readonly success: boolean; readonly at: number };
  /** State of the region's probe alarm; absent when the alarm does not exist. */
  readonly alarmState?: AlarmState;
}

/** One weighted record of the app's DNS name, attributed to a region by its `SetIdentifier`. */
export interface WeightedRecordView {
  /** The configured region whose `SetIdentifier` it carries; absent for a record of no configured region. */
  readonly region?: Region;
  readonly setIdentifier: string;
  readonly weight: number;
  readonly healthCheckId?: string;
}

/** A failover step's function, as Lambda reports it. */
export interface StepFunctionView {
  readonly step: string;
  readonly exists: boolean;
  /** Lambda's `State` (`Active`, `Inactive`, `Failed`, …) when it exists. */
  readonly state?: string;
  /** The execution role the function runs with. */
  readonly roleArn?: string;
}

export interface WorkflowView {
  /** The state machine's `status` (`ACTIVE`, `DELETING`); absent when it does not exist. */
  readonly stateMachineStatus?: string;
  readonly steps: readonly StepFunctionView[];
}

/** IAM's simulated decision for one action a step calls on one resource, with the step's own role. */
export interface PermissionView {
  readonly step: string;
  readonly action: string;
  readonly resource: string;
  /** IAM's `EvalDecision`: `allowed`, `explicitDeny` or `implicitDeny`; or why it could not be simulated. */
  readonly decision: 'allowed' | 'explicitDeny' | 'implicitDeny' | 'not-simulated';
  readonly detail?: string;
}

export interface QueueView {
  readonly name: string;
  readonly exists: boolean;
  /** `ApproximateNumberOfMessages` (visible messages) when it exists. */
  readonly visibleMessages?: number;
}

/** The controller's own plumbing: its queue, its dead-letter queue and its state table. */
export interface ControllerPlumbingView {
  readonly queue: QueueView;
  readonly deadLetterQueue: QueueView;
  readonly table: { readonly name: string; readonly exists: boolean; readonly status?: string };
}

/** Everything one readiness evaluation reads, each part readable or not on its own. */
export interface ReadinessObservations {
  /** When the reading was taken, epoch ms. */
  readonly observedAt: number;
  readonly database: Observed<GlobalDatabaseView>;
  /** Replication lag in seconds per secondary region; `undefined` value: no recent datapoint. */
  readonly lagSeconds: Readonly<Record<Region, Observed<number | undefined>>>;
  /** Per region with a probe signal. */
  readonly probes: Readonly<Record<Region, Observed<ProbeView>>>;
  readonly records: Observed<readonly WeightedRecordView[]>;
  /** Per configured health check id: whether it exists. */
  readonly healthChecks: Readonly<Record<string, Observed<boolean>>>;
  /** The controller-owned parameters, per region. */
  readonly parameters: Readonly<Record<Region, Observed<AppParameters>>>;
  readonly workflow: Observed<WorkflowView>;
  readonly permissions: Observed<readonly PermissionView[]>;
  readonly plumbing: Observed<ControllerPlumbingView>;
}

/**
 * What a readiness evaluation reads of the world (AWS: RDS, CloudWatch, Route 53, SSM, Step
 * Functions, Lambda, IAM's policy simulator, SQS and DynamoDB, each region on its own). `observe`
 * never throws for a part it cannot read: that part is `{ ok: false, error }`.
 */
export interface ReadinessWorld {
  observe(): Promise<ReadinessObservations>;
}
