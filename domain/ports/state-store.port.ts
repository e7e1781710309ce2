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

/** The controller's durable memory (DynamoDB in AWS). */
export interface StateStore {
  load(app: string): Promise<StoredState | undefined>;
  /**
   * Save with compare-and-set: succeeds only if the stored version is `expectedVersion`
   * (undefined: nothing stored yet).
   */
  save(app: string, state: ControllerState, expectedVersion: number | undefined): Promise<SaveResult>;
  /** Append decision records to the audit log (kept for a bounded time). */
  appendDecisions(app: string, decisions: readonly Decision[]): Promise<void>;
  /** Most recent decision records, newest first. */
  recentDecisions(app: string, limit: number): Promise<readonly Decision[]>;
}
