import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { InMemoryAuroraDatabase, type IssuedPromotion } from '../../adapters/database/in-memory-database.twin';
import type { ControllerConfig, Region, SignalConfig, SignalKind } from '../../domain/config';
import type { Decision } from '../../domain/decision';
import type { AlarmState } from '../../domain/events';
import type { AppParameters } from '../../domain/ports/config-store.port';
import type { StoredState } from '../../domain/ports/state-store.port';
import type { HealthStatus, ShiftResult, Traffic } from '../../domain/ports/traffic.port';
import type { FailoverStep } from '../../handlers/steps/step-names';
import { HEALTH_CHECK_ALARM_REGION } from '../../infra/controller/controller-stacks';
import { overrideEvent, type OverrideRequest } from '../override.command';
import { alarmStateChange, putEventsEntry, scheduledTick } from './aws-events';
import { ControllerLoop } from './controller-loop';
import type { DrillEnvironment, DrillWorld } from './environment';
import { localController } from './local-controller';
import { MODELLED_PROMOTION_SECONDS, MODELLED_STEP_SECONDS, waitSecondsBefore, type LocalWorkflow } from './local-workflow';
import { RECORD_TTL_SECONDS } from './provision';
import { SimulatedClock } from './simulated-clock';
import type { Check, RtoBreakdown, ScenarioResult, TimelineEntry } from './timeline';

/** How the world stands when a scenario starts. */
export interface ScenarioSetup {
  /** Replication lag of each standby's Aurora replica, in seconds (the twin reports it). */
  readonly lagSeconds: Readonly<Record<Region, number>>;
}

/** What a scenario's script can do: move simulated time, publish events, act as an operator. */
export interface ScenarioScript {
  readonly config: ControllerConfig;
  /** The home region (`initialActive`) and the first other region. */
  readonly primary: Region;
  readonly standby: Region;
  /** The `n`-th critical signal of `kind` that judges `region`. */
  signal(region: Region, kind: SignalKind, n?: number): SignalConfig;
  /** Move to `seconds` after the scenario start (or stay, if the clock is past it), with a scheduled tick at every whole minute on the way. */
  at(seconds: number): Promise<void>;
  /** Move `seconds` on from now, with ticks as {@link at}. */
  after(seconds: number): Promise<void>;
  /** CloudWatch changes the alarm's state: a real-format event on the default bus of the region the alarm lives in. */
  alarm(signal: SignalConfig, state: AlarmState): Promise<void>;
  /** The same alarm state change (same timestamp) delivered again, as at-least-once delivery may. */
  redeliver(signal: SignalConfig, state: AlarmState, atSeconds: number): Promise<void>;
  /** An operator's override, published with drctl's code (or the plain AWS CLI) to the controller bus. */
  override(request: ScriptedOverride, via?: 'drctl' | 'aws-cli'): Promise<void>;
  /** What the region's health checkers report from now on. */
  setHealth(region: Region, health: HealthStatus): void;
  /** Whether the region's database cluster can be reached (a switchover away from it needs it). */
  setDatabaseReachable(region: Region, reachable: boolean): void;
  /** The next failover run waits before `step` until it is stopped. */
  pauseBefore(step: FailoverStep): void;
  note(text: string): void;
  /** Record a check of the world in the middle of the scenario. */
  check(name: string, passed: boolean, detail: string): void;
  /** The world as the checks see it, now. */
  view(): Promise<WorldView>;
}

export interface ScriptedOverride {
  readonly action: string;
  readonly reason: string;
  readonly operator: string;
  readonly target?: Region;
  readonly allowDataLoss?: boolean;
  readonly force?: boolean;
}

