import type { ControllerConfig, Region, SignalConfig } from '../../domain/config';
import type { Decision, DecisionAction, StartFailover } from '../../domain/decision';
import type { AlarmState } from '../../domain/events';
import type { Phase } from '../../domain/state';
import type { Scenario, ScenarioScript, ScenarioSetup, WorldView } from './scenario-runner';
import type { Check } from './timeline';

/**
 * The drill's scenarios: scripts of alarm changes, ticks and operator overrides on the simulated
 * clock, and the checks of the world each must leave behind (read back from moto with the
 * production adapters). Signals are picked from the configuration by region and kind, so the
 * scenarios follow the configuration instead of repeating alarm names.
 */

function check(name: string, passed: boolean, detail: string): Check {
  return { name, passed, detail };
}

function starts(view: WorldView): StartFailover[] {
  return view.decisions.filter((d): d is StartFailover => d.action === 'start-failover');
}

function decided(view: WorldView, action: DecisionAction): Decision[] {
  return view.decisions.filter((d) => d.action === action);
}

const fmt = (record: object) =>
  Object.entries(record)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');

/** Route 53 sends everything to `region`: its record 100, every other 0. */
export function trafficGoesTo(view: WorldView, region: Region): Check {
  const others = Object.entries(view.weights).filter(([r]) => r !== region);
  const passed = view.weights[region] === 100 && others.length > 0 && others.every(([, w]) => w === 0);
  return check(`Route 53 sends all traffic to ${region}`, passed, `weighted records: ${fmt(view.weights)}`);
}

/** SSM `active-region` says `active` in every region, and exactly `fenced` are fenced. */
export function parametersSay(view: WorldView, active: Region, fenced: readonly Region[]): Check {
  const wrong = Object.entries(view.parameters).filter(([region, p]) => p.activeRegion !== active || (p.fenced ?? false) !== fenced.includes(region));
  const fencing = fenced.length > 0 ? `, fenced only in ${fenced.join(', ')}` : ', nothing fenced';
  return check(`SSM active-region = ${active} in every region${fencing}`, wrong.length === 0, Object.entries(view.parameters).map(([r, p]) => `${r}: ${fmt(p)}`).join('; '));
}

/** The state table holds `phase`, `active` and `generation`. */
export function stateIs(view: WorldView, expected: { readonly phase: Phase; readonly active: Region; readonly generation: number; readonly frozen?: boolean }): Check {
  const s = view.stored?.state;
  const passed =
    s !== undefined && s.phase === expected.phase && s.active === expected.active && s.generation === expected.generation && (expected.frozen === undefined || (s.frozen !== undefined) === expected.frozen);
  const want = `phase ${expected.phase}, active ${expected.active}, generation ${expected.generation}${expected.frozen === undefined ? '' : expected.frozen ? ', frozen' : ', not frozen'}`;
  return check(`state table: ${want}`, passed, s ? `phase ${s.phase}, active ${s.active}, generation ${s.generation}${s.frozen ? ', frozen' : ', not frozen'} (version ${view.stored?.version})` : 'no state item stored');
}

/** The Aurora twin's writer is `region`, after the given promotions. */
export function writerIs(view: WorldView, region: Region, promotions: readonly string[]): Check {
  const issued = view.promotions.map((p) => `${p.mode} ${p.from}→${p.region}`);
  const passed = view.writer === region && issued.join(';') === promotions.join(';');
  return check(`Aurora writer ${region} (twin)`, passed, `writer ${view.writer ?? 'none'}; promotions issued: ${issued.join(', ') || 'none'}`);
}

/** Exactly `n` failovers started. */
export function failoversStarted(view: WorldView, n: number): Check {
  const list = starts(view);
  return check(
    `exactly ${n} failover${n === 1 ? '' : 's'} started`,
    list.length === n,
    list.length === 0 ? 'no start-failover decision' : list.map((d) => `g${d.generation} ${d.request.mode} → ${d.target} by ${d.request.requestedBy}`).join('; '),
  );
}

