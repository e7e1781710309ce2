import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDrill } from '../../cli/drill/drill.command';
import { rateSeconds } from '../../local/timings';
import { InMemoryEnvironment } from '../../local/environment';
import { synthesizeController } from '../../cli/drill/reference-app';
import { drillPlan, type DrillPlan } from '../../local/plan';
import { runScenario } from '../../cli/drill/scenario-runner';
import { SCENARIOS } from '../../cli/drill/scenarios';
import type { DrillRun, ScenarioResult } from '../../cli/drill/timeline';
import { MotoNotInstalledError } from '../../local/moto-server';
import { callWorstSeconds, stepSpec } from '../../handlers/steps/step-registry';

const START = Date.UTC(2026, 10, 26, 3, 0, 0);
let plan: DrillPlan;
let dir: string;
beforeAll(() => {
  plan = drillPlan(synthesizeController());
  dir = mkdtempSync(join(tmpdir(), 'drill-blackout-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scenario(name: string) {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
}

async function inMemory(name: string): Promise<ScenarioResult> {
  return runScenario({ env: new InMemoryEnvironment(plan), scenario: scenario(name), startAt: START });
}

const failed = (r: ScenarioResult) => r.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`);
const notes = (r: ScenarioResult) => r.entries.flatMap((e) => (e.kind === 'note' ? [e.text] : []));

describe('drill timings', () => {
  it('come from the synthesized stacks: an alarm fires after its period × datapoints to alarm', () => {
    const api = plan.settings.config.signals.find((s) => s.kind === 'alarm' && s.critical)!;

    expect(plan.timings.breachToAlarm(api.alarmName)).toEqual({ seconds: 180, source: expect.stringMatching(/Period 60 s × DatapointsToAlarm 3$/) });
    expect(plan.timings.heartbeatInterval(plan.settings.config.initialActive).seconds).toBe(60);
    expect(plan.timings.heartbeatWindow.seconds).toBe(plan.settings.config.policy.heartbeatWindowSeconds);
    expect(plan.timings.probeAlarm.seconds).toBe(plan.timings.model.detection.probeSeconds);
  });

  it('read rate expressions as EventBridge does, and refuse what they cannot follow', () => {
    expect(rateSeconds('rate(1 minute)')).toBe(60);
    expect(rateSeconds('rate(5 minutes)')).toBe(300);
    expect(() => rateSeconds('cron(0 * * * ? *)')).toThrow(/not a rate/);
  });
});

describe('drill scenario region-blackout (in memory)', () => {
  let result: ScenarioResult;
  beforeAll(async () => {
    result = await inMemory('region-blackout');
  });

  it('passes every check', () => {
    expect(failed(result)).toEqual([]);
    expect(result.passed).toBe(true);
  });

  it('detects the dark region at the end of the heartbeat window and fails over within the target and the model’s worst case', () => {
    const rto = result.rto!;

    expect(rto.detectionSeconds).toBe(plan.timings.model.detection.detectedSeconds);
    expect(rto.sustainSeconds).toBeGreaterThanOrEqual(plan.settings.config.policy.sustainSeconds);
    expect(rto.dnsTtlSeconds).toBe(plan.timings.model.dnsTtlSeconds);
    expect(rto.totalSeconds).toBeLessThanOrEqual(rto.targetSeconds);
    expect(rto.totalSeconds).toBeLessThanOrEqual(rto.modelWorstCaseSeconds);
    expect(rto.modelWorstCaseSeconds).toBe(plan.timings.budget.worstCaseSeconds);
    expect(rto.controllerShare).toBeLessThanOrEqual(0.01);
  });

  it('starts the failover within a second of the sustain deadline, which a wake-up was scheduled for', () => {
    const sustain = plan.settings.config.policy.sustainSeconds;

    expect(result.rto!.sustainSeconds).toBeGreaterThanOrEqual(sustain);
    expect(result.rto!.sustainSeconds).toBeLessThanOrEqual(sustain + 1);
    expect(notes(result).some((t) => t.startsWith('wake-up scheduled for '))).toBe(true);
  });

  it("lets calls into the dark region hang exactly as long as the calling step's client deadline", () => {
    const hung = notes(result).filter((t) => / hangs [\d.]+ s until the client's deadline$/.test(t));
    const shift = hung.find((t) => t.includes('(shift-traffic)'));

    expect(shift).toContain(`hangs ${callWorstSeconds(stepSpec('shift-traffic').call)} s`);
    expect(hung.some((t) => t.startsWith('CloudWatch DescribeAlarms in us-east-1 hangs'))).toBe(true);
  });
});

describe('drill scenario region-outage (in memory)', () => {
  it("fires each alarm after its synthesized evaluation periods from the outage, not at a scripted second", async () => {
    const result = await inMemory('region-outage');
    const outageAt = result.entries.find((e) => e.kind === 'note' && e.text.endsWith('API fails: every request errors from now on'))!.at;
    const firedAfter = (alarmName: string) => {
      const entry = result.entries.find((e) => e.kind === 'signal' && e.alarmName === alarmName && e.state === 'ALARM');
      return entry && (entry.at - outageAt) / 1000;
    };
    const { signals } = plan.settings.config;
    const api = signals.find((s) => s.kind === 'alarm' && s.critical)!;
    const probe = signals.find((s) => s.kind === 'probe' && s.region === plan.settings.config.initialActive)!;
    const check = signals.find((s) => s.kind === 'health-check' && s.region === plan.settings.config.initialActive)!;

    expect(failed(result)).toEqual([]);
    expect(firedAfter(api.alarmName)).toBe(plan.timings.breachToAlarm(api.alarmName).seconds);
    expect(firedAfter(probe.alarmName)).toBe(plan.timings.probeAlarm.seconds);
    expect(firedAfter(check.alarmName)).toBe(plan.timings.healthCheckFails.seconds + plan.timings.breachToAlarm(check.alarmName).seconds);
  });
});

describe('the RTO check', () => {
  it('fails the blackout when its modelled recovery exceeds the target, naming every part', async () => {
    const strict = { ...plan, timings: { ...plan.timings, budget: { ...plan.timings.budget, targetSeconds: 200 } } };

    const result = await runScenario({ env: new InMemoryEnvironment(strict), scenario: scenario('region-blackout'), startAt: START });

    expect(result.passed).toBe(false);
    const detection = plan.timings.model.detection.detectedSeconds;
    expect(failed(result)).toEqual([
      expect.stringMatching(new RegExp(`^modelled RTO within the 200 s target: [\\d.]+ s = detection ${detection} s \\+ sustain [\\d.]+ s \\+ workflow [\\d.]+ s \\+ traffic [\\d.]+ s \\+ DNS TTL \\d+ s`)),
    ]);
  });
});

describe('drill scenario telemetry-silent-but-serving (in memory)', () => {
  it('does not fail over on a lost heartbeat alone, and the decisions say why', async () => {
    const result = await inMemory('telemetry-silent-but-serving');

    expect(failed(result)).toEqual([]);
    expect(result.entries.some((e) => e.kind === 'decision' && e.action === 'start-failover')).toBe(false);
    expect(result.entries.some((e) => e.kind === 'signal' && e.signalKind === 'heartbeat' && e.state === 'ALARM')).toBe(true);
  });
});

describe('drctl drill --scenario region-blackout,telemetry-silent-but-serving', () => {
  async function drill(startMoto?: () => Promise<never>): Promise<{ code: number; run: DrillRun }> {
    const lines: string[] = [];
    const code = await runDrill(['--scenario', 'region-blackout,telemetry-silent-but-serving', '--json', '--report', join(dir, `${startMoto ? 'mem' : 'moto'}.html`)], {
      write: (line) => lines.push(line),
      color: false,
      width: 120,
      ...(startMoto ? { startMoto } : {}),
    });
    return { code, run: JSON.parse(lines[lines.length - 1] ?? '{}') as DrillRun };
  }

  it('passes on moto_server, reporting the blackout’s RTO within the target', async () => {
    const { code, run } = await drill();

    expect(run.backend).toBe('moto');
    expect(run.scenarios.map((s) => [s.scenario, s.passed, failed(s)])).toEqual([
      ['region-blackout', true, []],
      ['telemetry-silent-but-serving', true, []],
    ]);
    expect(code).toBe(0);
    const rto = run.scenarios[0]?.rto;
    expect(rto?.totalSeconds).toBeLessThanOrEqual(300);
    expect(rto?.targetSeconds).toBe(300);
    expect(run.scenarios[1]?.rto).toBeUndefined();
  }, 180_000);

  it('passes on the in-memory twins when moto_server is not installed', async () => {
    const noMoto = async (): Promise<never> => {
      throw new MotoNotInstalledError('moto_server is not on the PATH');
    };

    const { code, run } = await drill(noMoto);

    expect(run.backend).toBe('in-memory');
    expect(run.scenarios.map((s) => [s.scenario, s.passed, failed(s)])).toEqual([
      ['region-blackout', true, []],
      ['telemetry-silent-but-serving', true, []],
    ]);
    expect(code).toBe(0);
  }, 120_000);
});
