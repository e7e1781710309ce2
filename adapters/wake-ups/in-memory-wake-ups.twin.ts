import type { Region } from '../../domain/config';
import type { WakeUps } from '../../domain/ports/wake-ups.port';
import { delaySecondsFor, wakeUpMessage, type WakeUpMessage } from './wake-up-message';

/** One wake-up the twin holds, with when SQS would deliver it. */
export interface ScheduledWakeUp {
  readonly app: string;
  readonly at: number;
  readonly delaySeconds: number;
  /** `now + delaySeconds`: when the message becomes visible. */
  readonly deliverAt: number;
  readonly message: WakeUpMessage;
}

/**
 * In-memory {@link WakeUps} with SQS's delay rule: a message becomes deliverable `delaySeconds`
 * after it was sent. {@link due} hands out (and removes) the ones deliverable at a time, as a
 * receive would; {@link scheduled} shows every one sent.
 */
export class InMemoryWakeUps implements WakeUps {
  private pending: ScheduledWakeUp[] = [];
  /** Every wake-up scheduled, in order. */
  readonly scheduled: ScheduledWakeUp[] = [];
  private failures: Error[] = [];

  constructor(private readonly options: { readonly region?: Region; readonly account?: string } = {}) {}

  /** The next `n` schedules reject with `error`. */
  failNext(n: number, error: Error): void {
    this.failures.push(...Array.from({ length: n }, () => error));
  }

  async schedule(app: string, at: number, now: number): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    const delaySeconds = delaySecondsFor(at, now);
    const wakeUp = { app, at, delaySeconds, deliverAt: now + delaySeconds * 1000, message: wakeUpMessage(app, at, this.options.region ?? 'us-east-2', this.options.account ?? '123456789012') };
    this.scheduled.push(wakeUp);
    this.pending.push(wakeUp);
  }

  /** The messages deliverable at `now`, oldest first; they are no longer pending afterwards. */
  due(now: number): WakeUpMessage[] {
    const ready = this.pending.filter((w) => w.deliverAt <= now).sort((a, b) => a.deliverAt - b.deliverAt);
    this.pending = this.pending.filter((w) => w.deliverAt > now);
    return ready.map((w) => w.message);
  }
}