/**
 * What Route 53's data plane answers for the weighted name: the healthy records with a weight
 * above 0; when none is healthy, the healthy records of weight 0 (so a failed primary's traffic
 * goes to a standby at weight 0 even when the weights could not be changed).
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-how-route-53-chooses-records.html
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-weighted.html
 */
export function dnsAnswers(view: WorldView, region: Region): Check {
  const healthy = (r: Region) => view.health[r] !== 'unhealthy';
  const weighted = Object.entries(view.weights).filter(([r, w]) => w > 0 && healthy(r));
  const answering = (weighted.length > 0 ? weighted : Object.entries(view.weights).filter(([r, w]) => w === 0 && healthy(r))).map(([r]) => r);
  return check(
    `Route 53 answers with ${region} only`,
    answering.length === 1 && answering[0] === region,
    `weighted records: ${fmt(view.weights)}; health checks: ${fmt(view.health)}; answered: ${answering.join(', ') || 'nothing healthy'}`,
  );
}

/** The SSM parameters in `regions` say `active` (a dark region's cannot be written: it is left out). */
export function parametersIn(view: WorldView, regions: readonly Region[], active: Region): Check {
  const wrong = regions.filter((r) => view.parameters[r]?.activeRegion !== active);
  return check(`SSM active-region = ${active} in ${regions.join(', ')}`, wrong.length === 0, regions.map((r) => `${r}: ${fmt(view.parameters[r] ?? {})}`).join('; '));
}

/** The failed region's signals that put it in ALARM before the failover started, from the timeline. */
function evidenceBefore(view: WorldView, region: Region, until: number, config: ControllerConfig): SignalConfig[] {
  return config.signals.filter((sig) => sig.region === region && sig.critical && view.alarmsBefore(sig.alarmName, until));
}

/** A scenario's setup: every region's replica lags `seconds` behind the writer. */
function lagEverywhere(seconds: number): (config: ControllerConfig) => ScenarioSetup {
  return (config) => ({ lagSeconds: Object.fromEntries(config.regions.map((r) => [r, seconds])) });
}

/** Alarm changes on a timetable: for each `[seconds, signal, state]`, in order, move to `seconds`, then change. */
async function alarmsAt(s: ScenarioScript, timetable: readonly (readonly [number, SignalConfig, AlarmState])[]): Promise<void> {
  for (const [seconds, signal, state] of timetable) {
    await s.at(seconds);
    await s.alarm(signal, state);
  }
}

/**
 * The primary fails at `at` seconds: its health check reports unhealthy, its database becomes
 * unreachable unless `database` says `reachable`, and its first API alarm goes to ALARM; its
 * health-check alarm follows at `healthAlarmAt` seconds.
 */
async function primaryFails(s: ScenarioScript, when: { readonly at: number; readonly healthAlarmAt: number; readonly database: 'reachable' | 'unreachable' }): Promise<void> {
  const api = s.signal(s.primary, 'alarm', 0);
  const health = s.signal(s.primary, 'health-check');
  await s.at(when.at);
  s.setHealth(s.primary, 'unhealthy');
  if (when.database === 'unreachable') s.setDatabaseReachable(s.primary, false);
  await s.alarm(api, 'ALARM');
  await s.at(when.healthAlarmAt);
  await s.alarm(health, 'ALARM');
}

/**
 * The end state of a world where nothing moved: Route 53, SSM (nothing fenced), the state table
 * (steady at `generation`) and the Aurora writer (no promotion) all still on the primary.
 */
function stayedHome(view: WorldView, s: ScenarioScript, generation: number): Check[] {
  return [
    trafficGoesTo(view, s.primary),
    parametersSay(view, s.primary, []),
    stateIs(view, { phase: 'steady', active: s.primary, generation }),
    writerIs(view, s.primary, []),
  ];
}

/**
 * The end state of a world failed over from the primary to the standby: Route 53, SSM (the primary
 * fenced), the state table (steady at `generation`, `frozen` when given) and the Aurora writer (one
 * failover promotion) all on the standby.
 */
