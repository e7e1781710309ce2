import type { InMemoryAuroraDatabase } from '../adapters/database/in-memory-database.twin';
import { AwsReadinessWorld } from '../adapters/readiness/aws-readiness-world.adapter';
import { readinessClients } from '../adapters/readiness/readiness-clients';
import { InMemoryReadinessWorld } from '../adapters/readiness/in-memory-readiness-world.twin';
import type { Region } from '../domain/config';
import type { AlarmState } from '../domain/events';
import type { AlarmStates } from '../domain/ports/alarm-states.port';
import type { HealthStatus } from '../domain/ports/traffic.port';
import type { GlobalDatabaseView, Observed, ProbeView, ReadinessObservations, ReadinessWorld, WeightedRecordView } from '../domain/ports/readiness-world.port';
import { evaluateReadiness, type ReadinessReport } from '../domain/readiness';
import { READINESS_DETAIL_TYPE, READINESS_SOURCE } from '../edge/event.parser';
import { failbackPossible, probeAlarms, readinessExpectations, readinessNotices, readinessWorldOptions } from '../handlers/readiness/readiness-setup';
import { FAILOVER_STEPS } from '../handlers/steps/step-registry';
import type { DrillEnvironment, DrillWorld } from './environment';
import { motoCredentials } from './moto-server';
import type { DrillPlan, PlannedReadinessAlarm } from './plan';
import { readinessSettingsFile } from './readiness-settings';
import type { DrillClock } from './simulated-clock';

/**
 * Readiness in the drill's world: the production evaluation (`evaluateReadiness` with the
 * expectations and notices of handlers/readiness/readiness-setup.ts) over the world as moto serves
 * it — SSM parameters, Route 53 records and health checks, the SQS queues, the DynamoDB table, the
 * Step Functions state machine, read with the production `AwsReadinessWorld` — and, where moto
 * cannot, the twins: the Aurora twin for global-cluster membership, sync and lag (moto has no
 * global-cluster failover), the prober's view from the scenario (moto's CloudWatch holds no probe
 * metric), and `InMemoryReadinessWorld` for the step functions, their roles and IAM's policy
 * simulator (moto has no `SimulatePrincipalPolicy`, and the drill runs the steps in process). In
 * memory, the records and parameters come from the twins the controller writes.
 *
 * Each evaluation publishes its `DR Readiness` notices onto the controller bus, where the
 * synthesized `<prefix>-readiness-results` rule routes them to the controller queue, and sets the
 * `ReadinessFailed` metric of each target, judged against the synthesized readiness alarm.
 */

/** The standard-resolution period of the prober's metric: its newest datapoint is at most this old. */
const PROBE_PERIOD_MS = 10_000;

/**
 * Default engine version of the twin's members (the Aurora twin has none): the same on every
 * member, so `engine-version` passes unless a drift changes it.
 */
const ENGINE_VERSION = '8.0.mysql_aurora.3.08.0';

/** One evaluation, as the drill's checks read it. */
export interface ReadinessRun {
  /** Simulated time it ran. */
  readonly at: number;
  readonly report: ReadinessReport;
  /** `ReadinessFailed` of each target (1 failed, 0 passed) and the state of its synthesized alarm after it. */
  readonly alarms: Readonly<Record<Region, { readonly alarmName: string; readonly value: number; readonly state: AlarmState }>>;
  /** Whether the home region's result allows a failback (only while another region serves). */
  readonly failbackPossible?: boolean;
  /** `DR Readiness` events put on the controller bus. */
  readonly published: number;
}

export interface DrillReadinessOptions {
  readonly env: DrillEnvironment;
  readonly world: DrillWorld;
  readonly plan: DrillPlan;
  /** The Aurora twin the failover steps promote. */
  readonly database: InMemoryAuroraDatabase;
  readonly clock: DrillClock;
  /** What each region's endpoint answers the prober now (the scenario's health of the region). */
  readonly health: (region: Region) => HealthStatus;
  /** CloudWatch's alarm states (the probe alarms live in the controller region). */
  readonly alarmStates: AlarmStates;
}

/** The readiness function of the drill: {@link evaluate} runs one evaluation and publishes it. */
export class DrillReadiness implements ReadinessWorld {
  /** Step functions, their roles and IAM's policy simulator: remove a permission with {@link revokePermission}. */
  readonly twin: InMemoryReadinessWorld;
  readonly runs: ReadinessRun[] = [];
  private readonly aws?: AwsReadinessWorld;
  private readonly clients: { destroy(): void }[] = [];
  private readonly metricHistory = new Map<Region, number[]>();

