import type { ControllerState } from '../state';
import type { Decision } from '../decision';

export interface StoredState {
  readonly state: ControllerState;
  /** Version for compare-and-set; increases by one per save. */
  readonly version: number;
}

export type SaveResult =
  | { readonly type: 'saved'; readonly version: number }
  /** Another writer saved first: reload, decide again, retry. */
  | { readonly type: 'conflict' };

/**
 * What `load` reports (as a `StateUnreadableError`, adapters/state-store/state-unreadable.error.ts)
 * when the stored item cannot be used: corrupt, or inconsistent with itself or the configuration.
 * The decide path then stops automatic action ("safe mode") until an operator's `acknowledge`
 * rebuilds the state from the observed world.
 */
export interface UnreadableState {
  /** What is wrong, naming the attribute or field. */
  readonly reason: string;
  /** The stored item's version, for a compare-and-set over it; absent when the version itself is unusable. */
  readonly version?: number;
  /** What could still be read and is worth keeping across a rebuild (each only when well-formed). */
  readonly salvage: {
    readonly active?: string;
    readonly generation?: number;
    readonly recentRequests?: readonly string[];
  };
}

/** What a loaded state must agree with: the configured regions and signal names. */
export interface StateExpectations {
  readonly regions: readonly string[];
  readonly signalNames: readonly string[];
}

/** The controller's durable memory (DynamoDB in AWS). */
export interface StateStore {
  /**
   * The stored state, or undefined when none was ever saved. Throws a TransientAdapterError when
   * the store is unreachable, and a `StateUnreadableError` (a PermanentAdapterError carrying an
   * {@link UnreadableState}) when the item is corrupt or inconsistent: never a half-valid state.
   */
  load(app: string): Promise<StoredState | undefined>;
  /**
   * Save with compare-and-set: succeeds only if the stored version is `expectedVersion`
   * (undefined: nothing stored yet). `decisions` are appended to the audit log in the same atomic
   * write (a DynamoDB transaction in AWS): the state never changes without its audit record.
   */
  save(app: string, state: ControllerState, expectedVersion: number | undefined, decisions?: readonly Decision[]): Promise<SaveResult>;
  /** Append decision records to the audit log (kept for a bounded time). */
  appendDecisions(app: string, decisions: readonly Decision[]): Promise<void>;
  /** Most recent decision records, newest first. */
  recentDecisions(app: string, limit: number): Promise<readonly Decision[]>;
}