/** The world read back for checks: from moto (or the twins), never from the drill's own bookkeeping. */
export interface WorldView {
  /** Every decision the controller made, in order. */
  readonly decisions: readonly Decision[];
  /** The state item, read with the production state store adapter. */
  readonly stored?: StoredState;
  /** Decision records in the audit log. */
  readonly auditLog: number;
  readonly weights: Readonly<Record<Region, number>>;
  /** Each region's published parameters, read with the production config-store adapter. */
  readonly parameters: Readonly<Record<Region, AppParameters>>;
  /** Writer of the Aurora twin. */
  readonly writer?: Region;
  readonly promotions: readonly IssuedPromotion[];
  /** Steps the failover runs called, in order. */
  readonly steps: readonly string[];
  readonly deadLetters: number;
  readonly failedRecords: number;
  /** Requests published through the AWS CLI, by request id. */
  readonly viaAwsCli: readonly string[];
  executionStatus(executionName: string): Promise<string | undefined>;
}

/** One drill scenario: a script of events and overrides, and the checks of the world it must leave. */
export interface Scenario {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly setup: (config: ControllerConfig) => ScenarioSetup;
  readonly script: (s: ScenarioScript) => Promise<void>;
  readonly checks: (view: WorldView, s: ScenarioScript) => Promise<Check[]>;
  /** Whether the scenario ends with an automatic failover whose RTO the report breaks down. */
  readonly measuresRto?: boolean;
}

/** Publishes PutEvents entries with the plain AWS CLI; undefined when it cannot (then drctl publishes, with a note). */
export type AwsCliPublisher = (region: Region, entries: readonly object[]) => Promise<{ readonly ok: true } | { readonly ok: false; readonly why: string }>;

export interface RunScenarioOptions {
  readonly env: DrillEnvironment;
  readonly scenario: Scenario;
  /** Simulated start, epoch ms on a whole minute (ticks fall on whole minutes after it). */
  readonly startAt: number;
  readonly awsCli?: AwsCliPublisher;
}

/**
 * {@link Traffic} whose health comes from the scenario: moto's GetHealthCheckStatus always reports
 * Success, so the health checkers' view of a failed region is modelled here. Shifting and reading
 * weights go to the real adapter.
 */
export class ScenarioTraffic implements Traffic {
  constructor(
    private readonly inner: Traffic,
    private readonly health: Map<Region, HealthStatus>,
  ) {}

  shiftTo(region: Region): Promise<ShiftResult> {
    return this.inner.shiftTo(region);
  }

  activeRegion(): Promise<Region | undefined> {
    return this.inner.activeRegion();
  }

  async healthOf(region: Region): Promise<HealthStatus> {
    return this.health.get(region) ?? 'unknown';
  }
}

const MINUTE_MS = 60_000;