  constructor(private readonly o: DrillReadinessOptions) {
    const { plan, world, env } = o;
    const { config } = plan.settings;
    const { resources } = world;
    const targets = readinessSettingsFile(plan, world).DR_READINESS;
    const cfg = (region: Region) => ({ endpoint: env.endpoint ?? 'http://127.0.0.1:1', region, credentials: motoCredentials, maxAttempts: 1 });
    const home = resources.controllerRegion;
    const clients = readinessClients(cfg, home, (client) => this.clients.push(client));
    const now = () => o.clock.now();
    this.twin = new InMemoryReadinessWorld({
      regions: config.regions,
      active: config.initialActive,
      requiredPermissions: readinessWorldOptions(config, resources, targets, clients, { simulate: async () => [] }).requiredPermissions,
      steps: FAILOVER_STEPS,
      probedRegions: Object.keys(probeAlarms(config)),
      healthCheckIds: resources.traffic.healthCheckIds,
      engineVersion: ENGINE_VERSION,
      now,
    });
    if (env.endpoint !== undefined) this.aws = new AwsReadinessWorld(readinessWorldOptions(config, resources, targets, clients, this.twin.permissionSimulator, now));
  }

  /** Seconds between evaluations: the synthesized schedule's rate. */
  get intervalSeconds(): number {
    const { readiness, names } = this.o.plan;
    if (!readiness) throw new Error(`the synthesized controller stack has no readiness schedule (${names.readinessFunctionName}, rate(N minutes))`);
    return readiness.intervalSeconds;
  }

  /** Everything one evaluation reads: moto (or the twins in memory) and, for what moto cannot serve, the twins. */
  async observe(): Promise<ReadinessObservations> {
    const { config } = this.o.plan.settings;
    const twin = await this.twin.observe();
    const base = this.aws ? await this.aws.observe() : { ...twin, records: await this.records(), parameters: await this.parameters() };
    const lagSeconds = Object.fromEntries(
      await Promise.all(config.regions.map(async (r) => [r, await observed(() => this.o.database.replicationLagSeconds(r))] as const)),
    );
    return {
      ...base,
      observedAt: this.o.clock.now(),
      database: await observed(() => this.database()),
      lagSeconds,
      probes: Object.fromEntries(await Promise.all(Object.entries(probeAlarms(config)).map(async ([region, alarm]) => [region, await this.probe(region, alarm)] as const))),
      // The state machine as moto has it; the step functions and their roles: the twin's.
      workflow: base.workflow.ok && twin.workflow.ok ? { ok: true, value: { ...base.workflow.value, steps: twin.workflow.value.steps } } : base.workflow,
      permissions: twin.permissions,
    };
  }

  /**
   * One evaluation, as the scheduled readiness function runs it: the active region from the state
   * table, every check for every other region, a `DR Readiness` notice per target on the
   * controller bus (`Time` = the simulated clock), and each target's `ReadinessFailed` judged by
   * its synthesized alarm.
   *
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation
   */
  async evaluate(): Promise<ReadinessRun> {
    const { plan, world, env, clock } = this.o;
    const { config } = plan.settings;
    const stored = await world.stateStore.load(config.app);
    const active = stored?.state.active ?? config.initialActive;
    const report = evaluateReadiness(await this.observe(), readinessExpectations(config, world.resources, active));
    const at = clock.now();
    const notices = readinessNotices(config.app, report, config.initialActive);
    await env.putEvents(
      plan.controllerRegion,
      notices.map((n) => ({ EventBusName: world.resources.controllerBusName, Source: READINESS_SOURCE, DetailType: READINESS_DETAIL_TYPE, Detail: JSON.stringify(n.detail), Time: new Date(at), Resources: [] })),
    );
    const alarms: Record<Region, ReadinessRun['alarms'][Region]> = {};
    for (const t of report.targets) {
      const value = t.ready ? 0 : 1;
      const history = [...(this.metricHistory.get(t.target) ?? []), value];
      this.metricHistory.set(t.target, history);
      const alarm = plan.readiness?.alarms[t.target];
      if (alarm) alarms[t.target] = { alarmName: alarm.alarmName, value, state: alarmState(alarm, history) };
    }
    const possible = failbackPossible(report, config.initialActive);
    const run: ReadinessRun = { at, report, alarms, published: notices.length, ...(possible !== undefined ? { failbackPossible: possible } : {}) };
    this.runs.push(run);
    return run;
  }

  /** Someone removes `action` from the role of `step`'s function (IAM's policy simulator twin). */
  revokePermission(step: string, action: string): void {
    const role = this.twin.roleOf(step);
    if (role === undefined) throw new Error(`no function of step ${step} in the readiness twin`);
    this.twin.permissionSimulator.revoke(role, action);
  }

