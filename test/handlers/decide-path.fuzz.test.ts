import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSRecord } from 'aws-lambda';
import { InMemoryAlarmStates } from '../../adapters/alarm-states/in-memory-alarm-states.twin';
import { InMemoryDeadLetters } from '../../adapters/dead-letters/in-memory-dead-letters.twin';
import { PermanentAdapterError, TransientAdapterError } from '../../adapters/errors';
import { InMemoryPublisher } from '../../adapters/publisher/in-memory-publisher.twin';
import { DynamoDbStateStore } from '../../adapters/state-store/dynamodb-state-store.adapter';
import { DECISION_SORT_KEY_PREFIX, partitionKeyFor, STATE_TABLE_KEYS } from '../../adapters/state-store/state-table.schema';
import { InMemoryStateStore } from '../../adapters/state-store/in-memory-state-store.twin';
import { InMemoryWakeUps } from '../../adapters/wake-ups/in-memory-wake-ups.twin';
import { InMemoryWorkflow } from '../../adapters/workflow/in-memory-workflow.twin';
import type { Decision } from '../../domain/decision';
import type { StateExpectations, StateStore } from '../../domain/ports/state-store.port';
import { alarmRegionOf } from '../../domain/alarm-regions';
import { DEFAULT_MAX_TRANSIENT_ATTEMPTS, type DecideDeps } from '../../handlers/decide/decide-record';
import { processBatch } from '../../handlers/decide.handler';
import { testConfig } from '../domain/fixtures';
import { motoClientConfig, startMoto, type Moto } from '../support/moto';
import { createStateTable } from '../support/state-table';
import { alarmEvent, overrideEvent, sfnEvent, tickEvent } from './raw-events';

/**
 * Fuzz of the production decide path: `processBatch` (Powertools' FIFO processor, `decideRecord`,
 * the engine, the state store's validation) with twins for the workflow, publisher, dead letters,
 * alarm states and wake-ups. Records arrive 10 per batch, as the event
 * source mapping delivers them: real alarm, tick, wake-up, override and Step Functions payloads,
 * redeliveries of the same message and re-publications of the same event, and poison (not JSON,
 * not an event, wrong types, oversized strings, control characters). Transient faults are injected
 * only where the test says, and what fails is redelivered at the head of the next batch, as SQS
 * FIFO does once the visibility timeout ends.
 *
 * The state store: moto_server's TransactWriteItems deep-copies the whole table on every call (for
 * its rollback), so with the audit log growing one record per event a save costs ~30 ms at 200
 * items and ~330 ms at 2,000. So the moto run drains the audit log every 20 batches (reads it with
 * the adapter, checks it, deletes it) and keeps the table small: the same 10,000 records then run
 * on moto_server (real DynamoDB item, transaction and key limits) in about two minutes, and must
 * decide exactly as the twin does (same audit log, same dead letters, same failures), with every
 * safety property of {@link expectSafeRun}.
 */
const RECORDS = Number(process.env.FUZZ_RECORDS ?? 10_000);
/** Records of the same stream replayed on moto_server and the twin. */
const DIFFERENTIAL_RECORDS = Number(process.env.FUZZ_MOTO_RECORDS ?? 10_000);
const BATCH = 10;
/** The controller queue's redrive policy: after this many receives SQS moves a record to its dead-letter queue, reason-less. */
const MAX_RECEIVE_COUNT = 5;
/** Every this many batches, the state store fails transiently for longer than the in-handler retries. */
const FAULT_EVERY_BATCHES = 97;

const config = testConfig();
const T0 = Date.UTC(2026, 10, 26, 3, 0, 0);
const context = { functionName: 'decide', awsRequestId: 'fuzz' } as Context;

/** Deterministic PRNG (mulberry32), so a failing seed can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]! };
}

/**
 * valid: a real payload the controller must decide; duplicate: one re-sent; poison: a payload that
 * must not be decided; undecidable: a valid payload whose decision the store refuses for good
 * (every write carrying its event id fails with a PermanentAdapterError, as an item DynamoDB
 * rejects would), the poison the parser cannot see.
 */
