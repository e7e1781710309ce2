import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CliError } from '../../cli/cli-error';
import { overrideEvent, runFailback, runOverride } from '../../cli/override.command';
import type { Override } from '../../domain/events';
import { parseEvent } from '../../edge/event.parser';
import { motoClientConfig, startMoto, type Moto } from '../support/moto';

const root = join(__dirname, '..', '..');
const REGION = 'us-east-2';
const BUS = 'dr-controller';
const NOW = Date.UTC(2026, 10, 26, 3, 0, 0);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Run drctl override (or drctl failback) in-process; returns what it printed, or the CliError it threw. */
async function drctlOverride(args: readonly string[], env: NodeJS.ProcessEnv = {}, command = runOverride): Promise<{ out: string[]; error?: CliError }> {
  const out: string[] = [];
  try {
    await command(args, { env, write: (line) => out.push(line), now: () => NOW });
    return { out };
  } catch (error) {
    if (error instanceof CliError) return { out, error };
    throw error;
  }
}

/**
 * The override as the controller reads it, without what EventBridge stamps on the envelope: the
 * event id, the time, and the publisher's account and region (`origin`).
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
 */
function withoutDelivery(override: Override): Omit<Override, 'eventId' | 'at' | 'origin'> {
  const { eventId: _eventId, at: _at, origin: _origin, ...rest } = override;
  return rest;
}

describe('overrideEvent', () => {
  it('builds a dr.operator / DR Override entry for the bus that the controller parses back to the same override', () => {
    // Act
    const { entry, override } = overrideEvent(
      { action: 'failover', target: 'us-east-2', allowDataLoss: true, reason: 'us-east-1 API down', operator: 'alice', requestId: 'inc-1' },
      BUS,
      NOW,
    );

    // Assert
    expect(entry).toEqual({ EventBusName: BUS, Source: 'dr.operator', DetailType: 'DR Override', Detail: expect.any(String) });
    expect(JSON.parse(entry.Detail!)).toEqual({ action: 'failover', target: 'us-east-2', allowDataLoss: true, reason: 'us-east-1 API down', operator: 'alice', requestId: 'inc-1' });
    expect(override).toEqual({
      type: 'override',
      eventId: 'inc-1',
      at: NOW,
      action: 'failover',
      target: 'us-east-2',
      allowDataLoss: true,
      reason: 'us-east-1 API down',
      operator: 'alice',
      requestId: 'inc-1',
    });
  });

  it('converts --until to the epoch-ms freeze expiry the controller uses', () => {
    // Act
    const { override } = overrideEvent({ action: 'freeze', until: '2026-11-26T08:00:00Z', reason: 'game day', operator: 'bob', requestId: 'r-2' }, BUS, NOW);

    // Assert
    expect(override.until).toBe(Date.UTC(2026, 10, 26, 8));
  });

  it('rejects an --until that is not in the future, naming the flag', () => {
    // Act
    const act = () => overrideEvent({ action: 'freeze', until: '2026-11-26T02:59:59Z', reason: 'r', operator: 'o', requestId: 'r-3' }, BUS, NOW);

    // Assert
    expect(act).toThrow(/--until 2026-11-26T02:59:59Z is not in the future/);
  });
});

