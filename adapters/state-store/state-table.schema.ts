import type { ControllerState } from '../../domain/state';
import type { Decision } from '../../domain/decision';
import type { StoredState } from '../../domain/ports/state-store.port';
import { PermanentAdapterError } from '../errors';

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

/** Checks the arguments of `StateStore.save` the same way for the adapter and the twin. */
export function assertSaveArguments(app: string, state: ControllerState, expectedVersion: number | undefined): void {
  if (state.app !== app) {
    throw new PermanentAdapterError(`save: state.app is "${state.app}" but the app is "${app}"; save each app's state under its own name`);
  }
  if (expectedVersion !== undefined && !(Number.isSafeInteger(expectedVersion) && expectedVersion >= 1)) {
    throw new PermanentAdapterError(
      `save: expectedVersion must be undefined (nothing stored yet) or the positive integer version that load returned, got ${String(expectedVersion)}`,
    );
  }
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
  inFlight: optional(isShaped({ generation: isCount, executionName: isString, from: isString, target: isString, mode: isOneOf(new Set(['auto', 'manual'])), allowDataLoss: (v) => typeof v === 'boolean', requestedBy: isString, reason: isString, startedAt: isNumber })),
  frozen: optional(isShaped({ operator: isString, reason: isString, until: optional(isNumber) })),
  halted: optional(isShaped({ generation: isCount, executionName: isString, status: isString, reason: isString, at: isNumber })),
  cooldownUntil: optional(isNumber),
  lastFailover: optional(isShaped({ generation: isCount, from: isString, target: isString, completedAt: isNumber })),
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
  for (const [field, check] of Object.entries(shape)) {
    if (!check(parsed[field])) throw corrupt(where, `${attribute}.${field}`, `is missing or malformed (${JSON.stringify(parsed[field]) ?? 'undefined'})`);
  }
  return parsed;
}

/**
 * Validates a loaded state item (pure). A corrupt item becomes a PermanentAdapterError naming the
 * attribute, never a half-valid state handed to the engine.
 */
export function parseStateItem(app: string, item: TableItem): StoredState {
  const where = `${partitionKeyFor(app)}/${STATE_SORT_KEY}`;
  const version = item.version;
  if (!(Number.isSafeInteger(version) && (version as number) >= 1)) {
    throw corrupt(where, 'version', `must be a positive integer, got ${JSON.stringify(version) ?? 'undefined'}`);
  }
  if (!isNumber(item.updatedAt)) throw corrupt(where, 'updatedAt', 'must be epoch milliseconds (a number)');
  const state = parseJsonAttribute(item, 'state', CONTROLLER_STATE_SHAPE, where);
  if (state.app !== app) throw corrupt(where, 'state.app', `is "${String(state.app)}", expected "${app}"`);
  return { state: state as unknown as ControllerState, version: version as number };
}

/** Validates a loaded decision record (pure); a corrupt one becomes a PermanentAdapterError naming the attribute. */
export function parseDecisionItem(item: TableItem): Decision {
  const where = `${String(item[STATE_TABLE_KEYS.partitionKey])}/${String(item[STATE_TABLE_KEYS.sortKey])}`;
  return parseJsonAttribute(item, 'decision', DECISION_SHAPE, where) as unknown as Decision;
}