function failedOver(view: WorldView, s: ScenarioScript, generation: number, { frozen }: { readonly frozen?: boolean } = {}): Check[] {
  return [
    trafficGoesTo(view, s.standby),
    parametersSay(view, s.standby, [s.primary]),
    stateIs(view, { phase: 'steady', active: s.standby, generation, ...(frozen === undefined ? {} : { frozen }) }),
    writerIs(view, s.standby, [`failover ${s.primary}→${s.standby}`]),
  ];
}

const regionOutage: Scenario = {
  name: 'region-outage',
  title: 'Primary region outage: automatic failover',
  description:
    "The primary's API starts failing. Its 5xx and function-error alarms fire after their synthesized evaluation periods, its probe alarm and Route 53 health-check alarm after theirs. Once two kinds of signal have held ALARM for the sustain period the controller fails over to the standby on its own; traffic, configuration and the database move, recovery is verified, a redelivered alarm event changes nothing, and the recovered primary does not get the traffic back automatically.",
  setup: lagEverywhere(1),
  measuresRto: true,
  async script(s) {
    const api = s.signal(s.primary, 'alarm', 0);
    const lambda = s.signal(s.primary, 'alarm', 1);
    const minute = s.timings.heartbeatInterval(s.primary).seconds;
    await s.after(minute);
    s.outage(s.primary, [api, lambda]);
    await s.after(s.timings.budget.worstCaseSeconds);
    await s.redeliver(api, 'ALARM');
    await s.after(minute);
    await s.recover(s.primary);
    await s.after(minute);
  },
  async checks(view, s) {
    const api = s.signal(s.primary, 'alarm', 0);
    const [start] = starts(view);
    const sustain = s.config.policy.sustainSeconds * 1000;
    const quorumAt = view.decisions.find((d) => d.reason.includes('not down yet'))?.at;
    const completed = decided(view, 'completed')[0];
    const redelivered = view.decisions.filter((d) => d.action === 'ignored' && d.reason.startsWith('duplicate') && d.reason.includes(api.alarmName));
    const last = view.decisions[view.decisions.length - 1];
    return [
      failoversStarted(view, 1),
      check(
        'no failover before the sustain period',
        start !== undefined && start.request.mode === 'auto' && quorumAt !== undefined && start.at - quorumAt >= sustain,
        start && quorumAt !== undefined ? `quorum at ${new Date(quorumAt).toISOString()}, automatic failover ${(start.at - quorumAt) / 1000} s later (sustain ${sustain / 1000} s)` : 'no automatic failover after a quorum',
      ),
      check(
        'failover completed and recovery verified',
        completed !== undefined && completed.action === 'completed' && completed.recoverySeconds !== undefined,
        completed ? completed.reason : 'no completed decision',
      ),
      ...failedOver(view, s, 1),
      check('redelivered alarm event changed nothing', redelivered.length === 1, redelivered[0]?.reason ?? 'no duplicate was recognised'),
      check('no automatic failback', last !== undefined && last.action !== 'start-failover' && last.active === s.standby, last ? `last decision: ${last.action}: ${last.reason}` : 'no decision'),
    ];
  },
};

