import { isTransient } from '../../adapters/errors';
import { StateUnreadableError } from '../../adapters/state-store/state-unreadable.error';
import { decide, initialState } from '../../domain/decide';
import type { Decision } from '../../domain/decision';
import { failoverRequestOf } from '../../domain/decision';
import type { DomainEvent } from '../../domain/events';
import type { Notice } from '../../domain/ports/publisher.port';
import type { StoredState } from '../../domain/ports/state-store.port';
import type { ControllerState } from '../../domain/state';
import { isIgnorable, parseEvent } from '../../edge/event.parser';
import type { DecideDeps } from './decide-deps';
import { alarmChanges } from './reconcile-alarms';
import { bringWorldInLine } from './reconcile-workflow';
import { retryTransient } from './retry-transient';
import { decideInSafeMode, loadChecked } from './safe-mode';

export type { DecideDeps, DecidePathMetric } from './decide-deps';

export type RecordOutcome =
  | { readonly type: 'decided'; readonly decision: Decision }
  /** Valid but not for the controller (a configuration change, a non-terminal status). */
  | { readonly type: 'ignored'; readonly reason: string }
  /** Could not be used: sent to the dead-letter queue with the reason. */
  | { readonly type: 'rejected'; readonly reason: string };

/** Compare-and-set attempts before the record is given back to SQS for a retry. */
export const MAX_CAS_ATTEMPTS = 5;

/** Attempts of a step whose state store fails transiently, before the record goes back to SQS. */
export const DEFAULT_MAX_TRANSIENT_ATTEMPTS = 3;

/** Another writer kept saving the state first; SQS redelivers the record and it is decided again. */
export class StateConflictError extends Error {
  override readonly name = 'StateConflictError';
}

/**
 * Handle one event from the controller queue:
 *
 * 1. parse it at the edge; an unparseable record goes to the dead-letter queue with its reason and
 *    is acknowledged, so it never holds up the app's FIFO message group;
 * 2. on a tick, first re-read the configured alarms where they live (each region under a short
 *    deadline) and decide every change the state has not seen, as `signal-changed` events;
 * 3. decide the event, and save the state and the decision in one transaction (compare-and-set,
 *    decided again on a lost race);
 * 4. then act: start or stop the workflow, and on a tick reconcile the failover in flight with the
 *    execution's real status; what the workflow answers (running, ended, failed to start or stop)
 *    is decided and saved the same way;
 * 5. publish each decision (and "DR Failover Started" once the run is confirmed running), and
 *    schedule a wake-up for each decision's `wakeAt`.
 *
 * Only transient errors make a record fail: state-store errors retried here a bounded number of
 * times, and lost compare-and-set races ({@link isRetryable}); then the error propagates and SQS
 * redelivers the record (with every later record of the app's group). Any other error (a
 * PermanentAdapterError, a decision too large to store, a bug) would fail the same way on every
 * delivery: the record is dead-lettered with the reason and acknowledged, so it never blocks the
 * valid records behind it nor drags them to the dead-letter queue through `maxReceiveCount`.
 * A corrupt or inconsistent stored state is safe mode, not an error (see `decideInSafeMode`).
 * Reconciliation and the workflow never make a record fail: their errors become decisions or are
 * logged and counted, and the next tick tries again.
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
export async function decideRecord(body: string, messageId: string, deps: DecideDeps): Promise<RecordOutcome> {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (error) {
    return reject(deps, body, messageId, `message body is not JSON (${(error as Error).message}); publish EventBridge events, not plain text`);
  }
  const parsed = parseEvent(raw);
  if (!parsed.ok) {
    if (isIgnorable(parsed)) {
      deps.log.info('event ignored', { messageId, reason: parsed.reason });
      return { type: 'ignored', reason: parsed.reason };
    }
    return reject(deps, body, messageId, parsed.reason, parsed.field);
  }
  const event = parsed.event;
  try {
    return await decideEvent(event, deps, { messageId, wakeUps: new Set() });
  } catch (error) {
    if (isRetryable(error)) throw error;
    // Permanent: the same record would fail the same way on every delivery, holding up the FIFO
    // group behind it until SQS moved it, and every record behind it, to the dead-letter queue.
    deps.log.error('event could not be decided; dead-lettered with the reason', { messageId, eventId: event.eventId, error: errorText(error) });
    return reject(deps, body, messageId, `event ${event.type} ${event.eventId} could not be decided (${errorText(error)}); fix the cause and redrive it`);
  }
}

/** Errors worth another delivery: transient store errors after the in-handler retries, and lost compare-and-set races. */
export function isRetryable(error: unknown): boolean {
  return isTransient(error) || error instanceof StateConflictError;
}

