import { join } from 'node:path';
import { decisionEntry, type DrillRun, type ScenarioResult, type TimelineEntry } from '../../cli/drill/timeline';
import { loadConfigFile } from '../../cli/explain.command';
import type { ControllerConfig } from '../../domain/config';
import { decide, initialState } from '../../domain/decide';
import { executionNameFor } from '../../domain/decision';
import type { AlarmState, DomainEvent, Override, WorkflowEnded } from '../../domain/events';

/** The reference payments app of `examples/config.json` (us-east-1 primary, us-east-2 standby). */
const config = loadConfigFile(join(__dirname, '..', '..', 'examples', 'config.json'));

/** A script's view of one scenario: times are seconds from the scenario start. */
interface Script {
  signal(sec: number, alarmName: string, state: AlarmState): void;
  /** EventBridge delivers an earlier signal event again (at-least-once delivery). */
  redeliver(sec: number, originalSec: number, alarmName: string, state: AlarmState): void;
  tick(sec: number): void;
  override(sec: number, o: Pick<Override, 'action' | 'operator' | 'reason'> & Partial<Override>, via: 'drctl' | 'aws-cli'): void;
  step(sec: number, endSec: number, step: string, realMs: number, extra?: { failed?: boolean; retries?: number; detail?: string }): void;
  ended(sec: number, status: WorkflowEnded['status'], extra?: Partial<WorkflowEnded>): void;
  note(sec: number, text: string): void;
}

/**
 * Record a scenario the way the drill does: every event goes through the real `decide`, so the
 * decisions and their reasons are the engine's own; steps and their timings are what a drill run
 * on moto reports.
 */
function record(
  meta: Pick<ScenarioResult, 'scenario' | 'title' | 'description' | 'wallSeconds'> & { startedAt: number; durationSeconds: number },
  cfg: ControllerConfig,
  script: (s: Script) => void,
): Omit<ScenarioResult, 'checks' | 'passed' | 'rto'> {
  let state = initialState(cfg);
  let seq = 0;
  const entries: TimelineEntry[] = [];
  const at = (sec: number) => meta.startedAt + sec * 1000;
  const id = () => `${meta.scenario}-evt-${++seq}`;
  const apply = (event: DomainEvent, now: number) => {
    const result = decide(state, event, cfg, now);
    state = result.state;
    const [d] = result.decisions;
    entries.push(decisionEntry(d));
  };
  const signalOf = (alarmName: string) => {
    const signal = cfg.signals.find((x) => x.alarmName === alarmName);
    if (!signal) throw new Error(`sample: ${alarmName} is not a signal of examples/config.json`);
    return signal;
  };
  script({
    signal(sec, alarmName, alarmState) {
      const signal = signalOf(alarmName);
      entries.push({ kind: 'signal', at: at(sec), alarmName, region: signal.region, signalKind: signal.kind, state: alarmState });
      apply({ type: 'signal-changed', eventId: id(), alarmName, state: alarmState, at: at(sec) }, at(sec));
    },
    redeliver(sec, originalSec, alarmName, alarmState) {
      apply({ type: 'signal-changed', eventId: id(), alarmName, state: alarmState, at: at(originalSec) }, at(sec));
    },
    tick(sec) {
      apply({ type: 'tick', eventId: id(), at: at(sec) }, at(sec));
    },
    override(sec, o, via) {
      entries.push({ kind: 'override', at: at(sec), action: o.action, operator: o.operator, reason: o.reason, via });
      apply({ type: 'override', eventId: id(), requestId: `req-${meta.scenario}-${seq}`, at: at(sec), origin: controllerOrigin(cfg), ...o }, at(sec));
    },
    step(sec, endSec, step, realMs, extra = {}) {
      entries.push({
        kind: 'step',
        at: at(sec),
        endAt: at(endSec),
        step,
        status: extra.failed ? 'failed' : 'succeeded',
        retries: extra.retries ?? 0,
        realMs,
        ...(extra.detail !== undefined ? { detail: extra.detail } : {}),
      });
    },
    ended(sec, status, extra = {}) {
      const executionName = executionNameFor(cfg.app, state.generation, state.inFlight?.startedAt ?? at(sec));
      apply({ type: 'workflow-ended', eventId: id(), executionName, status, at: at(sec), ...machineOf(cfg), ...extra }, at(sec));
    },
    note(sec, text) {
      entries.push({ kind: 'note', at: at(sec), text });
    },
  });
  const { durationSeconds, ...rest } = meta;
  return { ...rest, endedAt: at(durationSeconds), entries };
}

/**
 * The envelope of an override published in the controller's own account and region, as the parser
 * reads it (`origin`): EventBridge stamps `account` and `region` on every PutEvents entry.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
 */