const regionBlackout: Scenario = {
  name: 'region-blackout',
  title: 'Primary region blackout: failover on the evidence that survives',
  description:
    "Right after its heartbeat, the primary goes dark: its APIs (RDS, SSM, CloudWatch, EventBridge and, since it is us-east-1, Route 53's control plane) hang until each client's deadline, not one alarm event or heartbeat leaves it, and its health check fails. Only the prober in the controller region and the missing heartbeat speak for it; together they are a quorum. The controller fails over within the RTO target, every duration taken from the synthesized stacks and the RTO model; nothing on the critical path waits on the dark region longer than a client's deadline, and traffic follows the health checks where Route 53's control plane cannot be reached.",
  setup: lagEverywhere(1),
  measuresRto: true,
  async script(s) {
    const minute = s.timings.heartbeatInterval(s.primary).seconds;
    // Dark right after a heartbeat arrived: the heartbeat window runs out as late as it can.
    await s.after(minute);
    s.blackout(s.primary);
    await s.after(s.timings.budget.worstCaseSeconds);
    await s.after(minute);
  },
  async checks(view, s) {
    const [start] = starts(view);
    const completed = start ? decided(view, 'completed').find((d) => 'generation' in d && d.generation === start.generation) : undefined;
    const evidence = start ? evidenceBefore(view, s.primary, start.at, s.config) : [];
    const fromDark = view.deliveredFrom(s.primary);
    return [
      failoversStarted(view, 1),
      check(
        'the automatic failover rests on the probe and the missing heartbeat',
        start !== undefined &&
          start.request.mode === 'auto' &&
          (['probe', 'heartbeat'] as const).every((kind) => evidence.some((e) => e.kind === kind && start.reason.includes(e.alarmName))),
        start ? `${start.reason}; in ALARM before it: ${evidence.map((e) => `${e.alarmName} (${e.kind})`).join(', ') || 'nothing'}` : 'no automatic failover',
      ),
      check('no event from the dark region reached the controller after it went dark', fromDark === 0, `${fromDark} alarm event(s) or heartbeat(s) delivered from ${s.primary} after the blackout`),
      check('failover completed', completed !== undefined, completed?.reason ?? 'no completed decision for the failover'),
      dnsAnswers(view, s.standby),
      parametersIn(view, [s.standby], s.standby),
      stateIs(view, { phase: 'steady', active: s.standby, generation: 1 }),
      writerIs(view, s.standby, [`failover ${s.primary}→${s.standby}`]),
    ];
  },
};

const telemetrySilentButServing: Scenario = {
  name: 'telemetry-silent-but-serving',
  title: 'Heartbeats lost, region serving: no failover',
  description:
    "The primary's heartbeats stop reaching the controller (its forwarding broke), while the prober in the controller region still gets answers and no alarm fires. A missing heartbeat is evidence, but one kind of signal is not a quorum: the controller stays put and every decision says why.",
  setup: lagEverywhere(1),
  async script(s) {
    const minute = s.timings.heartbeatInterval(s.primary).seconds;
    await s.after(minute);
    s.silenceHeartbeats(s.primary);
    await s.after(s.timings.heartbeatWindow.seconds + s.config.policy.sustainSeconds + 2 * minute);
  },
  async checks(view, s) {
    const heartbeat = s.signal(s.primary, 'heartbeat');
    const why = view.decisions.filter((d) => d.reason.includes(heartbeat.alarmName) && d.reason.includes(`needs quorum ${s.config.policy.quorum}`));
    return [
      failoversStarted(view, 0),
      check('the heartbeat signal went to ALARM', view.alarmsBefore(heartbeat.alarmName, Number.POSITIVE_INFINITY), `${heartbeat.alarmName}: window ${s.timings.heartbeatWindow.seconds} s (${s.timings.heartbeatWindow.source})`),
      check('the reasons say a missing heartbeat alone is not a quorum', why.length > 0, why[why.length - 1]?.reason ?? `no decision names ${heartbeat.alarmName} and the quorum of ${s.config.policy.quorum}`),
      ...stayedHome(view, s, 0),
    ];
  },
};

const falseAlarm: Scenario = {
  name: 'false-alarm',
  title: 'A flapping alarm is not an outage',
  description:
    "The primary's 5xx alarm flaps between ALARM and OK for three minutes while its health check briefly has no data. INSUFFICIENT_DATA is not ALARM and one kind of signal is not a quorum, so the controller does nothing, and every decision says why.",
  setup: lagEverywhere(1),
  async script(s) {
    const api = s.signal(s.primary, 'alarm', 0);
    const health = s.signal(s.primary, 'health-check');
    await alarmsAt(s, [
      [10, api, 'ALARM'],
      [25, health, 'INSUFFICIENT_DATA'],
      [70, api, 'OK'],
      [80, api, 'ALARM'],
      [95, health, 'OK'],
      [130, api, 'OK'],
      [150, api, 'ALARM'],
      [165, api, 'OK'],
    ]);
    await s.at(180);
  },
  async checks(view, s) {
    const unexplained = view.decisions.filter((d) => d.reason.trim() === '');
    const quorumReason = view.decisions.filter((d) => d.reason.includes(`needs quorum ${s.config.policy.quorum}`));
    return [
      failoversStarted(view, 0),
      check('every event explained', view.decisions.length > 0 && unexplained.length === 0, `${view.decisions.length} decisions, ${unexplained.length} without a reason`),
      check(
        'the reasons say one kind of signal is not a quorum',
        quorumReason.length > 0,
        quorumReason[0]?.reason ?? `no decision mentions the quorum of ${s.config.policy.quorum}`,
      ),
      ...stayedHome(view, s, 0),
    ];
  },
};