const errorText = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

async function decideEvent(event: DomainEvent, deps: DecideDeps, record: RecordContext): Promise<RecordOutcome> {
  if (event.type === 'tick') {
    deps.metric?.('Ticks', 1);
    const stored = await withRetries(() => loadOrUnreadable(deps), deps, 'load');
    // In safe mode nothing is reconciled: the tick itself is recorded as suppressed below.
    if (stored !== 'unreadable') {
      for (const change of await alarmChanges(stored?.state ?? initialState(deps.config), deps)) {
        deps.log.info('alarm state recovered by reconciliation', { alarmName: change.alarmName, state: change.state, at: change.at });
        await step(change, deps, record);
      }
    }
  }
  const { state, decision } = await step(event, deps, record);
  if (state === undefined) return { type: 'decided', decision };
  if (event.type === 'tick' && state.inFlight) deps.metric?.('FailoverInFlightSeconds', Math.max(0, (deps.now() - state.inFlight.startedAt) / 1000));
  // A gauge, not an event count: 1 on every tick while halted, so the halted alarm (Maximum ≥ 1)
  // stays in ALARM until an operator acknowledges, instead of clearing a minute after the halt.
  if (event.type === 'tick' && state.phase === 'halted') deps.metric?.('Halted', 1);
  for (const answer of await bringWorldInLine(state, decision, event, deps)) {
    await step(answer, deps, record);
  }
  return { type: 'decided', decision };
}

async function loadOrUnreadable(deps: DecideDeps): Promise<StoredState | undefined | 'unreadable'> {
  try {
    return await loadChecked(deps);
  } catch (error) {
    if (error instanceof StateUnreadableError) return 'unreadable';
    throw error;
  }
}

/** What one record's steps share: its id, and the wake-ups already scheduled for it. */
interface RecordContext {
  readonly messageId: string;
  readonly wakeUps: Set<number>;
}

/** Longest body logged when the dead-letter queue refuses a record (CloudWatch Logs events are at most 256 KB). */
const MAX_LOGGED_BODY_CHARS = 64 * 1024;

/**
 * Dead-letter a record with its reason and acknowledge it. A transient failure to send is retried
 * here, then given back to SQS; a permanent one (the queue refuses it, or is gone) is logged with
 * the body and counted (`DeadLetterFailures`), and the record acknowledged all the same: nothing
 * it could carry is worth stopping the app's FIFO group for.
 */
async function reject(deps: DecideDeps, body: string, messageId: string, reason: string, field?: string): Promise<RecordOutcome> {
  try {
    await withRetries(() => deps.deadLetters.send({ body, reason, sourceId: messageId, ...(field ? { field } : {}) }), deps, 'dead-letter send');
  } catch (error) {
    if (isTransient(error)) throw error;
    deps.metric?.('DeadLetterFailures', 1);
    deps.log.error('event rejected, and the dead-letter queue refused it: kept in this log only', {
      messageId,
      reason,
      field,
      error: errorText(error),
      body: body.length > MAX_LOGGED_BODY_CHARS ? `${body.slice(0, MAX_LOGGED_BODY_CHARS)}…` : body,
    });
    return { type: 'rejected', reason };
  }
  deps.log.warn('event rejected to the dead-letter queue', { messageId, reason, field });
  return { type: 'rejected', reason };
}

function withRetries<T>(work: () => Promise<T>, deps: DecideDeps, what: string): Promise<T> {
  return retryTransient(work, {
    maxAttempts: deps.maxTransientAttempts ?? DEFAULT_MAX_TRANSIENT_ATTEMPTS,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    onRetry: (attempt, error) => deps.log.warn(`${what} failed transiently; retrying`, { attempt, error: (error as Error)?.message }),
  });
}

/** One event decided: the state before and after (absent in safe mode, where none is usable) and the decision. */
interface StepOutcome {
  readonly before: ControllerState | undefined;
  readonly state: ControllerState | undefined;
  readonly decision: Decision;
}

