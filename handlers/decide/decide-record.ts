import type { ControllerConfig } from '../../domain/config';
import { decide, initialState } from '../../domain/decide';
import type { Decision } from '../../domain/decision';
import { failoverRequestOf } from '../../domain/decision';
import type { DomainEvent } from '../../domain/events';
import type { DeadLetters } from '../../domain/ports/dead-letters.port';
import type { Notice, Publisher } from '../../domain/ports/publisher.port';
import type { StateStore } from '../../domain/ports/state-store.port';
import type { Workflow } from '../../domain/ports/workflow.port';
import type { ControllerState } from '../../domain/state';
import { isIgnorable, parseEvent } from '../../edge/event.parser';

/** What the decide path needs: the configuration, the ports, a clock, and where to log and count. */
export interface DecideDeps {
  readonly config: ControllerConfig;
  readonly stateStore: StateStore;
  readonly workflow: Workflow;
  readonly publisher: Publisher;
  readonly deadLetters: DeadLetters;
  readonly now: () => number;
  readonly log: {
    info(message: string, extra?: Record<string, unknown>): void;
    warn(message: string, extra?: Record<string, unknown>): void;
    error(message: string, extra?: Record<string, unknown>): void;
  };
  /** Called once per decision made, for metrics. */
  readonly observe?: (decision: Decision) => void;
}

export type RecordOutcome =
  | { readonly type: 'decided'; readonly decision: Decision }
  /** Valid but not for the controller (a configuration change, a non-terminal status). */
  | { readonly type: 'ignored'; readonly reason: string }
  /** Could not be used: sent to the dead-letter queue with the reason. */
  | { readonly type: 'rejected'; readonly reason: string };

/** Compare-and-set attempts before the record is given back to SQS for a retry. */
export const MAX_CAS_ATTEMPTS = 5;

/** Another writer kept saving the state first; SQS redelivers the record and it is decided again. */
export class StateConflictError extends Error {
  override readonly name = 'StateConflictError';
}

/**
 * Handle one event from the controller queue: parse it at the edge, decide under compare-and-set,
 * append the decision to the audit log, bring the world in line with the state (start or stop the
 * workflow), and publish the decision.
 *
 * A record that cannot be parsed goes to the dead-letter queue with its reason and is then
 * acknowledged, so it never holds up the app's FIFO message group (a failed record blocks every
 * later message of its group until SQS gives up on it). Any other error propagates: the record is
 * reported as a batch item failure and SQS delivers it again.
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

  const { state, decision } = await decideAndSave(parsed.event, deps);
  deps.observe?.(decision);
  deps.log.info('decision', { messageId, action: decision.action, reason: decision.reason, active: decision.active, phase: decision.phase });
  await deps.stateStore.appendDecisions(deps.config.app, [decision]);
  await reconcile(state, decision, parsed.event, deps);
  await publish(decision, deps);
  return { type: 'decided', decision };
}

async function reject(deps: DecideDeps, body: string, messageId: string, reason: string, field?: string): Promise<RecordOutcome> {
  await deps.deadLetters.send({ body, reason, sourceId: messageId, ...(field ? { field } : {}) });
  deps.log.warn('event rejected to the dead-letter queue', { messageId, reason, field });
  return { type: 'rejected', reason };
}

/** Load, decide, save with compare-and-set; on a lost race reload and decide again. */
async function decideAndSave(event: DomainEvent, deps: DecideDeps): Promise<{ state: ControllerState; decision: Decision }> {
  const { config, stateStore } = deps;
  for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt++) {
    const stored = await stateStore.load(config.app);
    const current = stored?.state ?? initialState(config);
    const { state, decisions } = decide(current, event, config, deps.now());
    const [decision] = decisions;
    if (stored && JSON.stringify(state) === JSON.stringify(current)) return { state, decision };
    const saved = await stateStore.save(config.app, state, stored?.version);
    if (saved.type === 'saved') return { state, decision };
    deps.log.warn('state changed under us; deciding again', { attempt, app: config.app });
  }
  throw new StateConflictError(`state of ${config.app} changed under us ${MAX_CAS_ATTEMPTS} times in a row; SQS will redeliver the event`);
}

/**
 * The saved state is the intent; make the world match it. A failover in flight is (re)started
 * with the request rebuilt from state — the same name and input every time, so Step Functions
 * returns the existing execution instead of starting a second one — and an abort in flight is
 * (re)sent. Besides the decision that asked for it, every tick retries, so a start or stop lost to
 * a crash between "saved" and "sent" still happens within a minute.
 */
async function reconcile(state: ControllerState, decision: Decision, event: DomainEvent, deps: DecideDeps): Promise<void> {
  const flight = state.inFlight;
  if (!flight) return;
  const retry = event.type === 'tick';
  if (flight.abortRequested) {
    if (decision.action === 'abort' || retry) {
      const stopped = await deps.workflow.stop(flight.executionName, `aborted by an operator: ${decision.reason}`);
      deps.log.info('workflow stop', { executionName: flight.executionName, result: stopped.type });
    }
    return;
  }
  if ((decision.action === 'start-failover' && !decision.dryRun) || retry) {
    const started = await deps.workflow.start(failoverRequestOf(deps.config.app, flight));
    deps.log.info('workflow start', { executionName: flight.executionName, result: started.type });
  }
}

/**
 * Publish the decision (and "failover started") for people and other systems. The audit log
 * already holds the decision, so a publish failure is logged and counted, not retried by SQS:
 * redelivery would only be ignored as a duplicate.
 */
async function publish(decision: Decision, deps: DecideDeps): Promise<void> {
  const notices: Notice[] = [{ detailType: 'DR Decision', detail: { ...decision } }];
  if (decision.action === 'start-failover' && !decision.dryRun) {
    notices.push({ detailType: 'DR Failover Started', detail: { ...decision.request } });
  }
  try {
    await deps.publisher.publish(notices);
  } catch (error) {
    deps.log.error('could not publish the decision; it is in the audit log', { error: (error as Error).message, action: decision.action });
  }
}
