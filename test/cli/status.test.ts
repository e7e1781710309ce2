import { createStateTable } from '../support/state-table';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetParametersCommand, PutParameterCommand, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { DynamoDbStateStore } from '../../adapters/state-store/dynamodb-state-store.adapter';
import { CliError } from '../../cli/cli-error';
import { formatStatus, runStatus, statusReport, type StatusReport } from '../../cli/status.command';
import type { Decision } from '../../domain/decision';
import type { ControllerState } from '../../domain/state';
import { freePort, motoClientConfig, startMoto, type Moto } from '../support/moto';

const root = join(__dirname, '..', '..');
const TABLE = 'dr-state';
const REGION = 'us-east-2';
const PREFIX = '/payments/dev';
const T0 = Date.UTC(2026, 10, 26, 3, 0, 0);
const NOW = T0 + 10 * 60_000;

/** A controller mid-failover: frozen by an operator afterwards, its earlier cooldown long over. */
const failingOver: ControllerState = {
  app: 'payments',
  active: 'us-east-1',
  phase: 'failing-over',
  generation: 3,
  inFlight: {
    generation: 3,
    executionName: 'payments-failover-g3',
    from: 'us-east-1',
    target: 'us-east-2',
    mode: 'auto',
    allowDataLoss: false,
    requestedBy: 'controller',
    reason: 'us-east-1 is down',
    startedAt: T0 + 60_000,
    detectedAt: T0,
    confirmedAt: T0 + 61_000,
  },
  frozen: { until: T0 + 3_600_000, operator: 'alice', reason: 'hold while we watch' },
  cooldownUntil: T0 - 86_400_000,
  autoFailovers: [T0 + 60_000],
  signals: {},
  recentRequests: ['freeze-1'],
  lastFailover: { generation: 2, from: 'us-east-2', target: 'us-east-1', completedAt: T0 - 90_000_000, recoverySeconds: 312 },
};

const base = { app: 'payments', active: 'us-east-1', phase: 'steady' } as const;
const decisions: Decision[] = [
  { ...base, eventId: 'e-1', at: T0, action: 'none', reason: 'payments-api-5xx-use1 (us-east-1, alarm) is ALARM; us-east-1 not down: 1 of 2 critical signals in ALARM' },
  {
    ...base,
    phase: 'failing-over',
    eventId: 'e-2',
    at: T0 + 60_000,
    action: 'start-failover',
    target: 'us-east-2',
    generation: 3,
    executionName: 'payments-failover-g3',
    dryRun: false,
    request: { app: 'payments', generation: 3, executionName: 'payments-failover-g3', from: 'us-east-1', target: 'us-east-2', mode: 'auto', allowDataLoss: false, requestedBy: 'controller', reason: 'us-east-1 is down', requestedAt: T0 + 60_000 },
    reason: 'us-east-1 is down: 2 of 2 critical signals in ALARM for ≥ 60 s; failing over to us-east-2',
  },
  { ...base, phase: 'failing-over', eventId: 'freeze-1', at: T0 + 120_000, action: 'freeze', reason: 'freeze by alice (hold while we watch): automatic action stopped until 2026-11-26T04:00:00.000Z' },
];

describe('statusReport / formatStatus', () => {
  it('tells an operator a halted controller needs an acknowledge, and that a freeze has expired', () => {
    // Arrange
    const halted: ControllerState = {
      ...failingOver,
      phase: 'halted',
      inFlight: undefined,
      halted: { generation: 3, executionName: 'payments-failover-g3', status: 'FAILED', reason: 'promote DB timed out', at: T0 + 300_000 },
      frozen: { until: T0 + 60_000, operator: 'alice', reason: 'drill' },
    };

    // Act
    const lines = formatStatus(statusReport({ app: 'payments', table: TABLE, stored: { state: halted, version: 9 }, decisions: [], now: NOW }));

    // Assert
    expect(lines).toEqual([
      'payments: active us-east-1, phase halted, generation 3 (state version 9 in table dr-state)',
      '  frozen:         until 2026-11-26T03:01:00.000Z by alice (drill) — expired, cleared on the next event',
      '  cooldown until: 2026-11-25T03:00:00.000Z (ended)',
      '  in flight:      none',
      "  halted:         after g3 payments-failover-g3 FAILED at 2026-11-26T03:05:00.000Z: promote DB timed out; 'drctl override acknowledge' resumes automatic action",
      '  last failover:  g2 us-east-2 → us-east-1 completed 2026-11-25T02:00:00.000Z (recovery 312 s)',
      'no decisions recorded',
    ]);
  });
});

