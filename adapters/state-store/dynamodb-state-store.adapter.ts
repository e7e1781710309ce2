import { backoffDelayMs, realSleep, type RetryOptions } from '../retry';
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type BatchWriteCommandInput,
  type PutCommandInput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { ControllerState } from '../../domain/state';
import type { Decision } from '../../domain/decision';
import type { SaveResult, StateExpectations, StateStore, StoredState } from '../../domain/ports/state-store.port';
import { PermanentAdapterError, TransientAdapterError, toAdapterError } from '../errors';
import {
  DECISION_SORT_KEY_PREFIX,
  DEFAULT_DECISION_RETENTION_DAYS,
  STATE_TABLE_KEYS,
  assertLimit,
  assertRetentionDays,
  assertSaveArguments,
  expiresAtFor,
  parseDecisionItem,
  parseStateItem,
  partitionKeyFor,
  stateKeyFor,
  toDecisionItems,
  toStateItem,
  assertTransactionSize,
} from './state-table.schema';

export interface DynamoDbStateStoreProps {
  /** Document client built by the composition root; the adapter never creates one. */
  readonly client: DynamoDBDocumentClient;
  /** Table laid out as {@link STATE_TABLE_KEYS} says. */
  readonly tableName: string;
  /**
   * How long decision records are kept before TTL deletes them.
   * @default 90 days
   */
  readonly decisionRetentionDays?: number;
  /**
   * Clock for `updatedAt` and the TTL attribute.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Wait between BatchWriteItem retries of unprocessed items.
   * @default a real setTimeout
   */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Retries of unprocessed items per batch before a TransientAdapterError.
   * @default 5
   */
  readonly maxBatchRetries?: number;
  /**
   * First backoff delay; doubles per retry, capped at 2 s.
   * @default 50 ms
   */
  readonly baseBackoffMs?: number;
  /**
   * The configuration a loaded state must agree with (its active region among the regions, its
   * signals configured ones); without it only the state's own consistency is checked.
   */
  readonly expectations?: StateExpectations;
}

/**
 * Cancellation codes of a TransactWriteItems that a retry may get through: another transaction on
 * the same item, throttling.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html (TransactionCanceledException)
 */
const TRANSIENT_CANCELLATIONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/** The `Code` of each CancellationReason of a TransactionCanceledException, in action order ('None' where an action was fine). */
function cancellationReasons(error: unknown): string[] {
  if ((error as { name?: unknown } | null)?.name !== 'TransactionCanceledException') return [];
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code ?? 'None');
}

/** BatchWriteItem takes at most 25 put or delete requests. */
const MAX_BATCH_ITEMS = 25;

/**
 * The controller's durable memory in one DynamoDB table (layout: {@link STATE_TABLE_KEYS}).
 *
 * `save` is compare-and-set on `version` with a ConditionExpression; a failed condition is the
 * `conflict` result, never an exception and never a silent overwrite. A save that carries
 * decisions writes them in the same TransactWriteItems as the state (the conditional Put of the
 * state plus one Put per decision record): both are written or neither is. `load` reads strongly
 * consistently so a reload after a conflict sees the winner's write. Decision records are
 * written with BatchWriteItem (25 per request), unprocessed items retried with bounded
 * exponential backoff, and expire through TTL. A state item that is corrupt or inconsistent
 * makes `load` throw a `StateUnreadableError` (see `parseStateItem`).
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-before-you-start.html
 */
