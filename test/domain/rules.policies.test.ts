import fc from 'fast-check';
import type { SignalKind } from '../../domain/config';
import { chooseDataLoss, MAX_LAG_AGE_SECONDS, usableLag, type DataLossInputs } from '../../domain/policies/data-loss';
import { isSustained, meetsQuorum, quorumUnreachable } from '../../domain/policies/quorum';

/**
 * The rules of the domain policies that policies.property.test.ts leaves implicit: when a signal's
 * ALARM is sustained, what a region that can never be judged down is told, which lag reading counts,
 * and what the data-loss gate's explanation must (and must not) say. The gate's reason is what an
 * operator reads when a failover is refused ("refuse, naming the lag and the budget"), so its content
 * is held to the facts: the numbers it names, the policy it cites, the comparisons it states.
 */

const RUNS = Number(process.env.PROPERTY_RUNS ?? 2000);
const kinds: readonly SignalKind[] = ['alarm', 'health-check', 'probe', 'heartbeat'];

describe('sustain', () => {
  it('holds exactly once the whole sustain period has elapsed since the ALARM began, the edge included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000_000 }),
        fc.integer({ min: 0, max: 900 }),
        fc.oneof(fc.integer({ min: -2_000, max: 2_000 }), fc.integer({ min: -1_000_000, max: 1_000_000 })),
        (since, sustainSeconds, offset) => {
          const at = since + sustainSeconds * 1000 + offset;
          expect(isSustained(since, at, sustainSeconds)).toBe(at - since >= sustainSeconds * 1000);
          expect(isSustained(since, since + sustainSeconds * 1000, sustainSeconds)).toBe(true);
          expect(isSustained(since, since + sustainSeconds * 1000 - 1, sustainSeconds)).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('unreachable quorum', () => {
  it('tells a region that could never be judged down every kind of critical signal it has', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...kinds), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 3 }), (critical, extra) => {
        const policy = { quorum: critical.length + extra, minKinds: 1 };
        const why = quorumUnreachable(critical, policy) ?? '';
        expect(meetsQuorum(critical, policy)).toBe(false);
        expect([...new Set(critical)].filter((kind) => !why.includes(kind))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the lag that counts', () => {
  it('is unknown when the reading is not a finite number, whatever its age', () => {
    fc.assert(
      fc.property(fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY), fc.option(fc.integer({ min: 0, max: 3600 }), { nil: undefined }), (lagSeconds, lagAgeSeconds) => {
        expect(usableLag({ lagSeconds, lagAgeSeconds })).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('is a finite reading exactly while it is no older than MAX_LAG_AGE_SECONDS (or of unknown age)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.option(fc.integer({ min: 0, max: 3600 }), { nil: undefined }), (lagSeconds, lagAgeSeconds) => {
        const fresh = lagAgeSeconds === undefined || lagAgeSeconds <= MAX_LAG_AGE_SECONDS;
        expect(usableLag({ lagSeconds, lagAgeSeconds })).toBe(fresh ? lagSeconds : undefined);
        expect(usableLag({ lagAgeSeconds })).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the data-loss gate explains itself truthfully', () => {
  /** Every number the reason names (the regions and the old writer's description below hold none). */
  const numbersIn = (reason: string) => (reason.match(/\d+(?:\.\d+)?/g) ?? []).map(Number);
  /** The comparisons of lag with budget the reason states, as [lag, operator, budget]. */
  const comparisonsIn = (reason: string) => [...reason.matchAll(/(\d+) s (>|<=) budget (\d+) s/g)].map((m) => [Number(m[1]), m[2], Number(m[3])] as const);
  const policyArb = fc.constantFrom('never' as const, 'within-rpo-budget' as const, 'always' as const);
  const seenArb = fc.constantFrom('writer east, endpoint unhealthy', 'writer none, endpoint unknown', 'writer west, endpoint healthy');
  // Budgets at most 30 and ages from 31 up, so that an age in a reason cannot be the budget (nor the "RPO 0").
  const budgetArb = fc.constantFrom(0, 1, 5, 30);
  const ageArb = fc.integer({ min: 31, max: 3600 });
  const inputsArb: fc.Arbitrary<DataLossInputs> = fc.record(
    {
      from: fc.constant('east'),
      target: fc.constant('west'),
      lagSeconds: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.constant(Number.NaN)),
      lagAgeSeconds: ageArb,
      rpoBudgetSeconds: budgetArb,
      dataLoss: policyArb,
      allowDataLoss: fc.boolean(),
      planned: fc.boolean(),
      oldWriterReachable: fc.boolean(),
      oldWriterSeen: seenArb,
    },
    { requiredKeys: ['from', 'target', 'rpoBudgetSeconds', 'dataLoss', 'allowDataLoss', 'planned', 'oldWriterReachable'] },
  );

  it('never shows a missing value to the operator (no "undefined", no "NaN")', () => {
    fc.assert(
      fc.property(inputsArb, (i) => {
        expect(chooseDataLoss(i).reason).not.toMatch(/undefined|NaN/);
      }),
      { numRuns: RUNS },
    );
  });

  it('names the lag whenever it counts, and the budget whenever it refuses an unplanned move', () => {
    fc.assert(
      fc.property(inputsArb, (i) => {
        const choice = chooseDataLoss(i);
        const lag = usableLag(i);
        const numbers = numbersIn(choice.reason);
        expect(lag === undefined || numbers.includes(lag)).toBe(true);
        expect(choice.mode !== 'refuse' || i.planned || numbers.includes(i.rpoBudgetSeconds)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('reports a reading too old to count with its age, and the age of no reading it does not have', () => {
    fc.assert(
      fc.property(inputsArb, fc.integer({ min: 0, max: 120 }), fc.integer({ min: MAX_LAG_AGE_SECONDS + 1, max: 3600 }), (i, lagSeconds, staleAge) => {
        expect(numbersIn(chooseDataLoss({ ...i, lagSeconds, lagAgeSeconds: staleAge }).reason)).toContain(staleAge);
        const { lagSeconds: _lag, ...noReading } = i;
        expect(numbersIn(chooseDataLoss({ ...noReading, lagAgeSeconds: staleAge }).reason)).not.toContain(staleAge);
      }),
      { numRuns: RUNS },
    );
  });

  it('says how the old writer was found when it is not reachable', () => {
    fc.assert(
      fc.property(inputsArb, seenArb, (i, seen) => {
        expect(chooseDataLoss({ ...i, oldWriterReachable: false, oldWriterSeen: seen }).reason).toContain(seen);
      }),
      { numRuns: RUNS },
    );
  });

  it('cites only the configured policy, and a refusal by policy never cites it', () => {
    fc.assert(
      fc.property(inputsArb, (i) => {
        const cited = [...chooseDataLoss(i).reason.matchAll(/dataLoss=([\w-]+)/g)].map((m) => m[1]);
        expect(cited.filter((p) => p !== i.dataLoss)).toEqual([]);
        const refusedByNever = chooseDataLoss({ ...i, dataLoss: 'never', planned: false, allowDataLoss: false, oldWriterReachable: false });
        expect(refusedByNever.mode).toBe('refuse');
        expect(refusedByNever.reason).toContain('dataLoss=never');
      }),
      { numRuns: RUNS },
    );
  });

  it('states only true comparisons of lag with budget, and a refusal for a lag over the budget states it', () => {
    fc.assert(
      fc.property(inputsArb, fc.integer({ min: 1, max: 120 }), (i, over) => {
        for (const [lag, op, budget] of comparisonsIn(chooseDataLoss(i).reason)) {
          expect(op === '>' ? lag > budget : lag <= budget).toBe(true);
        }
        const lagSeconds = i.rpoBudgetSeconds + over;
        const refused = chooseDataLoss({ ...i, lagSeconds, lagAgeSeconds: 0, dataLoss: 'within-rpo-budget', planned: false, allowDataLoss: false });
        expect(refused.mode).toBe('refuse');
        expect(comparisonsIn(refused.reason)).toContainEqual([lagSeconds, '>', i.rpoBudgetSeconds]);
      }),
      { numRuns: RUNS },
    );
  });
});
