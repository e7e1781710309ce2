import type { ControllerState } from '../../domain/state';
import type { Decision } from '../../domain/decision';
import type { StateExpectations, StoredState, UnreadableState } from '../../domain/ports/state-store.port';
import { PermanentAdapterError } from '../errors';
import { StateUnreadableError } from './state-unreadable.error';

/**
 * Key schema of the controller's one DynamoDB table, shared by the CDK construct that creates it,
 * the adapter that writes it and the tests that stand it up on moto, so they cannot drift.
 * Both keys are strings (`S`); the TTL attribute is a top-level Number in epoch **seconds**.
 *
 * Items:
 * - state: `pk = app#<app>`, `sk = state`, with `version`, `state` (JSON string), `updatedAt` (epoch ms);
 * - decision records: `pk = app#<app>`, `sk = decision#<epoch ms, 15 digits>#<eventId>#<action>#<seq, 3 digits>`,
 *   (the action keeps a redelivery's `ignored` record from overwriting the original decision of the
 *   same event made in the same millisecond),
 *   with `decision` (JSON string), `at`, `eventId`, `action` and the TTL attribute.
 *   `seq` numbers decisions that share an event and a time within one append, so none overwrites
 *   another and one BatchWriteItem never carries the same key twice.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-before-you-start.html
 */
export const STATE_TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' } as const;

/** How long decision records are kept before TTL deletes them. */
export const DEFAULT_DECISION_RETENTION_DAYS = 90;

/** Sort key of the state item. */
export const STATE_SORT_KEY = 'state';

/** Every decision record's sort key starts with this (Query with `begins_with`). */
export const DECISION_SORT_KEY_PREFIX = 'decision#';

/** An item as the DynamoDB document client reads and writes it. */
export type TableItem = Record<string, unknown>;

/** Partition key of everything stored for `app`. */
export function partitionKeyFor(app: string): string {
  return `app#${app}`;
}

/** Primary key of `app`'s state item. */
export function stateKeyFor(app: string): TableItem {
  return { [STATE_TABLE_KEYS.partitionKey]: partitionKeyFor(app), [STATE_TABLE_KEYS.sortKey]: STATE_SORT_KEY };
}

/**
 * The state item. `state` is a JSON string rather than a map: the controller always reads and writes
 * it whole (never queries or updates inside it), and JSON round-trips every field exactly whatever
 * marshall options the injected document client has; a map would make a `ControllerState` with an
 * optional field explicitly `undefined` fail to marshall unless `removeUndefinedValues` is on.
 *
 * @see https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/migrate-dynamodb-doc-client.html
 */
export function toStateItem(app: string, state: ControllerState, version: number, updatedAt: number): TableItem {
  return { ...stateKeyFor(app), version, state: JSON.stringify(state), updatedAt };
}

/** Checks the arguments of `StateStore.save` the same way for the adapter and the twin, the state's consistency included. */
export function assertSaveArguments(app: string, state: ControllerState, expectedVersion: number | undefined, expectations?: StateExpectations): void {
  if (state.app !== app) {
    throw new PermanentAdapterError(`save: state.app is "${state.app}" but the app is "${app}"; save each app's state under its own name`);
  }
  if (expectedVersion !== undefined && !(Number.isSafeInteger(expectedVersion) && expectedVersion >= 1)) {
    throw new PermanentAdapterError(
      `save: expectedVersion must be undefined (nothing stored yet) or the positive integer version that load returned, got ${String(expectedVersion)}`,
    );
  }
  // What load would refuse is never written: the stored state stays the last good one.
  const inconsistency = stateInconsistency(state, expectations);
  if (inconsistency !== undefined) throw new PermanentAdapterError(`save: state is inconsistent: ${inconsistency}; nothing was written`);
}

/**
 * TransactWriteItems takes at most 100 actions whose items add up to at most 4 MB, and every item
 * is at most 400 KB (attribute names and values, UTF-8).
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items
 */
export const TRANSACTION_LIMITS = { maxActions: 100, maxItemBytes: 400 * 1024, maxTotalBytes: 4 * 1024 * 1024 } as const;

/** An item's size as DynamoDB counts it, closely enough to refuse one that cannot fit: UTF-8 bytes of names and values. */
function approximateItemBytes(item: TableItem): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value) ?? ''), 0);
}

/**
 * Checks that the state item and its decision records fit one transaction, the same way for the
 * adapter and the twin; a save that cannot fit is a PermanentAdapterError naming the limit, before
 * anything is written.
 */
