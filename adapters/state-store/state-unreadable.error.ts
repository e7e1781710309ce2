import type { UnreadableState } from '../../domain/ports/state-store.port';
import { PermanentAdapterError } from '../errors';

/**
 * `StateStore.load` found a state item it must not hand to the engine: not valid JSON, not shaped
 * like a `ControllerState`, or inconsistent (a generation that is not a safe integer, `halted`
 * without its halt record, a region or signal the configuration does not have). It is a
 * PermanentAdapterError (retrying the read returns the same item), carrying what the decide path
 * needs to enter safe mode and, on an operator's `acknowledge`, rebuild the state over the corrupt
 * item with compare-and-set on its `version`.
 */
export class StateUnreadableError extends PermanentAdapterError {
  constructor(
    readonly app: string,
    readonly unreadable: UnreadableState,
  ) {
    super(`state of ${app} unreadable: ${unreadable.reason}`);
  }
}
