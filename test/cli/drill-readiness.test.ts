import { runDrill } from '../../cli/drill/drill.command';
import { synthesizeController } from '../../cli/drill/reference-app';
import { runScenario } from '../../cli/drill/scenario-runner';
import { SCENARIOS } from '../../cli/drill/scenarios';
import type { DrillRun, ScenarioResult } from '../../cli/drill/timeline';
import { InMemoryEnvironment } from '../../local/environment';
import { drillPlan } from '../../local/plan';

const plan = drillPlan(synthesizeController());
const scenario = (name: string) => SCENARIOS.find((s) => s.name === name)!;
const failed = (result: ScenarioResult) => result.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`);
const notes = (result: ScenarioResult) => result.entries.flatMap((e) => (e.kind === 'note' ? [e.text] : []));
const decisions = (result: ScenarioResult) => result.entries.flatMap((e) => (e.kind === 'decision' ? [e] : []));

/** On the in-memory twins, from now (overrides are stamped with the simulated clock). */
async function inMemory(name: string): Promise<ScenarioResult> {
  return runScenario({ env: new InMemoryEnvironment(plan), scenario: scenario(name), startAt: Math.floor(Date.now() / 60_000) * 60_000 });
}

describe('readiness in the drill', () => {
  it('takes the readiness schedule and its alarms from the synthesized controller stack', () => {
    expect(plan.readiness).toEqual({
      ruleName: `${plan.names.prefix}-readiness`,
      intervalSeconds: 15 * 60,
      alarms: Object.fromEntries(
        plan.settings.config.regions.map((r) => [r, { alarmName: plan.names.readinessAlarmName(r), threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 1 }]),
      ),
    });
  });

  describe('failback, in memory', () => {
    let result: ScenarioResult;
    beforeAll(async () => {
      result = await inMemory('failback');
    });

    it('passes every check', () => {
      expect(failed(result)).toEqual([]);
    });

    it('evaluates readiness on the schedule: not possible while pending-resync, possible once connected', () => {
      const runs = notes(result).filter((n) => n.startsWith('readiness'));
      expect(runs).toEqual([
        expect.stringMatching(/us-east-1 NOT READY \(global-cluster-member: .* is pending-resync, not connected.*replication-lag: no recent replication lag datapoint.*; failback not possible yet; 1 DR Readiness event/),
        expect.stringMatching(/us-east-1 ready; ReadinessFailed 0, alarm payments-drill-readiness-us-east-1 OK; failback possible; 1 DR Readiness event/),
      ]);
    });

    it('refuses the failback asked while out of sync, then fails back with a planned switchover', () => {
      const asked = decisions(result).filter((d) => d.reason.startsWith('failback by erin'));
      expect(asked.map((d) => d.action)).toEqual(['suppressed', 'start-failover']);
      expect(asked[0]!.reason).toMatch(/failback refused: us-east-1 failed readiness at .* \(global-cluster-member, replication-lag\)/);
      expect(asked[1]!.reason).toContain('planned switchover, no data loss');
    });
  });

  describe('readiness-drift, in memory', () => {
    let result: ScenarioResult;
    beforeAll(async () => {
      result = await inMemory('readiness-drift');
    });

    it('passes every check', () => {
      expect(failed(result)).toEqual([]);
    });

    it('refuses every automatic failover into the drifted target and starts only the forced one', () => {
      const whileDown = decisions(result).filter((d) => d.reason.includes('us-east-1 is down'));
      const starts = decisions(result).filter((d) => d.action === 'start-failover');
      expect(whileDown.filter((d) => d.action === 'suppressed').length).toBeGreaterThan(0);
      expect(starts).toEqual([expect.objectContaining({ reason: expect.stringContaining('manual failover from us-east-1 to us-east-2 (forced)') })]);
    });
  });

  it('fails the drift scenario when nobody edits the record (the checks can fail)', async () => {
    const drift = scenario('readiness-drift');
    const result = await runScenario({
      env: new InMemoryEnvironment(plan),
      scenario: { ...drift, script: (s) => drift.script({ ...s, editRecord: async () => undefined }) },
      startAt: Math.floor(Date.now() / 60_000) * 60_000,
    });

    expect(result.passed).toBe(false);
    expect(failed(result)).toContainEqual(expect.stringMatching(/^the automatic failover was refused, naming the failing check/));
  });

  it('passes both scenarios on moto_server', async () => {
    const lines: string[] = [];

    const code = await runDrill(['--scenario', 'failback,readiness-drift', '--json'], { write: (line) => lines.push(line), color: false, width: 120 });

    const run = JSON.parse(lines[lines.length - 1] ?? '{}') as DrillRun;
    expect(run.backend).toBe('moto');
    expect(run.scenarios.map((s) => [s.scenario, failed(s)])).toEqual([
      ['failback', []],
      ['readiness-drift', []],
    ]);
    expect(code).toBe(0);
  }, 180_000);
});
