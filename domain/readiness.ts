import type { Region } from './config';
import type {
  ControllerPlumbingView,
  GlobalDatabaseView,
  Observed,
  PermissionView,
  ProbeView,
  ReadinessObservations,
  WeightedRecordView,
  WorkflowView,
} from './ports/readiness-world.port';

/**
 * Readiness: would a failover into each target work now? Pure rules over one reading of the world
 * (`ReadinessObservations`): no I/O, time comes in with the observations. One result per check and
 * target; a check that cannot read what it needs fails with the reason, except where the part
 * unread belongs to the region being left, which a failover never needs (ARCHITECTURE.md "The failover
 * workflow": calls into the old region are best effort).
 */

export { READINESS_CHECKS, type ReadinessCheckName } from './readiness-checks';
import { READINESS_CHECKS, type ReadinessCheckName } from './readiness-checks';

/**
 * The checks whose failure makes an automatic failover into the target unsafe, so the engine may
 * refuse it. Left out: `replication-lag` (the data-loss policy judges the lag at the moment of the
 * failover, the preflight step reads it again) and `controller-health` (a message in the
 * controller's dead-letter queue says nothing about the target).
 */
export const GUARDING_CHECKS: readonly ReadinessCheckName[] = READINESS_CHECKS.filter((check) => check !== 'replication-lag' && check !== 'controller-health');

export interface ReadinessCheckResult {
  readonly check: ReadinessCheckName;
  readonly passed: boolean;
  /** What was found, naming the resource and, on failure, what to fix. */
  readonly detail: string;
}

/** The readiness of a failover into one target region. */
export interface TargetReadiness {
  readonly target: Region;
  /** Every check passed. */
  readonly ready: boolean;
  /** Names of the failed checks, in {@link READINESS_CHECKS} order. */
  readonly failing: readonly ReadinessCheckName[];
  readonly checks: readonly ReadinessCheckResult[];
}

/** One evaluation: a result per eligible target (every configured region but the active one). */
export interface ReadinessReport {
  /** Epoch ms of the observations it judged. */
  readonly evaluatedAt: number;
  /** The region serving when it was evaluated. */
  readonly active: Region;
  readonly targets: readonly TargetReadiness[];
}

/**
 * What the engine keeps of a target's last evaluation (small enough for the controller state) to
 * guard automatic failovers: see {@link automaticFailoverRefusal}.
 */
export interface ReadinessSummary {
  readonly target: Region;
  readonly evaluatedAt: number;
  readonly failing: readonly ReadinessCheckName[];
  /** The region serving when it was evaluated: the result describes a failover from that region. */
  readonly active?: Region;
}

/** What the evaluation holds the world to: configuration, not observation. */
export interface ReadinessExpectations {
  /** Configured regions, in preference order. */
  readonly regions: readonly Region[];
  /** The region serving now (the controller's state); every other region is a target. */
  readonly active: Region;
  /** Replication lag a target may have (the policy's `rpoBudgetSeconds`). */
  readonly rpoBudgetSeconds: number;
  /** The Route 53 health check id configured per region. */
  readonly healthCheckIds: Readonly<Record<Region, string>>;
  /** Regions that have a `probe` signal: only their endpoint is probed. */
  readonly probedRegions: readonly Region[];
  /** How old the prober's newest datapoint may be to count as the endpoint's current state. */
  readonly maxProbeAgeSeconds: number;
  /** The failover steps whose functions must exist. */
  readonly steps: readonly string[];
}

/** Default of {@link ReadinessExpectations.maxProbeAgeSeconds}: five minutes (the prober publishes every 10 s). */
export const DEFAULT_MAX_PROBE_AGE_SECONDS = 300;

type Verdict = { readonly passed: boolean; readonly detail: string };
const pass = (detail: string): Verdict => ({ passed: true, detail });
const fail = (detail: string): Verdict => ({ passed: false, detail });