export function assertTransactionSize(stateItem: TableItem, records: readonly TableItem[]): void {
  const { maxActions, maxItemBytes, maxTotalBytes } = TRANSACTION_LIMITS;
  if (records.length + 1 > maxActions) {
    throw new PermanentAdapterError(`save: ${records.length} decisions and the state make ${records.length + 1} writes; one transaction takes at most ${maxActions}: save fewer decisions at once`);
  }
  let total = 0;
  for (const item of [stateItem, ...records]) {
    const bytes = approximateItemBytes(item);
    if (bytes > maxItemBytes) {
      throw new PermanentAdapterError(`save: item ${String(item[STATE_TABLE_KEYS.sortKey])} is about ${bytes} bytes; DynamoDB items are at most ${maxItemBytes} bytes`);
    }
    total += bytes;
  }
  if (total > maxTotalBytes) throw new PermanentAdapterError(`save: the transaction's items are about ${total} bytes; one transaction holds at most ${maxTotalBytes} bytes`);
}

/** Checks `recentDecisions`' limit the same way for the adapter and the twin. */
export function assertLimit(limit: number): void {
  if (!(Number.isSafeInteger(limit) && limit >= 1)) {
    throw new PermanentAdapterError(`recentDecisions: limit must be a positive integer, got ${String(limit)}`);
  }
}

/** The TTL value for a record written at `nowMs`: epoch seconds, as DynamoDB TTL requires. */
export function expiresAtFor(nowMs: number, retentionDays: number): number {
  return Math.floor(nowMs / 1000) + Math.round(retentionDays * 86_400);
}

/** Checks a retention setting (days, > 0). */
export function assertRetentionDays(retentionDays: number): void {
  if (!(Number.isFinite(retentionDays) && retentionDays > 0)) {
    throw new PermanentAdapterError(`decisionRetentionDays must be a positive number of days, got ${String(retentionDays)}`);
  }
}

/**
 * A sort key value is at most 1024 bytes (UTF-8); DynamoDB refuses a longer one with a ValidationException.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-partition-sort-keys
 */
export const MAX_SORT_KEY_BYTES = 1024;

/**
 * The decision record items for one append, in the order given. Same decisions, same keys: appending
 * them again overwrites instead of duplicating.
 */
export function toDecisionItems(app: string, decisions: readonly Decision[], expiresAt: number): TableItem[] {
  const seen = new Map<string, number>();
  return decisions.map((decision, index) => {
    if (decision.app !== app) {
      throw new PermanentAdapterError(`appendDecisions: decisions[${index}].app is "${decision.app}" but the app is "${app}"`);
    }
    if (!(Number.isSafeInteger(decision.at) && decision.at >= 0)) {
      throw new PermanentAdapterError(`appendDecisions: decisions[${index}].at must be epoch milliseconds (a non-negative integer), got ${String(decision.at)}`);
    }
    const base = `${DECISION_SORT_KEY_PREFIX}${String(decision.at).padStart(15, '0')}#${decision.eventId}#${decision.action}`;
    const seq = seen.get(base) ?? 0;
    seen.set(base, seq + 1);
    const sortKeyBytes = Buffer.byteLength(base) + 4;
    if (sortKeyBytes > MAX_SORT_KEY_BYTES) {
      throw new PermanentAdapterError(
        `appendDecisions: decisions[${index}] would have a sort key of ${sortKeyBytes} bytes (its event id is ${decision.eventId.length} characters); DynamoDB sort keys are at most ${MAX_SORT_KEY_BYTES} bytes`,
      );
    }
    return {
      [STATE_TABLE_KEYS.partitionKey]: partitionKeyFor(app),
      [STATE_TABLE_KEYS.sortKey]: `${base}#${String(seq).padStart(3, '0')}`,
      decision: JSON.stringify(decision),
      at: decision.at,
      eventId: decision.eventId,
      action: decision.action,
      [STATE_TABLE_KEYS.ttlAttribute]: expiresAt,
    };
  });
}

const PHASES = new Set(['steady', 'failing-over', 'halted']);
const ALARM_STATES = new Set(['ALARM', 'OK', 'INSUFFICIENT_DATA']);
const ACTIONS = new Set(['none', 'start-failover', 'suppressed', 'abort', 'freeze', 'unfreeze', 'acknowledge', 'completed', 'halted', 'ignored', 'rejected']);

