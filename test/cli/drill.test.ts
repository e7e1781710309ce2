import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDrill } from '../../cli/drill/drill.command';
import { InMemoryEnvironment } from '../../local/environment';
import { synthesizeController } from '../../cli/drill/reference-app';
import { drillPlan } from '../../local/plan';
import { runScenario } from '../../cli/drill/scenario-runner';
import { SCENARIO_NAMES, trafficGoesTo } from '../../cli/drill/scenarios';
import type { DrillRun } from '../../cli/drill/timeline';
import { MotoNotInstalledError } from '../../local/moto-server';
import { freePort } from '../support/moto';

const root = join(__dirname, '..', '..');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'drill-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run the drill in-process; returns its exit code and what it printed. */
async function drill(args: readonly string[], startMoto?: () => Promise<never>): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runDrill(args, { write: (line) => lines.push(line), color: false, width: 120, ...(startMoto ? { startMoto } : {}) });
  return { code, lines };
}

/** `node bin/drctl.js …`, as a user runs it. */
function drctl(args: readonly string[]) {
  const out = spawnSync(process.execPath, [join(root, 'bin', 'drctl.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  return { status: out.status, stdout: out.stdout, stderrLines: out.stderr.trim().split('\n') };
}

describe('drctl drill', () => {
  it('rehearses every scenario on moto_server and every verdict passes, with the report written', async () => {
    const report = join(dir, 'moto', 'drill-report.html');

    const { code, lines } = await drill(['--report', report, '--json']);

    expect(code).toBe(0);
    const run = JSON.parse(lines[lines.length - 1] ?? '{}') as DrillRun;
    expect(run.backend).toBe('moto');
    expect(run.scenarios.map((s) => [s.scenario, s.passed])).toEqual(SCENARIO_NAMES.map((name) => [name, true]));
    expect(run.scenarios.every((s) => s.checks.length >= 5)).toBe(true);
    expect(run.notes.join('\n')).toMatch(/Aurora twin: moto has no FailoverGlobalCluster\/SwitchoverGlobalCluster/);
    const outage = run.scenarios.find((s) => s.scenario === 'region-outage');
    const { timings } = drillPlan(synthesizeController());
    expect(outage?.rto).toEqual(expect.objectContaining({ sustainSeconds: expect.any(Number), workflowSeconds: expect.any(Number), dnsTtlSeconds: timings.model.dnsTtlSeconds }));
    for (const name of ['region-outage', 'region-blackout']) expect(run.scenarios.find((s) => s.scenario === name)?.rto?.totalSeconds).toBeLessThanOrEqual(timings.budget.targetSeconds);
    expect(outage?.entries.filter((e) => e.kind === 'step').map((e) => e.kind === 'step' && e.step)).toEqual(
      expect.arrayContaining(['preflight', 'fence-old-region', 'promote-database', 'check-writer', 'shift-traffic', 'update-config', 'verify-recovery', 'announce']),
    );
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    for (const s of run.scenarios) expect(html).toContain(s.title.replace(/'/g, '&#39;'));
  }, 240_000);

  it('runs on the in-memory twins, and says so in one line, when moto_server is not installed', async () => {
    const report = join(dir, 'in-memory.html');
    const noMoto = async (): Promise<never> => {
      throw new MotoNotInstalledError('moto_server is not on the PATH');
    };

    const { code, lines } = await drill(['--scenario', 'region-outage', '--report', report], noMoto);

    expect(code).toBe(0);
    expect(lines.filter((l) => l.includes('in-memory twins'))).toEqual([expect.stringMatching(/^drill: moto_server is not on the PATH; running on the in-memory twins/)]);
    expect(lines.some((l) => l.startsWith('✔ PASSED  region-outage'))).toBe(true);
    expect(readFileSync(report, 'utf8')).toContain('in-memory twins');
  });

  it('fails a scenario whose check does not hold in the world it left', async () => {
    const reference = synthesizeController();
    const env = new InMemoryEnvironment(drillPlan(reference));

    const result = await runScenario({
      env,
      startAt: Date.UTC(2026, 10, 26, 3, 0, 0),
      scenario: {
        name: 'nothing-happens',
        title: 'No event at all',
        description: 'Expects a failover that nothing asked for.',
        setup: () => ({ lagSeconds: {} }),
        script: async (s) => s.at(30),
        checks: async (view, s) => [trafficGoesTo(view, s.standby)],
      },
    });

    expect(result.passed).toBe(false);
    expect(result.checks.find((c) => !c.passed)).toEqual({
      name: 'Route 53 sends all traffic to us-east-2',
      passed: false,
      detail: 'weighted records: us-east-1=100, us-east-2=0',
    });
  });

  it('exits 2 with one line naming the scenarios when the scenario is unknown', () => {
    const { status, stdout, stderrLines } = drctl(['drill', '--scenario', 'nope']);

    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderrLines).toEqual([`drctl: unknown scenario 'nope'; the scenarios are ${SCENARIO_NAMES.join(', ')}`]);
  });

  it('exits 2 with one line when the port it is told to use is busy', async () => {
    const port = await freePort();
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const { status, stderrLines } = drctl(['drill', '--port', String(port)]);

      expect(status).toBe(2);
      expect(stderrLines).toEqual([`drctl: port ${port} on 127.0.0.1 is in use; pick another with --port or leave --port out for a free one`]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('exits 2 with one line on an unknown flag, and writes no report', () => {
    const report = join(dir, 'never.html');

    const { status, stderrLines } = drctl(['drill', '--scenarios', 'abort', '--report', report]);

    expect(status).toBe(2);
    expect(stderrLines).toHaveLength(1);
    expect(stderrLines[0]).toMatch(/^drctl: Unknown option '--scenarios'.*; usage: drctl drill \[--scenario <region-outage\|/);
    expect(existsSync(report)).toBe(false);
  });
});