describe('statusReport: a stuck failover', () => {
  const report = (inFlight: ControllerState['inFlight'], now: number, runTimeoutSeconds?: number) =>
    statusReport({
      app: 'payments',
      table: TABLE,
      stored: { state: { ...failingOver, frozen: undefined, inFlight }, version: 4 },
      decisions: [],
      now,
      ...(runTimeoutSeconds !== undefined ? { runTimeoutSeconds } : {}),
      ssm: { prefix: PREFIX, regions: [{ region: 'us-east-2', activeRegion: 'us-east-2' }] },
    });

  it('calls a failover in flight longer than the run timeout stuck, and stops calling the disagreement expected', () => {
    // Arrange: confirmed running, then 2 hours without its end reaching the controller.
    const flight = failingOver.inFlight!;

    // Act
    const r = report(flight, flight.startedAt + 7_200_000, 3_600);
    const lines = formatStatus(r);

    // Assert
    expect(r.inFlight).toMatchObject({ ageSeconds: 7_200, confirmedAt: '2026-11-26T03:01:01.000Z', stuck: expect.stringMatching(/^in flight for 7200 s, longer than the run timeout \(3600 s\)/) });
    expect(lines).toContain(`  ! stuck: failover g3 ${r.inFlight!.stuck!}`);
    expect(r.ssm?.disagreements).toEqual([
      "/payments/dev/active-region in us-east-2 says us-east-2, the controller's state says us-east-1 (failover g3 in flight but stuck: see above)",
    ]);
  });

  it('calls a failover stuck when it is still not confirmed running two ticks after it started, with its failed attempts', () => {
    // Arrange
    const { confirmedAt: _never, ...unconfirmed } = failingOver.inFlight!;

    // Act
    const r = report({ ...unconfirmed, actionFailures: 3 }, unconfirmed.startedAt + 300_000);

    // Assert
    expect(r.inFlight?.stuck).toBe(
      "not confirmed running 300 s after it was started (3 failed StartExecution/StopExecution attempt(s)): check the decide function's logs for StartExecution errors and that ticks reach it",
    );
    expect(formatStatus(r).find((l) => l.startsWith('  in flight:'))).toMatch(/not confirmed running\)$/);
  });

  it('does not call a failover stuck while it runs within its timeout, or just after it started', () => {
    // Arrange
    const { confirmedAt: _never, ...justStarted } = failingOver.inFlight!;

    // Act
    const running = report(failingOver.inFlight, failingOver.inFlight!.startedAt + 1_800_000);
    const starting = report(justStarted, justStarted.startedAt + 30_000);

    // Assert
    expect(running.inFlight?.stuck).toBeUndefined();
    expect(starting.inFlight?.stuck).toBeUndefined();
    expect(running.ssm?.disagreements[0]).toMatch(/expected until it completes\)$/);
  });
});