type Check = (value: unknown) => boolean;
const isString: Check = (v) => typeof v === 'string';
const isNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isCount: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isArrayOf = (check: Check): Check => (v) => Array.isArray(v) && v.every(check);
const isOneOf = (values: Set<string>): Check => (v) => typeof v === 'string' && values.has(v);
const optional = (check: Check): Check => (v) => v === undefined || check(v);
const isShaped = (shape: Record<string, Check>): Check => (v) => isObject(v) && Object.entries(shape).every(([k, check]) => check(v[k]));

/** What a stored `ControllerState` must look like to be used; field -> check. */
const CONTROLLER_STATE_SHAPE: Record<string, Check> = {
  app: isString,
  active: isString,
  phase: isOneOf(PHASES),
  generation: isCount,
  autoFailovers: isArrayOf(isNumber),
  recentRequests: isArrayOf(isString),
  signals: (v) => isObject(v) && Object.values(v).every(isShaped({ state: isOneOf(ALARM_STATES), since: isNumber, lastAt: isNumber })),
  inFlight: optional(
    isShaped({
      generation: isCount,
      executionName: isString,
      from: isString,
      target: isString,
      mode: isOneOf(new Set(['auto', 'manual'])),
      allowDataLoss: (v) => typeof v === 'boolean',
      requestedBy: isString,
      reason: isString,
      startedAt: isNumber,
      detectedAt: optional(isNumber),
      abortRequested: optional((v) => typeof v === 'boolean'),
      confirmedAt: optional(isNumber),
      actionFailures: optional(isCount),
    }),
  ),
  frozen: optional(isShaped({ operator: isString, reason: isString, until: optional(isNumber) })),
  halted: optional(isShaped({ generation: isCount, executionName: isString, status: isString, reason: isString, at: isNumber })),
  cooldownUntil: optional(isNumber),
  heartbeats: optional((v) => isObject(v) && Object.values(v).every(isNumber)),
  lastFailover: optional(isShaped({ generation: isCount, from: isString, target: isString, completedAt: isNumber, recoverySeconds: optional(isNumber) })),
};

const DECISION_SHAPE: Record<string, Check> = {
  app: isString,
  eventId: isString,
  at: isNumber,
  reason: isString,
  active: isString,
  phase: isOneOf(PHASES),
  action: isOneOf(ACTIONS),
};

function corrupt(where: string, attribute: string, problem: string): PermanentAdapterError {
  return new PermanentAdapterError(
    `corrupt item ${where}: attribute ${attribute} ${problem}; restore the item from a backup or delete it so it is rewritten`,
  );
}

/** The first field of `value` that fails its check in `shape`, as a problem, or undefined. */
function shapeProblem(value: Record<string, unknown>, shape: Record<string, Check>, attribute: string): { field: string; problem: string } | undefined {
  for (const [field, check] of Object.entries(shape)) {
    if (!check(value[field])) return { field: `${attribute}.${field}`, problem: `is missing or malformed (${(JSON.stringify(value[field]) ?? 'undefined').slice(0, 200)})` };
  }
  return undefined;
}

function parseJsonAttribute(item: TableItem, attribute: string, shape: Record<string, Check>, where: string): Record<string, unknown> {
  const raw = item[attribute];
  if (typeof raw !== 'string') throw corrupt(where, attribute, `must be a JSON string, got ${typeof raw}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw corrupt(where, attribute, `is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(parsed)) throw corrupt(where, attribute, 'must hold a JSON object');
  const problem = shapeProblem(parsed, shape, attribute);
  if (problem) throw corrupt(where, problem.field, problem.problem);
  return parsed;
}

/**
 * What is inconsistent in a well-shaped state, or undefined: the invariants the engine relies on
 * (`phase` 'halted' exactly when a halt is recorded, 'failing-over' exactly when a failover is in
 * flight, generations safe non-negative integers, the in-flight failover's generation the state's),
 * and, given `expectations`, the active region and the failover's regions among the configured
 * regions and every signal a configured one.
 */
