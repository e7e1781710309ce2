import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { performance } from 'node:perf_hooks';
import { InMemoryAuroraDatabase, type IssuedPromotion } from '../../adapters/database/in-memory-database.twin';
import type { ControllerConfig, Region, SignalConfig, SignalKind } from '../../domain/config';
import type { Decision } from '../../domain/decision';
import type { AlarmState } from '../../domain/events';
import type { AppParameters } from '../../domain/ports/config-store.port';
import type { StoredState } from '../../domain/ports/state-store.port';
import type { HealthStatus } from '../../domain/ports/traffic.port';
import { ALARM_READ_DEADLINE_MS } from '../../handlers/runtime/alarm-states-root';
import type { FailoverStep } from '../../handlers/steps/step-registry';
import { awsFailure } from '../aws-options';
import { overrideEvent, publishOverride, type OverrideEvent, type OverrideRequest } from '../override.command';
import { alarmStateChange, putEventsEntry, scheduledTick } from '../../local/aws-events';
import type { AwsCliPublisher } from '../../local/aws-cli';
import { motoCredentials } from '../../local/moto-server';
import { ControllerLoop } from '../../local/controller-loop';
import type { DrillEnvironment, DrillWorld } from '../../local/environment';
import { localController } from '../../local/local-controller';
import type { DrillTimings } from '../../local/timings';
import { modelledStepSeconds, type LocalWorkflow } from '../../local/local-workflow';
import { SimulatedClock } from '../../local/simulated-clock';
import { DrillReadiness, readinessNote, type ReadinessRun } from '../../local/drill-readiness';
import { DarkAwareConfigStore, DarkAwareTraffic, DrillCloudWatch, ScenarioTraffic, DrillWakeUps, Hangs, RegionConditions, ROUTE53_CONTROL_PLANE_REGION } from '../../local/simulated-world';
import { decisionEntry, type Check, type ScenarioResult, type TimelineEntry } from './timeline';
import { rtoCheck, rtoOf } from '../../local/rto-breakdown';

/** How the world stands when a scenario starts. */
export interface ScenarioSetup {
  /** Replication lag of each standby's Aurora replica, in seconds (the twin reports it). */
  readonly lagSeconds: Readonly<Record<Region, number>>;
}

