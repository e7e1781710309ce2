import { logger, metrics, MetricUnit, observed } from '../runtime/observability';
import { parseFailoverState, type FailoverState } from './failover-state';
import type { FailoverStep } from './step-names';

/**
 * The Lambda handler of one failover step: parse the workflow state at the edge, tag the logs with
 * the failover's identity, run the step, log its result, and count the outcome per step
 * (`FailoverStepSucceeded` / `FailoverStepErrors`, dimension `Step`). Errors are logged and
 * rethrown unchanged: their `name` is what the state machine's Retry and Catch match.
 */
export function stepHandler<TResult>(step: FailoverStep, run: (state: FailoverState) => Promise<TResult>) {
  return observed(async (event: unknown): Promise<TResult> => {
    metrics.addDimension('Step', step);
    try {
      const state = parseFailoverState(event);
      logger.appendKeys({ step, app: state.app, generation: state.generation, executionName: state.executionName });
      const result = await run(state);
      logger.info(`${step} done`, { result });
      metrics.addMetric('FailoverStepSucceeded', MetricUnit.Count, 1);
      return result;
    } catch (error) {
      logger.warn(`${step} failed`, { error: error as Error });
      metrics.addMetric('FailoverStepErrors', MetricUnit.Count, 1);
      throw error;
    }
  });
}