const manualWhileFrozen: Scenario = {
  name: 'manual-failover-while-frozen',
  title: 'Frozen for a change window; a human fails over by hand',
  description:
    'An operator freezes the controller for a change window. A real outage then only gets reported: the controller suppresses its automatic failover and says it is frozen. The operator fails over by hand, which works while frozen, then unfreezes.',
  setup: lagEverywhere(1),
  async script(s) {
    await s.at(5);
    await s.override({ action: 'freeze', operator: 'alice', reason: 'change window CHG-1042: no automatic moves' });
    await primaryFails(s, { at: 20, healthAlarmAt: 25, database: 'unreachable' });
    await s.at(130);
    await s.override({ action: 'failover', operator: 'alice', reason: `${s.primary} API down for 110 s, AWS Health confirms`, target: s.standby });
    await s.after(30);
    await s.override({ action: 'unfreeze', operator: 'alice', reason: 'change window over' });
  },
  async checks(view, s) {
    const suppressed = view.decisions.find((d) => d.action === 'suppressed' && d.reason.includes('frozen by alice'));
    const [start] = starts(view);
    return [
      check('freeze stopped the automatic failover', suppressed !== undefined, suppressed?.reason ?? 'no decision suppressed by the freeze'),
      failoversStarted(view, 1),
      check(
        'manual failover works while frozen',
        start !== undefined && start.request.mode === 'manual' && start.request.requestedBy === 'alice' && start.reason.includes('while frozen'),
        start?.reason ?? 'no failover started',
      ),
      check('failover completed', decided(view, 'completed').length === 1, decided(view, 'completed')[0]?.reason ?? 'no completed decision'),
      ...failedOver(view, s, 1, { frozen: false }),
    ];
  },
};