/** What a scenario's script can do: move simulated time, publish events, act as an operator. */
export interface ScenarioScript {
  readonly config: ControllerConfig;
  /** Every duration the drill simulates, from the synthesized stacks and the RTO model. */
  readonly timings: DrillTimings;
  /** The home region (`initialActive`) and the first other region. */
  readonly primary: Region;
  readonly standby: Region;
  /** The `n`-th critical signal of `kind` that judges `region`. */
  signal(region: Region, kind: SignalKind, n?: number): SignalConfig;
  /** Move to `seconds` after the scenario start (or stay, if the clock is past it), with a scheduled tick at every whole minute on the way. */
  at(seconds: number): Promise<void>;
  /** Move `seconds` on from now, with ticks as {@link at}. */
  after(seconds: number): Promise<void>;
  /** CloudWatch changes the alarm's state: a real-format event on the default bus of the region the alarm lives in (none when that region is dark). */
  alarm(signal: SignalConfig, state: AlarmState): Promise<void>;
  /** The last published change of the alarm to `state` (same timestamp) delivered again, as at-least-once delivery may. */
  redeliver(signal: SignalConfig, state: AlarmState): Promise<void>;
  /**
   * From now on `region`'s API fails (its health check and database too): each of `failing` goes to
   * ALARM after its synthesized period × datapoints to alarm, the region's probe alarm and health-check
   * alarm after theirs. The region's APIs, events and heartbeats keep working. Starts the RTO clock.
   */
  outage(region: Region, failing: readonly SignalConfig[]): void;
  /**
   * From now on `region` is dark: its APIs hang until each client's deadline, nothing it would emit
   * (alarm events, heartbeats) arrives, its health check fails; the probe alarm (outside it) fires
   * after its synthesized delay. Starts the RTO clock.
   */
  blackout(region: Region): void;
  /** From now on `region`'s heartbeats are lost on the way; it keeps serving. */
  silenceHeartbeats(region: Region): void;
  /** `region` is back: its APIs, health check, database and heartbeats work, its alarms return to OK, and what was still to fire does not. */
  recover(region: Region): Promise<void>;
  /** An operator's override, published with drctl's code (or the plain AWS CLI) to the controller bus. */
  override(request: ScriptedOverride, via?: 'drctl' | 'aws-cli'): Promise<void>;
  /** What the region's health checkers report from now on. */
  setHealth(region: Region, health: HealthStatus): void;
  /** Whether the region's database cluster can be reached (a switchover away from it needs it). */
  setDatabaseReachable(region: Region, reachable: boolean): void;
  /** The next failover run waits before `step` until it is stopped. */
  pauseBefore(step: FailoverStep): void;
  note(text: string): void;
  /** The readiness function's world: drift it (revoke a step's permission), resync the old primary. */
  readonly readiness: DrillReadiness;
  /** Run a readiness evaluation now (as its schedule does) and deliver its results. */
  evaluateReadiness(): Promise<ReadinessRun>;
  /** Someone edits `region`'s weighted record by hand (moto's Route 53, or the traffic twin). */
  editRecord(region: Region, weight: number): Promise<void>;
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
  /** What each region's Route 53 health check reports now (as the scenario made it). */
  readonly health: Readonly<Record<Region, HealthStatus>>;
  /** Whether the timeline has `alarmName` in ALARM (an alarm change, or a heartbeat window run out) before `until`. */
  alarmsBefore(alarmName: string, until: number): boolean;
  /** Alarm events and heartbeats from `region` that reached the controller after it went dark. */
  deliveredFrom(region: Region): number;
  executionStatus(executionName: string): Promise<string | undefined>;
  /** Readiness evaluations so far, with each target's alarm. */
  readonly readiness: readonly ReadinessRun[];
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
  /** Whether readiness runs on its synthesized schedule (first one interval after the start). */
  readonly readiness?: boolean;
}

export interface RunScenarioOptions {
  readonly env: DrillEnvironment;
  readonly scenario: Scenario;
  /** Simulated start, epoch ms on a whole minute (ticks fall on whole minutes after it). */
  readonly startAt: number;
  readonly awsCli?: AwsCliPublisher;
}

const MINUTE_MS = 60_000;

/** A change of the simulated world due at `at`: an alarm firing after its evaluation periods, a heartbeat window running out. */
interface WorldChange {
  readonly at: number;
  readonly seq: number;
  /** The region whose failure caused it: a recovery cancels it. */
  readonly region: Region;
  readonly apply: () => Promise<void>;
}