/** Run one scenario on a freshly provisioned world and check what it left behind. */
export async function runScenario(options: RunScenarioOptions): Promise<ScenarioResult> {
  const { env, scenario, startAt } = options;
  const wallStart = performance.now();
  const world = await env.provision();
  const { plan } = env;
  const { config } = plan.settings;
  const clock = new SimulatedClock(startAt);
  const entries: TimelineEntry[] = [];
  const decisions: Decision[] = [];
  const midChecks: Check[] = [];
  const viaAwsCli: string[] = [];
  const note = (text: string) => entries.push({ kind: 'note', at: clock.now(), text });

  const setup = scenario.setup(config);
  const pollSeconds = waitSecondsBefore(plan.workflow, 'check-writer');
  const database = new InMemoryAuroraDatabase({
    clusterArns: world.resources.database.clusterArns,
    writer: config.initialActive,
    promotionPolls: pollSeconds > 0 ? Math.ceil(MODELLED_PROMOTION_SECONDS / pollSeconds) : 0,
  });
  for (const [region, lag] of Object.entries(setup.lagSeconds)) database.setReplicationLag(region, lag);
  const health = new Map<Region, HealthStatus>(config.regions.map((r) => [r, 'healthy']));
  const traffic = new ScenarioTraffic(world.traffic, health);

  const { workflow, deps } = localController({
    env,
    plan,
    world,
    database,
    traffic,
    clock,
    stepSeconds: (step) => MODELLED_STEP_SECONDS[step],
    log: { info: () => undefined, warn: (message, extra) => note(`decide handler: ${message} ${JSON.stringify(extra ?? {})}`), error: (message, extra) => note(`decide handler: ${message} ${JSON.stringify(extra ?? {})}`) },
    observe: (decision) => {
      decisions.push(decision);
      entries.push({
        kind: 'decision',
        at: decision.at,
        action: decision.action,
        reason: decision.reason,
        active: decision.active,
        phase: decision.phase,
        ...('target' in decision ? { target: decision.target } : {}),
        ...('generation' in decision ? { generation: decision.generation } : {}),
        ...('dryRun' in decision ? { dryRun: decision.dryRun } : {}),
      });
    },
  });
  const loop = new ControllerLoop(env, world.queueArn, deps);

  /** Drain the queue and run started failovers until nothing is left to do (a paused run waits). */
  const settle = async () => {
    for (;;) {
      const processed = await loop.drain();
      const ran = await workflow.runPending();
      if (processed === 0 && !ran) return;
    }
  };
  const tick = async () => {
    await env.enqueue(scheduledTick({ at: clock.now(), region: plan.controllerRegion, account: plan.account, ruleArn: plan.tickRuleArn }));
    await settle();
  };
  const moveTo = async (target: number) => {
    let boundary = startAt + (Math.floor((clock.now() - startAt) / MINUTE_MS) + 1) * MINUTE_MS;
    for (; boundary <= target; boundary += MINUTE_MS) {
      clock.advanceTo(boundary);
      await tick();
    }
    if (target > clock.now()) clock.advanceTo(target);
  };
  const published: { readonly signal: SignalConfig; readonly state: AlarmState; readonly previousState: AlarmState; readonly at: number }[] = [];
  const publishAlarm = async (change: (typeof published)[number]) => {
    const { signal, state, previousState, at } = change;
    // Route 53 health-check metrics, and so their alarms, exist only in us-east-1.
    const region = signal.kind === 'health-check' ? HEALTH_CHECK_ALARM_REGION : signal.region;
    const event = alarmStateChange({ alarmName: signal.alarmName, state, previousState, at, region, account: plan.account });
    await env.putEvents(region, [putEventsEntry(event)]);
    await settle();
  };
  let requests = 0;

  const script: ScenarioScript = {
    config,
    primary: config.initialActive,
    standby: config.regions.find((r) => r !== config.initialActive) ?? config.initialActive,
    signal(region, kind, n = 0) {
      const found = config.signals.filter((s) => s.region === region && s.kind === kind && s.critical)[n];
      if (!found) throw new Error(`scenario ${scenario.name}: the configuration has no critical ${kind} signal #${n} for ${region}`);
      return found;
    },
    at: (seconds) => moveTo(startAt + seconds * 1000),
    after: (seconds) => moveTo(clock.now() + seconds * 1000),
    async alarm(signal, state) {
      const previous = [...published].reverse().find((p) => p.signal.alarmName === signal.alarmName);
      const change = { signal, state, previousState: previous?.state ?? (state === 'OK' ? 'INSUFFICIENT_DATA' : 'OK'), at: clock.now() } as const;
      published.push(change);
      entries.push({ kind: 'signal', at: change.at, alarmName: signal.alarmName, region: signal.region, signalKind: signal.kind, state });
      await publishAlarm(change);
    },
    async redeliver(signal, state, atSeconds) {
      const original = published.find((p) => p.signal.alarmName === signal.alarmName && p.state === state && p.at === startAt + atSeconds * 1000);
      if (!original) throw new Error(`scenario ${scenario.name}: no ${signal.alarmName} → ${state} was published at +${atSeconds} s to deliver again`);
      note(`EventBridge delivers ${signal.alarmName} → ${state} of +${atSeconds} s again (at-least-once delivery)`);
      await publishAlarm(original);
    },
    async override(o, via = 'drctl') {
      const request: OverrideRequest = {
        action: o.action,
        reason: o.reason,
        operator: o.operator,
        requestId: `${scenario.name}-${++requests}-${o.action}`,
        ...(o.target !== undefined ? { target: o.target } : {}),
        ...(o.allowDataLoss ? { allowDataLoss: true } : {}),
        ...(o.force ? { force: true } : {}),
      };
      const event = overrideEvent(request, world.resources.controllerBusName, clock.now());
      let used: 'drctl' | 'aws-cli' = 'drctl';
      if (via === 'aws-cli') {
        const sent = options.awsCli ? await options.awsCli(plan.controllerRegion, [event.entry]) : { ok: false as const, why: 'the in-memory drill has no endpoint for the AWS CLI' };
        if (sent.ok) {
          used = 'aws-cli';
          viaAwsCli.push(request.requestId);
        } else note(`not published with the AWS CLI (${sent.why}); published with drctl instead`);
      }
      if (used === 'drctl') await env.publishOverride(event);
      entries.push({ kind: 'override', at: clock.now(), action: o.action, operator: o.operator, reason: o.reason, via: used });
      await settle();
    },
    setHealth(region, status) {
      health.set(region, status);
    },
    setDatabaseReachable(region, reachable) {
      database.setReachable(region, reachable);
    },
    pauseBefore: (step) => workflow.pauseBefore(step),
    note,
    check(name, passed, detail) {
      midChecks.push({ name, passed, detail });
    },
    view: () => readWorld(env, world, config, database, decisions, workflow, loop, viaAwsCli),
  };

  let failure: Error | undefined;
  try {
    await scenario.script(script);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
  } finally {
    await workflow.shutdown();
  }
  const view = await readWorld(env, world, config, database, decisions, workflow, loop, viaAwsCli);
  const checks: Check[] = [
    ...(failure ? [{ name: 'the scenario ran to its end', passed: false, detail: `${failure.name}: ${failure.message}` }] : []),
    ...midChecks,
    ...(failure ? [] : await scenario.checks(view, script)),
    ...commonChecks(view),
  ];
  for (const record of workflow.stepLog) {
    entries.push({
      kind: 'step',
      at: record.at,
      endAt: record.endAt,
      step: record.step,
      status: record.status,
      retries: record.retries,
      realMs: record.realMs,
      ...(record.detail !== undefined ? { detail: record.detail } : {}),
    });
  }
  entries.sort((a, b) => a.at - b.at);
  const rto = scenario.measuresRto ? rtoOf(config, entries, decisions, loop.decideMs + workflow.stepLog.reduce((sum, r) => sum + r.realMs, 0)) : undefined;
  return {
    scenario: scenario.name,
    title: scenario.title,
    description: scenario.description,
    startedAt: startAt,
    endedAt: Math.max(clock.now(), ...entries.map((e) => (e.kind === 'step' ? e.endAt : e.at))),
    entries,
    checks,
    passed: checks.every((c) => c.passed),
    ...(rto ? { rto } : {}),
    wallSeconds: (performance.now() - wallStart) / 1000,
  };
}

