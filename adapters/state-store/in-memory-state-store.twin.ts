import type { ControllerState } from '../../domain/state';
import type { Decision } from '../../domain/decision';
import type { SaveResult, StateExpectations, StateStore, StoredState, UnreadableState } from '../../domain/ports/state-store.port';
import { StateUnreadableError } from './state-unreadable.error';
import { TransientAdapterError } from '../errors';
import * as schema from './state-table.schema';

export type StateStoreOperation = 'load' | 'save' | 'appendDecisions' | 'recentDecisions';

export interface InMemoryStateStoreProps {
  /**
   * Clock for `updatedAt` and the TTL attribute.
   * @default Date.now
   */
  readonly now?: () => number;
  /** @default 90 days */
  readonly decisionRetentionDays?: number;
  /** As the adapter's: the configuration a loaded state must agree with. */
  readonly expectations?: StateExpectations;
}

/** What a test can see of one app's stored data (deep copies). */
export interface StateStoreView {
  readonly stored?: StoredState;
  /** Set instead of `stored` when the state item is corrupt or inconsistent (what `load` throws). */
  readonly unreadable?: UnreadableState;
  /** Newest first, like `recentDecisions`. */
  readonly decisions: readonly Decision[];
  /** The raw items in the table layout of {@link schema.STATE_TABLE_KEYS}, state item first. */
  readonly items: readonly schema.TableItem[];
}

interface Fault {
  remaining: number;
  readonly error: Error;
  readonly operation?: StateStoreOperation;
  /** appendDecisions only: write this many decisions, then fail (a partial write). */
  readonly afterItems?: number;
}

/** Byte order of UTF-8, as DynamoDB sorts string sort keys. */
const byUtf8Descending = (a: string, b: string): number => Buffer.compare(Buffer.from(b), Buffer.from(a));

/**
 * In-memory twin of the DynamoDB state store: same items, same compare-and-set, same validation
 * (it stores items in the table's layout and parses them with the adapter's own helpers), so a
 * caller cannot tell them apart except by speed. Everything handed in or out is a copy.
 *
 * Test hooks: {@link seed}, {@link seedItem} (e.g. a corrupt item), {@link failNext},
 * {@link failNextAppendAfter} (partial write), {@link view} and {@link calls}.
 */
export class InMemoryStateStore implements StateStore {
  /** Every call, in order, for assertions such as "nothing was saved". */
  readonly calls: { readonly operation: StateStoreOperation; readonly app: string }[] = [];
  private readonly stateItems = new Map<string, schema.TableItem>();
  private readonly decisionItems = new Map<string, Map<string, schema.TableItem>>();
  private readonly faults: Fault[] = [];
  private readonly now: () => number;
  private readonly retentionDays: number;
  private readonly expectations: StateExpectations | undefined;

  constructor(props: InMemoryStateStoreProps = {}) {
    this.now = props.now ?? Date.now;
    this.expectations = props.expectations;
    this.retentionDays = props.decisionRetentionDays ?? schema.DEFAULT_DECISION_RETENTION_DAYS;
    schema.assertRetentionDays(this.retentionDays);
  }

  async load(app: string): Promise<StoredState | undefined> {
    await this.enter('load', app);
    const item = this.stateItems.get(app);
    return item === undefined ? undefined : schema.parseStateItem(app, structuredClone(item), this.expectations);
  }

  async save(app: string, state: ControllerState, expectedVersion: number | undefined, decisions: readonly Decision[] = []): Promise<SaveResult> {
    schema.assertSaveArguments(app, state, expectedVersion, this.expectations);
    const now = this.now();
    const version = (expectedVersion ?? 0) + 1;
    const stateItem = schema.toStateItem(app, state, version, now);
    const records = schema.toDecisionItems(app, decisions, schema.expiresAtFor(now, this.retentionDays));
    if (records.length > 0) schema.assertTransactionSize(stateItem, records);
    await this.enter('save', app);
    // Check and write in one synchronous step, as DynamoDB evaluates a condition (and a transaction) atomically.
    const current = this.stateItems.get(app);
    const holds = expectedVersion === undefined ? current === undefined : current?.version === expectedVersion;
    if (!holds) return { type: 'conflict' };
    this.stateItems.set(app, stateItem);
    const table = this.decisionItems.get(app) ?? new Map<string, schema.TableItem>();
    this.decisionItems.set(app, table);
    for (const item of records) table.set(String(item[schema.STATE_TABLE_KEYS.sortKey]), item);
    return { type: 'saved', version };
  }

