import type { Publisher } from '../../domain/ports/publisher.port';
import { logger } from '../runtime/observability';
import { publisher } from '../runtime/publisher-root';
import { messageOf } from './best-effort';
import { required, type FailoverState } from './failover-state';
import { stepHandler } from './step-handler';

/** The ports and settings `announce` uses; the composition root or a test provides them. */
export interface AnnounceDeps {
  readonly publisher: Publisher;
}

/**
 * What a completed failover did: the `DR Failover Completed` notice and the execution's output.
 * `recoverySeconds` is top-level because the engine reads it from the output of the SUCCEEDED
 * `Step Functions Execution Status Change` event.
 */
export interface FailoverSummary {
  readonly app: string;
  readonly generation: number;
  readonly executionName: string;
  readonly from: string;
  readonly target: string;
  readonly requestedBy: string;
  /** How the database was promoted (the request's own `mode` says who asked: auto or manual). */
  readonly promotionMode: 'switchover' | 'failover';
  readonly dataLossAllowedBy?: 'operator' | 'policy';
  readonly fenced: boolean;
  /** What the promote step found: `started`, `already-writer` (a re-run) or `in-progress`. */
  readonly promotionOutcome: string;
  readonly trafficShifted: boolean;
  readonly relyingOnHealthChecks: boolean;
  readonly configSkipped: readonly string[];
  readonly verified: boolean;
  readonly verifyReason: string;
  readonly recoverySeconds?: number;
  readonly elapsedSeconds?: number;
  /** False when the notice could not be published (the failover itself is complete). */
  readonly announced: boolean;
  readonly announceError?: string;
}

/**
 * Summarize the failover, publish `DR Failover Completed`, and return the summary as the
 * execution's output. Publishing is best effort: the failover is complete whatever the bus says,
 * and the engine learns it from the execution's status event, not from this notice.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 */
export async function announce(state: FailoverState, deps: AnnounceDeps): Promise<FailoverSummary> {
  const preflight = required(state.preflight, 'preflight result ($.preflight)');
  const verify = state.verify;
  const summary: Omit<FailoverSummary, 'announced' | 'announceError'> = {
    app: state.app,
    generation: state.generation,
    executionName: state.executionName,
    from: state.from,
    target: state.target,
    requestedBy: state.requestedBy,
    promotionMode: preflight.mode,
    ...(preflight.dataLossAllowedBy && { dataLossAllowedBy: preflight.dataLossAllowedBy }),
    fenced: state.fence?.fenced ?? false,
    promotionOutcome: state.promotion?.outcome ?? 'unknown',
    trafficShifted: state.traffic?.shifted ?? false,
    relyingOnHealthChecks: state.traffic?.relyingOnHealthChecks ?? false,
    configSkipped: state.config?.skipped.map((s) => s.region) ?? [],
    verified: verify?.verified ?? false,
    verifyReason: verify?.reason ?? 'recovery was not verified',
    ...(verify?.recoverySeconds !== undefined && { recoverySeconds: verify.recoverySeconds }),
    ...(verify && { elapsedSeconds: verify.elapsedSeconds }),
  };
  try {
    await deps.publisher.publish([{ detailType: 'DR Failover Completed', detail: summary }]);
    return { ...summary, announced: true };
  } catch (error) {
    logger.error('DR Failover Completed could not be published', { error: error as Error });
    return { ...summary, announced: false, announceError: messageOf(error) };
  }
}

/** Lambda entry point of the `announce` step: the step above, with its ports from the composition root. */
export const handler = stepHandler('announce', (state) => announce(state, { publisher: publisher() }));