describe('drctl override against moto_server', () => {
  let moto: Moto;
  let events: EventBridgeClient;
  let sqs: SQSClient;
  let queueUrl: string;
  let flags: string[];

  beforeAll(async () => {
    moto = await startMoto();
    events = new EventBridgeClient(motoClientConfig(moto, REGION));
    sqs = new SQSClient(motoClientConfig(moto, REGION));
    flags = ['--bus', BUS, '--region', REGION, '--endpoint-url', moto.endpoint];
    // The controller's plumbing: a custom bus, a rule for overrides, a FIFO queue with one message
    // group per app. EventBridge -> SQS FIFO needs ContentBasedDeduplication (AWS requires it; moto drops the message otherwise).
    await events.send(new CreateEventBusCommand({ Name: BUS }));
    ({ QueueUrl: queueUrl = '' } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'controller.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } }),
    ));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    await events.send(new PutRuleCommand({ Name: 'overrides', EventBusName: BUS, EventPattern: JSON.stringify({ source: ['dr.operator'], 'detail-type': ['DR Override'] }) }));
    await events.send(
      new PutTargetsCommand({ Rule: 'overrides', EventBusName: BUS, Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn, SqsParameters: { MessageGroupId: 'payments' } }] }),
    );
  });
  afterAll(async () => {
    events?.destroy();
    sqs?.destroy();
    await moto?.stop();
  });

  /** Drain the queue: each body is a whole EventBridge event, as the controller's decide handler reads it. */
  async function received(): Promise<unknown[]> {
    const bodies: unknown[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (Messages.length === 0) return bodies;
      bodies.push(...Messages.map((m) => JSON.parse(m.Body ?? 'null') as unknown));
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
    }
  }

  /** The one override the controller would read from the queue. */
  async function receivedOverride(): Promise<Override> {
    const bodies = await received();
    expect(bodies).toHaveLength(1);
    const parsed = parseEvent(bodies[0]);
    if (!parsed.ok || parsed.event.type !== 'override') throw new Error(`the controller could not read the delivered event: ${JSON.stringify(parsed)}`);
    return parsed.event;
  }

  it('publishes a failover override that reaches the controller queue and parses to the same override', async () => {
    // Arrange
    const args = ['failover', '--target', 'us-east-2', '--allow-data-loss', '--force', '--reason', 'us-east-1 API 5xx confirmed', '--operator', 'alice', '--request-id', 'inc-4711'];

    // Act
    const { out, error } = await drctlOverride([...args, ...flags]);

    // Assert
    expect(error).toBeUndefined();
    expect(out).toEqual([expect.stringMatching(/^sent failover override inc-4711 by alice to bus dr-controller in us-east-2 \(event [\w-]+\)$/)]);
    const delivered = await receivedOverride();
    const sent = overrideEvent(
      { action: 'failover', target: 'us-east-2', allowDataLoss: true, force: true, reason: 'us-east-1 API 5xx confirmed', operator: 'alice', requestId: 'inc-4711' },
      BUS,
      NOW,
    ).override;
    expect(withoutDelivery(delivered)).toEqual(withoutDelivery(sent));
    expect(delivered.origin?.region).toBe(REGION);
  });

  it('is accepted the same way when published with the plain AWS CLI (aws events put-events --entries file://…)', async () => {
    // Arrange: the entries file as README shows it, written by hand, not by drctl.
    const detail = { action: 'failover', target: 'us-east-2', reason: 'us-east-1 API 5xx confirmed', operator: 'alice@example.com', requestId: 'inc-4711-failover' };
    const entries = [{ EventBusName: BUS, Source: 'dr.operator', DetailType: 'DR Override', Detail: JSON.stringify(detail) }];
    const dir = mkdtempSync(join(tmpdir(), 'drctl-override-'));
    const file = join(dir, 'override.json');
    writeFileSync(file, JSON.stringify(entries, null, 2));
    const awsEnv = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_DEFAULT_REGION: REGION,
      AWS_CONFIG_FILE: join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    };
    await drctlOverride(['failover', '--target', 'us-east-2', '--reason', detail.reason, '--operator', detail.operator, '--request-id', detail.requestId, ...flags]);
    const viaDrctl = await receivedOverride();

    // Act
    const cli = spawnSync('aws', ['events', 'put-events', '--endpoint-url', moto.endpoint, '--region', REGION, '--entries', `file://${file}`], {
      env: awsEnv,
      encoding: 'utf8',
      timeout: 30_000,
    });
    rmSync(dir, { recursive: true, force: true });

    // Assert
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ FailedEntryCount: 0 });
    const viaAwsCli = await receivedOverride();
    expect(withoutDelivery(viaAwsCli)).toEqual(withoutDelivery(viaDrctl));
    const dryRun = await drctlOverride(['failover', '--target', 'us-east-2', '--reason', detail.reason, '--operator', detail.operator, '--request-id', detail.requestId, '--bus', BUS, '--dry-run']);
    const printed = JSON.parse(dryRun.out.join('\n')) as { Detail: string }[];
    expect(printed.map((e) => ({ ...e, Detail: JSON.parse(e.Detail) as unknown }))).toEqual(entries.map((e) => ({ ...e, Detail: detail })));
  });

  it('takes the bus from DRCTL_BUS and the region and endpoint from the environment, the operator from the OS user and a generated request id', async () => {
    // Arrange
    const env = { DRCTL_BUS: BUS, AWS_REGION: REGION, AWS_ENDPOINT_URL: moto.endpoint };

    // Act
    const { error } = await drctlOverride(['abort', '--reason', 'wrong target'], env);

    // Assert
    expect(error).toBeUndefined();
    const delivered = await receivedOverride();
    expect(delivered).toMatchObject({ action: 'abort', reason: 'wrong target', operator: userInfo().username });
    expect(delivered.requestId).toMatch(UUID);
  });

  it('prints the PutEvents entries and sends nothing with --dry-run', async () => {
    // Act
    const { out, error } = await drctlOverride(['freeze', '--until', '2026-11-26T08:00:00Z', '--reason', 'game day', '--operator', 'bob', '--request-id', 'gd-1', ...flags, '--dry-run']);

    // Assert
    expect(error).toBeUndefined();
    expect(JSON.parse(out.join('\n'))).toEqual([
      { EventBusName: BUS, Source: 'dr.operator', DetailType: 'DR Override', Detail: JSON.stringify({ action: 'freeze', until: '2026-11-26T08:00:00Z', reason: 'game day', operator: 'bob', requestId: 'gd-1' }) },
    ]);
    expect(await received()).toEqual([]);
  });

  it.each([
    ['a missing --reason', ['freeze'], /--reason: expected a non-empty reason/],
    ['an unknown action', ['promote', '--reason', 'r'], /action: expected one of failover, failback, freeze, unfreeze, abort, acknowledge, got 'promote'/],
    ['--until on abort', ['abort', '--reason', 'r', '--until', '2026-11-26T08:00:00Z'], /--until: only applies to action freeze, not abort/],
    ['an --until that is not ISO-8601', ['freeze', '--reason', 'r', '--until', 'tomorrow'], /--until: expected an ISO-8601 time/],
    ['--target on unfreeze', ['unfreeze', '--reason', 'r', '--target', 'us-east-2'], /--target: only applies to action failover, not unfreeze/],
    ['--force on freeze', ['freeze', '--reason', 'r', '--force'], /--force: only applies to action failover, not freeze/],
    ['a target that is not a region', ['failover', '--reason', 'r', '--target', 'east'], /--target: expected a region code/],
    ['two actions', ['freeze', 'abort', '--reason', 'r'], /give exactly one action/],
    ['an unknown flag', ['freeze', '--reason', 'r', '--frozen'], /Unknown option '--frozen'/],
  ])('exits 2 with one line and publishes nothing for %s', async (_case, args, message) => {
    // Act
    const { error } = await drctlOverride([...args, ...flags]);

    // Assert
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
    expect(await received()).toEqual([]);
  });

  it('drctl failback publishes a failback override, with no target, data loss or force, that reaches the controller queue', async () => {
    // Act
    const { out, error } = await drctlOverride(['--reason', 'us-east-1 back and in sync', '--operator', 'alice', '--request-id', 'fb-1', ...flags], {}, runFailback);

    // Assert
    expect(error).toBeUndefined();
    expect(out).toEqual([expect.stringMatching(/^sent failback override fb-1 by alice to bus dr-controller in us-east-2 \(event [\w-]+\)$/)]);
    const delivered = await receivedOverride();
    expect(withoutDelivery(delivered)).toEqual({ type: 'override', action: 'failback', reason: 'us-east-1 back and in sync', operator: 'alice', requestId: 'fb-1' });
  });

  it.each([
    ['--target', ['--target', 'us-east-1']],
    ['--allow-data-loss', ['--allow-data-loss']],
    ['--force', ['--force']],
    ['an action', ['failover']],
  ])('drctl failback exits 2 and publishes nothing with %s: a failback goes home without data loss and is never forced', async (_case, extra) => {
    // Act
    const { error } = await drctlOverride([...extra, '--reason', 'r', ...flags], {}, runFailback);

    // Assert
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toMatch(/usage: drctl failback --reason <text>/);
    expect(await received()).toEqual([]);
  });

  it('asks for --bus when neither it nor DRCTL_BUS is given', async () => {
    // Act
    const { error } = await drctlOverride(['freeze', '--reason', 'r', '--region', REGION]);

    // Assert
    expect(error?.message).toMatch(/^no event bus: pass --bus <controller bus name or ARN> or set DRCTL_BUS/);
  });

  it('exits 1 with one line when the bus does not exist (moto answers ResourceNotFoundException)', async () => {
    // Act
    const { error } = await drctlOverride(['freeze', '--reason', 'r', '--bus', 'no-such-bus', '--region', REGION, '--endpoint-url', moto.endpoint]);

    // Assert
    expect(error?.exitCode).toBe(1);
    expect(error?.message).toBe('PutEvents to bus no-such-bus failed: ResourceNotFoundException: Event bus no-such-bus does not exist.');
  });
});

