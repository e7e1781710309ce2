import type { WakeUps } from '../../domain/ports/wake-ups.port';

/** A fresh wake-up channel, and what a receiver could take from it right now (removed once taken). */
export interface WakeUpsSubject {
  readonly wakeUps: WakeUps;
  deliverableNow(): Promise<unknown[]>;
}

/** Registers the behaviour every WakeUps implementation shares. `implementation` names it in test titles. */
export function wakeUpsContract(implementation: string, arrange: () => Promise<WakeUpsSubject>): void {
  describe(`WakeUps contract (${implementation})`, () => {
    let subject: WakeUpsSubject;
    beforeEach(async () => {
      subject = await arrange();
    });

    it(`[${implementation}] delivers a wake-up that is due at once, as a DR Wake-up event for the app and instant`, async () => {
      const now = Date.now();

      await subject.wakeUps.schedule('payments', now - 1_000, now);

      await expect(subject.deliverableNow()).resolves.toEqual([
        expect.objectContaining({
          id: `wake-payments-${now - 1_000}`,
          source: 'dr.controller',
          'detail-type': 'DR Wake-up',
          time: new Date(now - 1_000).toISOString(),
          resources: [],
          detail: { app: 'payments', wakeAt: now - 1_000 },
        }),
      ]);
    });

    it(`[${implementation}] holds a wake-up back until its time`, async () => {
      const now = Date.now();

      await subject.wakeUps.schedule('payments', now + 60_000, now);

      await expect(subject.deliverableNow()).resolves.toEqual([]);
    });

    it(`[${implementation}] keeps each app's wake-ups apart`, async () => {
      const now = Date.now();

      await subject.wakeUps.schedule('payments', now - 1, now);
      await subject.wakeUps.schedule('orders', now - 1, now);

      const delivered = (await subject.deliverableNow()) as { detail: { app: string } }[];
      expect(delivered.map((m) => m.detail.app).sort()).toEqual(['orders', 'payments']);
    });
  });
}