const dataLossRefused: Scenario = {
  name: 'data-loss-refused',
  title: 'Replication lag over the RPO budget: refused, then allowed by a human',
  description:
    "The primary fails while the standby's replica lags 9 s behind (its lag alarm has not fired: the metric stopped with the primary). The automatic failover's preflight refuses to lose more than the 5 s RPO budget and halts the workflow; the controller stays halted and moves nothing. An operator acknowledges, then fails over allowing data loss (no force needed: the cap limits automatic failovers, and the standby is healthy); that override goes through the plain AWS CLI.",
  setup: lagEverywhere(9),
  async script(s) {
    await primaryFails(s, { at: 10, healthAlarmAt: 20, database: 'unreachable' });
    await s.at(120);
    const halted = await s.view();
    s.check(
      'halted workflow moved nothing',
      halted.stored?.state.phase === 'halted' && halted.weights[s.primary] === 100 && halted.writer === s.primary && halted.parameters[s.primary]?.activeRegion === s.primary,
      `phase ${halted.stored?.state.phase}; weights ${fmt(halted.weights)}; writer ${halted.writer}; ${s.primary} active-region ${halted.parameters[s.primary]?.activeRegion}`,
    );
    await s.after(60);
    await s.override({ action: 'acknowledge', operator: 'bob', reason: 'lag 9 s confirmed; deciding on data loss with the payments owner' });
    await s.after(20);
    await s.override(
      { action: 'failover', operator: 'bob', reason: 'payments owner accepts losing up to 9 s of writes', target: s.standby, allowDataLoss: true },
      'aws-cli',
    );
    await s.after(30);
  },
  async checks(view, s) {
    const halted = decided(view, 'halted')[0];
    const list = starts(view);
    const manual = list.find((d) => d.request.mode === 'manual');
    return [
      check(
        'preflight refused the data loss and the controller halted',
        halted !== undefined && halted.reason.includes('DataLossNotPermitted') && halted.reason.includes('data loss not permitted'),
        halted?.reason ?? 'no halted decision',
      ),
      check('acknowledge ends the halt', decided(view, 'acknowledge').length === 1, decided(view, 'acknowledge')[0]?.reason ?? 'no acknowledge decision'),
      failoversStarted(view, 2),
      check(
        'the failover allowing data loss completed',
        manual !== undefined && manual.request.allowDataLoss && decided(view, 'completed').some((d) => 'generation' in d && d.generation === manual.generation),
        manual ? `g${manual.generation} by ${manual.request.requestedBy}, allowDataLoss ${manual.request.allowDataLoss}; ${decided(view, 'completed')[0]?.reason ?? 'not completed'}` : 'no manual failover',
      ),
      // Only when the AWS CLI was there to publish with; otherwise the timeline notes why not.
      ...(view.viaAwsCli.length > 0
        ? [
            check(
              'an override published with the plain AWS CLI is accepted like drctl’s',
              manual !== undefined && view.viaAwsCli.some((id) => id.endsWith('-failover')),
              `${view.viaAwsCli.join(', ')} via aws events put-events → ${manual ? `start-failover g${manual.generation}` : 'no failover started'}`,
            ),
          ]
        : []),
      ...failedOver(view, s, 2),
    ];
  },
};

const abort: Scenario = {
  name: 'abort',
  title: 'An operator aborts a failover in flight',
  description:
    'The primary fails and the controller starts a failover. While the workflow is about to promote the database, an operator aborts it: the execution is stopped, the workflow reports ABORTED and the controller halts until acknowledged. Nothing moved; after the acknowledgement the cap on automatic failovers keeps the controller from starting again by itself.',
  setup: lagEverywhere(1),
  async script(s) {
    s.pauseBefore('promote-database');
    await primaryFails(s, { at: 10, healthAlarmAt: 20, database: 'reachable' });
    await s.at(120);
    s.note('the failover workflow waits before promote-database: the operator aborts it there');
    await s.after(15);
    await s.override({ action: 'abort', operator: 'carol', reason: 'primary recovering on its own; AWS Health says resolved' });
    await s.after(30);
    await s.override({ action: 'acknowledge', operator: 'carol', reason: 'aborted on purpose; staying in the primary' });
    await s.after(60);
  },
  async checks(view, s) {
    const [start] = starts(view);
    const halted = decided(view, 'halted')[0];
    const afterAck = view.decisions.slice(view.decisions.findIndex((d) => d.action === 'acknowledge') + 1);
    return [
      failoversStarted(view, 1),
      check('abort decided for the failover in flight', decided(view, 'abort').length === 1, decided(view, 'abort')[0]?.reason ?? 'no abort decision'),
      check('the workflow stopped before promoting the database', view.steps.join(',') === 'preflight', `steps run: ${view.steps.join(', ') || 'none'}`),
      check('ABORTED halts the controller', halted !== undefined && halted.reason.includes('ABORTED'), halted?.reason ?? 'no halted decision'),
      check(
        'no automatic restart after acknowledge',
        afterAck.length > 0 && afterAck.every((d) => d.action !== 'start-failover') && afterAck.some((d) => d.action === 'suppressed'),
        afterAck.map((d) => `${d.action}: ${d.reason}`).slice(-1)[0] ?? 'no decision after acknowledge',
      ),
      ...stayedHome(view, s, 1),
      ...(start ? [await executionCheck(view, start.executionName, 'ABORTED')] : []),
    ];
  },
};

/** The readiness runs so far whose result for `target` passed or failed, as asked. */
const readinessOf = (view: WorldView, target: Region) => view.readiness.map((r) => ({ run: r, result: r.report.targets.find((t) => t.target === target) })).filter((x) => x.result);