describe('drctl override when EventBridge fails the entry (SDK mocked)', () => {
  // Created per test, not at collection: it replaces every EventBridgeClient's send while active.
  let eventBridge: AwsClientStub<EventBridgeClient>;
  beforeEach(() => {
    eventBridge = mockClient(EventBridgeClient);
  });
  afterEach(() => eventBridge.restore());

  it('exits 1 with the entry error code and message and the request id to retry with', async () => {
    // Arrange: the failed entry of AWS's documented partial-failure response.
    const documented = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'aws', 'api_example__eventbridge_put_events__response_partial_failure.json'), 'utf8')) as {
      Entries: { ErrorCode?: string; ErrorMessage?: string }[];
    };
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [documented.Entries[1]!] });

    // Act
    const { error } = await drctlOverride(['unfreeze', '--reason', 'drill over', '--request-id', 'u-1', '--bus', BUS, '--region', REGION]);

    // Assert
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(error?.exitCode).toBe(1);
    expect(error?.message).toBe(
      'PutEvents to bus dr-controller rejected the override (InternalFailure: Internal Service Failure); nothing was applied; retry with --request-id u-1 (the controller applies a request id once)',
    );
  });
});

describe('drctl override command line', () => {
  it('exits 2 with one line on stderr and no stack trace for a missing --reason', () => {
    // Act
    const r = spawnSync(process.execPath, [join(root, 'bin', 'drctl.js'), 'override', 'freeze', '--bus', BUS, '--region', REGION, '--endpoint-url', 'http://127.0.0.1:9'], {
      cwd: root,
      // The sandbox's env carries test/setup-env.ts (no SDK Node-version warning); the default would not.
      env: { ...process.env },
      encoding: 'utf8',
      timeout: 30_000,
    });

    // Assert
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^drctl: invalid override: --reason: expected a non-empty reason[^\n]*\n$/);
  });

  it('drctl failback --dry-run prints the failback entry and exits 0', () => {
    // Act
    const r = spawnSync(process.execPath, [join(root, 'bin', 'drctl.js'), 'failback', '--reason', 'home in sync', '--operator', 'alice', '--request-id', 'fb-2', '--bus', BUS, '--dry-run'], {
      cwd: root,
      env: { ...process.env },
      encoding: 'utf8',
      timeout: 30_000,
    });

    // Assert
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { EventBusName: BUS, Source: 'dr.operator', DetailType: 'DR Override', Detail: JSON.stringify({ action: 'failback', reason: 'home in sync', operator: 'alice', requestId: 'fb-2' }) },
    ]);
  });
});