function controllerOrigin(cfg: ControllerConfig): NonNullable<Override['origin']> {
  return { ...(cfg.account !== undefined ? { account: cfg.account } : {}), ...(cfg.controllerRegion !== undefined ? { region: cfg.controllerRegion } : {}) };
}

/** `detail.stateMachineArn` of the status-change event: the controller's own failover state machine. */
function machineOf(cfg: ControllerConfig): Pick<WorkflowEnded, 'stateMachineArn'> {
  return cfg.stateMachineArn !== undefined ? { stateMachineArn: cfg.stateMachineArn } : {};
}

const T0 = Date.UTC(2026, 10, 26, 3, 0, 0);
const E1 = 'us-east-1';
const api1 = 'payments-us-east-1-api-5xx';
const lambda1 = 'payments-us-east-1-lambda-errors';
const health1 = 'payments-us-east-1-health-check';
const lambda2 = 'payments-us-east-2-lambda-errors';
const health2 = 'payments-us-east-2-health-check';

/** The reason the halt scenario's operator typed: markup in it must reach the report as text. */
export const HOSTILE_REASON = 'change window CHG-1042 <script>alert(1)</script> & "no automatic moves" <b>please</b>';

function regionOutage(): ScenarioResult {
  const run = record(
    {
      scenario: 'region-outage',
      title: 'Primary region outage',
      description: `${E1}'s API starts failing; its Lambda errors and its Route 53 health check agree within 30 s. Once two kinds of signal have held ALARM for the 30 s sustain period the controller fails over to us-east-2 on its own, and a redelivered event changes nothing.`,
      startedAt: T0,
      durationSeconds: 300,
      wallSeconds: 4.37,
    },
    config,
    (s) => {
      for (const alarm of [api1, lambda1, health1]) s.signal(0, alarm, 'OK');
      s.signal(0, lambda2, 'INSUFFICIENT_DATA');
      s.signal(0, health2, 'OK');
      s.signal(12, api1, 'ALARM');
      s.signal(25, lambda2, 'OK');
      s.signal(31, health1, 'ALARM');
      s.signal(40, lambda1, 'ALARM');
      s.tick(60);
      s.tick(92);
      s.step(92, 94, 'preflight', 41, { detail: 'us-east-2 healthy; replication lag 0.8 s within the 5 s RPO budget: switchover' });
      s.step(94, 99, 'fence-old-region', 188, { retries: 1, detail: 'us-east-1 SSM write-fence set on the second attempt (ThrottlingException first)' });
      s.step(99, 159, 'promote-database', 23, { detail: 'modelled by the Aurora twin: moto has no SwitchoverGlobalCluster' });
      s.step(159, 164, 'check-writer', 37, { detail: 'payments-us-east-2 cluster is the global writer' });
      s.step(164, 176, 'shift-traffic', 212, { detail: 'weighted records: us-east-1 0, us-east-2 100; change INSYNC' });
      s.step(176, 177, 'update-config', 29, { detail: '/payments/active-region = us-east-2 (version 7)' });
      s.step(177, 207, 'verify-recovery', 66, { detail: 'us-east-2 signals OK for 30 s; recovered 195 s after the first ALARM' });
      s.step(207, 208, 'announce', 18);
      s.ended(209, 'SUCCEEDED', { recoverySeconds: 195 });
      s.note(215, 'EventBridge redelivers the api-5xx ALARM event from +12 s (at-least-once delivery)');
      s.redeliver(215, 12, api1, 'ALARM');
      s.signal(240, api1, 'OK');
      s.signal(262, health1, 'OK');
      s.tick(290);
    },
  );
  return {
    ...run,
    checks: [
      { name: 'no failover before the sustain period', passed: true, detail: 'quorum (alarm + health check) reached at +31 s, failover started at +92 s' },
      { name: 'exactly one failover started', passed: true, detail: '1 start-failover decision, execution payments-failover-g1' },
      { name: 'us-east-2 is the Aurora writer', passed: true, detail: 'DescribeGlobalClusters: payments-us-east-2 IsWriter=true (twin)' },
      { name: 'Route 53 answers with us-east-2', passed: true, detail: 'weights us-east-1=0, us-east-2=100 on api.payments.example.com' },
      { name: 'redelivered event changed nothing', passed: true, detail: 'decision "ignored", state version unchanged' },
      { name: 'no automatic failback', passed: true, detail: 'us-east-1 recovered at +262 s; us-east-2 stays active' },
    ],
    passed: true,
    rto: {
      detectionSeconds: 19,
      sustainSeconds: 61,
      workflowSeconds: 117,
      trafficSeconds: 0,
      dnsTtlSeconds: 60,
      controllerOverheadMs: 642,
      totalSeconds: 257,
      controllerShare: 0.642 / 257,
      modelWorstCaseSeconds: 283.3,
      targetSeconds: 300,
    },
  };
}

