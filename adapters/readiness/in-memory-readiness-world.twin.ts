import type { Region } from '../../domain/config';
import type { AlarmState } from '../../domain/events';
import type { AppParameters } from '../../domain/ports/config-store.port';
import type {
  DatabaseMemberView,
  Observed,
  PermissionView,
  ProbeView,
  ReadinessObservations,
  ReadinessWorld,
  WeightedRecordView,
} from '../../domain/ports/readiness-world.port';
import { InMemoryPermissionSimulator } from './in-memory-permission-simulator.twin';
import type { RequiredPermission } from './permission-simulator';

/** How the twin's world starts: everything a failover needs, in place and healthy. */
export interface InMemoryReadinessWorldOptions {
  readonly regions: readonly Region[];
  /** The writer and serving region. */
  readonly active: Region;
  readonly requiredPermissions: readonly RequiredPermission[];
  readonly steps: readonly string[];
  /** @default - every region */
  readonly probedRegions?: readonly Region[];
  /** @default 'us-east-1.' + region: the health check id of each region */
  readonly healthCheckIds?: Readonly<Record<Region, string>>;
  /** @default '8.0.mysql_aurora.3.08.0' */
  readonly engineVersion?: string;
  /** @default () => 0 */
  readonly now?: () => number;
}

const ACCOUNT = '123456789012';

/**
 * The in-memory twin of {@link ReadinessWorld}: a small model of what readiness reads (the global
 * database's members, lag and engine versions, the prober's results, the weighted records and
 * health checks, the parameters per region, the state machine and step functions with their roles,
 * the roles' permissions through {@link InMemoryPermissionSimulator}, the controller's queues and
 * table), set up healthy and changed by the drill and the tests one drift at a time. A region made
 * unreachable answers nothing that lives in it, as a dark region's control plane would.
 *
 * It stands in for IAM's policy simulator wherever moto is the backend: moto has no
 * `SimulatePrincipalPolicy`.
 */
export class InMemoryReadinessWorld implements ReadinessWorld {
  readonly permissionSimulator = new InMemoryPermissionSimulator();
  private readonly regions: readonly Region[];
  private readonly now: () => number;
  private readonly requiredPermissions: readonly RequiredPermission[];
  private readonly unreachableRegions = new Set<Region>();
  private globalEngineVersion: string;
  private members: DatabaseMemberView[];
  private lag = new Map<Region, number | undefined>();
  private probes = new Map<Region, ProbeView>();
  private records: WeightedRecordView[];
  private healthChecks = new Set<string>();
  private readonly healthCheckIds: Readonly<Record<Region, string>>;
  private parameters = new Map<Region, AppParameters>();
  private stateMachineStatus: string | undefined = 'ACTIVE';
  private functions = new Map<string, { state: string; roleArn: string }>();
  private deadLetterMessages = 0;
  private tableStatus: string | undefined = 'ACTIVE';

  constructor(options: InMemoryReadinessWorldOptions) {
    this.regions = options.regions;
    this.now = options.now ?? (() => 0);
    this.requiredPermissions = options.requiredPermissions;
    this.globalEngineVersion = options.engineVersion ?? '8.0.mysql_aurora.3.08.0';
    this.healthCheckIds = options.healthCheckIds ?? Object.fromEntries(options.regions.map((r) => [r, `hc-${r}`]));
    this.members = options.regions.map((region) => ({
      region,
      clusterArn: `arn:aws:rds:${region}:${ACCOUNT}:cluster:app-${region}`,
      isWriter: region === options.active,
      ...(region === options.active ? {} : { synchronizationStatus: 'connected' }),
      engineVersion: this.globalEngineVersion,
    }));
    for (const region of options.regions) {
      if (region !== options.active) this.lag.set(region, 1);
      this.parameters.set(region, { activeRegion: options.active, fenced: false });
      this.healthChecks.add(this.healthCheckIds[region]!);
    }
    for (const region of options.probedRegions ?? options.regions) this.probes.set(region, { latest: { success: true, at: this.now() }, alarmState: 'OK' });
    this.records = options.regions.map((region) => ({ region, setIdentifier: region, weight: region === options.active ? 100 : 0, healthCheckId: this.healthCheckIds[region]! }));
    for (const step of options.steps) {
      const roleArn = `arn:aws:iam::${ACCOUNT}:role/app-${step}-role`;
      this.functions.set(step, { state: 'Active', roleArn });
      for (const p of options.requiredPermissions.filter((r) => r.step === step)) this.permissionSimulator.allow(roleArn, p.actions, p.resources);
    }
  }

  // --- The world changes (what an operator's hand, an outage or a deploy does) ---

  /** Every call into `region` fails, as in a regional outage. */
  makeUnreachable(region: Region): void {
    this.unreachableRegions.add(region);
  }

  makeReachable(region: Region): void {
    this.unreachableRegions.delete(region);
  }

