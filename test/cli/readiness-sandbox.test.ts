import { ChangeResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { existsSync, readFileSync } from 'node:fs';
import { startSandbox, type Sandbox } from '../../cli/drill/sandbox.command';
import { runReadinessCommand } from '../../cli/readiness.command';
import { recordEditedByHand } from '../../local/moto-environment';
import type { ReadinessCheckName, ReadinessReport } from '../../domain/readiness';
import { motoCredentials } from '../support/moto';

/** The checks whose world moto serves: Route 53, SSM, SQS and DynamoDB. */
const SERVED_BY_MOTO: readonly ReadinessCheckName[] = ['weighted-records', 'health-check', 'parameters', 'controller-health'];

/** Run the `drctl readiness` line the sandbox printed, in process; its exit code and the parsed report. */
async function runPrinted(line: string): Promise<{ code: number; report: ReadinessReport }> {
  const args = line.trim().split(/\s+/).slice(2);
  expect(args[0]).toBe('readiness');
  const out: string[] = [];
  const code = await runReadinessCommand(args.slice(1), { env: {}, write: (l) => out.push(l), now: Date.now });
  expect(out).toHaveLength(1);
  return { code, report: JSON.parse(out[0]!) as ReadinessReport };
}

const checksOf = (report: ReadinessReport, target: string) => Object.fromEntries(report.targets.find((t) => t.target === target)!.checks.map((c) => [c.check, c]));

describe('drctl readiness against the sandbox', () => {
  let sandbox: Sandbox;
  let stopped = false;
  const lines: string[] = [];
  beforeAll(async () => {
    sandbox = await startSandbox({ onLine: (line) => lines.push(line) });
  }, 60_000);
  afterAll(async () => {
    if (!stopped) await sandbox?.stop();
  });

  it('prints a drctl readiness command whose settings file names the ids moto generated', () => {
    const printed = lines.find((l) => l.trim().startsWith('npx drctl readiness'));

    expect(printed).toBe(`  npx drctl readiness --settings ${sandbox.readinessSettings} --region ${sandbox.plan.controllerRegion} --endpoint-url ${sandbox.endpoint} --json`);
    const settings = JSON.parse(readFileSync(sandbox.readinessSettings, 'utf8')) as { DR_RESOURCES: { traffic: { hostedZoneId: string } }; DR_READINESS: { queueUrl: string } };
    expect(settings.DR_RESOURCES.traffic.hostedZoneId).toBe(sandbox.world.resources.traffic.hostedZoneId);
    expect(settings.DR_READINESS.queueUrl).toBe(sandbox.world.queueUrl);
  });

  it('runs with --json: what moto serves passes, what it cannot serve fails with the reason, exit code 1', async () => {
    const printed = lines.find((l) => l.trim().startsWith('npx drctl readiness'))!;

    const { code, report } = await runPrinted(printed);

    const { config } = sandbox.plan.settings;
    const standby = config.regions.find((r) => r !== config.initialActive)!;
    expect(report.active).toBe(config.initialActive);
    expect(report.targets.map((t) => t.target)).toEqual([standby]);
    const checks = checksOf(report, standby);
    for (const name of SERVED_BY_MOTO) expect(checks[name]).toEqual(expect.objectContaining({ passed: true }));
    expect(checks['weighted-records']!.detail).toContain(`${standby}'s has 0 with health check ${sandbox.world.resources.traffic.healthCheckIds[standby]}`);
    expect(checks['global-cluster-member']).toEqual(expect.objectContaining({ passed: false, detail: expect.stringMatching(/global cluster/) }));
    expect(code).toBe(1);
  }, 60_000);

  it('sees a weighted record edited by hand in the sandbox', async () => {
    const printed = lines.find((l) => l.trim().startsWith('npx drctl readiness'))!;
    const standby = sandbox.plan.settings.config.regions.find((r) => r !== sandbox.plan.settings.config.initialActive)!;
    const record = sandbox.plan.dns.records.find((r) => r.region === standby)!;
    const route53 = new Route53Client({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials: motoCredentials, maxAttempts: 1 });
    try {
      await route53.send(new ChangeResourceRecordSetsCommand(recordEditedByHand(sandbox.plan, sandbox.world.resources.traffic, standby, 10)));
    } finally {
      route53.destroy();
    }

    const { report } = await runPrinted(printed);

    expect(checksOf(report, standby)['weighted-records']).toEqual({
      check: 'weighted-records',
      passed: false,
      detail: `${standby}'s record (${record.setIdentifier}) has weight 10, expected 0 while ${report.active} serves: the records were edited outside the controller`,
    });
  }, 60_000);

  it('removes the settings file when the sandbox stops', async () => {
    expect(existsSync(sandbox.readinessSettings)).toBe(true);

    await sandbox.stop();
    stopped = true;

    expect(existsSync(sandbox.readinessSettings)).toBe(false);
  });
});
