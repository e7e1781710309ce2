import fc from 'fast-check';
import { renderConsoleTimeline } from '../../cli/drill/console';
import { renderReport } from '../../cli/drill/report';
import type { DrillRun, ScenarioResult, TimelineEntry } from '../../cli/drill/timeline';
import { HOSTILE_REASON, sampleDrillRun } from './drill-sample';

const run = sampleDrillRun();
const [outage, falseAlarm, halt] = run.scenarios as [ScenarioResult, ScenarioResult, ScenarioResult];

const count = (text: string, needle: string) => text.split(needle).length - 1;
const entriesOf = <K extends TimelineEntry['kind']>(s: ScenarioResult, kind: K) => s.entries.filter((e): e is Extract<TimelineEntry, { kind: K }> => e.kind === kind);
/** The HTML of each scenario's section, in order. */
const sections = (html: string) => html.split('<section class="scenario"').slice(1);

describe('renderReport', () => {
  const html = renderReport(run);

  it('renders one self-contained document with no external reference', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(count(html, '<html')).toBe(1);
    expect(count(html, '</html>')).toBe(1);
    expect(count(html, '<body')).toBe(1);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<script\b/i);
    expect(html).not.toMatch(/@import|url\(/i);
  });

  it('shows the run header, every scenario with its verdict, and every check', () => {
    expect(html).toContain('2026-11-26 03:14:07 UTC');
    expect(html).toContain('moto');
    expect(html).toContain('database promotion modelled by the Aurora twin');
    expect(html).toContain('2 of 3 scenarios passed');
    const parts = sections(html);
    expect(parts).toHaveLength(3);
    run.scenarios.forEach((s, i) => {
      const part = parts[i]!;
      expect(part).toContain(s.title);
      expect(part).toContain(s.description.replace(/'/g, '&#39;'));
      expect(part).toContain(s.passed ? 'verdict pass' : 'verdict fail');
      for (const c of s.checks) {
        expect(part).toContain(c.name);
        expect(part).toContain(c.detail.replace(/"/g, '&quot;'));
      }
    });
  });

  it('says the drill failed when one scenario failed, and when no scenario ran', () => {
    const header = (r: DrillRun) => renderReport(r).split('</h1>')[0]!;

    expect(header(run)).toContain('verdict fail');
    expect(header({ ...run, scenarios: [outage, falseAlarm] })).toContain('verdict pass');
    expect(header({ ...run, scenarios: [] })).toContain('verdict fail');
    expect(renderReport({ ...run, scenarios: [] })).toContain('no scenario ran');
  });

  it('escapes markup in every string it shows: reasons, names, notes and details', () => {
    const evil = '<script>alert(1)</script>';
    const hostile: DrillRun = {
      ...run,
      ranAt: `x${evil}`,
      notes: [evil],
      scenarios: run.scenarios.map((s) => ({
        ...s,
        scenario: `${s.scenario}"${evil}`,
        title: s.title + evil,
        description: evil,
        checks: s.checks.map((c) => ({ ...c, name: c.name + evil, detail: evil })),
        entries: s.entries.map((e): TimelineEntry => {
          switch (e.kind) {
            case 'signal':
              return { ...e, alarmName: e.alarmName + evil, region: e.region + evil };
            case 'decision':
              return { ...e, reason: e.reason + evil, active: e.active + evil, ...(e.target !== undefined ? { target: e.target + evil } : {}) };
            case 'override':
              return { ...e, action: e.action + evil, operator: e.operator + evil, reason: evil };
            case 'step':
              return { ...e, step: e.step + evil, detail: evil };
            case 'note':
              return { ...e, text: evil };
          }
        }),
      })),
    };

    const out = renderReport(hostile);

    expect(out).not.toMatch(/<script/i);
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('freeze by alice (change window CHG-1042 &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;no automatic moves&quot; &lt;b&gt;please&lt;/b&gt;)');
    expect(html).not.toContain(HOSTILE_REASON);
  });

  it('draws one bar per signal state period, coloured by state, and one marker per decision and override', () => {
    const parts = sections(html);
    run.scenarios.forEach((s, i) => {
      const part = parts[i]!;
      const signals = entriesOf(s, 'signal');
      expect(count(part, '<rect class="period ')).toBe(signals.length);
      expect(count(part, '<rect class="period alarm"')).toBe(signals.filter((e) => e.state === 'ALARM').length);
      expect(count(part, '<rect class="period insufficient_data"')).toBe(signals.filter((e) => e.state === 'INSUFFICIENT_DATA').length);
      expect(count(part, '<g class="decision ')).toBe(entriesOf(s, 'decision').length);
      expect(count(part, '<g class="override ')).toBe(entriesOf(s, 'override').length);
      expect(count(part, '<g class="step ')).toBe(entriesOf(s, 'step').length);
    });
  });

  it('ends each signal period at the next change of that alarm or at the scenario end', () => {
    // payments-us-east-1-api-5xx in the outage: OK 0–12 s, ALARM 12–240 s, OK 240–300 s.
    const part = sections(html)[0]!;

    expect(part).toContain('<title>payments-us-east-1-api-5xx OK for 12 s</title>');
    expect(part).toContain('<title>payments-us-east-1-api-5xx ALARM for 228 s</title>');
    expect(part).toContain('<title>payments-us-east-1-api-5xx OK for 60 s</title>');
  });

  it('marks failed steps red and shows their retries', () => {
    const part = sections(html)[2]!;

    expect(part).toMatch(/<g class="step failed"><title>promote-database failed at \+107\.0 s: 60 s simulated, 61 ms real, 2 retries/);
    expect(part).toContain('60 s · ↻ 2 retries · failed');
    expect(count(part, 'class="step-bar failed"')).toBe(1);
  });

  it('lists every decision with its full reason and puts the reason in the marker hover title', () => {
    const part = sections(html)[0]!;
    const start = entriesOf(outage, 'decision').find((d) => d.action === 'start-failover')!;
    const reason = start.reason.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

    expect(part).toContain(`<td class="reason">${reason}</td>`);
    expect(part).toContain(`<g class="decision start-failover"><title>+92.0 s · start-failover (→ us-east-2 · g1)\n${reason}</title>`);
    expect(count(part, '<td class="reason">')).toBe(entriesOf(outage, 'decision').length);
  });

  it('draws the RTO bar with the measured overhead only for scenarios that have an RTO', () => {
    expect(count(html, '<div class="rto">')).toBe(1);
    const withRto = renderReport({ ...run, scenarios: [outage] });
    const without = renderReport({ ...run, scenarios: [falseAlarm, halt] });

    expect(count(withRto, '<svg class="rto-bar"')).toBe(1);
    expect(withRto).toContain('<strong>257 s</strong> modelled');
    expect(withRto).toContain('<strong>642 ms</strong> measured');
    for (const label of ['detection', 'sustain', 'workflow', 'traffic', 'DNS TTL']) expect(withRto).toContain(`${label} <strong>`);
    expect(withRto).toContain('<span class="muted">model worst case</span> <strong>283.3 s</strong>');
    expect(without).not.toContain('class="rto');
  });

  describe('the decisions lane labels', () => {
    const t0 = outage.startedAt;
    const decision = (sec: number, action: 'start-failover' | 'completed' | 'halted' | 'freeze' | 'abort' | 'suppressed', reason = `${action} reason`): TimelineEntry => ({
      kind: 'decision',
      at: t0 + sec * 1000,
      action,
      reason,
      active: 'us-east-1',
      phase: 'steady',
      ...(action === 'start-failover' ? { target: 'us-east-2', generation: 1 } : {}),
    });
    const lane = (entries: TimelineEntry[]) => {
      const part = sections(renderReport({ ...run, scenarios: [{ ...outage, startedAt: t0, endedAt: t0 + 300_000, entries }] }))[0]!;
      const labels = [...part.matchAll(/<text x="([\d.-]+)" y="(\d+)" text-anchor="(start|middle|end)" class="marker-label"[^>]*>(?:<title>([^<]*)<\/title>)?([^<]*)<\/text>/g)].map(
        ([, x, y, anchor, title, text]) => {
          // Generous: 11 px semibold text is narrower than 7 px a character.
          const w = text!.length * 7;
          const left = anchor === 'start' ? Number(x) : anchor === 'end' ? Number(x) - w : Number(x) - w / 2;
          return { y: Number(y), left, right: left + w, title, text: text! };
        },
      );
      const overridesY = Number(/<text x="0" y="(\d+)" class="lane-name"><title>operator overrides<\/title>/.exec(part)![1]);
      return { labels, overridesY };
    };

    it('gives decisions that act at the same instant one label, "+N", whose hover title lists them all', () => {
      const { labels } = lane([decision(100, 'suppressed'), decision(100, 'start-failover'), decision(100, 'completed')]);

      expect(labels).toHaveLength(1);
      expect(labels[0]!.text).toBe('completed +2');
      expect(labels[0]!.title).toBe('3 at this instant:\n+100.0 s · suppressed\n+100.0 s · start-failover (→ us-east-2 · g1)\n+100.0 s · completed');
    });

    it('puts labels of nearby decisions on as many rows as they need, never overlapping, and grows the lane to fit', () => {
      const actions = ['start-failover', 'halted', 'freeze', 'abort', 'completed', 'suppressed'] as const;
      const { labels, overridesY } = lane(actions.map((a, i) => decision(100 + i * 4, a)));

      expect(labels.map((l) => l.text)).toEqual(['start-failover → us-east-2', 'halted', 'freeze', 'abort', 'completed', 'suppressed']);
      expect(new Set(labels.map((l) => l.y)).size).toBeGreaterThan(3);
      const overlapping = labels.flatMap((a, i) => labels.slice(i + 1).filter((b) => a.y === b.y && a.right > b.left && b.right > a.left).map((b) => `${a.text} / ${b.text}`));
      expect(overlapping).toEqual([]);
      expect(overridesY).toBeGreaterThan(Math.max(...labels.map((l) => l.y)) + 4);
    });

    it('keeps labels far apart on one row', () => {
      const { labels } = lane([decision(30, 'start-failover'), decision(150, 'completed'), decision(270, 'halted')]);

      expect(new Set(labels.map((l) => l.y)).size).toBe(1);
    });
  });

  it('shows a long signal name cut short, with the full name in its hover title', () => {
    const alarmName = 'payments-us-east-1-api-5xx-with-a-very-long-alarm-name';
    const entries: TimelineEntry[] = [{ kind: 'signal', at: outage.startedAt, alarmName, region: 'us-east-1', signalKind: 'alarm', state: 'ALARM' }];
    const part = sections(renderReport({ ...run, scenarios: [{ ...outage, entries }] }))[0]!;

    expect(part).toContain(`class="lane-name"><title>${alarmName}</title>${alarmName.slice(0, 35)}…</text>`);
  });

  it('rejects a step that ends before it starts, naming the field and the fix', () => {
    const step: TimelineEntry = { kind: 'step', at: outage.startedAt + 5000, endAt: outage.startedAt + 1000, step: 'preflight', status: 'succeeded', retries: 0, realMs: 3 };

    expect(() => renderReport({ ...run, scenarios: [{ ...outage, entries: [step] }] })).toThrow(
      /scenario "region-outage": entries\[0\] \(step preflight\) endAt .* is before at .*; record the step's end after its start/,
    );
  });
});

describe('renderConsoleTimeline', () => {
  it('prints signals, decisions, steps and overrides on the simulated clock', () => {
    const lines = renderConsoleTimeline(outage);

    expect(lines[0]).toBe('── region-outage: Primary region outage');
    expect(lines).toContain('+  12.0s  signal   payments-us-east-1-api-5xx (us-east-1, alarm) → ALARM');
    expect(lines).toContain('+  92.0s  decision start-failover → us-east-2 g1: tick; us-east-1 is down: 3 of 5 critical signals in ALARM for ≥ 30 s');
    expect(lines).toContain('+ 207.0s  step     announce succeeded in 1.0s simulated, 18 ms real');
    expect(lines.some((l) => l.startsWith('+  94.0s  step     fence-old-region succeeded in 5.0s simulated, 188 ms real, 1 retry:'))).toBe(true);
    expect(renderConsoleTimeline(halt)).toContain('+ 240.0s  override unfreeze by alice via drctl: change window over');
  });

  it('wraps the reasons of decisions that act and cuts quiet ones to one line', () => {
    const lines = renderConsoleTimeline(outage);
    const at = lines.findIndex((l) => l.startsWith('+  92.0s  decision start-failover'));
    const quiet = lines.filter((l) => l.startsWith('+  60.0s  decision none'));

    expect(lines.slice(at + 1, at + 3).every((l) => l.startsWith(' '.repeat(19)))).toBe(true);
    expect(lines.slice(at, at + 3).join(' ')).toMatch(/failing over to\s+us-east-2$/);
    expect(quiet).toHaveLength(1);
    expect(quiet[0]).toMatch(/…$/);
    for (const s of run.scenarios) for (const l of renderConsoleTimeline(s)) expect(l.length).toBeLessThanOrEqual(120);
  });

  it('keeps every line within the width, free of control characters, whatever the reason says', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600, size: 'max' }), fc.integer({ min: 40, max: 160 }), (reason, width) => {
        const entries: TimelineEntry[] = [
          { kind: 'decision', at: outage.startedAt, action: 'halted', reason, active: 'us-east-1', phase: 'halted' },
          { kind: 'override', at: outage.startedAt, action: 'freeze', operator: 'alice', reason, via: 'drctl' },
        ];
        const lines = renderConsoleTimeline({ ...outage, entries, checks: [{ name: 'n', passed: true, detail: reason }], rto: undefined, scenario: 's', title: 't' }, { width });
        // eslint-disable-next-line no-control-regex -- an operator's text must not reach the terminal as escape codes
        return lines.every((l) => l.length <= width && !/[\u0000-\u001f\u007f-\u009f]/.test(l));
      }),
    );
  });

  it('ends with the checks and the verdict, in colour only when asked', () => {
    const plain = renderConsoleTimeline(halt);
    const coloured = renderConsoleTimeline(halt, { color: true });

    expect(plain).toContain('  ✔ manual failover works while frozen: start-failover g1 at +100 s');
    expect(plain.some((l) => l.startsWith('  ✘ halt announced to the on-call topic:'))).toBe(true);
    expect(plain[plain.length - 1]).toBe('✘ FAILED  halt-and-override: 3 of 4 checks passed (270 s simulated, 3.0 s real)');
    expect(plain.join('\n')).not.toContain('\u001b[');
    expect(coloured[coloured.length - 1]).toContain('\u001b[31m');
    expect(renderConsoleTimeline(falseAlarm, { color: true }).at(-1)).toContain('\u001b[32m');
  });

  it('prints the modelled RTO with the measured controller overhead when there is one', () => {
    expect(renderConsoleTimeline(outage).join('\n')).toMatch(
      /RTO 257 s modelled \(detection 19 s \+ sustain 61 s \+ workflow 117 s \+ traffic 0 s \+ DNS TTL 60 s; model worst case\s+283.3 s, target 300 s\); controller overhead 642 ms measured \(0.250 %\)/,
    );
    expect(renderConsoleTimeline(falseAlarm).join('\n')).not.toContain('RTO');
  });
});