describe('drctl status against moto_server', () => {
  let moto: Moto;
  let ddb: DynamoDBClient;
  let flags: string[];

  beforeAll(async () => {
    moto = await startMoto();
    ddb = new DynamoDBClient(motoClientConfig(moto, REGION));
    flags = ['--table', TABLE, '--region', REGION, '--endpoint-url', moto.endpoint];
    await createStateTable(ddb, TABLE);
    // Seeded the way the controller writes: through the state store adapter.
    const store = new DynamoDbStateStore({ client: DynamoDBDocumentClient.from(ddb), tableName: TABLE, now: () => T0 });
    await store.save('payments', { ...failingOver, inFlight: undefined, frozen: undefined, phase: 'steady' }, undefined);
    await store.save('payments', failingOver, 1);
    await store.appendDecisions('payments', decisions);
    // The workload's published active region: us-east-2 already says us-east-2, mid-failover.
    for (const [region, value] of [
      ['us-east-1', 'us-east-1'],
      ['us-east-2', 'us-east-2'],
    ] as const) {
      const ssm = new SSMClient(motoClientConfig(moto, region));
      await ssm.send(new PutParameterCommand({ Name: `${PREFIX}/active-region`, Value: value, Type: 'String' }));
      ssm.destroy();
    }
  });
  afterAll(async () => {
    ddb?.destroy();
    await moto?.stop();
  });
  let ssmStub: AwsClientStub<SSMClient> | undefined;
  afterEach(() => {
    ssmStub?.restore();
    ssmStub = undefined;
  });

  /** Run drctl status in-process; returns what it printed, or the CliError it threw. */
  async function drctlStatus(args: readonly string[]): Promise<{ out: string[]; error?: CliError }> {
    const out: string[] = [];
    try {
      await runStatus(args, { env: {}, write: (line) => out.push(line), now: () => NOW });
      return { out };
    } catch (error) {
      if (error instanceof CliError) return { out, error };
      throw error;
    }
  }

  it('shows the active region, phase, freeze, cooldown, the failover in flight and the last decisions with their reasons', async () => {
    // Act
    const { out, error } = await drctlStatus(['--app', 'payments', ...flags]);

    // Assert
    expect(error).toBeUndefined();
    expect(out).toEqual([
      'payments: active us-east-1, phase failing-over, generation 3 (state version 2 in table dr-state)',
      '  frozen:         until 2026-11-26T04:00:00.000Z by alice (hold while we watch)',
      '  cooldown until: 2026-11-25T03:00:00.000Z (ended)',
      '  in flight:      g3 payments-failover-g3: us-east-1 → us-east-2 (auto, by controller, started 2026-11-26T03:01:00.000Z, running since 2026-11-26T03:01:01.000Z)',
      '  halted:         no',
      '  last failover:  g2 us-east-2 → us-east-1 completed 2026-11-25T02:00:00.000Z (recovery 312 s)',
      'last 3 decision(s), newest first:',
      `  2026-11-26T03:02:00.000Z  freeze                 ${decisions[2]!.reason}`,
      `  2026-11-26T03:01:00.000Z  start-failover → us-east-2 g3 ${decisions[1]!.reason}`,
      `  2026-11-26T03:00:00.000Z  none                   ${decisions[0]!.reason}`,
    ]);
  });

  it('prints one JSON object with --json, with at most --limit decisions, newest first', async () => {
    // Act
    const { out } = await drctlStatus(['--app', 'payments', ...flags, '--limit', '2', '--json']);

    // Assert
    expect(out).toHaveLength(1);
    const report = JSON.parse(out[0]!) as StatusReport;
    expect(report).toMatchObject({
      app: 'payments',
      stored: true,
      version: 2,
      active: 'us-east-1',
      phase: 'failing-over',
      frozen: { until: '2026-11-26T04:00:00.000Z', expired: false, operator: 'alice' },
      cooldownUntil: '2026-11-25T03:00:00.000Z',
      inFlight: { generation: 3, executionName: 'payments-failover-g3', target: 'us-east-2' },
    });
    expect(report.decisions.map((d) => [d.action, d.eventId])).toEqual([
      ['freeze', 'freeze-1'],
      ['start-failover', 'e-2'],
    ]);
  });

  it("reads each region's published active region from SSM and flags where it disagrees with the controller", async () => {
    // Act
    const { out } = await drctlStatus(['--app', 'payments', ...flags, '--parameter-prefix', PREFIX, '--regions', 'us-east-1,us-east-2', '--limit', '1']);

    // Assert
    expect(out.filter((line) => line.startsWith('  ssm') || line.startsWith('  !'))).toEqual([
      '  ssm active:     us-east-1=us-east-1, us-east-2=us-east-2',
      "  ! disagreement: /payments/dev/active-region in us-east-2 says us-east-2, the controller's state says us-east-1 (failover g3 in flight: expected until it completes)",
    ]);
  });

  it('says a parameter is not set in a region that has none', async () => {
    // Act
    const { out } = await drctlStatus(['--app', 'payments', ...flags, '--parameter-prefix', '/orders/dev', '--regions', 'us-east-1', '--json']);

    // Assert
    expect((JSON.parse(out[0]!) as StatusReport).ssm).toEqual({
      prefix: '/orders/dev',
      regions: [{ region: 'us-east-1' }],
      disagreements: ["/orders/dev/active-region in us-east-1 is not set, the controller's state says us-east-1 (failover g3 in flight: expected until it completes)"],
    });
  });

  it('reports a region whose SSM cannot be read and still shows the rest', async () => {
    // Arrange: during an outage one region's SSM may refuse or fail; here every GetParameters does.
    ssmStub = mockClient(SSMClient);
    ssmStub.on(GetParametersCommand).rejects(
      new SSMServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'User is not authorized to perform: ssm:GetParameters', $metadata: { httpStatusCode: 400 } }),
    );

    // Act
    const { out, error } = await drctlStatus(['--app', 'payments', ...flags, '--parameter-prefix', PREFIX, '--regions', 'us-east-1', '--limit', '1']);

    // Assert
    expect(error).toBeUndefined();
    expect(out[0]).toMatch(/^payments: active us-east-1, phase failing-over/);
    expect(out.filter((line) => line.startsWith('  ssm') || line.startsWith('  !'))).toEqual([
      '  ssm active:     us-east-1=unreadable (reading SSM in us-east-1 failed: AccessDeniedException: User is not authorized to perform: ssm:GetParameters)',
    ]);
  });

  it('says so and succeeds when no state is stored for the app yet', async () => {
    // Act
    const { out, error } = await drctlStatus(['--app', 'orders', ...flags]);

    // Assert
    expect(error).toBeUndefined();
    expect(out).toEqual(['orders: no state stored in table dr-state yet; the controller has not decided anything for this app', 'no decisions recorded']);
  });

  it('exits 1 naming the table and region when the table does not exist', async () => {
    // Act
    const { error } = await drctlStatus(['--app', 'payments', '--table', 'no-such-table', '--region', REGION, '--endpoint-url', moto.endpoint]);

    // Assert
    expect(error?.exitCode).toBe(1);
    expect(error?.message).toBe(`table no-such-table not found in us-east-2 at ${moto.endpoint}; check --table and --region`);
  });

  it.each([
    ['a missing --app', ['--table', TABLE], /^--app is required/],
    ['a missing --table', ['--app', 'payments'], /^--table is required/],
    ['a --limit that is not a number', ['--app', 'payments', '--table', TABLE, '--limit', 'ten'], /^--limit 'ten' is not a whole number from 1 to 1000/],
    ['--parameter-prefix without --regions', ['--app', 'payments', '--table', TABLE, '--parameter-prefix', PREFIX], /^--parameter-prefix needs --regions/],
    ['a bad region in --regions', ['--app', 'payments', '--table', TABLE, '--parameter-prefix', PREFIX, '--regions', 'us-east-1,east'], /^--regions: 'east' is not a region code/],
    ['a parameter prefix without a leading slash', ['--app', 'payments', '--table', TABLE, '--parameter-prefix', 'payments', '--regions', 'us-east-1'], /^--parameter-prefix: .*leading "\/"/],
    ['an unknown flag', ['--app', 'payments', '--table', TABLE, '--tabel', 'x'], /Unknown option '--tabel'/],
    ['a --run-timeout-seconds that is not a number', ['--app', 'payments', '--table', TABLE, '--run-timeout-seconds', '1h'], /^--run-timeout-seconds '1h' is not a whole number of seconds/],
    ['a missing region', ['--app', 'payments', '--table', TABLE], /^no region: pass --region/],
    ['a malformed endpoint URL', ['--app', 'payments', '--table', TABLE, '--region', REGION, '--endpoint-url', 'localhost:5000'], /^--endpoint-url 'localhost:5000' is not an http\(s\) URL/],
  ])('exits 2 with one line for %s', async (_case, args, message) => {
    // Act
    const out: string[] = [];
    const act = runStatus(args, { env: {}, write: (line) => out.push(line) });

    // Assert
    await expect(act).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(message) });
    await expect(act).rejects.toThrow(/^[^\n]*$/);
    expect(out).toEqual([]);
  });

  describe('command line', () => {
    const drctl = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'drctl.js'), ...args], {
        cwd: root,
        // The sandbox's env carries test/setup-env.ts (no SDK Node-version warning); the default would not.
        env: { ...process.env },
        encoding: 'utf8',
        timeout: 30_000,
      });

    it('prints the report as one JSON line and exits 0', () => {
      // Act
      const r = drctl('status', '--app', 'payments', ...flags, '--json');

      // Assert
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ app: 'payments', active: 'us-east-1', phase: 'failing-over' });
    });

    it('exits 1 with one line when nothing answers at the endpoint', async () => {
      // Arrange
      const endpoint = `http://127.0.0.1:${await freePort()}`;

      // Act
      const r = drctl('status', '--app', 'payments', '--table', TABLE, '--region', REGION, '--endpoint-url', endpoint);

      // Assert
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`drctl: cannot reach DynamoDB at ${endpoint}: ECONNREFUSED\n`);
    });
  });
});