/** Evaluate every check for every target. Total: any observation, any configuration. */
export function evaluateReadiness(observations: ReadinessObservations, expected: ReadinessExpectations): ReadinessReport {
  const targets = expected.regions.filter((region) => region !== expected.active);
  return {
    evaluatedAt: observations.observedAt,
    active: expected.active,
    targets: targets.map((target) => evaluateTarget(target, observations, expected)),
  };
}

function evaluateTarget(target: Region, o: ReadinessObservations, e: ReadinessExpectations): TargetReadiness {
  const verdicts: Record<ReadinessCheckName, Verdict> = {
    'global-cluster-member': membership(target, o.database),
    'replication-lag': lag(target, o.lagSeconds[target], e.rpoBudgetSeconds),
    'engine-version': engineVersion(target, o.database),
    endpoint: endpoint(target, o.probes[target], e, o.observedAt),
    'weighted-records': weightedRecords(target, e, o.records),
    'health-check': healthCheck(target, e.healthCheckIds[target], o.healthChecks),
    parameters: parameters(target, e, o.parameters),
    workflow: workflow(e.steps, o.workflow),
    'step-permissions': permissions(o.permissions),
    'controller-health': plumbing(o.plumbing),
  };
  const checks = READINESS_CHECKS.map((check) => ({ check, ...verdicts[check] }));
  const failing = checks.filter((c) => !c.passed).map((c) => c.check);
  return { target, ready: failing.length === 0, failing, checks };
}

/**
 * The target's cluster must be a secondary of the global cluster, in sync: a managed failover or
 * switchover can only promote a member, and a member in `pending-resync` is not replicating.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalClusterMember.html
 */
function membership(target: Region, database: Observed<GlobalDatabaseView>): Verdict {
  if (!database.ok) return fail(`global cluster unreadable: ${database.error}`);
  const member = database.value.members.find((m) => m.region === target);
  if (!member) return fail(`${target}'s cluster is not a member of the global cluster; add it back as a secondary (CreateDBCluster with GlobalClusterIdentifier)`);
  if (member.isWriter) return fail(`${target}'s cluster ${member.clusterArn} is the writer while another region serves: reconcile the controller's active region with the database`);
  if (member.synchronizationStatus !== undefined && member.synchronizationStatus !== 'connected') {
    return fail(`${target}'s cluster ${member.clusterArn} is ${member.synchronizationStatus}, not connected: replication to it is not running`);
  }
  return pass(`${target}'s cluster ${member.clusterArn} is a secondary, ${member.synchronizationStatus ?? 'synchronization status not reported'}`);
}

/**
 * The target's replication lag must be known and within the RPO budget.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html (AuroraGlobalDBRPOLag)
 */
function lag(target: Region, observed: Observed<number | undefined> | undefined, budgetSeconds: number): Verdict {
  if (observed === undefined) return fail(`no replication lag was read for ${target}`);
  if (!observed.ok) return fail(`replication lag of ${target} unreadable: ${observed.error}`);
  if (observed.value === undefined) return fail(`no recent replication lag datapoint for ${target}: replication may be stopped, or the metric is not published`);
  const seconds = observed.value;
  if (seconds > budgetSeconds) return fail(`${target} lags ${seconds} s behind the writer, over the RPO budget of ${budgetSeconds} s`);
  return pass(`${target} lags ${seconds} s behind the writer (budget ${budgetSeconds} s)`);
}

/**
 * Managed switchover and failover need every member on the same engine version.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 */
function engineVersion(target: Region, database: Observed<GlobalDatabaseView>): Verdict {
  if (!database.ok) return fail(`global cluster unreadable: ${database.error}`);
  const member = database.value.members.find((m) => m.region === target);
  if (!member) return fail(`${target} has no member cluster to compare`);
  if (member.engineVersion === undefined) return fail(`the engine version of ${target}'s cluster could not be read`);
  const versions = new Map<string, string>();
  if (database.value.engineVersion !== undefined) versions.set('global cluster', database.value.engineVersion);
  for (const m of database.value.members) if (m.engineVersion !== undefined) versions.set(m.region, m.engineVersion);
  const differing = [...versions].filter(([, version]) => version !== member.engineVersion);
  if (differing.length > 0) {
    return fail(`${target} runs ${member.engineVersion} but ${differing.map(([who, v]) => `${who} runs ${v}`).join(', ')}: upgrade the members to one version`);
  }
  return pass(`every member runs ${member.engineVersion}`);
}