/** Run one scenario on a freshly provisioned world and check what it left behind. */
export async function runScenario(options: RunScenarioOptions): Promise<ScenarioResult> {
  const { env, scenario, startAt } = options;
  const wallStart = performance.now();
  const world = await env.provision();
  const { plan } = env;
  const { config } = plan.settings;
  const { timings } = plan;
  const clock = new SimulatedClock(startAt);
  const entries: TimelineEntry[] = [];
  const decisions: Decision[] = [];
  const midChecks: Check[] = [];
  const viaAwsCli: string[] = [];
  const note = (text: string) => entries.push({ kind: 'note', at: clock.now(), text });

  const setup = scenario.setup(config);
  const database = new InMemoryAuroraDatabase({
    clusterArns: world.resources.database.clusterArns,
    writer: config.initialActive,
    promotionPolls: timings.model.promotionPolls,
  });
  for (const [region, lag] of Object.entries(setup.lagSeconds)) database.setReplicationLag(region, lag);
  const health = new Map<Region, HealthStatus>(config.regions.map((r) => [r, 'healthy']));
  const conditions = new RegionConditions();
  const hangs = new Hangs(clock, conditions, {
    seconds: ALARM_READ_DEADLINE_MS / 1000,
    source: 'the decide path\'s DescribeAlarms deadline per region (handlers/runtime/alarm-states-root.ts ALARM_READ_DEADLINE_MS)',
  });
  const cloudWatch = new DrillCloudWatch(config.signals, plan.controllerRegion, hangs, startAt);
  const wakeUps = new DrillWakeUps(plan.controllerRegion, plan.account);
  const traffic = new DarkAwareTraffic(new ScenarioTraffic(world.traffic, health), hangs);

  const { workflow, deps } = localController({
    env,
    plan,
    world,
    database,
    traffic,
    configStore: new DarkAwareConfigStore(world.configStore, hangs),
    clock,
    hangs,
    alarmStates: cloudWatch,
    alarmReadDeadlineMs: ALARM_READ_DEADLINE_MS,
    wakeUps,
    // The decide path's bounded retries wait on the simulated clock.
    sleep: async (ms) => clock.advance(ms),
    stepSeconds: (step) => modelledStepSeconds(step, conditions.darkRegions.length > 0),
    // Heartbeats keep coming while the workflow runs: they reach the queue behind its steps.
    onStep: () => void pump(clock.now()),
    log: { info: () => undefined, warn: (message, extra) => note(`decide handler: ${message} ${JSON.stringify(extra ?? {})}`), error: (message, extra) => note(`decide handler: ${message} ${JSON.stringify(extra ?? {})}`) },
    observe: (decision) => {
      decisions.push(decision);
      entries.push(decisionEntry(decision));
    },
  });
  const loop = new ControllerLoop(env, world.queueArn, deps);
  const readiness = new DrillReadiness({ env, world, plan, database, clock, health: (r) => health.get(r) ?? 'unknown', alarmStates: cloudWatch });
  const readinessEvery = scenario.readiness && plan.readiness ? plan.readiness.intervalSeconds * 1000 : Number.POSITIVE_INFINITY;
  let nextReadiness = startAt + readinessEvery;
  const evaluateReadiness = async () => {
    const run = await readiness.evaluate();
    note(readinessNote(run));
    await settle();
    return run;
  };

  let pumping = Promise.resolve();
  /** Drain the queue and run started failovers until nothing is left to do (a paused run waits). */
  const settle = async () => {
    for (;;) {
      await pumping;
      const processed = await loop.drain();
      const ran = await workflow.runPending();
      if (processed === 0 && !ran) return;
    }
  };

  // Heartbeats: each region's heartbeat rule fires on its schedule from the start; the drill
  // routes its Scheduled Event through the synthesized targets and patterns (see fireSchedule).
  const heartbeatRegions = [...new Set(config.signals.filter((s) => s.kind === 'heartbeat').map((s) => s.region))];
  for (const region of heartbeatRegions) {
    if (!timings.heartbeatRule(region)) throw new Error(`the configuration judges ${region} by its heartbeat, but the synthesized stacks have no heartbeat rule ${plan.names.heartbeatRuleName} there`);
  }
  const nextHeartbeat = new Map<Region, number>(heartbeatRegions.map((r) => [r, startAt]));
  const lastHeartbeat = new Map<Region, number>();
  /** Put every heartbeat due by `until` on the queue (not decided yet), each with its own time; one pump at a time. */
  const pump = (until: number): Promise<void> => (pumping = pumping.then(() => pumpHeartbeats(until)));
  async function pumpHeartbeats(until: number): Promise<void> {
    for (;;) {
      const [region, at] = [...nextHeartbeat].sort((x, y) => x[1] - y[1])[0] ?? [];
      if (region === undefined || at === undefined || at > until) return;
      const rule = timings.heartbeatRule(region)!;
      nextHeartbeat.set(region, at + timings.heartbeatInterval(region).seconds * 1000);
      if (!conditions.heartbeats(region)) continue;
      const ruleArn = `arn:aws:events:${region}:${plan.account}:rule/${rule.name}`;
      const delivered = await env.fireSchedule(rule, scheduledTick({ at, region, account: plan.account, ruleArn }));
      if (delivered === 0) throw new Error(`the heartbeat of ${region} (${rule.name}) reached no rule of the controller queue; check its target and the controller bus's heartbeat rule`);
      lastHeartbeat.set(region, at);
      deliveries.push({ region, at });
    }
  }

  /** Events that reached the controller from each region (heartbeats, alarm changes), in order, and how many had when each region went dark. */
  const deliveries: { readonly region: Region; readonly at: number }[] = [];
  const darkSince = new Map<Region, number>();
  const record: Pick<WorldView, 'alarmsBefore' | 'deliveredFrom'> = {
    alarmsBefore: (alarmName, until) => entries.some((e) => e.kind === 'signal' && e.alarmName === alarmName && e.state === 'ALARM' && e.at < until),
    deliveredFrom: (region) => deliveries.slice(darkSince.get(region) ?? deliveries.length).filter((d) => d.region === region).length,
  };

  const changes: WorldChange[] = [];
  let seq = 0;
  const scheduleChange = (region: Region, at: number, apply: () => Promise<void>) => {
    changes.push({ at, seq: ++seq, region, apply });
    changes.sort((x, y) => x.at - y.at || x.seq - y.seq);
  };

  let lastTickAt = startAt;
  const tick = async (at: number) => {
    lastTickAt = at;
    await env.enqueue(scheduledTick({ at, region: plan.controllerRegion, account: plan.account, ruleArn: plan.tickRuleArn }));
    await settle();
  };
  /**
   * Move the clock to `target`, delivering on the way, in time order: world changes (alarms firing,
   * heartbeat windows ending), heartbeats, wake-ups as the pipe moves them, and a scheduled tick at
   * every whole minute. What fell due while a workflow ran is delivered right after it, with its
   * own time; the ticks a running workflow passed are not (the drill decides one thing at a time).
   */
  const moveTo = async (target: number) => {
    for (;;) {
      const now = clock.now();
      const nextTick = lastTickAt + MINUTE_MS >= now ? lastTickAt + MINUTE_MS : startAt + Math.ceil((now - startAt) / MINUTE_MS) * MINUTE_MS;
      const candidates: [number, 'change' | 'heartbeat' | 'wake' | 'tick' | 'readiness'][] = [
        [changes[0]?.at ?? Number.POSITIVE_INFINITY, 'change'],
        [Math.min(...nextHeartbeat.values(), Number.POSITIVE_INFINITY), 'heartbeat'],
        [wakeUps.next() ?? Number.POSITIVE_INFINITY, 'wake'],
        [nextTick, 'tick'],
        [nextReadiness, 'readiness'],
      ];
      const [at, kind] = candidates.reduce((best, c) => (c[0] < best[0] ? c : best));
      if (at > target) break;
      clock.advanceTo(Math.max(at, clock.now()));
      if (kind === 'change') await changes.shift()!.apply();
      else if (kind === 'heartbeat') await pump(at);
      else if (kind === 'wake') for (const event of wakeUps.due(clock.now())) await env.enqueue(event);
      else if (kind === 'readiness') {
        nextReadiness += readinessEvery;
        await evaluateReadiness();
      } else await tick(at);
      await settle();
    }
    if (target > clock.now()) clock.advanceTo(target);
  };

  const published: { readonly signal: SignalConfig; readonly state: AlarmState; readonly previousState: AlarmState; readonly at: number }[] = [];
  const publishAlarm = async (change: (typeof published)[number]) => {
    const { signal, state, previousState, at } = change;
    const region = cloudWatch.regionOf(signal);
    if (region === undefined) throw new Error(`${signal.alarmName} is a ${signal.kind} signal: it has no alarm to publish`);
    if (conditions.isDark(region)) {
      note(`${signal.alarmName} → ${state} is not delivered: its alarm lives in ${region}, which is dark`);
      return;
    }
    const event = alarmStateChange({ alarmName: signal.alarmName, state, previousState, at, region, account: plan.account });
    await env.putEvents(region, [putEventsEntry(event)]);
    deliveries.push({ region, at: clock.now() });
    await settle();
  };
  /** CloudWatch moves the alarm to `state` at `at`; its state change is published when its region can emit it. */
  const alarmAt = async (signal: SignalConfig, state: AlarmState, at: number) => {
    const previous = [...published].reverse().find((p) => p.signal.alarmName === signal.alarmName);
    const change = { signal, state, previousState: previous?.state ?? (state === 'OK' ? 'INSUFFICIENT_DATA' : 'OK'), at } as const;
    cloudWatch.set(signal, state, at);
    entries.push({ kind: 'signal', at, alarmName: signal.alarmName, region: signal.region, signalKind: signal.kind, state });
    published.push(change);
    await publishAlarm(change);
  };
  const signalOf = (region: Region, kind: SignalKind) => config.signals.find((s) => s.region === region && s.kind === kind && s.critical);
  let outageAt: number | undefined;
  /** The signals of `region` that watch its endpoint from outside fire after their synthesized delays. */
  const endpointFails = (region: Region, at: number) => {
    const probe = signalOf(region, 'probe');
    if (probe) scheduleChange(region, at + timings.probeAlarm.seconds * 1000, () => alarmAt(probe, 'ALARM', at + timings.probeAlarm.seconds * 1000));
    const check = signalOf(region, 'health-check');
    if (check) {
      const seconds = timings.healthCheckFails.seconds + timings.breachToAlarm(check.alarmName).seconds;
      scheduleChange(region, at + seconds * 1000, () => alarmAt(check, 'ALARM', at + seconds * 1000));
    }
  };
  /** When `region`'s heartbeats stop, its heartbeat signal turns to ALARM once the window has passed without one (the engine's rule). */
  const heartbeatsStop = (region: Region) => {
    const signal = signalOf(region, 'heartbeat');
    const last = lastHeartbeat.get(region);
    if (!signal || last === undefined) return;
    const at = last + timings.heartbeatWindow.seconds * 1000;
    scheduleChange(region, at, async () => {
      if (lastHeartbeat.get(region) !== last) return;
      entries.push({ kind: 'signal', at, alarmName: signal.alarmName, region, signalKind: 'heartbeat', state: 'ALARM' });
    });
  };
  let requests = 0;

  const script: ScenarioScript = {
    config,
    timings,
    primary: config.initialActive,
    standby: config.regions.find((r) => r !== config.initialActive) ?? config.initialActive,
    signal(region, kind, n = 0) {
      const found = config.signals.filter((s) => s.region === region && s.kind === kind && s.critical)[n];
      if (!found) throw new Error(`scenario ${scenario.name}: the configuration has no critical ${kind} signal #${n} for ${region}`);
      return found;
    },
    at: (seconds) => moveTo(startAt + seconds * 1000),
    after: (seconds) => moveTo(clock.now() + seconds * 1000),
    alarm: (signal, state) => alarmAt(signal, state, clock.now()),
    async redeliver(signal, state) {
      const original = [...published].reverse().find((p) => p.signal.alarmName === signal.alarmName && p.state === state);
      if (!original) throw new Error(`scenario ${scenario.name}: no ${signal.alarmName} → ${state} was published to deliver again`);
      note(`EventBridge delivers ${signal.alarmName} → ${state} of ${new Date(original.at).toISOString()} again (at-least-once delivery)`);
      await publishAlarm(original);
    },
    outage(region, failing) {
      const at = clock.now();
      outageAt ??= at;
      health.set(region, 'unhealthy');
      database.setReachable(region, false);
      note(`${region}'s API fails: every request errors from now on`);
      for (const signal of failing) {
        const seconds = timings.breachToAlarm(signal.alarmName).seconds;
        scheduleChange(region, at + seconds * 1000, () => alarmAt(signal, 'ALARM', at + seconds * 1000));
      }
      endpointFails(region, at);
    },
    blackout(region) {
      const at = clock.now();
      outageAt ??= at;
      darkSince.set(region, deliveries.length);
      conditions.blackout(region);
      health.set(region, 'unhealthy');
      database.setReachable(region, false);
      note(
        `${region} goes dark: its APIs (RDS, SSM, CloudWatch, EventBridge${region === ROUTE53_CONTROL_PLANE_REGION ? ", Route 53's control plane" : ''}) hang until each client's deadline; no alarm event and no heartbeat leaves it; its health check fails`,
      );
      endpointFails(region, at);
      heartbeatsStop(region);
    },
    silenceHeartbeats(region) {
      conditions.silenceHeartbeats(region);
      note(`${region}'s heartbeats stop reaching the controller bus (its forwarding broke); the region keeps serving`);
      heartbeatsStop(region);
    },
    async recover(region) {
      conditions.restore(region);
      darkSince.delete(region);
      health.set(region, 'healthy');
      database.setReachable(region, true);
      for (let i = changes.length - 1; i >= 0; i--) if (changes[i]!.region === region) changes.splice(i, 1);
      note(`${region} recovers`);
      for (const signal of config.signals.filter((sig) => sig.region === region && cloudWatch.regionOf(sig) !== undefined)) {
        const last = [...published].reverse().find((p) => p.signal.alarmName === signal.alarmName);
        if (last?.state === 'ALARM') await alarmAt(signal, 'OK', clock.now());
      }
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
      const built = overrideEvent(request, world.resources.controllerBusName, clock.now());
      // EventBridge stamps an entry without Time when it is put: on the simulated clock, that is now.
      const event: OverrideEvent = { ...built, entry: { ...built.entry, Time: new Date(clock.now()) } };
      let used: 'drctl' | 'aws-cli' = 'drctl';
      if (via === 'aws-cli') {
        const sent = options.awsCli ? await options.awsCli(plan.controllerRegion, [event.entry]) : { ok: false as const, why: 'the in-memory drill has no endpoint for the AWS CLI' };
        if (sent.ok) {
          used = 'aws-cli';
          viaAwsCli.push(request.requestId);
        } else note(`not published with the AWS CLI (${sent.why}); published with drctl instead`);
      }
      if (used === 'drctl') await publishAsDrctl(env, event);
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
    readiness,
    evaluateReadiness,
    async editRecord(region, weight) {
      await env.editRecord(region, weight);
      note(`someone edits ${region}'s weighted record by hand: weight ${weight}`);
    },
    check(name, passed, detail) {
      midChecks.push({ name, passed, detail });
    },
    view: () => readWorld(env, world, config, database, decisions, workflow, loop, viaAwsCli, health, record, readiness.runs),
  };

  let failure: Error | undefined;
  try {
    await scenario.script(script);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
  } finally {
    await workflow.shutdown();
    readiness.close();
  }
  const view = await readWorld(env, world, config, database, decisions, workflow, loop, viaAwsCli, health, record, readiness.runs);
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
  for (const hung of hangs.log) {
    entries.push({ kind: 'note', at: hung.at, text: `${hung.what} in ${hung.region}${hung.step ? ` (${hung.step})` : ''} hangs ${hung.seconds} s until the client's deadline` });
  }
  for (const wake of wakeUps.scheduled) {
    if (wake.deliverAt > wake.at) entries.push({ kind: 'note', at: wake.at, text: `wake-up scheduled for ${new Date(wake.wakeAt).toISOString()} (SQS delay ${(wake.deliverAt - wake.at) / 1000} s)` });
  }
  entries.sort((a, b) => a.at - b.at);
  const overheadMs = loop.decideMs + workflow.stepLog.reduce((sum, r) => sum + r.realMs, 0);
  const rto = scenario.measuresRto ? rtoOf({ config, timings, entries, decisions, steps: workflow.stepLog, outageAt, overheadMs }) : undefined;
  if (scenario.measuresRto) checks.push(rtoCheck(rto));
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
  health: ReadonlyMap<Region, HealthStatus>,
  record: Pick<WorldView, 'alarmsBefore' | 'deliveredFrom'>,
  readiness: readonly ReadinessRun[],
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
    health: Object.fromEntries(health),
    alarmsBefore: record.alarmsBefore,
    deliveredFrom: record.deliveredFrom,
    executionStatus: (name) => env.executionStatus(name),
    readiness: [...readiness],
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
 * Publish an override the way `drctl override` does: its own PutEvents code against the local
 * endpoint (in memory, onto the in-process bus).
 */
async function publishAsDrctl(env: DrillEnvironment, event: OverrideEvent): Promise<void> {
  const region = env.plan.controllerRegion;
  if (env.endpoint === undefined) {
    await env.putEvents(region, [event.entry]);
    return;
  }
  const client = new EventBridgeClient({ region, endpoint: env.endpoint, credentials: motoCredentials, maxAttempts: 1 });
  try {
    await publishOverride(client, event, (error) => awsFailure(error, 'EventBridge', { region, endpointUrl: env.endpoint }, 'PutEvents'));
  } finally {
    client.destroy();
  }
}