  async appendDecisions(app: string, decisions: readonly Decision[]): Promise<void> {
    const items = schema.toDecisionItems(app, decisions, schema.expiresAtFor(this.now(), this.retentionDays));
    const fault = await this.enter('appendDecisions', app);
    const written = fault?.afterItems ?? items.length;
    const table = this.decisionItems.get(app) ?? new Map<string, schema.TableItem>();
    this.decisionItems.set(app, table);
    for (const item of items.slice(0, written)) table.set(String(item[schema.STATE_TABLE_KEYS.sortKey]), item);
    if (fault) throw fault.error;
  }

  async recentDecisions(app: string, limit: number): Promise<readonly Decision[]> {
    schema.assertLimit(limit);
    await this.enter('recentDecisions', app);
    return this.sortedDecisionItems(app).slice(0, limit).map((item) => schema.parseDecisionItem(structuredClone(item)));
  }

  /** Store `state` as if saved `version` times already. */
  seed(app: string, state: ControllerState, version = 1): void {
    this.stateItems.set(app, schema.toStateItem(app, structuredClone(state), version, this.now()));
  }

  /** Store raw state-item attributes (key attributes are added), e.g. a corrupt item. */
  seedItem(app: string, attributes: schema.TableItem): void {
    this.stateItems.set(app, { ...structuredClone(attributes), ...schema.stateKeyFor(app) });
  }

  /**
   * The next `count` calls (of `operation`, or of any operation) reject with `error` before doing
   * anything.
   */
  failNext(count: number, error: Error = new TransientAdapterError('injected fault (InMemoryStateStore.failNext)'), operation?: StateStoreOperation): void {
    this.faults.push({ remaining: count, error, operation });
  }

  /** The next appendDecisions writes its first `written` decisions, then rejects with `error`. */
  failNextAppendAfter(written: number, error: Error = new TransientAdapterError('injected partial write (InMemoryStateStore.failNextAppendAfter)')): void {
    this.faults.push({ remaining: 1, error, operation: 'appendDecisions', afterItems: written });
  }

  /** Deep copies of what is stored for `app`. */
  view(app: string): StateStoreView {
    const stateItem = this.stateItems.get(app);
    const decisionItems = this.sortedDecisionItems(app);
    let stored: Pick<StateStoreView, 'stored' | 'unreadable'> = {};
    try {
      stored = stateItem === undefined ? {} : { stored: schema.parseStateItem(app, structuredClone(stateItem), this.expectations) };
    } catch (error) {
      if (!(error instanceof StateUnreadableError)) throw error;
      stored = { unreadable: error.unreadable };
    }
    return {
      ...stored,
      decisions: decisionItems.map((item) => schema.parseDecisionItem(structuredClone(item))),
      items: structuredClone([...(stateItem ? [stateItem] : []), ...decisionItems]),
    };
  }

  private sortedDecisionItems(app: string): schema.TableItem[] {
    const table = this.decisionItems.get(app) ?? new Map<string, schema.TableItem>();
    return [...table.keys()].sort(byUtf8Descending).map((sk) => table.get(sk) as schema.TableItem);
  }

  /** Records the call, yields once (so concurrent callers interleave), and applies a pending fault. */
  private async enter(operation: StateStoreOperation, app: string): Promise<Fault | undefined> {
    this.calls.push({ operation, app });
    await Promise.resolve();
    const fault = this.faults.find((f) => f.remaining > 0 && (f.operation === undefined || f.operation === operation));
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.faults.splice(this.faults.indexOf(fault), 1);
    if (fault.afterItems !== undefined) return fault;
    throw fault.error;
  }
}