export class DynamoDbStateStore implements StateStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly retentionDays: number;
  private readonly now: () => number;
  /** How a batch's unprocessed items are re-sent: `maxBatchRetries` retries after the first attempt. */
  private readonly unprocessedRetry: RetryOptions;
  private readonly expectations: StateExpectations | undefined;

  constructor(props: DynamoDbStateStoreProps) {
    if (props.tableName.trim() === '') throw new PermanentAdapterError('DynamoDbStateStore: tableName is empty; pass the state table name');
    this.retentionDays = props.decisionRetentionDays ?? DEFAULT_DECISION_RETENTION_DAYS;
    assertRetentionDays(this.retentionDays);
    this.client = props.client;
    this.tableName = props.tableName;
    this.now = props.now ?? Date.now;
    this.unprocessedRetry = {
      maxAttempts: (props.maxBatchRetries ?? 5) + 1,
      baseDelayMs: props.baseBackoffMs ?? 50,
      maxDelayMs: 2_000,
      sleep: props.sleep ?? realSleep,
    };
    this.expectations = props.expectations;
  }

  async load(app: string): Promise<StoredState | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      ({ Item: item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: stateKeyFor(app), ConsistentRead: true })));
    } catch (error) {
      throw toAdapterError(error, `dynamodb GetItem ${partitionKeyFor(app)} on ${this.tableName}`);
    }
    return item === undefined ? undefined : parseStateItem(app, item, this.expectations);
  }

  async save(app: string, state: ControllerState, expectedVersion: number | undefined, decisions: readonly Decision[] = []): Promise<SaveResult> {
    assertSaveArguments(app, state, expectedVersion, this.expectations);
    const now = this.now();
    const version = (expectedVersion ?? 0) + 1;
    const condition: Pick<PutCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> =
      expectedVersion === undefined
        ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey } }
        : {
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          };
    const stateItem = toStateItem(app, state, version, now);
    if (decisions.length === 0) {
      try {
        await this.client.send(new PutCommand({ TableName: this.tableName, Item: stateItem, ...condition }));
      } catch (error) {
        if ((error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException') return { type: 'conflict' };
        throw toAdapterError(error, `dynamodb PutItem ${partitionKeyFor(app)} on ${this.tableName}`);
      }
      return { type: 'saved', version };
    }
    const records = toDecisionItems(app, decisions, expiresAtFor(now, this.retentionDays));
    assertTransactionSize(stateItem, records);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: stateItem, ...condition } },
            ...records.map((Item) => ({ Put: { TableName: this.tableName, Item } })),
          ],
        }),
      );
    } catch (error) {
      const reasons = cancellationReasons(error);
      // The state's Put is the first action: its failed condition means another writer saved first.
      if (reasons[0] === 'ConditionalCheckFailed') return { type: 'conflict' };
      const context = `dynamodb TransactWriteItems ${partitionKeyFor(app)} (state and ${records.length} decision records) on ${this.tableName}`;
      if (reasons.some((code) => TRANSIENT_CANCELLATIONS.has(code))) {
        throw new TransientAdapterError(`${context} was cancelled (${reasons.join(', ')}); retry the save`, { cause: error });
      }
      throw toAdapterError(error, context);
    }
    return { type: 'saved', version };
  }

  async appendDecisions(app: string, decisions: readonly Decision[]): Promise<void> {
    const items = toDecisionItems(app, decisions, expiresAtFor(this.now(), this.retentionDays));
    for (let start = 0; start < items.length; start += MAX_BATCH_ITEMS) {
      await this.writeBatch(app, items.slice(start, start + MAX_BATCH_ITEMS));
    }
  }

  async recentDecisions(app: string, limit: number): Promise<readonly Decision[]> {
    assertLimit(limit);
    const decisions: Decision[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
            ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey, '#sk': STATE_TABLE_KEYS.sortKey },
            ExpressionAttributeValues: { ':pk': partitionKeyFor(app), ':prefix': DECISION_SORT_KEY_PREFIX },
            ScanIndexForward: false,
            ConsistentRead: true,
            Limit: limit - decisions.length,
            ...(startKey && { ExclusiveStartKey: startKey }),
          }),
        );
      } catch (error) {
        throw toAdapterError(error, `dynamodb Query decisions of ${partitionKeyFor(app)} on ${this.tableName}`);
      }
      decisions.push(...(page.Items ?? []).map(parseDecisionItem));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && decisions.length < limit);
    return decisions;
  }

  /** One BatchWriteItem of at most 25 items, re-sending UnprocessedItems with bounded backoff. */
  private async writeBatch(app: string, items: readonly Record<string, unknown>[]): Promise<void> {
    type WriteRequests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];
    let pending: WriteRequests = items.map((Item) => ({ PutRequest: { Item } }));
    const retry = this.unprocessedRetry;
    for (let attempt = 1; ; attempt += 1) {
      let unprocessed: WriteRequests;
      try {
        const out = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        unprocessed = out.UnprocessedItems?.[this.tableName] ?? [];
      } catch (error) {
        throw toAdapterError(error, `dynamodb BatchWriteItem decisions of ${partitionKeyFor(app)} on ${this.tableName}`);
      }
      if (unprocessed.length === 0) return;
      if (attempt >= retry.maxAttempts) {
        throw new TransientAdapterError(
          `dynamodb BatchWriteItem decisions of ${partitionKeyFor(app)} on ${this.tableName}: ${unprocessed.length} of ${items.length} items ` +
            `still unprocessed after ${attempt} attempts (throttled); retry the append, records are keyed so a retry does not duplicate them`,
        );
      }
      await retry.sleep(backoffDelayMs(retry, attempt));
      pending = unprocessed;
    }
  }
}
