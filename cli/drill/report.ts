import type { DecisionAction } from '../../domain/decision';
import type { AlarmState } from '../../domain/events';
import type { Check, DrillRun, RtoBreakdown, ScenarioResult, TimelineEntry } from './timeline';

/**
 * Render a drill run as one self-contained HTML page: inline CSS and SVG, no script, no external
 * reference, so it can be attached to a ticket, opened offline and printed. Per scenario it shows
 * a timeline (signal states, decisions, operator overrides, workflow steps on one simulated time
 * axis), the RTO breakdown when the scenario measured one, the checks, and every decision with its
 * full reason. Every string from the run is HTML-escaped.
 *
 * Signal lanes colour each CloudWatch alarm state (OK, ALARM, INSUFFICIENT_DATA) from its state
 * change to the next one of the same alarm.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-weighted.html#rrsets-values-weighted-ttl
 */
export function renderReport(run: DrillRun): string {
  run.scenarios.forEach(checkScenario);
  const passed = run.scenarios.filter((s) => s.passed).length;
  const ok = run.scenarios.length > 0 && passed === run.scenarios.length;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Drill report: ${ok ? 'passed' : 'failed'} · ${formatWhen(run.ranAt)}</title>
<style>${raw(CSS)}</style>
</head>
<body>
<main>
<header class="page">
  <p class="eyebrow">dr-controller · failover drill</p>
  <h1>Drill report ${verdictBadge(ok, 'large')}</h1>
  <p class="meta">
    <span>Ran <strong>${formatWhen(run.ranAt)}</strong></span>
    <span>Backend <strong>${run.backend}</strong> (${BACKENDS[run.backend]})</span>
    <span>${run.scenarios.length === 0 ? 'no scenario ran: nothing was rehearsed' : `${passed} of ${run.scenarios.length} scenarios passed`}</span>
  </p>
  ${run.notes.length > 0 ? html`<ul class="notes">${run.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}
</header>
${run.scenarios.length > 0 ? summary(run.scenarios) : ''}
${run.scenarios.map(scenarioSection)}
</main>
</body>
</html>
`;
  return page.text;
}

// ---------------------------------------------------------------------------------------------
// Escaping: everything interpolated into `html` is escaped unless it is already Markup.
// ---------------------------------------------------------------------------------------------

/** Markup that is safe to insert as is: only `html` and `raw` make one. */
class Markup {
  constructor(readonly text: string) {}
}

type Part = Markup | string | number | false | undefined | readonly Part[];

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for HTML element content and quoted attribute values. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function html(strings: TemplateStringsArray, ...parts: Part[]): Markup {
  return new Markup(strings.reduce((out, s, i) => out + s + (i < parts.length ? partText(parts[i]) : ''), ''));
}

function partText(part: Part): string {
  if (part instanceof Markup) return part.text;
  if (isParts(part)) return part.map(partText).join('');
  if (part === undefined || part === false) return '';
  return escapeHtml(String(part));
}

function isParts(part: Part): part is readonly Part[] {
  return Array.isArray(part);
}

function raw(text: string): Markup {
  return new Markup(text);
}

// ---------------------------------------------------------------------------------------------
// Input checks: a run that cannot be drawn fails with the field and the fix.
// ---------------------------------------------------------------------------------------------

function checkScenario(s: ScenarioResult): void {
  const where = `drill report: scenario "${s.scenario}"`;
  if (!Number.isFinite(s.startedAt) || !Number.isFinite(s.endedAt) || s.endedAt < s.startedAt) {
    throw new Error(`${where}: startedAt (${s.startedAt}) and endedAt (${s.endedAt}) must be epoch ms with endedAt ≥ startedAt; record the end after the start`);
  }
  s.entries.forEach((e, i) => {
    if (!Number.isFinite(e.at)) throw new Error(`${where}: entries[${i}].at (${e.at}) is not epoch ms; record the simulated time of the ${e.kind}`);
    if (e.kind === 'step' && !(e.endAt >= e.at)) {
      throw new Error(`${where}: entries[${i}] (step ${e.step}) endAt (${e.endAt}) is before at (${e.at}); record the step's end after its start`);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Page parts
// ---------------------------------------------------------------------------------------------

const BACKENDS: Readonly<Record<DrillRun['backend'], string>> = {
  moto: 'AWS APIs over HTTP on 127.0.0.1',
  'in-memory': 'in-memory twins; moto_server was not available',
};

function summary(scenarios: readonly ScenarioResult[]): Markup {
  return html`<table class="summary">
  <thead><tr><th>Scenario</th><th>Verdict</th><th class="num">Checks</th><th class="num">Simulated</th><th class="num">Modelled RTO</th><th class="num">Real time</th></tr></thead>
  <tbody>${scenarios.map(
    (s, i) => html`<tr>
    <td><a href="#${anchor(s, i)}">${s.title}</a> <span class="muted">${s.scenario}</span></td>
    <td>${verdictBadge(s.passed)}</td>
    <td class="num">${s.checks.filter((c) => c.passed).length} / ${s.checks.length}</td>
    <td class="num">${seconds((s.endedAt - s.startedAt) / 1000)}</td>
    <td class="num">${s.rto ? seconds(s.rto.totalSeconds) : '—'}</td>
    <td class="num">${s.wallSeconds.toFixed(1)} s</td>
  </tr>`,
  )}</tbody>
</table>`;
}

function scenarioSection(s: ScenarioResult, index: number): Markup {
  const decisions = s.entries.filter(isKind('decision'));
  const notes = s.entries.filter(isKind('note'));
  return html`<section class="scenario" id="${anchor(s, index)}">
  <div class="scenario-head">
    <h2>${s.title} ${verdictBadge(s.passed)}</h2>
    <p class="muted mono">${s.scenario} · simulated ${formatWhen(new Date(s.startedAt).toISOString())} + ${seconds((s.endedAt - s.startedAt) / 1000)} · ran in ${s.wallSeconds.toFixed(1)} s real time</p>
  </div>
  <p class="description">${s.description}</p>
  <figure class="timeline">${timeline(s)}
    <figcaption>${legend()}</figcaption>
  </figure>
  ${notes.length > 0 ? html`<ul class="scenario-notes">${notes.map((n) => html`<li><span class="time">${offset(s, n.at)}</span> ${n.text}</li>`)}</ul>` : ''}
  ${s.rto ? rtoBlock(s.rto) : ''}
  <h3>Checks</h3>
  ${checksTable(s.checks)}
  <h3>Decisions <span class="muted">(${decisions.length}, every one with its reason)</span></h3>
  ${decisionsTable(s, decisions)}
</section>`;
}

function anchor(s: ScenarioResult, index: number): string {
  return `scenario-${index + 1}-${s.scenario.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

function verdictBadge(passed: boolean, size: 'large' | 'normal' = 'normal'): Markup {
  return html`<span class="verdict ${passed ? 'pass' : 'fail'}${size === 'large' ? ' large' : ''}">${passed ? '✔ passed' : '✘ failed'}</span>`;
}

function checksTable(checks: readonly Check[]): Markup {
  if (checks.length === 0) return html`<p class="muted">This scenario made no checks.</p>`;
  return html`<table class="checks">
  <thead><tr><th class="icon"></th><th>Check</th><th>Passed</th><th>Detail</th></tr></thead>
  <tbody>${checks.map(
    (c) => html`<tr class="${c.passed ? 'pass' : 'fail'}"><td class="icon">${c.passed ? '✔' : '✘'}</td><td class="check-name">${c.name}</td><td>${c.passed ? 'yes' : 'no'}</td><td class="detail">${c.detail}</td></tr>`,
  )}</tbody>
</table>`;
}

type DecisionEntry = Extract<TimelineEntry, { kind: 'decision' }>;

function decisionsTable(s: ScenarioResult, decisions: readonly DecisionEntry[]): Markup {
  if (decisions.length === 0) return html`<p class="muted">The controller made no decision in this scenario.</p>`;
  return html`<table class="decisions">
  <thead><tr><th class="num">#</th><th class="num">Time</th><th>Action</th><th>Reason</th><th>After</th></tr></thead>
  <tbody>${decisions.map(
    (d, i) => html`<tr class="${isQuiet(d.action) ? 'quiet' : ''}">
    <td class="num muted">${i + 1}</td>
    <td class="num time">${offset(s, d.at)}</td>
    <td><span class="action" style="--c:${ACTION_COLOURS[d.action]}">${d.action}</span>${actionDetail(d) ? html`<div class="muted small">${actionDetail(d)}</div>` : ''}</td>
    <td class="reason">${d.reason}</td>
    <td class="muted small nowrap">${d.active}<br>${d.phase}</td>
  </tr>`,
  )}</tbody>
</table>`;
}

function actionDetail(d: DecisionEntry): string {
  return [d.target !== undefined ? `→ ${d.target}` : '', d.generation !== undefined ? `g${d.generation}` : '', d.dryRun ? 'dry run' : '']
    .filter((x) => x !== '')
    .join(' · ');
}

/**
 * The RTO as one stacked bar. Detection and sustain come from the simulated clock, the workflow
 * and DNS TTL are modelled; only the controller's overhead is measured.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-weighted.html#rrsets-values-weighted-ttl
 */
function rtoBlock(rto: RtoBreakdown): Markup {
  const parts = [
    { name: 'detection', value: rto.detectionSeconds, colour: '#f59e0b', help: 'outage → the quorum of signals agrees (alarm periods, probe, heartbeat window, from the synthesized stacks)' },
    { name: 'sustain', value: rto.sustainSeconds, colour: '#fb923c', help: 'quorum held for the sustain period (debounce), met by a wake-up' },
    { name: 'workflow', value: rto.workflowSeconds, colour: '#3b82f6', help: 'failover started → critical path done, each step as the RTO model has it' },
    { name: 'traffic', value: rto.trafficSeconds, colour: '#06b6d4', help: "the workload's parameter cache, or a failing health check moving traffic" },
    { name: 'DNS TTL', value: rto.dnsTtlSeconds, colour: '#8b5cf6', help: 'resolvers keep the old answer until the TTL expires' },
  ];
  const width = 820;
  const sum = parts.reduce((a, p) => a + Math.max(0, p.value), 0) || 1;
  let x = 0;
  const bars = parts.map((p) => {
    const w = (Math.max(0, p.value) / sum) * width;
    const label = `${p.name} ${seconds(p.value, 1)}`;
    const bar = html`<g><title>${p.name}: ${seconds(p.value, 1)} (${p.help})</title>
      <rect x="${fixed(x)}" y="0" width="${fixed(w)}" height="30" fill="${p.colour}"></rect>
      ${w > label.length * 6.6 + 10 ? html`<text x="${fixed(x + w / 2)}" y="19.5" text-anchor="middle" class="rto-label">${label}</text>` : ''}</g>`;
    x += w;
    return bar;
  });
  return html`<div class="rto">
  <h3>Recovery time</h3>
  <div class="rto-row">
    <svg class="rto-bar" viewBox="0 0 ${width} 30" width="${width}" height="30" role="img" aria-label="RTO breakdown">${bars}</svg>
    <div class="rto-total"><strong>${seconds(rto.totalSeconds, 1)}</strong> modelled, target ${seconds(rto.targetSeconds)}<br><span class="muted">model worst case</span> <strong>${seconds(rto.modelWorstCaseSeconds, 1)}</strong> · <span class="muted">controller overhead</span> <strong>${ms(rto.controllerOverheadMs)}</strong> measured</div>
  </div>
  <ul class="rto-legend">${parts.map((p) => html`<li><i style="background:${p.colour}"></i>${p.name} <strong>${seconds(p.value, 1)}</strong> <span class="muted">${p.help}</span></li>`)}</ul>
  <p class="small muted">Modelled: every duration comes from the synthesized stacks and the RTO model <code>drctl rto</code> prints (alarm periods, probe and heartbeat window, each step's client deadlines and AWS-typical durations, the Aurora promotion, health checks, the record's TTL), on the scenario's simulated clock; the model's worst case is the same path with every part at its worst. Measured: the ${ms(rto.controllerOverheadMs)} the controller's own code (every decision and step handler) took on this machine.</p>
</div>`;
}

function legend(): Markup {
  const swatch = (cls: string, label: string) => html`<span class="key"><i class="${cls}"></i>${label}</span>`;
  return html`${swatch('sw-ok', 'OK')}${swatch('sw-alarm', 'ALARM')}${swatch('sw-insufficient', 'INSUFFICIENT_DATA')}${swatch('sw-step', 'step succeeded')}${swatch(
    'sw-step-failed',
    'step failed',
  )}${swatch('sw-flight', 'failover in flight')}<span class="key muted">Hover a marker for its reason; every reason is in the decisions table.</span>`;
}

// ---------------------------------------------------------------------------------------------
// The SVG timeline
// ---------------------------------------------------------------------------------------------

const STATE_COLOURS: Readonly<Record<AlarmState, string>> = { OK: '#22c55e', ALARM: '#ef4444', INSUFFICIENT_DATA: '#9ca3af' };

const ACTION_COLOURS: Readonly<Record<DecisionAction, string>> = {
  'start-failover': '#2563eb',
  completed: '#15803d',
  halted: '#b91c1c',
  abort: '#c2410c',
  freeze: '#7c3aed',
  unfreeze: '#7c3aed',
  acknowledge: '#0f766e',
  suppressed: '#b45309',
  rejected: '#be185d',
  none: '#9ca3af',
  ignored: '#9ca3af',
};

const OVERRIDE_COLOURS: Readonly<Record<string, string>> = {
  failover: ACTION_COLOURS['start-failover'],
  freeze: ACTION_COLOURS.freeze,
  unfreeze: ACTION_COLOURS.unfreeze,
  abort: ACTION_COLOURS.abort,
  acknowledge: ACTION_COLOURS.acknowledge,
};

function isQuiet(action: DecisionAction): boolean {
  return action === 'none' || action === 'ignored';
}

const W = 1160;
const LABEL_W = 250;
const PLOT_RIGHT = W - 28;
const AXIS_H = 34;
const CHAR_W = 6.4;

function isKind<K extends TimelineEntry['kind']>(kind: K) {
  return (e: TimelineEntry): e is Extract<TimelineEntry, { kind: K }> => e.kind === kind;
}

function timeline(s: ScenarioResult): Markup {
  const end = Math.max(s.endedAt, ...s.entries.map((e) => (e.kind === 'step' ? e.endAt : e.at)));
  const span = Math.max(end - s.startedAt, 1000);
  const x = (t: number) => LABEL_W + ((Math.min(Math.max(t, s.startedAt), end) - s.startedAt) / span) * (PLOT_RIGHT - LABEL_W);

  const signals = s.entries.filter(isKind('signal'));
  const decisions = s.entries.filter(isKind('decision'));
  const overrides = s.entries.filter(isKind('override'));
  const steps = s.entries.filter(isKind('step'));

  const rows: Markup[] = [];
  let y = AXIS_H;
  const caption = (text: string) => {
    rows.push(html`<line x1="0" x2="${W}" y1="${y + 0.5}" y2="${y + 0.5}" class="sep"></line><text x="0" y="${y + 16}" class="caption">${text}</text>`);
    y += 22;
  };

  caption('Signals');
  for (const [alarmName, list] of groupSignals(signals)) {
    rows.push(signalLane(alarmName, list, y, x, end));
    y += 34;
  }
  if (signals.length === 0) y = emptyLane(rows, y, 'no signal changed state');

  caption('Controller');
  rows.push(stateLane(decisions, y, x, end));
  y += 34;
  const decisionLane = markerLane(
    'decisions',
    `${decisions.filter((d) => !isQuiet(d.action)).length} that act · ${decisions.filter((d) => isQuiet(d.action)).length} quiet`,
    // Drawn later is drawn on top: a decision that acted stays hoverable over a suppressed one of the same instant.
    [...decisions].sort((a, b) => Number(b.action === 'suppressed') - Number(a.action === 'suppressed')).map((d) => ({
      at: d.at,
      quiet: isQuiet(d.action),
      colour: ACTION_COLOURS[d.action],
      label: d.action === 'start-failover' ? `${d.dryRun ? 'would start' : 'start-failover'} → ${d.target ?? '?'}` : d.action,
      cls: `decision ${d.action}${d.dryRun ? ' dry-run' : ''}`,
      hollow: d.dryRun === true,
      title: `${offset(s, d.at)} · ${d.action}${actionDetail(d) ? ` (${actionDetail(d)})` : ''}\n${d.reason}`,
      shape: 'circle' as const,
    })),
    y,
    x,
  );
  rows.push(decisionLane.markup);
  y += decisionLane.height;
  const overrideLane = markerLane(
    'operator overrides',
    overrides.length === 0 ? 'none' : `${overrides.length} published`,
    overrides.map((o) => ({
      at: o.at,
      quiet: false,
      colour: OVERRIDE_COLOURS[o.action] ?? '#475569',
      label: `${o.action} · ${o.operator} · ${o.via}`,
      cls: `override ${o.action}`,
      hollow: false,
      title: `${offset(s, o.at)} · ${o.action} by ${o.operator} via ${o.via}\n${o.reason}`,
      shape: 'diamond' as const,
    })),
    y,
    x,
  );
  rows.push(overrideLane.markup);
  y += overrideLane.height;

  caption('Workflow');
  for (const step of steps) {
    rows.push(stepRow(s, step, y, x));
    y += 24;
  }
  if (steps.length === 0) y = emptyLane(rows, y, 'no failover workflow ran');

  const height = y + 8;
  return html`<svg class="timeline-svg" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-label="Timeline of ${s.title}">
  ${flightWindows(decisions, end, x, height)}
  ${axis(span, x, s.startedAt, height)}
  ${rows}
  ${decisions
    .filter((d) => d.action === 'start-failover' || d.action === 'completed' || d.action === 'halted')
    .map((d) => html`<line x1="${fixed(x(d.at))}" x2="${fixed(x(d.at))}" y1="${AXIS_H}" y2="${height - 4}" class="event-line${d.dryRun ? ' dry' : ''}" stroke="${ACTION_COLOURS[d.action]}"></line>`)}
</svg>`;
}

/** Signals grouped per alarm, regions in order of first appearance, then alarms in order of first appearance. */
function groupSignals(signals: readonly Extract<TimelineEntry, { kind: 'signal' }>[]): Map<string, Extract<TimelineEntry, { kind: 'signal' }>[]> {
  const regions = [...new Set(signals.map((e) => e.region))];
  const byAlarm = new Map<string, Extract<TimelineEntry, { kind: 'signal' }>[]>();
  for (const e of [...signals].sort((a, b) => regions.indexOf(a.region) - regions.indexOf(b.region))) {
    byAlarm.set(e.alarmName, [...(byAlarm.get(e.alarmName) ?? []), e]);
  }
  for (const list of byAlarm.values()) list.sort((a, b) => a.at - b.at);
  return byAlarm;
}

function laneLabel(name: string, meta: string, y: number): Markup {
  const shown = name.length > 36 ? `${name.slice(0, 35)}…` : name;
  return html`<text x="0" y="${y + 14}" class="lane-name"><title>${name}</title>${shown}</text><text x="0" y="${y + 27}" class="lane-meta">${meta}</text>`;
}

function emptyLane(rows: Markup[], y: number, text: string): number {
  rows.push(html`<text x="${LABEL_W}" y="${y + 16}" class="lane-meta">${text}</text>`);
  return y + 26;
}

function signalLane(alarmName: string, list: readonly Extract<TimelineEntry, { kind: 'signal' }>[], y: number, x: (t: number) => number, end: number): Markup {
  const first = list[0]!;
  const periods = list.map((e, i) => {
    const until = list[i + 1]?.at ?? end;
    const x0 = x(e.at);
    const w = Math.max(x(until) - x0, 1.5);
    return html`<rect class="period ${e.state.toLowerCase()}" x="${fixed(x0)}" y="${y + 6}" width="${fixed(w)}" height="20" fill="${STATE_COLOURS[e.state]}"><title>${alarmName} ${e.state} for ${seconds((until - e.at) / 1000, 1)}</title></rect>`;
  });
  return html`<g class="lane signal-lane">${laneLabel(alarmName, `${first.region} · ${first.signalKind}`, y)}
    <rect x="${LABEL_W}" y="${y + 6}" width="${PLOT_RIGHT - LABEL_W}" height="20" class="lane-bg"></rect>${periods}</g>`;
}

const PHASE_CLASSES: Readonly<Record<DecisionEntry['phase'], string>> = { steady: 'steady', 'failing-over': 'failing-over', halted: 'halted' };

/** The controller's active region and phase after each decision, as bands until the next change. */
function stateLane(decisions: readonly DecisionEntry[], y: number, x: (t: number) => number, end: number): Markup {
  const bands: { from: number; active: string; phase: DecisionEntry['phase'] }[] = [];
  for (const d of decisions) {
    const last = bands[bands.length - 1];
    if (!last || last.active !== d.active || last.phase !== d.phase) bands.push({ from: d.at, active: d.active, phase: d.phase });
  }
  const parts = bands.map((b, i) => {
    const until = bands[i + 1]?.from ?? end;
    const x0 = x(b.from);
    const w = Math.max(x(until) - x0, 1.5);
    const label = b.phase === 'steady' ? `${b.active} active` : `${b.phase} · ${b.active} active`;
    return html`<g class="state ${PHASE_CLASSES[b.phase]}"><title>${label} for ${seconds((until - b.from) / 1000, 1)}</title>
      <rect x="${fixed(x0)}" y="${y + 6}" width="${fixed(w)}" height="20" rx="2"></rect>${
        w > label.length * CHAR_W + 12 ? html`<text x="${fixed(x0 + 6)}" y="${y + 20}">${label}</text>` : ''
      }</g>`;
  });
  return html`<g class="lane state-lane">${laneLabel('controller state', 'active region · phase', y)}${parts}</g>`;
}

interface Marker {
  readonly at: number;
  readonly quiet: boolean;
  readonly colour: string;
  readonly label: string;
  readonly cls: string;
  readonly hollow: boolean;
  readonly title: string;
  readonly shape: 'circle' | 'diamond';
}

/** Loud markers closer than this many pixels share one spot on the lane: they get one label. */
const CLUSTER_PX = 4;
/** Width of a marker label character (11 px, semibold), a little generous so estimates do not collide. */
const LABEL_CHAR_W = 6.8;
const LABEL_GAP = 10;
const LABEL_ROW_H = 13;

/**
 * Labels for the loud markers of a lane, never overlapping: markers at (nearly) the same spot are one
 * label, the one drawn on top (last given) followed by "+N", with a hover title listing them all;
 * labels go greedily on the first row where they fit, and a new row is opened when none has room.
 */
function markerLabels(loud: readonly Marker[], x: (t: number) => number, cy: number): { labels: Markup[]; rows: number } {
  const clusters: { mx: number; members: { m: Marker; order: number }[] }[] = [];
  for (const item of loud.map((m, order) => ({ m, order })).sort((a, b) => a.m.at - b.m.at || a.order - b.order)) {
    const last = clusters[clusters.length - 1];
    if (last && x(item.m.at) - last.mx <= CLUSTER_PX) last.members.push(item);
    else clusters.push({ mx: x(item.m.at), members: [item] });
  }
  const rowEnds: number[] = [];
  const labels = clusters.map(({ members }) => {
    const top = members.reduce((a, b) => (b.order > a.order ? b : a)).m;
    const text = members.length > 1 ? `${top.label} +${members.length - 1}` : top.label;
    const w = text.length * LABEL_CHAR_W;
    const mx = x(top.at);
    const [start, anchorAt, tx] = mx - w / 2 < LABEL_W ? [mx - 4, 'start', mx - 4] : mx + w / 2 > PLOT_RIGHT ? [mx - w + 4, 'end', mx + 4] : [mx - w / 2, 'middle', mx];
    let row = rowEnds.findIndex((endX) => start > endX + LABEL_GAP);
    if (row < 0) row = rowEnds.push(0) - 1;
    rowEnds[row] = start + w;
    const title = members.length > 1 ? html`<title>${members.length} at this instant:\n${members.map(({ m }) => m.title.split('\n')[0]).join('\n')}</title>` : '';
    return html`<text x="${fixed(tx)}" y="${cy + 22 + row * LABEL_ROW_H}" text-anchor="${anchorAt}" class="marker-label" fill="${top.colour}">${title}${text}</text>`;
  });
  return { labels, rows: rowEnds.length };
}

/** A lane of point markers; loud ones get a label below (see markerLabels), the lane grows with the label rows. */
function markerLane(name: string, meta: string, markers: readonly Marker[], y: number, x: (t: number) => number): { markup: Markup; height: number } {
  const cy = y + 12;
  const loud = markers.filter((m) => !m.quiet);
  const { labels, rows } = markerLabels(loud, x, cy);
  const shape = (m: Marker) => {
    const mx = fixed(x(m.at));
    const fill = m.hollow ? '#ffffff' : m.colour;
    const body =
      m.shape === 'diamond'
        ? html`<rect x="${fixed(x(m.at) - 6)}" y="${cy - 6}" width="12" height="12" transform="rotate(45 ${mx} ${cy})" fill="${fill}" stroke="${m.hollow ? m.colour : '#ffffff'}" stroke-width="1.5"></rect>`
        : m.quiet
          ? html`<circle cx="${mx}" cy="${cy}" r="3.5" fill="${m.colour}"></circle>`
          : html`<circle cx="${mx}" cy="${cy}" r="7" fill="${fill}" stroke="${m.hollow ? m.colour : '#ffffff'}" stroke-width="${m.hollow ? 2 : 1.5}"></circle>`;
    return html`<g class="${m.cls}"><title>${m.title}</title>${body}</g>`;
  };
  const height = Math.max(32, 26 + rows * LABEL_ROW_H);
  return {
    markup: html`<g class="lane marker-lane">${laneLabel(name, meta, y)}
    <line x1="${LABEL_W}" x2="${PLOT_RIGHT}" y1="${cy}" y2="${cy}" class="lane-rule"></line>
    ${markers.filter((m) => m.quiet).map(shape)}${loud.map(shape)}${labels}</g>`,
    height,
  };
}

function stepRow(s: ScenarioResult, step: Extract<TimelineEntry, { kind: 'step' }>, y: number, x: (t: number) => number): Markup {
  const x0 = x(step.at);
  const w = Math.max(x(step.endAt) - x0, 3);
  const failed = step.status === 'failed';
  const retries = step.retries > 0 ? ` · ↻ ${step.retries} ${step.retries === 1 ? 'retry' : 'retries'}` : '';
  const note = `${seconds((step.endAt - step.at) / 1000, 1)}${retries}${failed ? ' · failed' : ''}`;
  const after = x0 + w + 6 + note.length * CHAR_W <= W;
  return html`<g class="step ${step.status}"><title>${step.step} ${step.status} at ${offset(s, step.at)}: ${seconds((step.endAt - step.at) / 1000, 1)} simulated, ${ms(step.realMs)} real${
    step.retries > 0 ? `, ${step.retries} ${step.retries === 1 ? 'retry' : 'retries'}` : ''
  }${step.detail !== undefined ? `\n${step.detail}` : ''}</title>
    <text x="0" y="${y + 15}" class="lane-name step-name">${step.step}</text>
    <rect x="${fixed(x0)}" y="${y + 4}" width="${fixed(w)}" height="15" rx="3" class="step-bar ${step.status}"></rect>
    <text x="${fixed(after ? x0 + w + 6 : x0 - 6)}" y="${y + 15}" text-anchor="${after ? 'start' : 'end'}" class="step-note${failed ? ' failed' : ''}${step.retries > 0 ? ' retried' : ''}">${note}</text></g>`;
}

/** Shade each real failover from its start to the workflow's end (completed or halted). */
function flightWindows(decisions: readonly DecisionEntry[], end: number, x: (t: number) => number, height: number): Markup[] {
  const windows: Markup[] = [];
  let startAt: number | undefined;
  for (const d of decisions) {
    if (d.action === 'start-failover' && !d.dryRun) startAt = d.at;
    if ((d.action === 'completed' || d.action === 'halted') && startAt !== undefined) {
      windows.push(flightRect(startAt, d.at, x, height));
      startAt = undefined;
    }
  }
  if (startAt !== undefined) windows.push(flightRect(startAt, end, x, height));
  return windows;
}

function flightRect(from: number, to: number, x: (t: number) => number, height: number): Markup {
  return html`<rect x="${fixed(x(from))}" y="${AXIS_H}" width="${fixed(Math.max(x(to) - x(from), 1))}" height="${height - AXIS_H - 4}" class="flight"></rect>`;
}

const TICK_STEPS = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];

function axis(spanMs: number, x: (t: number) => number, start: number, height: number): Markup {
  const spanS = spanMs / 1000;
  const step = TICK_STEPS.find((t) => spanS / t <= 12) ?? Math.ceil(spanS / 12);
  const ticks: Markup[] = [];
  for (let t = 0; t <= spanS + 1e-9; t += step) {
    const tx = fixed(x(start + t * 1000));
    ticks.push(html`<line x1="${tx}" x2="${tx}" y1="${AXIS_H - 6}" y2="${height - 4}" class="grid"></line><text x="${tx}" y="${AXIS_H - 12}" text-anchor="middle" class="tick">${t} s</text>`);
  }
  return html`<text x="0" y="${AXIS_H - 12}" class="axis-title">seconds from start (simulated)</text>${ticks}`;
}

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

function fixed(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function seconds(value: number, digits = 0): string {
  const rounded = digits === 0 ? Math.round(value) : Number(value.toFixed(digits));
  return `${rounded.toLocaleString('en-US', { maximumFractionDigits: digits })} s`;
}

function ms(value: number): string {
  return `${Math.round(value).toLocaleString('en-US')} ms`;
}

function offset(s: ScenarioResult, at: number): string {
  return `+${((at - s.startedAt) / 1000).toFixed(1)} s`;
}

/** `2026-11-26T03:14:07.512Z` → `2026-11-26 03:14:07 UTC`; anything else is shown as given. */
function formatWhen(iso: string): string {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC` : iso;
}

const CSS = `
:root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --bg: #f8fafc; --pass: #15803d; --fail: #b91c1c; }
* { box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 28px 28px 64px; }
h1 { font-size: 28px; margin: 0 0 6px; display: flex; align-items: center; gap: 14px; letter-spacing: -0.01em; }
h2 { font-size: 20px; margin: 0; display: flex; align-items: center; gap: 10px; }
h3 { font-size: 15px; margin: 26px 0 8px; }
a { color: #1d4ed8; text-decoration: none; }
.eyebrow { text-transform: uppercase; letter-spacing: 0.08em; font-size: 12px; color: var(--muted); margin: 0 0 4px; font-weight: 600; }
.meta { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 0; color: #334155; }
.muted { color: var(--muted); font-weight: normal; }
.small { font-size: 12px; }
.nowrap { white-space: nowrap; }
.mono, .time, .num { font-variant-numeric: tabular-nums; }
.notes { margin: 14px 0 0; padding: 10px 14px 10px 32px; background: #fffbeb; border: 1px solid #fde68a; border-radius: 8px; color: #713f12; }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 12px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.05em; color: #fff; vertical-align: middle; }
.verdict.pass { background: var(--pass); }
.verdict.fail { background: var(--fail); }
.verdict.large { font-size: 15px; padding: 4px 14px; }
table { width: 100%; border-collapse: collapse; background: #fff; }
th, td { text-align: left; vertical-align: top; padding: 7px 10px; border-bottom: 1px solid var(--line); }
th { font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
table.summary { margin-top: 22px; border: 1px solid var(--line); border-radius: 10px; overflow: hidden; border-collapse: separate; border-spacing: 0; }
table.summary tr:last-child td { border-bottom: none; }
.scenario { background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 22px 26px 26px; margin: 26px 0; box-shadow: 0 1px 2px rgba(15, 23, 42, 0.04); }
.scenario-head p { margin: 2px 0 0; font-size: 12.5px; }
.description { margin: 10px 0 4px; max-width: 80ch; color: #1e293b; }
figure.timeline { margin: 14px 0 0; overflow-x: auto; }
.timeline-svg { display: block; width: 100%; height: auto; min-width: 900px; }
svg text { font-family: inherit; }
.caption { font-size: 10.5px; font-weight: 700; letter-spacing: 0.09em; text-transform: uppercase; fill: #94a3b8; }
.sep { stroke: #e2e8f0; }
.lane-name { font-size: 12px; fill: #0f172a; font-weight: 500; }
.step-name { fill: #334155; }
.lane-meta { font-size: 10.5px; fill: var(--muted); }
.lane-bg { fill: #f1f5f9; }
.lane-rule { stroke: #e2e8f0; stroke-dasharray: 2 3; }
.grid { stroke: #eef2f7; }
.tick { font-size: 10.5px; fill: var(--muted); }
.axis-title { font-size: 10.5px; fill: var(--muted); font-style: italic; }
.marker-label { font-size: 11px; font-weight: 600; }
.step-bar.succeeded { fill: #3b82f6; }
.step-bar.failed { fill: #dc2626; }
.step-note { font-size: 10.5px; fill: var(--muted); }
.step-note.retried { fill: #b45309; font-weight: 600; }
.step-note.failed { fill: #b91c1c; font-weight: 600; }
.state rect { fill: #e2e8f0; stroke: #fff; stroke-width: 1; } .state text { font-size: 11px; fill: #334155; font-weight: 600; }
.state.failing-over rect { fill: #bfdbfe; } .state.failing-over text { fill: #1e40af; }
.state.halted rect { fill: #fecaca; } .state.halted text { fill: #991b1b; }
.flight { fill: #dbeafe; opacity: 0.45; }
.event-line { stroke-width: 1; stroke-dasharray: 4 3; opacity: 0.55; pointer-events: none; }
.event-line.dry { stroke-dasharray: 1 3; }
.rto-label { font-size: 11.5px; fill: #fff; font-weight: 600; }
figcaption { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 12px; color: #334155; margin-top: 8px; padding-left: 2px; }
.key { display: inline-flex; align-items: center; gap: 6px; }
.key i { display: inline-block; width: 14px; height: 10px; border-radius: 2px; }
.sw-ok { background: #22c55e; } .sw-alarm { background: #ef4444; } .sw-insufficient { background: #9ca3af; }
.sw-step { background: #3b82f6; } .sw-step-failed { background: #dc2626; } .sw-flight { background: #dbeafe; border: 1px solid #bfdbfe; }
.scenario-notes { margin: 12px 0 0; padding-left: 20px; font-size: 13px; color: #475569; }
.scenario-notes .time { color: var(--muted); margin-right: 6px; }
.rto { margin-top: 8px; }
.rto-row { display: flex; align-items: center; gap: 18px; flex-wrap: wrap; }
.rto-bar { max-width: 100%; height: auto; border-radius: 6px; overflow: hidden; }
.rto-total { font-size: 13px; line-height: 1.35; }
.rto-total strong:first-child { font-size: 20px; }
.rto-legend { list-style: none; padding: 0; margin: 10px 0 6px; display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 4px 18px; font-size: 12.5px; }
.rto-legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
table.checks td.icon { width: 28px; font-weight: 700; text-align: center; }
table.checks tr.pass td.icon { color: var(--pass); }
table.checks tr.fail td.icon { color: var(--fail); }
table.checks tr.fail { background: #fef2f2; }
.check-name { font-weight: 500; }
.action { display: inline-block; font-size: 12px; font-weight: 700; color: var(--c); border: 1px solid var(--c); border-radius: 5px; padding: 0 6px; white-space: nowrap; }
table.decisions tr.quiet td { color: #64748b; }
table.decisions tr.quiet .action { font-weight: 500; }
td.reason { white-space: pre-wrap; overflow-wrap: anywhere; max-width: 70ch; }
td.detail { overflow-wrap: anywhere; }
@media print {
  body { background: #fff; font-size: 12px; }
  main { max-width: none; padding: 0; }
  .scenario { border: none; box-shadow: none; padding: 0; break-before: page; }
  figure.timeline, .rto, tr { break-inside: avoid; }
  .timeline-svg { min-width: 0; }
}
`;