/** The prober's newest datapoint for the target must be recent and successful, and its alarm not in ALARM. */
function endpoint(target: Region, probe: Observed<ProbeView> | undefined, e: ReadinessExpectations, now: number): Verdict {
  if (!e.probedRegions.includes(target)) return pass(`${target} has no probe signal: its endpoint is not probed (add a probe signal to check it)`);
  if (probe === undefined) return fail(`no probe result was read for ${target}`);
  if (!probe.ok) return fail(`probe result of ${target} unreadable: ${probe.error}`);
  const { latest, alarmState } = probe.value;
  if (latest === undefined) return fail(`the prober published no result for ${target} in the last ${e.maxProbeAgeSeconds} s: check the prober function`);
  const ageSeconds = Math.max(0, Math.round((now - latest.at) / 1000));
  if (ageSeconds > e.maxProbeAgeSeconds) return fail(`the prober's newest result for ${target} is ${ageSeconds} s old (over ${e.maxProbeAgeSeconds} s): check the prober function`);
  if (!latest.success) return fail(`${target}'s regional endpoint did not answer the prober ${ageSeconds} s ago`);
  if (alarmState === 'ALARM') return fail(`${target}'s probe alarm is in ALARM`);
  return pass(`${target}'s regional endpoint answered the prober ${ageSeconds} s ago${alarmState ? `; probe alarm ${alarmState}` : ''}`);
}

/**
 * The weighted records must be as the traffic shift leaves them: the active region's record alone
 * with weight, the target's record present with weight 0 and the target's health check attached.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-weighted.html
 */
function weightedRecords(target: Region, e: ReadinessExpectations, records: Observed<readonly WeightedRecordView[]>): Verdict {
  if (!records.ok) return fail(`weighted records unreadable: ${records.error}`);
  const of = (region: Region) => records.value.find((r) => r.region === region);
  const problems: string[] = [];
  const targetRecord = of(target);
  const activeRecord = of(e.active);
  if (!targetRecord) problems.push(`no weighted record for ${target}`);
  else {
    if (targetRecord.weight !== 0) problems.push(`${target}'s record (${targetRecord.setIdentifier}) has weight ${targetRecord.weight}, expected 0 while ${e.active} serves`);
    const wanted = e.healthCheckIds[target];
    if (targetRecord.healthCheckId !== wanted) {
      problems.push(`${target}'s record carries health check ${targetRecord.healthCheckId ?? 'none'}, expected ${wanted ?? '(none configured)'}`);
    }
  }
  if (!activeRecord) problems.push(`no weighted record for the active region ${e.active}`);
  else if (activeRecord.weight <= 0) problems.push(`the active region ${e.active}'s record has weight 0`);
  const stray = records.value.filter((r) => r.region !== e.active && r.weight > 0 && r.region !== target);
  for (const r of stray) problems.push(`record ${r.setIdentifier}${r.region ? ` (${r.region})` : ''} has weight ${r.weight}, expected 0`);
  if (problems.length > 0) return fail(`${problems.join('; ')}: the records were edited outside the controller`);
  return pass(`${e.active}'s record has weight ${activeRecord!.weight}, ${target}'s has 0 with health check ${targetRecord!.healthCheckId}`);
}

/** The target's configured health check must exist. */
function healthCheck(target: Region, id: string | undefined, checks: Readonly<Record<string, Observed<boolean>>>): Verdict {
  if (id === undefined) return fail(`no health check id is configured for ${target}`);
  const found = checks[id];
  if (found === undefined) return fail(`health check ${id} of ${target} was not read`);
  if (!found.ok) return fail(`health check ${id} of ${target} unreadable: ${found.error}`);
  return found.value ? pass(`health check ${id} of ${target} exists`) : fail(`health check ${id} of ${target} does not exist: recreate it and update the configuration`);
}

/**
 * Every region's controller-owned parameters must name the active region. The region being left
 * may be unreadable (an outage): that is reported, not failed, since a failover writes it best effort.
 */