const failback: Scenario = {
  name: 'failback',
  title: 'The way home: failback once the old primary is in sync again',
  description:
    "The primary fails and the controller fails over on its own. The primary's region recovers: Aurora adds its old cluster back to the global cluster as a secondary, first pending-resync, later connected. Readiness (on its synthesized schedule) says failback is not possible while it resynchronizes, and a drctl failback asked then is refused with that reason; once readiness reports it in sync, drctl failback moves writer, traffic and parameters home with a switchover: no data lost.",
  setup: lagEverywhere(1),
  readiness: true,
  async script(s) {
    const interval = s.readiness.intervalSeconds;
    const minute = s.timings.heartbeatInterval(s.primary).seconds;
    await s.after(minute);
    s.outage(s.primary, [s.signal(s.primary, 'alarm', 0), s.signal(s.primary, 'alarm', 1)]);
    await s.after(s.timings.budget.worstCaseSeconds + minute);
    await s.recover(s.primary);
    s.readiness.rejoin(s.primary, 'pending-resync');
    s.note(`Aurora adds the old primary's cluster in ${s.primary} back to the global cluster as a secondary: pending-resync`);
    await s.at(interval + minute);
    await s.override({ action: 'failback', operator: 'erin', reason: `${s.primary} is back; going home` });
    await s.after(minute);
    s.readiness.rejoin(s.primary, 'connected');
    s.note(`${s.primary}'s cluster has resynchronized: connected, lag 1 s`);
    await s.at(2 * interval + minute);
    await s.override({ action: 'failback', operator: 'erin', reason: `readiness says ${s.primary} is in sync; going home` });
    await s.after(minute);
  },
  async checks(view, s) {
    const [auto, back] = starts(view);
    const home = readinessOf(view, s.primary);
    const refused = view.decisions.find((d) => d.action === 'suppressed' && d.reason.includes('failback refused'));
    const done = back ? view.decisions.find((d) => d.action === 'completed' && 'generation' in d && d.generation === back.generation) : undefined;
    const last = view.promotions[view.promotions.length - 1];
    return [
      failoversStarted(view, 2),
      check('the outage failed over automatically', auto !== undefined && auto.request.mode === 'auto' && auto.target === s.standby, auto?.reason ?? 'no automatic failover'),
      check(
        'readiness reported failback not possible, then possible',
        home.some((x) => x.run.failbackPossible === false && x.result!.failing.includes('global-cluster-member')) && home.some((x) => x.run.failbackPossible === true),
        home.map((x) => `${new Date(x.run.at).toISOString()}: ${x.run.failbackPossible ? 'possible' : `not possible (${x.result!.failing.join(', ')})`}`).join('; ') || 'no readiness result for the home region',
      ),
      check(
        'a failback while out of sync is refused, naming the reason',
        refused !== undefined && refused.reason.includes('global-cluster-member') && refused.reason.includes('not in sync'),
        refused?.reason ?? 'no failback was refused',
      ),
      check(
        'the failback is a planned switchover back home, by the operator',
        back !== undefined && back.request.planned === true && back.target === s.primary && back.request.requestedBy === 'erin' && !back.request.allowDataLoss,
        back ? `${back.reason} (planned ${String(back.request.planned)}, allowDataLoss ${back.request.allowDataLoss})` : 'no failback started',
      ),
      check('failback completed', done !== undefined, done?.reason ?? 'no completed decision for the failback'),
      check('no data lost: the way home is a switchover (RPO 0)', last?.mode === 'switchover' && last.region === s.primary, last ? `${last.mode} ${last.from}→${last.region}` : 'no promotion'),
      writerIs(view, s.primary, [`failover ${s.primary}→${s.standby}`, `switchover ${s.standby}→${s.primary}`]),
      trafficGoesTo(view, s.primary),
      parametersSay(view, s.primary, [s.standby]),
      stateIs(view, { phase: 'steady', active: s.primary, generation: 2 }),
    ];
  },
};