async function readWorld(
  env: DrillEnvironment,
  world: DrillWorld,
  config: ControllerConfig,
  database: InMemoryAuroraDatabase,
  decisions: readonly Decision[],
  workflow: LocalWorkflow,
  loop: ControllerLoop,
  viaAwsCli: readonly string[],
): Promise<WorldView> {
  const [stored, audit, weights, parameters, status, deadLetters] = await Promise.all([
    world.stateStore.load(config.app),
    world.stateStore.recentDecisions(config.app, 1000),
    env.weights(),
    Promise.all(config.regions.map(async (region) => [region, await world.configStore.read(region)] as const)),
    // Read when no run is between promote and check-writer: the twin counts status polls.
    database.status(),
    env.deadLetterCount(),
  ]);
  return {
    decisions: [...decisions],
    ...(stored ? { stored } : {}),
    auditLog: audit.length,
    weights,
    parameters: Object.fromEntries(parameters),
    ...(status.writerRegion !== undefined ? { writer: status.writerRegion } : {}),
    promotions: database.promotions,
    steps: workflow.stepLog.map((r) => r.step),
    deadLetters,
    failedRecords: loop.failedRecords.length,
    viaAwsCli: [...viaAwsCli],
    executionStatus: (name) => env.executionStatus(name),
  };
}

