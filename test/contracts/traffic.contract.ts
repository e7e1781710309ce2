import fc from 'fast-check';
import type { Region } from '../../domain/config';
import type { Traffic } from '../../domain/ports/traffic.port';
import { PermanentAdapterError } from '../../adapters/errors';

/** A fresh implementation whose `primary` record has weight 100 and `secondary` 0, both with a healthy health check. */
export interface TrafficSubject {
  readonly traffic: Traffic;
  readonly primary: Region;
  readonly secondary: Region;
  /** A region without a weighted record or health check. */
  readonly unknown: Region;
}

/** Registers the behaviour every {@link Traffic} implementation shares. `implementation` names it in test titles. */
export function trafficContract(implementation: string, arrange: () => Promise<TrafficSubject>): void {
  describe(`Traffic contract (${implementation})`, () => {
    let subject: TrafficSubject;
    beforeEach(async () => {
      subject = await arrange();
    });

    it(`[${implementation}] reports the region with all the weight as active`, async () => {
      await expect(subject.traffic.activeRegion()).resolves.toBe(subject.primary);
    });

    it(`[${implementation}] shifts from the primary to the secondary`, async () => {
      const { traffic, secondary } = subject;

      const result = await traffic.shiftTo(secondary);

      expect(result).toEqual({ changed: true });
      await expect(traffic.activeRegion()).resolves.toBe(secondary);
    });

    it(`[${implementation}] changes nothing when shifting again to where traffic already goes`, async () => {
      const { traffic, secondary } = subject;
      await traffic.shiftTo(secondary);

      const again = await traffic.shiftTo(secondary);

      expect(again).toEqual({ changed: false });
      await expect(traffic.activeRegion()).resolves.toBe(secondary);
    });

    it(`[${implementation}] refuses a region without a record with a PermanentAdapterError naming it, and keeps the weights`, async () => {
      const { traffic, unknown, primary } = subject;

      const shift = traffic.shiftTo(unknown);

      await expect(shift).rejects.toThrow(PermanentAdapterError);
      await expect(shift).rejects.toThrow(unknown);
      await expect(traffic.activeRegion()).resolves.toBe(primary);
    });

    it(`[${implementation}] never leaves every weight at zero, whatever the sequence of shifts`, async () => {
      const { traffic, primary, secondary, unknown } = subject;
      await fc.assert(
        fc.asyncProperty(fc.array(fc.constantFrom(primary, secondary, unknown), { minLength: 1, maxLength: 4 }), async (targets) => {
          let expected = await traffic.activeRegion();
          for (const target of targets) {
            await traffic.shiftTo(target).catch((error: unknown) => {
              if (!(error instanceof PermanentAdapterError) || target !== unknown) throw error;
            });
            if (target !== unknown) expected = target;
            // exactly one region with weight > 0: never all zero, never split
            await expect(traffic.activeRegion()).resolves.toBe(expected);
          }
        }),
        { numRuns: 8 },
      );
    });

    it(`[${implementation}] reports health from the region's health check, and unknown without one`, async () => {
      const { traffic, primary, unknown } = subject;

      await expect(traffic.healthOf(primary)).resolves.toBe('healthy');
      await expect(traffic.healthOf(unknown)).resolves.toBe('unknown');
    });
  });
}