function parameters(target: Region, e: ReadinessExpectations, observed: Readonly<Record<Region, Observed<{ readonly activeRegion?: Region; readonly fenced?: boolean }>>>): Verdict {
  const problems: string[] = [];
  const notes: string[] = [];
  for (const region of e.regions) {
    const p = observed[region];
    if (p === undefined || !p.ok) {
      const why = p === undefined ? 'not read' : p.error;
      if (region === e.active) notes.push(`${region} unreadable (${why}), not needed for a failover`);
      else problems.push(`${region} unreadable (${why})`);
      continue;
    }
    if (p.value.activeRegion !== e.active) problems.push(`${region} says active-region ${p.value.activeRegion ?? 'not set'}, expected ${e.active}`);
    // The old region of the last failover stays fenced; a failover into it lifts the fence first
    // (the update-config step), so a fenced target is expected, never a reason to refuse.
    if (region === target && p.value.fenced === true) notes.push(`${target} is fenced (a failover into it lifts the fence)`);
  }
  if (problems.length > 0) return fail(problems.join('; '));
  return pass(`every readable region names ${e.active} as active${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`);
}

/**
 * The state machine must be ACTIVE and every step's function must exist and be Active.
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeStateMachine.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html
 */
function workflow(steps: readonly string[], observed: Observed<WorkflowView>): Verdict {
  if (!observed.ok) return fail(`workflow unreadable: ${observed.error}`);
  const problems: string[] = [];
  const { stateMachineStatus } = observed.value;
  if (stateMachineStatus === undefined) problems.push('the state machine does not exist');
  else if (stateMachineStatus !== 'ACTIVE') problems.push(`the state machine is ${stateMachineStatus}`);
  for (const step of steps) {
    const fn = observed.value.steps.find((s) => s.step === step);
    if (!fn || !fn.exists) problems.push(`the ${step} function does not exist`);
    else if (fn.state !== undefined && fn.state !== 'Active') problems.push(`the ${step} function is ${fn.state}`);
  }
  if (problems.length > 0) return fail(`${problems.join('; ')}: redeploy the controller stack`);
  return pass(`state machine ACTIVE, ${steps.length} step functions Active`);
}

/**
 * Each step's role must allow every action the step calls.
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
 */
function permissions(observed: Observed<readonly PermissionView[]>): Verdict {
  if (!observed.ok) return fail(`permissions could not be simulated: ${observed.error}`);
  const refused = observed.value.filter((p) => p.decision !== 'allowed');
  if (refused.length > 0) {
    const shown = refused.map((p) => `${p.step}: ${p.action} on ${p.resource} ${p.decision}${p.detail ? ` (${p.detail})` : ''}`);
    return fail(`${shown.join('; ')}: restore the step's policy (redeploy the controller stack)`);
  }
  if (observed.value.length === 0) return fail('no permission was simulated: the steps\' actions are unknown');
  return pass(`${observed.value.length} step actions allowed by the steps' roles`);
}

/**
 * The controller's queue and state table must exist, the table be usable and the dead-letter
 * queue empty (a message there is an event the controller failed to handle).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html (TableStatus)
 */
function plumbing(observed: Observed<ControllerPlumbingView>): Verdict {
  if (!observed.ok) return fail(`controller resources unreadable: ${observed.error}`);
  const { queue, deadLetterQueue, table } = observed.value;
  const problems: string[] = [];
  if (!queue.exists) problems.push(`queue ${queue.name} does not exist`);
  if (!deadLetterQueue.exists) problems.push(`dead-letter queue ${deadLetterQueue.name} does not exist`);
  else if ((deadLetterQueue.visibleMessages ?? 0) > 0) {
    problems.push(`dead-letter queue ${deadLetterQueue.name} holds ${deadLetterQueue.visibleMessages} message(s) the controller failed to handle: inspect and redrive them`);
  }
  if (!table.exists) problems.push(`state table ${table.name} does not exist`);
  else if (table.status !== 'ACTIVE' && table.status !== 'UPDATING') problems.push(`state table ${table.name} is ${table.status ?? 'in an unknown status'}`);
  if (problems.length > 0) return fail(problems.join('; '));
  return pass(`queue ${queue.name} exists, dead-letter queue empty, state table ${table.name} ${table.status}`);
}