export function stateInconsistency(state: ControllerState, expectations?: StateExpectations): string | undefined {
  if (!isCount(state.generation)) return `generation ${String(state.generation)} is not a safe non-negative integer`;
  if ((state.phase === 'halted') !== (state.halted !== undefined)) {
    return state.phase === 'halted' ? "phase is 'halted' but no halt is recorded" : `a halt is recorded but phase is '${state.phase}'`;
  }
  if ((state.phase === 'failing-over') !== (state.inFlight !== undefined)) {
    return state.phase === 'failing-over' ? "phase is 'failing-over' but no failover is in flight" : `a failover is in flight but phase is '${state.phase}'`;
  }
  if (state.inFlight && state.inFlight.generation !== state.generation) {
    return `the failover in flight is generation ${state.inFlight.generation} but the state's generation is ${state.generation}`;
  }
  if (!expectations) return undefined;
  const regions = new Set(expectations.regions);
  const list = `[${expectations.regions.join(', ')}]`;
  if (!regions.has(state.active)) return `active region ${state.active} is not one of the configured regions ${list}`;
  if (state.inFlight && !(regions.has(state.inFlight.from) && regions.has(state.inFlight.target))) {
    return `the failover in flight goes from ${state.inFlight.from} to ${state.inFlight.target}, not between the configured regions ${list}`;
  }
  const signalNames = new Set(expectations.signalNames);
  const unknown = Object.keys(state.signals).filter((name) => !signalNames.has(name));
  if (unknown.length > 0) return `signal ${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ''} is not configured`;
  const foreign = Object.keys(state.heartbeats ?? {}).filter((region) => !regions.has(region));
  if (foreign.length > 0) return `heartbeat of ${foreign.join(', ')}, not a configured region`;
  return undefined;
}

/** What can still be read from a state that cannot be used as a whole, each part only when well-formed. */
export function salvageOf(value: unknown): UnreadableState['salvage'] {
  if (!isObject(value)) return {};
  return {
    ...(isString(value.active) ? { active: value.active as string } : {}),
    ...(isCount(value.generation) ? { generation: value.generation as number } : {}),
    ...(isArrayOf(isString)(value.recentRequests) ? { recentRequests: value.recentRequests as string[] } : {}),
  };
}

function unreadable(app: string, where: string, reason: string, version: number | undefined, value?: unknown): StateUnreadableError {
  return new StateUnreadableError(app, {
    reason: `item ${where}: ${reason}`,
    ...(version !== undefined ? { version } : {}),
    salvage: salvageOf(value),
  });
}

/**
 * Validates a loaded state item (pure): the item's attributes, the state's shape, its consistency
 * ({@link stateInconsistency}, against `expectations` when given). An item that fails becomes a
 * `StateUnreadableError` with the reason, the stored version (when usable) and what can be
 * salvaged, never a half-valid state handed to the engine.
 */
export function parseStateItem(app: string, item: TableItem, expectations?: StateExpectations): StoredState {
  const where = `${partitionKeyFor(app)}/${STATE_SORT_KEY}`;
  const rawVersion = item.version;
  const version = Number.isSafeInteger(rawVersion) && (rawVersion as number) >= 1 ? (rawVersion as number) : undefined;
  const raw = item.state;
  let parsed: unknown;
  if (typeof raw === 'string') {
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      throw unreadable(app, where, `attribute state is not valid JSON (${(error as Error).message})`, version);
    }
  }
  if (version === undefined) {
    throw unreadable(app, where, `attribute version must be a positive integer, got ${(JSON.stringify(rawVersion) ?? 'undefined').slice(0, 100)}`, undefined, parsed);
  }
  if (!isNumber(item.updatedAt)) throw unreadable(app, where, 'attribute updatedAt must be epoch milliseconds (a number)', version, parsed);
  if (typeof raw !== 'string') throw unreadable(app, where, `attribute state must be a JSON string, got ${typeof raw}`, version);
  if (!isObject(parsed)) throw unreadable(app, where, 'attribute state must hold a JSON object', version);
  const problem = shapeProblem(parsed, CONTROLLER_STATE_SHAPE, 'state');
  if (problem) throw unreadable(app, where, `attribute ${problem.field} ${problem.problem}`, version, parsed);
  if (parsed.app !== app) throw unreadable(app, where, `attribute state.app is "${String(parsed.app)}", expected "${app}"`, version, parsed);
  const state = parsed as unknown as ControllerState;
  const inconsistency = stateInconsistency(state, expectations);
  if (inconsistency !== undefined) throw unreadable(app, where, `attribute state is inconsistent: ${inconsistency}`, version, parsed);
  return { state, version };
}

/** Validates a loaded decision record (pure); a corrupt one becomes a PermanentAdapterError naming the attribute. */
export function parseDecisionItem(item: TableItem): Decision {
  const where = `${String(item[STATE_TABLE_KEYS.partitionKey])}/${String(item[STATE_TABLE_KEYS.sortKey])}`;
  return parseJsonAttribute(item, 'decision', DECISION_SHAPE, where) as unknown as Decision;
}