const readinessDrift: Scenario = {
  name: 'readiness-drift',
  title: 'A record edited by hand: readiness refuses the automatic failover, force still works',
  description:
    "Someone edits the standby's weighted record by hand. The next scheduled readiness evaluation fails its weighted-records check; its alarm fires and the controller keeps the result. When the primary then fails, the controller refuses the automatic failover into the standby and names the failing check; a manual failover without force is refused the same way, and the operator's forced failover goes through and completes.",
  setup: lagEverywhere(1),
  readiness: true,
  async script(s) {
    const minute = s.timings.heartbeatInterval(s.primary).seconds;
    await s.after(minute);
    await s.editRecord(s.standby, 10);
    await s.at(s.readiness.intervalSeconds + minute);
    s.outage(s.primary, [s.signal(s.primary, 'alarm', 0), s.signal(s.primary, 'alarm', 1)]);
    await s.after(s.timings.budget.worstCaseSeconds);
    await s.override({ action: 'failover', operator: 'frank', reason: `${s.primary} is down`, target: s.standby });
    await s.after(minute / 2);
    await s.override({ action: 'failover', operator: 'frank', reason: `${s.primary} is down; the record is fixed by the failover itself`, target: s.standby, force: true });
    await s.after(minute);
  },
  async checks(view, s) {
    const [result] = readinessOf(view, s.standby);
    const alarm = result?.run.alarms[s.standby];
    const kept = view.decisions.find((d) => d.reason.startsWith(`readiness of ${s.standby}`) && d.reason.includes('weighted-records'));
    const autoRefused = view.decisions.find((d) => d.action === 'suppressed' && d.reason.includes('automatic failover into it refused') && d.reason.includes('weighted-records'));
    const manualRefused = view.decisions.find((d) => d.action === 'suppressed' && d.reason.includes('by frank') && d.reason.includes('weighted-records') && d.reason.includes('use force'));
    const [start] = starts(view);
    return [
      check(
        'readiness failed the weighted-records check of the standby',
        result !== undefined && result.result!.failing.includes('weighted-records'),
        result ? result.result!.checks.filter((c) => !c.passed).map((c) => `${c.check}: ${c.detail}`).join('; ') || 'every check passed' : 'no readiness result for the standby',
      ),
      check('the readiness alarm fired', alarm?.value === 1 && alarm.state === 'ALARM', alarm ? `${alarm.alarmName}: ReadinessFailed ${alarm.value} → ${alarm.state}` : 'no readiness alarm for the standby'),
      check('the controller kept the result', kept !== undefined, kept?.reason ?? 'no decision on the readiness result'),
      check('the automatic failover was refused, naming the failing check', autoRefused !== undefined && !starts(view).some((d) => d.request.mode === 'auto'), autoRefused?.reason ?? 'no refusal naming weighted-records'),
      check('a manual failover without force was refused, naming the failing check', manualRefused !== undefined, manualRefused?.reason ?? 'no refused manual failover'),
      failoversStarted(view, 1),
      check('the forced manual failover started', start !== undefined && start.request.mode === 'manual' && start.reason.includes('(forced)'), start?.reason ?? 'no failover started'),
      check('failover completed', decided(view, 'completed').length === 1, decided(view, 'completed')[0]?.reason ?? 'no completed decision'),
      ...failedOver(view, s, 1),
    ];
  },
};

/** Every scenario, in the order the drill runs them. */
export const SCENARIOS: readonly Scenario[] = [regionOutage, regionBlackout, telemetrySilentButServing, falseAlarm, manualWhileFrozen, dataLossRefused, abort, failback, readinessDrift];

export const SCENARIO_NAMES: readonly string[] = SCENARIOS.map((s) => s.name);

/** Reads the end state of the execution on the state machine service, for checks that need it. */
export async function executionCheck(view: WorldView, executionName: string, status: string): Promise<Check> {
  const actual = await view.executionStatus(executionName);
  return check(`execution ${executionName} ${status} on the state machine service`, actual === status, `DescribeExecution: ${actual ?? 'no such execution'}`);
}

export type { Scenario, ScenarioScript };