  /** Update one member: detach it (`undefined`), change its sync status, engine version or writer flag. */
  setMember(region: Region, change: Partial<Omit<DatabaseMemberView, 'region' | 'clusterArn'>> | undefined): void {
    if (change === undefined) this.members = this.members.filter((m) => m.region !== region);
    else this.members = this.members.map((m) => (m.region === region ? { ...m, ...change } : m));
  }

  setGlobalEngineVersion(version: string): void {
    this.globalEngineVersion = version;
  }

  setLag(region: Region, seconds: number | undefined): void {
    this.lag.set(region, seconds);
  }

  setProbe(region: Region, latest: { success: boolean; at: number } | undefined, alarmState?: AlarmState): void {
    this.probes.set(region, { ...(latest ? { latest } : {}), ...(alarmState ? { alarmState } : {}) });
  }

  /** Edit a region's weighted record by hand; `undefined` deletes it. */
  setRecord(region: Region, change: Partial<Omit<WeightedRecordView, 'region'>> | undefined): void {
    if (change === undefined) this.records = this.records.filter((r) => r.region !== region);
    else this.records = this.records.map((r) => (r.region === region ? { ...r, ...change } : r));
  }

  deleteHealthCheck(id: string): void {
    this.healthChecks.delete(id);
  }

  setParameters(region: Region, params: AppParameters): void {
    this.parameters.set(region, params);
  }

  setStateMachineStatus(status: string | undefined): void {
    this.stateMachineStatus = status;
  }

  /** Change a step function's state; `undefined` deletes it. */
  setFunction(step: string, state: string | undefined): void {
    const fn = this.functions.get(step);
    if (state === undefined) this.functions.delete(step);
    else if (fn) this.functions.set(step, { ...fn, state });
  }

  /** The role a step's function runs with, to revoke or deny one of its permissions. */
  roleOf(step: string): string | undefined {
    return this.functions.get(step)?.roleArn;
  }

  setDeadLetterMessages(count: number): void {
    this.deadLetterMessages = count;
  }

  setTableStatus(status: string | undefined): void {
    this.tableStatus = status;
  }

  // --- What readiness reads ---

  async observe(): Promise<ReadinessObservations> {
    const observedAt = this.now();
    const down = (region: Region): Observed<never> => ({ ok: false, error: `${region} is unreachable` });
    const inRegion = <T>(region: Region, value: () => T): Observed<T> => (this.unreachableRegions.has(region) ? down(region) : { ok: true, value: value() });
    const reachable = this.regions.find((r) => !this.unreachableRegions.has(r));
    const permissions: PermissionView[] = [];
    for (const required of this.requiredPermissions) {
      const roleArn = this.functions.get(required.step)?.roleArn;
      if (roleArn === undefined) {
        for (const action of required.actions) for (const resource of required.resources) permissions.push({ step: required.step, action, resource, decision: 'not-simulated', detail: `the ${required.step} function or its role was not found` });
        continue;
      }
      for (const s of await this.permissionSimulator.simulate(roleArn, required.actions, required.resources)) permissions.push({ step: required.step, ...s });
    }
    return {
      observedAt,
      database:
        reachable === undefined
          ? down(this.regions.join(', '))
          : {
              ok: true,
              value: {
                engineVersion: this.globalEngineVersion,
                members: this.members.map(({ engineVersion, ...m }) => ({ ...m, ...(this.unreachableRegions.has(m.region) || engineVersion === undefined ? {} : { engineVersion }) })),
              },
            },
      lagSeconds: Object.fromEntries(this.regions.map((r) => [r, inRegion(r, () => this.lag.get(r))])),
      probes: Object.fromEntries([...this.probes].map(([r, p]) => [r, { ok: true, value: p }])),
      records: { ok: true, value: this.records },
      healthChecks: Object.fromEntries(Object.values(this.healthCheckIds).map((id) => [id, { ok: true, value: this.healthChecks.has(id) }])),
      parameters: Object.fromEntries(this.regions.map((r) => [r, inRegion(r, () => this.parameters.get(r) ?? {})])),
      workflow: {
        ok: true,
        value: {
          ...(this.stateMachineStatus !== undefined ? { stateMachineStatus: this.stateMachineStatus } : {}),
          steps: [...this.functions].map(([step, fn]) => ({ step, exists: true, state: fn.state, roleArn: fn.roleArn })),
        },
      },
      permissions: { ok: true, value: permissions },
      plumbing: {
        ok: true,
        value: {
          queue: { name: 'app-controller.fifo', exists: true, visibleMessages: 0 },
          deadLetterQueue: { name: 'app-controller-dlq.fifo', exists: true, visibleMessages: this.deadLetterMessages },
          table: { name: 'app-controller-state', exists: this.tableStatus !== undefined, ...(this.tableStatus !== undefined ? { status: this.tableStatus } : {}) },
        },
      },
    };
  }
}