type Kind = 'valid' | 'duplicate' | 'poison' | 'undecidable';

interface Delivery {
  readonly messageId: string;
  readonly body: string;
  readonly kind: Kind;
  /** The envelope id of a valid event (and of the event a duplicate repeats). */
  readonly eventId?: string;
}

/**
 * A StateStore that fails transiently while `failing` > 0 (one count per call), refuses for good
 * every write carrying a decision of a `poisoned` event id, else passes through.
 */
class FaultyStore implements StateStore {
  failing = 0;
  readonly poisoned = new Set<string>();
  constructor(private readonly inner: StateStore) {}
  private gate(decisions: readonly Decision[] = []): void {
    if (this.failing > 0) {
      this.failing -= 1;
      throw new TransientAdapterError('dynamodb failed transiently (injected ProvisionedThroughputExceededException)');
    }
    if (decisions.some((d) => this.poisoned.has(d.eventId))) {
      throw new PermanentAdapterError('dynamodb TransactWriteItems failed (injected ValidationException: Item size has exceeded the maximum allowed size)');
    }
  }
  async load(app: string) {
    this.gate();
    return this.inner.load(app);
  }
  async save(...args: Parameters<StateStore['save']>) {
    this.gate(args[3]);
    return this.inner.save(...args);
  }
  async appendDecisions(...args: Parameters<StateStore['appendDecisions']>) {
    this.gate(args[1]);
    return this.inner.appendDecisions(...args);
  }
  recentDecisions(app: string, limit: number) {
    return this.inner.recentDecisions(app, limit);
  }
}

function sqsRecord(d: Delivery, receiveCount: number, sequence: number): SQSRecord {
  return {
    messageId: d.messageId,
    receiptHandle: `rh-${d.messageId}-${receiveCount}`,
    body: d.body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(T0),
      SenderId: 'AROAEXAMPLE:events',
      ApproximateFirstReceiveTimestamp: String(T0),
      SequenceNumber: String(18800000000000000000n + BigInt(sequence)),
      MessageGroupId: config.app,
      MessageDeduplicationId: d.messageId,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-2:123456789012:payments-dev-controller.fifo',
    awsRegion: 'us-east-2',
  };
}

const expectations: StateExpectations = { regions: config.regions, signalNames: config.signals.map((s) => s.alarmName) };

/** What one run saw: every delivery, the audit log, the dead letters, and how records failed. */
interface FuzzRun {
  readonly sent: readonly Delivery[];
  readonly audit: readonly Decision[];
  readonly letters: InMemoryDeadLetters['letters'];
  readonly ignored: ReadonlySet<string>;
  /** Times each message id was reported in batchItemFailures. */
  readonly failures: ReadonlyMap<string, number>;
  /** Records SQS itself moved to the dead-letter queue after MAX_RECEIVE_COUNT failed receives (without a reason). */
  readonly redriven: readonly Delivery[];
  readonly crashes: readonly string[];
  readonly batches: number;
  readonly failoversStarted: number;
  readonly elapsedMs: number;
}

/** Feed `records` deliveries of the seeded stream, 10 per processBatch, through the production decide path on `makeStore(clock)`. */
/**
 * Takes the audit records written so far out of the store and returns them, newest first: on
 * moto_server, where every TransactWriteItems copies the whole table, this keeps the table small
 * enough for 10,000 records (the audit log is checked in full all the same).
 */
type DrainAudit = () => Promise<readonly Decision[]>;

/** Batches between two drains of the audit log (when the run has a {@link DrainAudit}). */
const DRAIN_EVERY_BATCHES = 20;