/** Decide one event durably, then tell people and schedule its wake-up. */
async function step(event: DomainEvent, deps: DecideDeps, record: RecordContext): Promise<StepOutcome> {
  const outcome = await withRetries(() => decideAndSave(event, deps), deps, 'state store write');
  const { decision } = outcome;
  deps.observe?.(decision);
  // The instant of halting counts too: the alarm need not wait for the next tick.
  if (decision.action === 'halted') deps.metric?.('Halted', 1);
  deps.log.info('decision', { messageId: record.messageId, eventId: event.eventId, event: event.type, action: decision.action, reason: decision.reason, active: decision.active, phase: decision.phase });
  await publish(outcome, deps);
  await scheduleWakeUp(decision, deps, record);
  return outcome;
}

/**
 * Load, decide, and save the new state with the decision in one transaction (compare-and-set);
 * on a lost race reload and decide again. A decision that changes nothing is only appended to the
 * audit log. A corrupt or inconsistent state is never decided from: see {@link decideInSafeMode}.
 */
async function decideAndSave(event: DomainEvent, deps: DecideDeps): Promise<StepOutcome> {
  const { config, stateStore } = deps;
  for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt++) {
    let stored: StoredState | undefined;
    try {
      stored = await loadChecked(deps);
    } catch (error) {
      if (!(error instanceof StateUnreadableError)) throw error;
      const safe = await decideInSafeMode(event, error.unreadable, deps);
      if (safe.type === 'recorded') return { before: undefined, state: undefined, decision: safe.decision };
      if (safe.type === 'rebuilt') return { before: undefined, state: safe.state, decision: safe.decision };
      deps.log.warn('state replaced under us while rebuilding it; deciding again', { attempt, app: config.app });
      continue;
    }
    const current = stored?.state ?? initialState(config);
    const { state, decisions } = decide(current, event, config, deps.now());
    const [decision] = decisions;
    if (stored && JSON.stringify(state) === JSON.stringify(current)) {
      await stateStore.appendDecisions(config.app, decisions);
      return { before: stored.state, state, decision };
    }
    const saved = await stateStore.save(config.app, state, stored?.version, decisions);
    if (saved.type === 'saved') return { before: stored?.state, state, decision };
    deps.log.warn('state changed under us; deciding again', { attempt, app: config.app });
  }
  throw new StateConflictError(`state of ${config.app} changed under us ${MAX_CAS_ATTEMPTS} times in a row; SQS will redeliver the event`);
}

/**
 * Publish the decision for people and other systems, and "DR Failover Started" when this decision
 * is the one that first saw the run confirmed running. The audit log already holds the decision, so
 * a publish failure is logged, not retried by SQS: redelivery would only be ignored as a duplicate.
 */
async function publish(outcome: StepOutcome, deps: DecideDeps): Promise<void> {
  const { before, state, decision } = outcome;
  const notices: Notice[] = [{ detailType: 'DR Decision', detail: { ...decision } }];
  const flight = state?.inFlight;
  if (flight?.confirmedAt !== undefined && !(before?.inFlight?.executionName === flight.executionName && before.inFlight.confirmedAt !== undefined)) {
    notices.push({ detailType: 'DR Failover Started', detail: { ...failoverRequestOf(deps.config.app, flight), confirmedAt: flight.confirmedAt } });
  }
  try {
    await deps.publisher.publish(notices);
  } catch (error) {
    deps.log.error('could not publish the decision; it is in the audit log', { error: (error as Error).message, action: decision.action });
  }
}

/**
 * Ask for a wake-up tick at the decision's `wakeAt`, once per instant per record. A wake-up that
 * cannot be scheduled is logged and counted: the one-minute tick still comes.
 */
async function scheduleWakeUp(decision: Decision, deps: DecideDeps, record: RecordContext): Promise<void> {
  const { wakeAt } = decision;
  const now = deps.now();
  if (!deps.wakeUps || wakeAt === undefined || wakeAt <= now || record.wakeUps.has(wakeAt)) return;
  record.wakeUps.add(wakeAt);
  try {
    await deps.wakeUps.schedule(deps.config.app, wakeAt, now);
  } catch (error) {
    deps.log.error('could not schedule a wake-up; the next one-minute tick decides instead', { wakeAt, error: (error as Error).message });
    deps.metric?.('ReconcileFailures', 1);
  }
}
