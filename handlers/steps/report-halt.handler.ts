import type { Publisher } from '../../domain/ports/publisher.port';
import { publisher } from '../runtime/publisher-root';
import { logger } from '../runtime/observability';
import { messageOf } from './best-effort';
import type { CaughtError, FailoverState } from './failover-state';
import { stepHandler } from './step-handler';
import { FAILOVER_STEPS, STEP_REGISTRY, type FailoverStep } from './step-registry';

/** The ports and settings `report-halt` uses; the composition root or a test provides them. */
export interface ReportHaltDeps {
  readonly publisher: Publisher;
}

/** Fail states accept a cause of up to 32,768 characters; the notice and the engine need far less. */
const MAX_CAUSE_LENGTH = 4000;

/**
 * The steps of a run in order (the step registry's), each with how the state shows it completed:
 * its result is at its `resultPath`; check-writer's only once the target is writer; announce's
 * never (its result is the execution's output).
 */
const PROGRESS: readonly (readonly [FailoverStep, (state: FailoverState) => boolean])[] = FAILOVER_STEPS.filter((step) => step !== 'report-halt').map(
  (step) => [step, (state: FailoverState) => isDone(step, state)] as const,
);

function isDone(step: FailoverStep, state: FailoverState): boolean {
  if (step === 'check-writer') return state.writer?.isWriter === true;
  const path = (STEP_REGISTRY[step] as { readonly resultPath?: string }).resultPath;
  const key = path?.replace(/^\$\./, '');
  return key !== undefined && (state as Record<string, unknown>)[key] !== undefined;
}

/**
 * The message inside a caught error's cause. A Lambda function error arrives as the JSON document
 * Lambda builds from the thrown error (`errorType`, `errorMessage`, `trace`); other causes are text.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
export function causeMessage(caught: CaughtError): string {
  const cause = caught.Cause?.trim() ?? '';
  if (cause === '') return caught.Error;
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { errorMessage?: unknown }).errorMessage === 'string') {
      return (parsed as { errorMessage: string }).errorMessage;
    }
  } catch {
    // plain text cause
  }
  return cause;
}

/**
 * A step failed for good (its Catch brought the caught error to `$.error`): publish
 * `DR Failover Halted` with the error, its cause, the step that failed and the steps done, and
 * return the error with a readable cause for the Fail state (`ErrorPath`/`CausePath`), which the
 * engine receives through the FAILED `Step Functions Execution Status Change` event.
 *
 * Publishing is best effort: the Fail state, not the notice, is what the engine acts on.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 */
export async function reportHalt(state: FailoverState, deps: ReportHaltDeps): Promise<CaughtError> {
  const caught = state.error ?? { Error: 'UnknownError', Cause: 'report-halt ran without a caught error at $.error' };
  const done = PROGRESS.filter(([, isDone]) => isDone(state)).map(([step]) => step);
  const failedStep = PROGRESS.find(([, isDone]) => !isDone(state))?.[0] ?? 'announce';
  const cause = `${failedStep}: ${causeMessage(caught)}`.slice(0, MAX_CAUSE_LENGTH);
  try {
    await deps.publisher.publish([
      {
        detailType: 'DR Failover Halted',
        detail: {
          app: state.app,
          generation: state.generation,
          executionName: state.executionName,
          from: state.from,
          target: state.target,
          error: caught.Error,
          cause,
          failedStep,
          stepsDone: done,
        },
      },
    ]);
  } catch (error) {
    logger.error('DR Failover Halted could not be published', { error: error as Error, reason: messageOf(error) });
  }
  return { Error: caught.Error, Cause: cause };
}

/** Lambda entry point of the `report-halt` step: the step above, with its ports from the composition root. */
export const handler = stepHandler('report-halt', (state) => reportHalt(state, { publisher: publisher() }));
