import type { Region } from '../../domain/config';
import { WAKE_UP_DETAIL_TYPE, WAKE_UP_SOURCE } from '../../edge/event.parser';

/** SQS per-message delays go from 0 to 900 seconds (15 minutes). */
export const MAX_DELAY_SECONDS = 900;

/**
 * A wake-up as it reaches the controller queue: an EventBridge-shaped event, like every other
 * message there, with the `source` and `detail-type` the event parser reads into a tick with `wake: true`.
 */
export interface WakeUpMessage {
  readonly version: '0';
  readonly id: string;
  readonly source: typeof WAKE_UP_SOURCE;
  readonly 'detail-type': typeof WAKE_UP_DETAIL_TYPE;
  readonly time: string;
  readonly region: Region;
  readonly account: string;
  readonly resources: readonly string[];
  readonly detail: { readonly app: string; readonly wakeAt: number };
}

/**
 * The wake-up message for `app` at `wakeAt` (epoch ms). The id is derived from the app and the
 * instant, so two decisions asking for the same wake-up make messages the FIFO queue's
 * content-based deduplication (and the engine's own) treat as one.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
 */
export function wakeUpMessage(app: string, wakeAt: number, region: Region, account: string): WakeUpMessage {
  return {
    version: '0',
    id: `wake-${app}-${wakeAt}`,
    source: WAKE_UP_SOURCE,
    'detail-type': WAKE_UP_DETAIL_TYPE,
    time: new Date(wakeAt).toISOString(),
    region,
    account,
    resources: [],
    detail: { app, wakeAt },
  };
}

/**
 * Seconds to hold a wake-up for `at` sent at `now`: rounded up (never early), at most SQS's 900.
 * A deadline further away than that gets a wake-up at 900 s, whose tick decides again and asks for
 * the next one.
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html (DelaySeconds)
 */
export function delaySecondsFor(at: number, now: number): number {
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((at - now) / 1000)));
}