/** Checks every scenario must pass: nothing lost, nothing left over. */
function commonChecks(view: WorldView): Check[] {
  return [
    {
      name: 'every event decided, none failed',
      passed: view.failedRecords === 0,
      detail: view.failedRecords === 0 ? `${view.decisions.length} decisions, no batch item failures` : `${view.failedRecords} record(s) failed in the decide handler`,
    },
    { name: 'dead-letter queue empty', passed: view.deadLetters === 0, detail: `${view.deadLetters} message(s) in the controller's dead-letter queue` },
    {
      name: 'every decision in the audit log',
      passed: view.auditLog === view.decisions.length,
      detail: `${view.auditLog} decision records in the state table for ${view.decisions.length} decisions`,
    },
  ];
}

/**
 * The modelled RTO of the scenario's automatic failover: first ALARM of the failed region → its
 * quorum of signals (detection) → failover started (sustain) → workflow SUCCEEDED (workflow) →
 * clients' cached answers expire (DNS TTL).
 */
function rtoOf(config: ControllerConfig, entries: readonly TimelineEntry[], decisions: readonly Decision[], overheadMs: number): RtoBreakdown | undefined {
  const start = decisions.find((d) => d.action === 'start-failover' && !d.dryRun && d.request.mode === 'auto');
  if (!start || start.action !== 'start-failover') return undefined;
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
  if (firstAlarmAt === undefined || quorumAt === undefined) return undefined;
  const detectionSeconds = Math.round((quorumAt - firstAlarmAt) / 1000);
  const sustainSeconds = Math.round((start.at - quorumAt) / 1000);
  const workflowSeconds = Math.round((done.at - start.at) / 1000);
  return {
    detectionSeconds,
    sustainSeconds,
    workflowSeconds,
    dnsTtlSeconds: RECORD_TTL_SECONDS,
    controllerOverheadMs: Math.round(overheadMs),
    totalSeconds: detectionSeconds + sustainSeconds + workflowSeconds + RECORD_TTL_SECONDS,
  };
}

const run = promisify(execFile);

/**
 * PutEvents with the plain AWS CLI (`aws events put-events --entries file://…`) against the drill's
 * endpoint, with moto's credentials: proof that an override published without drctl is accepted
 * the same. Not installed, or failing: `{ ok: false, why }`.
 *
 * @see https://docs.aws.amazon.com/cli/latest/reference/events/put-events.html
 * @see https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html
 */
export function awsCliPublisher(endpoint: string, credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }): AwsCliPublisher {
  return async (region, entries) => {
    const dir = mkdtempSync(join(tmpdir(), 'drctl-drill-aws-'));
    const file = join(dir, 'entries.json');
    writeFileSync(file, JSON.stringify(entries));
    const { AWS_PROFILE: _profile, AWS_SESSION_TOKEN: _token, ...inherited } = process.env;
    try {
      const { stdout } = await run('aws', ['events', 'put-events', '--endpoint-url', endpoint, '--region', region, '--output', 'json', '--entries', `file://${file}`], {
        env: { ...inherited, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_DEFAULT_REGION: region, AWS_PAGER: '' },
        timeout: 30_000,
      });
      const out = JSON.parse(stdout) as { FailedEntryCount?: number; Entries?: { ErrorCode?: string; ErrorMessage?: string }[] };
      if ((out.FailedEntryCount ?? 0) > 0) return { ok: false, why: `the CLI's PutEvents failed: ${out.Entries?.find((e) => e.ErrorCode)?.ErrorCode ?? 'unknown error'}` };
      return { ok: true };
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stderr?: string };
      return { ok: false, why: e.code === 'ENOENT' ? 'aws is not on the PATH' : `aws events put-events failed: ${(e.stderr ?? e.message).trim().split('\n').pop()}` };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