async function runFuzz(records: number, makeStore: (now: () => number) => StateStore, drain?: DrainAudit): Promise<FuzzRun> {
  let clock = T0;
  const now = () => clock;
  const store = new FaultyStore(makeStore(now));
  const workflow = new InMemoryWorkflow({ now });
  const deadLetters = new InMemoryDeadLetters();
  const wakeUps = new InMemoryWakeUps();
  const ignored = new Set<string>();
  const deps: DecideDeps = {
    config,
    stateStore: store,
    workflow,
    publisher: new InMemoryPublisher(),
    deadLetters,
    alarmStates: new InMemoryAlarmStates({ now }),
    wakeUps,
    controllerRegion: 'us-east-2',
    observeActiveRegion: async () => undefined,
    now,
    log: {
      info: (message, extra) => {
        if (message === 'event ignored') ignored.add(String(extra?.messageId));
      },
      warn: () => undefined,
      error: () => undefined,
    },
    sleep: async () => undefined,
  };

  const rnd = prng(20261126);
  const signals = config.signals.map((s) => s.alarmName);
  /** Each alarm event is raised where its alarm lives (domain/alarm-regions.ts), as CloudWatch would. */
  const regionOf = (alarmName: string) => alarmRegionOf(config.signals.find((s) => s.alarmName === alarmName)!, deps.controllerRegion) ?? 'us-east-1';
  const sent: Delivery[] = [];
  let n = 0;
  const big = (chars: number) => 'x'.repeat(chars);
  const CONTROL = '\u0000\u0001\u0007\u001b\u007f\uFFFE';

  /** One new delivery: mostly valid real payloads, some re-sent, some poison. */
  function nextDelivery(): Delivery {
    const messageId = `m-${++n}`;
    const roll = rnd.next();
    if (roll < 0.05) {
      // The same event published again (another message), or the same message delivered again.
      const earlier = sent.slice(-300).filter((d) => d.kind === 'valid' || d.kind === 'undecidable');
      if (earlier.length > 0) {
        const again = rnd.pick(earlier);
        return { messageId: rnd.next() < 0.5 ? messageId : again.messageId, body: again.body, kind: 'duplicate', eventId: again.eventId! };
      }
    }
    if (roll < 0.15) return { messageId, body: poison(), kind: 'poison' };
    const event = validEvent() as { id: string };
    // Ids by delivery number (a wake-up keeps its own), so two runs of the same seed see the same events.
    const withId = event.id.startsWith('wake-') ? event : { ...event, id: `e-${n}` };
    if (rnd.next() < 0.005 && !withId.id.startsWith('wake-')) {
      store.poisoned.add(withId.id);
      return { messageId, body: JSON.stringify(withId), kind: 'undecidable', eventId: withId.id };
    }
    return { messageId, body: JSON.stringify(withId), kind: 'valid', eventId: withId.id };
  }

  function validEvent(): object {
    const r = rnd.next();
    const running = workflow.executions.find((e) => e.status === 'RUNNING');
    if (running && r < 0.04) {
      const status = rnd.pick(['SUCCEEDED', 'SUCCEEDED', 'FAILED', 'ABORTED'] as const);
      workflow.finish(running.name, status, status === 'SUCCEEDED' ? { output: { recoverySeconds: 120 } } : { error: 'Fuzz', cause: 'injected end' });
      return sfnEvent(running.name, status, clock, status === 'SUCCEEDED' ? { recoverySeconds: 120 } : undefined);
    }
    if (r < 0.1) {
      const [due] = wakeUps.due(clock);
      if (due !== undefined) return (typeof due === 'string' ? JSON.parse(due) : due) as object;
    }
    if (r < 0.2) return tickEvent(clock);
    if (r < 0.3) {
      const action = rnd.pick(['freeze', 'unfreeze', 'acknowledge', 'abort', 'failover', 'acknowledge'] as const);
      const target = action === 'failover' && rnd.next() < 0.7 ? { target: rnd.pick(config.regions) } : {};
      return overrideEvent({ action, requestId: `req-${rnd.int(2_000)}`, operator: 'fuzzer', reason: `fuzz ${action}`, ...target }, clock);
    }
    const alarmName = rnd.pick(signals);
    return alarmEvent(alarmName, rnd.pick(['ALARM', 'ALARM', 'OK', 'INSUFFICIENT_DATA'] as const), clock - rnd.int(5_000), regionOf(alarmName));
  }

  function poison(): string {
    const base = { ...(alarmEvent(rnd.pick(signals), 'ALARM', clock) as unknown as Record<string, unknown> & { detail: Record<string, unknown> }), id: `p-${n}` };
    switch (rnd.int(12)) {
      case 0:
        return '{"detail-type": "CloudWatch Alarm State Change", trunc';
      case 1:
        return JSON.stringify([base]);
      case 2:
        return JSON.stringify({ hello: 'world', n: rnd.next() });
      case 3:
        return JSON.stringify({ ...base, detail: { ...base.detail, state: { value: 42 } } });
      case 4:
        return JSON.stringify({ ...base, detail: { ...base.detail, alarmName: `evil${CONTROL}${big(rnd.int(2_000))}` } });
      case 5:
        return JSON.stringify({ ...base, id: big(60_000 + rnd.int(100_000)) });
      case 6:
        return JSON.stringify({ ...base, detail: { ...base.detail, alarmName: big(200_000) } });
      case 7:
        return JSON.stringify({ ...overrideEvent({ action: 'freeze', requestId: `r-${n}`, operator: big(100_000), reason: `${CONTROL}${big(120_000)}` }, clock), id: `p-${n}` });
      case 8:
        return JSON.stringify({ ...overrideEvent({ action: 'failover', requestId: big(500), operator: 'x', reason: 'y', allowDataLoss: 'yes' }, clock), id: `p-${n}` });
      case 9:
        return JSON.stringify({ ...base, time: 'yesterday' });
      case 10:
        return '';
      default:
        return JSON.stringify({ ...tickEvent(clock), id: `p-${n}` }).replace('"Scheduled Event"', `"Scheduled${CONTROL}Event"`);
    }
  }

  const failures = new Map<string, number>();
  const receives = new Map<string, number>();
  const crashes: string[] = [];
  const redriven: Delivery[] = [];
  let pending: Delivery[] = [];
  let batches = 0;
  let sequence = 0;
  const drained: (readonly Decision[])[] = [];
  const started = Date.now();
  while (n < records || pending.length > 0) {
    const batch = [...pending];
    while (batch.length < BATCH && n < records) {
      const d = nextDelivery();
      sent.push(d);
      batch.push(d);
    }
    batches += 1;
    // Deliberate transient fault: the batch's first load fails through all its in-handler retries.
    if (batches % FAULT_EVERY_BATCHES === 7) store.failing = DEFAULT_MAX_TRANSIENT_ATTEMPTS;
    clock += 1_000 + rnd.int(4_000);
    const sqsRecords = batch.map((d) => {
      receives.set(d.messageId, (receives.get(d.messageId) ?? 0) + 1);
      return sqsRecord(d, receives.get(d.messageId)!, ++sequence);
    });
    let failed: Set<string>;
    try {
      const response = await processBatch({ Records: sqsRecords }, context, deps);
      failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    } catch (error) {
      crashes.push((error as Error).stack ?? String(error));
      failed = new Set(batch.map((d) => d.messageId));
    }
    store.failing = 0;
    for (const id of failed) failures.set(id, (failures.get(id) ?? 0) + 1);
    // SQS FIFO gives the failed records back, in order, once the visibility timeout ends; after
    // maxReceiveCount receives it moves them to the queue's dead-letter queue instead.
    pending = batch.filter((d) => failed.has(d.messageId) && receives.get(d.messageId)! < MAX_RECEIVE_COUNT);
    redriven.push(...batch.filter((d) => failed.has(d.messageId) && receives.get(d.messageId)! >= MAX_RECEIVE_COUNT));
    if (drain && batches % DRAIN_EVERY_BATCHES === 0) drained.unshift(await drain());
  }
  const elapsedMs = Date.now() - started;
  // Newest first, as the store lists them: what is still stored, then each drained part, latest first.
  const audit = [...(await store.recentDecisions(config.app, 1_000_000)), ...drained.flat()];
  return { sent, audit, letters: deadLetters.letters, ignored, failures, redriven, crashes, batches, failoversStarted: workflow.executions.length, elapsedMs };
}

