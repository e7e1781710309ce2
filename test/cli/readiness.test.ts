import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { main } from '../../cli/drctl';
import { CliError } from '../../cli/cli-error';
import { formatReadiness, READINESS_USAGE, runReadinessCommand } from '../../cli/readiness.command';
import type { ReadinessReport } from '../../domain/readiness';
import { arrangeMotoController, CONTROLLER, PRIMARY, SECONDARY, type MotoController } from '../adapters/readiness-moto';
import { startMoto, type Moto } from '../support/moto';

/**
 * `drctl readiness` against moto_server, on the deployed readiness function's own settings.
 * moto has no SimulatePrincipalPolicy, so the IAM twin is passed in for the permissions; against
 * moto without it, the step-permissions check fails and says why.
 */
describe('drctl readiness', () => {
  let moto: Moto;
  let c: MotoController;
  let dir: string;
  const now = Date.now();

  beforeAll(async () => {
    moto = await startMoto();
    dir = mkdtempSync(join(tmpdir(), 'readiness-cli-'));
  });
  afterAll(async () => {
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await moto.reset();
    c = await arrangeMotoController(moto, now);
  });
  afterEach(() => c.destroy());

  const run = async (args: string[], twinIam = true) => {
    const lines: string[] = [];
    const code = await runReadinessCommand([...args, '--region', CONTROLLER, '--endpoint-url', moto.endpoint], {
      env: {},
      write: (line) => lines.push(line),
      now: () => now,
      ...(twinIam ? { permissions: () => c.permissions } : {}),
    });
    return { code, lines };
  };
  const settingsFile = () => {
    const file = join(dir, `settings-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ DR_CONFIG: c.config, DR_RESOURCES: c.resources, DR_READINESS: c.targets }));
    return file;
  };

  it('reads the readiness function\'s settings, checks every target and exits 0 when all are ready (--json)', async () => {
    await c.clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'payments-dev-readiness',
        Runtime: 'nodejs22.x',
        Role: c.roles.preflight,
        Handler: 'index.handler',
        Code: { ZipFile: new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]) },
        Environment: { Variables: { DR_CONFIG: JSON.stringify(c.config), DR_RESOURCES: JSON.stringify(c.resources), DR_READINESS: JSON.stringify(c.targets) } },
      }),
    );

    const { code, lines } = await run(['--app', 'payments', '--env', 'dev', '--json']);

    expect(code).toBe(0);
    const report = JSON.parse(lines[0]!) as ReadinessReport;
    expect(report).toMatchObject({ active: PRIMARY, evaluatedAt: now, targets: [{ target: SECONDARY, ready: true, failing: [] }] });
    expect(report.targets[0]!.checks).toHaveLength(10);
  });

  it('prints each target\'s verdict and every check, and exits 1 when a target is not ready', async () => {
    // The target's own parameter was edited by hand: it no longer names the active region.
    await c.clients.ssm(SECONDARY).send(new PutParameterCommand({ Name: '/payments/dev/active-region', Value: SECONDARY, Type: 'String', Overwrite: true }));

    const { code, lines } = await run(['--settings', settingsFile()]);

    expect(code).toBe(1);
    expect(lines[1]).toBe('us-east-2: NOT READY (parameters)');
    expect(lines.find((l) => l.startsWith('  ✘ parameters'))).toMatch(/us-east-2/);
    expect(lines.filter((l) => l.startsWith('  ✔'))).toHaveLength(9);
  });

  it('says why step-permissions fails where IAM cannot simulate (moto has no SimulatePrincipalPolicy)', async () => {
    const { code, lines } = await run(['--settings', settingsFile()], false);

    expect(code).toBe(1);
    expect(lines[1]).toBe('us-east-2: NOT READY (step-permissions)');
    expect(lines.find((l) => l.includes('step-permissions '))).toMatch(/✘ step-permissions .*iam SimulatePrincipalPolicy for arn:aws:iam::123456789012:role\/payments-preflight failed/);
  });

  it('names what is missing in its arguments, and is wired into drctl', async () => {
    await expect(runReadinessCommand(['--region', 'us-east-2'], { env: {} })).rejects.toThrow(new CliError(`say which controller: --app and --env, --function or --settings; ${READINESS_USAGE}`));
    await expect(runReadinessCommand(['--bogus'], { env: {} })).rejects.toThrow(/Unknown option '--bogus'/);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(main(['readiness', '--function', 'nope', '--region', 'us-east-2', '--endpoint-url', moto.endpoint])).resolves.toBe(1);
      expect(String(stderr.mock.calls[0]?.[0])).toMatch(/^drctl: reading the configuration of nope failed: ResourceNotFoundException/);
    } finally {
      stderr.mockRestore();
    }
  });
});

describe('formatReadiness', () => {
  it('says when there is no target at all', () => {
    expect(formatReadiness({ evaluatedAt: 0, active: 'us-east-1', targets: [] })).toEqual([
      'readiness at 1970-01-01T00:00:00.000Z, us-east-1 serving:',
      '  no failover target: only one region is configured',
    ]);
  });
});