  /**
   * The old primary's cluster after a managed failover, once its region recovers: Aurora adds it
   * back to the global cluster as a secondary, `pending-resync` (no replication lag reported)
   * until it has caught up with the new writer, then `connected` with a lag of `lagSeconds`.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalClusterMember.html
   */
  rejoin(region: Region, status: 'pending-resync' | 'connected', lagSeconds = 1): void {
    this.o.database.setSynchronizationStatus(region, status);
    this.o.database.setReplicationLag(region, status === 'connected' ? lagSeconds : undefined);
  }

  close(): void {
    for (const client of this.clients.splice(0)) client.destroy();
  }

  /** The Aurora twin's global cluster, every member on {@link ENGINE_VERSION}. */
  private async database(): Promise<GlobalDatabaseView> {
    const status = await this.o.database.status();
    return {
      engineVersion: ENGINE_VERSION,
      members: status.members.map((m) => ({
        region: m.region,
        clusterArn: m.clusterArn,
        isWriter: m.isWriter,
        ...(m.synchronizationStatus !== undefined ? { synchronizationStatus: m.synchronizationStatus } : {}),
        engineVersion: ENGINE_VERSION,
      })),
    };
  }

  /** The prober's newest datapoint for `region` (one period old) and its alarm's state. */
  private async probe(region: Region, alarmName: string): Promise<Observed<ProbeView>> {
    const { clock, plan, alarmStates, health } = this.o;
    const state = await alarmStates.read(plan.controllerRegion, [alarmName]).then(
      (readings) => readings.find((r) => r.alarmName === alarmName)?.state,
      () => undefined,
    );
    return { ok: true, value: { latest: { success: health(region) !== 'unhealthy', at: clock.now() - PROBE_PERIOD_MS }, ...(state !== undefined ? { alarmState: state } : {}) } };
  }

  /** In memory: the weighted records the traffic twin holds. */
  private async records(): Promise<Observed<readonly WeightedRecordView[]>> {
    const { traffic } = this.o.world.resources;
    return observed(async () =>
      Object.entries(await this.o.env.weights()).map(([region, weight]) => ({
        region,
        setIdentifier: traffic.setIdentifiers[region] ?? region,
        weight,
        ...(traffic.healthCheckIds[region] !== undefined ? { healthCheckId: traffic.healthCheckIds[region] } : {}),
      })),
    );
  }

  /** In memory: the parameters the config-store twin holds. */
  private async parameters(): Promise<ReadinessObservations['parameters']> {
    const { config } = this.o.plan.settings;
    return Object.fromEntries(await Promise.all(config.regions.map(async (r) => [r, await observed(() => this.o.world.configStore.read(r))] as const)));
  }
}

async function observed<T>(read: () => Promise<T>): Promise<Observed<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** The alarm's state after the datapoints so far: ALARM when its last `evaluationPeriods` all breach (missing data ignored). */
function alarmState(alarm: PlannedReadinessAlarm, history: readonly number[]): AlarmState {
  if (history.length < alarm.evaluationPeriods) return 'INSUFFICIENT_DATA';
  const breaching = (v: number) =>
    alarm.comparison === 'GreaterThanOrEqualToThreshold' ? v >= alarm.threshold : alarm.comparison === 'GreaterThanThreshold' ? v > alarm.threshold : alarm.comparison === 'LessThanThreshold' ? v < alarm.threshold : v <= alarm.threshold;
  return history.slice(-alarm.evaluationPeriods).every(breaching) ? 'ALARM' : 'OK';
}

/** One line for the timeline: each target's verdict, metric and alarm, and whether failback is possible. */
export function readinessNote(run: ReadinessRun): string {
  const targets = run.report.targets.map((t) => {
    const alarm = run.alarms[t.target];
    const verdict = t.ready ? 'ready' : `NOT READY (${t.failing.map((c) => `${c}: ${t.checks.find((x) => x.check === c)?.detail ?? ''}`).join('; ')})`;
    return `${t.target} ${verdict}${alarm ? `; ReadinessFailed ${alarm.value}, alarm ${alarm.alarmName} ${alarm.state}` : ''}`;
  });
  const failback = run.failbackPossible === undefined ? '' : `; failback ${run.failbackPossible ? 'possible' : 'not possible yet'}`;
  return `readiness (${run.report.active} serving): ${targets.join(' | ') || 'no target'}${failback}; ${run.published} DR Readiness event(s) on the controller bus`;
}