/** The keys of every audit record of the app in `table` (moto_server). */
async function auditKeys(doc: DynamoDBDocumentClient, table: string): Promise<Record<string, unknown>[]> {
  const keys: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey, '#sk': STATE_TABLE_KEYS.sortKey },
        ExpressionAttributeValues: { ':pk': partitionKeyFor(config.app), ':prefix': DECISION_SORT_KEY_PREFIX },
        ProjectionExpression: '#pk, #sk',
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    keys.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return keys;
}

/** The envelope id of a body that is a JSON object with a string `id`. */
function envelopeIdOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The properties every run must have. */
function expectSafeRun(run: FuzzRun): void {
  const decidedIds = new Set(run.audit.map((d) => d.eventId));
  const letters = new Map(run.letters.map((l) => [l.sourceId, l]));
  const valid = run.sent.filter((d) => d.kind === 'valid');
  const accounted = (d: Delivery) => decidedIds.has(d.eventId ?? '') || run.ignored.has(d.messageId) || letters.has(d.messageId);

  // 0 crashes: processBatch never threw.
  expect(run.crashes).toEqual([]);
  // 0 valid events lost: each has a decision in the audit log (or was ignored by the parser as not for the controller), none dead-lettered.
  expect(valid.filter((d) => !decidedIds.has(d.eventId!) && !run.ignored.has(d.messageId)).map((d) => d.body.slice(0, 300))).toEqual([]);
  expect(valid.filter((d) => letters.has(d.messageId)).map((d) => `${d.messageId}: ${letters.get(d.messageId)!.reason}`)).toEqual([]);
  // Undecidable (and their duplicates): dead-lettered with the store's reason, never given back to SQS.
  const undecidable = new Set(run.sent.filter((d) => d.kind === 'undecidable').map((d) => d.eventId!));
  const refused = run.sent.filter((d) => undecidable.has(d.eventId ?? ''));
  expect(refused.filter((d) => !/could not be decided \(PermanentAdapterError: .*injected ValidationException/.test(letters.get(d.messageId)?.reason ?? '')).map((d) => d.messageId)).toEqual([]);
  // Duplicates: the event they repeat is decided.
  expect(run.sent.filter((d) => d.kind === 'duplicate' && !undecidable.has(d.eventId!) && !decidedIds.has(d.eventId!)).map((d) => d.body.slice(0, 300))).toEqual([]);
  // Poison: never lost either: dead-lettered with its reason, or (when it still parses) decided or ignored.
  expect(run.sent.filter((d) => d.kind === 'poison' && !accounted(d) && !decidedIds.has(envelopeIdOf(d.body) ?? '')).map((d) => d.body.slice(0, 300))).toEqual([]);
  expect(run.letters.filter((l) => l.reason.trim() === '')).toEqual([]);
  // No FIFO record reported failed more than once: only the injected transient faults fail records, once each.
  expect([...run.failures.entries()].filter(([, count]) => count > 1)).toEqual([]);
  expect(run.redriven.map((d) => d.messageId)).toEqual([]);
  // The engine never left a state the store then refuses to read.
  expect(run.audit.filter((d) => d.reason.includes('state unreadable'))).toEqual([]);
}

function summary(name: string, run: FuzzRun): string {
  const poison = run.sent.filter((d) => d.kind === 'poison').length;
  const duplicates = run.sent.filter((d) => d.kind === 'duplicate').length;
  const undecidable = run.sent.filter((d) => d.kind === 'undecidable').length;
  const actions = [...new Set(run.audit.map((d) => d.action))].map((a) => `${a} ${run.audit.filter((d) => d.action === a).length}`).join(', ');
  return (
    `decide-path fuzz (${name}): ${run.sent.length} deliveries (${run.sent.length - poison - duplicates - undecidable} valid, ${undecidable} undecidable, ${duplicates} duplicates, ${poison} poison) ` +
    `in ${run.batches} batches, ${run.elapsedMs} ms; ${run.audit.length} decisions (${actions}); ${run.letters.length} dead letters; ` +
    `${run.letters.filter((l) => l.reason.includes('could not be decided')).length} of them parsed but undecidable; ` +
    `${run.failures.size} records given back once; ${run.failoversStarted} failovers started`
  );
}

describe('decide path fuzz (issue 10)', () => {
  it(`takes ${RECORDS} records through processBatch: never throws, loses no valid event, gives a record back at most once, dead-letters poison with its reason`, async () => {
    const run = await runFuzz(RECORDS, (now) => new InMemoryStateStore({ now, expectations }));

    console.info(summary('twin state store', run));
    expectSafeRun(run);
    expect(run.sent.length).toBeGreaterThanOrEqual(RECORDS);
    expect(run.failures.size).toBeGreaterThan(0);
    expect(run.letters.length).toBeGreaterThan(0);
    expect(run.failoversStarted).toBeGreaterThan(0);
    expect(run.sent.filter((d) => d.kind === 'undecidable').length).toBeGreaterThan(0);
  }, 120_000);

  describe('on moto_server (real DynamoDB limits)', () => {
    let moto: Moto;
    let ddb: DynamoDBClient;
    beforeAll(async () => {
      moto = await startMoto();
      ddb = new DynamoDBClient(motoClientConfig(moto, 'us-east-2'));
    });
    afterAll(async () => {
      ddb?.destroy();
      await moto?.stop();
    });

    it(`decides the same ${DIFFERENTIAL_RECORDS} records exactly as the twin does, with the same dead letters, and safely`, async () => {
      await createStateTable(ddb, 'fuzz-state');
      const doc = DynamoDBDocumentClient.from(ddb);

      const drain: DrainAudit = async () => {
        const decisions = await new DynamoDbStateStore({ client: doc, tableName: 'fuzz-state', expectations }).recentDecisions(config.app, 1_000_000);
        const keys = await auditKeys(doc, 'fuzz-state');
        for (let i = 0; i < keys.length; i += 25) {
          let requests: Record<string, { DeleteRequest: { Key: Record<string, unknown> } }[]> | undefined = {
            'fuzz-state': keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })),
          };
          while (requests && Object.keys(requests).length > 0) {
            const out = await doc.send(new BatchWriteCommand({ RequestItems: requests }));
            requests = out.UnprocessedItems as typeof requests;
          }
        }
        expect(keys).toHaveLength(decisions.length);
        return decisions;
      };
      const onMoto = await runFuzz(DIFFERENTIAL_RECORDS, (now) => new DynamoDbStateStore({ client: doc, tableName: 'fuzz-state', now, expectations }), drain);
      const onTwin = await runFuzz(DIFFERENTIAL_RECORDS, (now) => new InMemoryStateStore({ now, expectations }));

      console.info(summary('moto_server', onMoto));
      expectSafeRun(onMoto);
      expect(onMoto.audit).toEqual(onTwin.audit);
      expect(onMoto.letters).toEqual(onTwin.letters);
      expect([...onMoto.failures]).toEqual([...onTwin.failures]);
      expect(onMoto.letters.length).toBeGreaterThan(0);
      expect(onMoto.failures.size).toBeGreaterThan(0);
    }, Math.max(120_000, DIFFERENTIAL_RECORDS * 200));
  });
});