function falseAlarm(): ScenarioResult {
  const run = record(
    {
      scenario: 'false-alarm',
      title: 'One noisy alarm is not an outage',
      description: `A burst of 5xx trips ${api1} for a minute while the health check briefly has no data. INSUFFICIENT_DATA is not ALARM and one kind of signal is not a quorum, so the controller does nothing and says why each time.`,
      startedAt: T0 + 3_600_000,
      durationSeconds: 150,
      wallSeconds: 1.12,
    },
    config,
    (s) => {
      for (const alarm of [api1, lambda1, health1]) s.signal(0, alarm, 'OK');
      s.signal(10, api1, 'ALARM');
      s.signal(30, health1, 'INSUFFICIENT_DATA');
      s.tick(45);
      s.signal(50, health1, 'OK');
      s.signal(70, api1, 'OK');
      s.signal(80, lambda1, 'ALARM');
      s.tick(105);
      s.signal(110, lambda1, 'OK');
      s.tick(140);
    },
  );
  const decisionCount = run.entries.filter((e) => e.kind === 'decision').length;
  return {
    ...run,
    checks: [
      { name: 'no failover started', passed: true, detail: '0 start-failover decisions; us-east-1 stays active' },
      { name: 'every event explained', passed: true, detail: `${decisionCount} events, ${decisionCount} decisions, each with a reason` },
    ],
    passed: true,
  };
}

function haltAndOverride(): ScenarioResult {
  const run = record(
    {
      scenario: 'halt-and-override',
      title: 'A human freezes, fails over by hand, and the promotion fails',
      description: 'An operator freezes the controller for a change window, so a real outage is only reported. She then fails over by hand; the database promotion fails after retries, the workflow reports a halt, and the controller waits for an acknowledgement.',
      startedAt: T0 + 7_200_000,
      durationSeconds: 270,
      wallSeconds: 3.05,
    },
    config,
    (s) => {
      for (const alarm of [api1, lambda1, health1]) s.signal(0, alarm, 'OK');
      s.override(5, { action: 'freeze', operator: 'alice', reason: HOSTILE_REASON }, 'drctl');
      s.signal(20, api1, 'ALARM');
      s.signal(25, health1, 'ALARM');
      s.tick(90);
      s.override(100, { action: 'failover', operator: 'alice', reason: 'us-east-1 API down for 80 s, AWS Health confirms', target: 'us-east-2' }, 'aws-cli');
      s.step(100, 102, 'preflight', 44, { detail: 'us-east-2 healthy; replication lag 1.2 s: switchover' });
      s.step(102, 107, 'fence-old-region', 97);
      s.step(107, 167, 'promote-database', 61, {
        failed: true,
        retries: 2,
        detail: 'InvalidDBClusterStateFault: Global cluster payments-global is not in a valid state for switchover (modelled by the Aurora twin)',
      });
      s.step(167, 168, 'report-halt', 25, { detail: 'halt published to the controller bus' });
      s.ended(169, 'FAILED', { detail: 'promote-database: InvalidDBClusterStateFault after 2 retries' });
      s.tick(200);
      s.override(230, { action: 'acknowledge', operator: 'bob', reason: 'global cluster repaired by hand; failing over again next' }, 'aws-cli');
      s.override(240, { action: 'unfreeze', operator: 'alice', reason: 'change window over' }, 'drctl');
    },
  );
  return {
    ...run,
    checks: [
      { name: 'freeze stopped automatic failover', passed: true, detail: 'quorum held at +90 s; decision "suppressed" (frozen by alice)' },
      { name: 'manual failover works while frozen', passed: true, detail: 'start-failover g1 at +100 s' },
      { name: 'failed promotion halts the controller', passed: true, detail: 'phase halted after the FAILED execution; us-east-1 stays active' },
      { name: 'halt announced to the on-call topic', passed: false, detail: 'no message on payments-dr-announce within 5 s: the drill stack has no SNS subscription for report-halt' },
    ],
    passed: false,
  };
}

/** A realistic drill run of three scenarios: an outage with RTO, a false alarm, and a halted manual failover. */
export function sampleDrillRun(): DrillRun {
  return {
    ranAt: '2026-11-26T03:14:07.512Z',
    backend: 'moto',
    notes: [
      'database promotion modelled by the Aurora twin: moto has no FailoverGlobalCluster / SwitchoverGlobalCluster',
      'CloudWatch alarm state changes are published in the real EventBridge format: moto SetAlarmState emits no event',
    ],
    scenarios: [regionOutage(), falseAlarm(), haltAndOverride()],
  };
}
