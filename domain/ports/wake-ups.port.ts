/**
 * Delayed wake-ups for the decide path (an SQS standard queue with per-message `DelaySeconds`,
 * piped into the controller's FIFO queue, in AWS): a decision's `wakeAt` is met within seconds
 * instead of at the next one-minute tick.
 */
export interface WakeUps {
  /** Deliver a wake-up tick for `app` at `at` (epoch ms), given the current time `now`. */
  schedule(app: string, at: number, now: number): Promise<void>;
}