/** The part of a report the engine keeps per target. */
export function readinessSummaries(report: ReadinessReport): ReadinessSummary[] {
  return report.targets.map((t) => ({ target: t.target, evaluatedAt: report.evaluatedAt, failing: t.failing, active: report.active }));
}

/**
 * The {@link GUARDING_CHECKS} the target's last readiness result failed, when that result is at
 * most `maxAgeSeconds` old at `now`; empty when it passed them, is older (an old result says
 * nothing about now, and readiness that stopped running must not block failovers for ever) or
 * there is none.
 */
export function guardingFailures(last: ReadinessSummary | undefined, now: number, maxAgeSeconds: number): ReadinessCheckName[] {
  if (last === undefined || !isFresh(last, now, maxAgeSeconds)) return [];
  return last.failing.filter((check) => GUARDING_CHECKS.includes(check));
}

/** Whether a result evaluated at `last.evaluatedAt` still describes `now`: at most `maxAgeSeconds` old. */
export function isFresh(last: ReadinessSummary, now: number, maxAgeSeconds: number): boolean {
  return now - last.evaluatedAt <= maxAgeSeconds * 1000;
}

/**
 * Why an automatic failover into `target` must be refused, or undefined when it may go: its last
 * readiness result failed a {@link GUARDING_CHECKS} check and is fresh (see {@link guardingFailures}).
 * A manual failover with `force` is never refused by readiness (the engine refuses one without
 * force the same way, asking for force).
 */
export function automaticFailoverRefusal(last: ReadinessSummary | undefined, now: number, maxAgeSeconds: number): string | undefined {
  const guarding = guardingFailures(last, now, maxAgeSeconds);
  if (last === undefined || guarding.length === 0) return undefined;
  return `${last.target} failed readiness at ${new Date(last.evaluatedAt).toISOString()} (${guarding.join(', ')}): automatic failover into it refused; a manual failover with force still works`;
}

/**
 * What a failback (a planned switchover back to the home region, RPO 0) needs from the home
 * region's last readiness result: a member of the global cluster, in sync (lag within the budget),
 * and every check that guards a failover.
 */
export const FAILBACK_CHECKS: readonly ReadinessCheckName[] = ['global-cluster-member', 'replication-lag', ...GUARDING_CHECKS.filter((c) => c !== 'global-cluster-member')];

/**
 * Why a failback into `home` must be refused, or undefined when it may go: it needs a readiness
 * result for `home` at most `maxAgeSeconds` old that passed every {@link FAILBACK_CHECKS} check.
 * Unlike the automatic guard, a missing or stale result refuses: a planned move waits for evidence.
 */
export function failbackRefusal(home: Region, last: ReadinessSummary | undefined, now: number, maxAgeSeconds: number): string | undefined {
  if (last === undefined) return `no readiness result for ${home} yet: failback needs one that shows it a member of the global cluster and in sync (readiness runs on a schedule; wait for the next)`;
  const when = new Date(last.evaluatedAt).toISOString();
  if (!isFresh(last, now, maxAgeSeconds)) {
    return `the last readiness result for ${home} (${when}) is older than ${maxAgeSeconds} s: failback needs a fresh one that shows it a member of the global cluster and in sync`;
  }
  const failing = last.failing.filter((check) => FAILBACK_CHECKS.includes(check));
  if (failing.length === 0) return undefined;
  const why = [
    ...(failing.includes('global-cluster-member') ? ['its cluster is not a connected secondary of the global cluster (add it back as a secondary)'] : []),
    ...(failing.includes('replication-lag') ? ['it is not in sync (replication lag over the budget or unknown)'] : []),
  ];
  return `${home} failed readiness at ${when} (${failing.join(', ')})${why.length > 0 ? `: ${why.join('; ')}` : ''}; failback waits until readiness passes`;
}
