import { isTransient } from '../../adapters/errors';
import type { Decision } from '../../domain/decision';
import { failoverRequestOf } from '../../domain/decision';
import type { ActionFailed, DomainEvent, WorkflowEnded, WorkflowStarted } from '../../domain/events';
import type { ExecutionView } from '../../domain/ports/workflow.port';
import type { ControllerState, InFlight } from '../../domain/state';
import type { DecideDeps } from './decide-deps';

type Derived = WorkflowStarted | WorkflowEnded | ActionFailed;

/** JSON with object keys sorted, so two encodings of the same value compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** `recoverySeconds` from a successful run's output: top level, or under `recovery` (as the status-change parser reads it). */
function recoverySecondsOf(output: unknown): number | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  const o = output as { recoverySeconds?: unknown; recovery?: { recoverySeconds?: unknown } };
  const seconds = o.recoverySeconds ?? o.recovery?.recoverySeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/**
 * What the execution's real status means for the failover in flight, as events for the engine:
 * - input other than this failover's request: the name is taken by another execution (a restored
 *   state, another generation): `action-failed`, permanent, naming it;
 * - RUNNING: `workflow-started` (only until the engine has it confirmed);
 * - ended: `workflow-ended` via `reconcile`, with the error and cause, exactly as the status-change
 *   event would have said (the events are best effort and may never come);
 * - PENDING_REDRIVE: nothing yet.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html (status-change events are best effort)
 */
export function eventsForView(view: ExecutionView, flight: InFlight, deps: DecideDeps, sourceEventId: string): Derived[] {
  const at = deps.now();
  const name = flight.executionName;
  if (view.input !== undefined && canonical(view.input) !== canonical(failoverRequestOf(deps.config.app, flight))) {
    return [
      {
        type: 'action-failed',
        eventId: `reconcile:${name}:name-taken:${sourceEventId}`,
        action: flight.abortRequested ? 'stop' : 'start',
        executionName: name,
        permanent: true,
        reason: `execution name ${name} taken by another execution (its input is not this failover's request; ${view.status}); a restored or reused generation`,
        at,
      },
    ];
  }
  switch (view.status) {
    case 'RUNNING':
      return flight.confirmedAt === undefined ? [{ type: 'workflow-started', eventId: `reconcile:${name}:RUNNING`, executionName: name, at }] : [];
    case 'PENDING_REDRIVE':
      return [];
    default: {
      const problem = [view.error, view.cause].filter((part) => part !== undefined && part !== '').join(': ');
      const recoverySeconds = view.status === 'SUCCEEDED' ? recoverySecondsOf(view.output) : undefined;
      return [
        {
          type: 'workflow-ended',
          eventId: `reconcile:${name}:${view.status}`,
          executionName: name,
          status: view.status,
          at,
          via: 'reconcile',
          ...(problem !== '' ? { detail: problem.slice(0, 1000) } : {}),
          ...(recoverySeconds !== undefined ? { recoverySeconds } : {}),
        },
      ];
    }
  }
}

function actionFailed(action: 'start' | 'stop', flight: InFlight, error: unknown, sourceEventId: string, deps: DecideDeps): ActionFailed {
  const permanent = !isTransient(error);
  return {
    type: 'action-failed',
    eventId: `action-failed:${action}:${flight.executionName}:${sourceEventId}`,
    action,
    executionName: flight.executionName,
    permanent,
    reason: `${action === 'start' ? 'StartExecution' : 'StopExecution'} of ${flight.executionName} failed${permanent ? '' : ' transiently'}: ${errorMessage(error)}`,
    at: deps.now(),
  };
}

/** Describe the execution and turn what it says into events; a failure to read is logged and counted, never thrown. */
async function describeInto(flight: InFlight, deps: DecideDeps, sourceEventId: string): Promise<{ view?: ExecutionView; events: Derived[]; failed: boolean }> {
  try {
    const view = await deps.workflow.describe(flight.executionName);
    return { ...(view ? { view } : {}), events: view ? eventsForView(view, flight, deps, sourceEventId) : [], failed: false };
  } catch (error) {
    deps.log.warn('could not describe the failover execution; trying again on the next tick', { executionName: flight.executionName, error: errorMessage(error) });
    deps.metric?.('ReconcileFailures', 1);
    return { events: [], failed: true };
  }
}

async function start(flight: InFlight, deps: DecideDeps, sourceEventId: string): Promise<Derived[]> {
  let result;
  try {
    result = await deps.workflow.start(failoverRequestOf(deps.config.app, flight));
  } catch (error) {
    deps.log.error('workflow start failed', { executionName: flight.executionName, error: errorMessage(error) });
    return [actionFailed('start', flight, error, sourceEventId, deps)];
  }
  deps.log.info('workflow start', { executionName: flight.executionName, result: result.type });
  if (result.type === 'started') {
    return flight.confirmedAt === undefined ? [{ type: 'workflow-started', eventId: `started:${flight.executionName}`, executionName: flight.executionName, at: deps.now() }] : [];
  }
  // "already started": by this very request, by another one, or long ago. Ask what it is.
  return (await describeInto(flight, deps, sourceEventId)).events;
}

async function stop(flight: InFlight, reason: string, deps: DecideDeps, sourceEventId: string): Promise<Derived[]> {
  try {
    const stopped = await deps.workflow.stop(flight.executionName, `aborted by an operator: ${reason}`);
    deps.log.info('workflow stop', { executionName: flight.executionName, result: stopped.type });
  } catch (error) {
    deps.log.error('workflow stop failed', { executionName: flight.executionName, error: errorMessage(error) });
    return [actionFailed('stop', flight, error, sourceEventId, deps)];
  }
  // Stopped or not running: either way the execution now has an end (or never began) to report.
  const described = await describeInto(flight, deps, sourceEventId);
  if (described.failed || described.view) return described.events;
  return [
    {
      type: 'workflow-ended',
      eventId: `reconcile:${flight.executionName}:never-started`,
      executionName: flight.executionName,
      status: 'ABORTED',
      at: deps.now(),
      via: 'reconcile',
      detail: `no execution named ${flight.executionName} exists: the aborted failover never ran`,
    },
  ];
}

/**
 * Bring the world in line with the saved state, and report back what the world says. Runs after
 * the decision is saved; returns events for the engine, never throws for the workflow's sake:
 *
 * - a decision to start (not a dry run) sends StartExecution with the request rebuilt from state;
 * - an abort in flight sends StopExecution (on the abort decision and again on every tick);
 * - on every tick while a failover is in flight, DescribeExecution: a running one is confirmed, an
 *   ended one is reported as ended (its status-change event may be lost), a missing one is started
 *   again (a start lost between "saved" and "sent"), a name taken by another execution is a
 *   permanent failure.
 *
 * Start and stop errors become `action-failed` (permanent or transient); a describe that fails is
 * logged and counted, and the next tick tries again.
 */
export async function bringWorldInLine(state: ControllerState, decision: Decision, event: DomainEvent, deps: DecideDeps): Promise<Derived[]> {
  const flight = state.inFlight;
  if (!flight) return [];
  const isTick = event.type === 'tick';
  if (flight.abortRequested) {
    return decision.action === 'abort' || isTick ? stop(flight, decision.reason, deps, event.eventId) : [];
  }
  if (decision.action === 'start-failover' && !decision.dryRun) return start(flight, deps, event.eventId);
  if (!isTick) return [];
  const described = await describeInto(flight, deps, event.eventId);
  if (described.failed) return [];
  if (!described.view) return start(flight, deps, event.eventId);
  return described.events;
}
