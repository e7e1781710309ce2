import fc from 'fast-check';
import type { SignalConfig, SignalKind } from '../../domain/config';
import type { AlarmState } from '../../domain/events';
import { chooseDataLoss, MAX_LAG_AGE_SECONDS, type DataLossInputs } from '../../domain/policies/data-loss';
import { meetsQuorum, quorumFrom, quorumUnreachable } from '../../domain/policies/quorum';
import { judgeRecovery } from '../../domain/policies/recovery';
import type { HealthStatus } from '../../domain/ports/traffic.port';
import { parseConfig } from '../../edge/config.schema';

/**
 * The domain policies (domain/policies/), each held to a plain statement of its rule over
 * generated inputs: the region-down quorum (engine and configuration check), the data-loss gate
 * (preflight) and recovery verification (verify-recovery).
 */

const RUNS = 2000;
const kinds: readonly SignalKind[] = ['alarm', 'health-check', 'probe', 'heartbeat'];
const kindArb = fc.constantFrom(...kinds);
const quorumPolicyArb = fc.record({ quorum: fc.integer({ min: 1, max: 5 }), minKinds: fc.integer({ min: 1, max: 4 }) });

describe('quorum policy', () => {
  it('meets the quorum exactly when there are enough signals of enough distinct kinds, and more signals never break it', () => {
    fc.assert(
      fc.property(fc.array(kindArb, { maxLength: 8 }), kindArb, quorumPolicyArb, (list, extra, policy) => {
        expect(meetsQuorum(list, policy)).toBe(list.length >= policy.quorum && new Set(list).size >= policy.minKinds);
        expect(!meetsQuorum(list, policy) || meetsQuorum([...list, extra], policy)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('finds the earliest instant at which the signals counting by then make a quorum', () => {
    const timelineArb = fc.array(fc.record({ from: fc.integer({ min: 0, max: 100 }), kind: kindArb }), { maxLength: 8 });
    fc.assert(
      fc.property(timelineArb, quorumPolicyArb, (timeline, policy) => {
        const countingAt = (t: number) => timeline.filter((x) => x.from <= t).map((x) => x.kind);
        const found = quorumFrom(timeline, policy);
        const instants = [...new Set(timeline.map((x) => x.from))].sort((a, b) => a - b);
        expect(found).toBe(instants.find((t) => meetsQuorum(countingAt(t), policy)));
        expect(found === undefined).toBe(!meetsQuorum(timeline.map((x) => x.kind), policy));
      }),
      { numRuns: RUNS },
    );
  });

  it('calls a region unreachable exactly when all its critical signals in ALARM would not make a quorum, and the configuration check agrees', () => {
    const regions = ['us-east-1', 'us-east-2'];
    const signalArb = fc.record({ region: fc.constantFrom(...regions), kind: kindArb, critical: fc.boolean() });
    fc.assert(
      fc.property(fc.array(signalArb, { maxLength: 8 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), (drafts, quorum, minKindsRaw) => {
        const minKinds = Math.min(minKindsRaw, quorum);
        const policy = { quorum, minKinds };
        // At most one heartbeat per region, as the configuration requires.
        const seen = new Set<string>();
        const signals = drafts
          .filter((s) => s.kind !== 'heartbeat' || (!seen.has(s.region) && seen.add(s.region)))
          .map((s, i) => ({ alarmName: `sig-${i}`, ...s }));
        const unreachable = regions.filter((region) => {
          const critical = signals.filter((s) => s.region === region && s.critical).map((s) => s.kind);
          const why = quorumUnreachable(critical, policy);
          expect(why === undefined).toBe(meetsQuorum(critical, policy));
          return why !== undefined;
        });
        const parsed = parseConfig({ app: 'payments', regions, initialActive: regions[0], signals, policy });
        const complaints = parsed.ok ? [] : parsed.errors.filter((e) => e.includes('could never detect'));
        expect(complaints.map((e) => /region (\S+) has/.exec(e)?.[1])).toEqual(unreachable);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('data-loss policy', () => {
  const inputsArb: fc.Arbitrary<DataLossInputs> = fc.record(
    {
      from: fc.constant('us-east-1'),
      target: fc.constant('us-east-2'),
      lagSeconds: fc.oneof(fc.double({ min: 0, max: 120, noNaN: true }), fc.constantFrom(0, 5, 5.0001)),
      lagAgeSeconds: fc.integer({ min: 0, max: 2 * MAX_LAG_AGE_SECONDS }),
      rpoBudgetSeconds: fc.constantFrom(0, 1, 5, 30),
      dataLoss: fc.constantFrom('never' as const, 'within-rpo-budget' as const, 'always' as const),
      allowDataLoss: fc.boolean(),
      planned: fc.boolean(),
      oldWriterReachable: fc.boolean(),
    },
    { requiredKeys: ['from', 'target', 'rpoBudgetSeconds', 'dataLoss', 'allowDataLoss', 'planned', 'oldWriterReachable'] },
  );
  /** The lag that describes now: known, and no older than the limit. */
  const knownLag = (i: DataLossInputs) => (i.lagSeconds !== undefined && (i.lagAgeSeconds === undefined || i.lagAgeSeconds <= MAX_LAG_AGE_SECONDS) ? i.lagSeconds : undefined);
  const withinBudget = (i: DataLossInputs) => knownLag(i) !== undefined && knownLag(i)! <= i.rpoBudgetSeconds;

  it('switches over exactly when the old writer is reachable and the known lag is within the budget', () => {
    fc.assert(
      fc.property(inputsArb, (i) => {
        expect(chooseDataLoss(i).mode === 'switchover').toBe(i.oldWriterReachable && withinBudget(i));
      }),
      { numRuns: RUNS },
    );
  });

  it('fails over with data loss only when not planned and the operator or the policy allows it, and then names who', () => {
    fc.assert(
      fc.property(inputsArb, (i) => {
        const choice = chooseDataLoss(i);
        const allowedBy = i.allowDataLoss ? 'operator' : i.dataLoss === 'always' || (i.dataLoss === 'within-rpo-budget' && withinBudget(i)) ? 'policy' : undefined;
        const expected = i.oldWriterReachable && withinBudget(i) ? 'switchover' : i.planned || allowedBy === undefined ? 'refuse' : 'failover';
        expect(choice.mode).toBe(expected);
        expect(choice.mode === 'failover' ? choice.allowedBy : undefined).toBe(expected === 'failover' ? allowedBy : undefined);
      }),
      { numRuns: RUNS },
    );
  });

  it('never fails over with data loss for a planned request, whatever the operator flag or the policy', () => {
    fc.assert(
      fc.property(inputsArb, (i) => {
        const choice = chooseDataLoss({ ...i, planned: true });
        expect(choice.mode).not.toBe('failover');
        expect(choice.mode === 'switchover' || /never fails over with data loss/.test(choice.reason)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('reads a lag older than MAX_LAG_AGE_SECONDS as unknown', () => {
    fc.assert(
      fc.property(inputsArb, fc.integer({ min: MAX_LAG_AGE_SECONDS + 1, max: 3600 }), (i, age) => {
        const { lagSeconds: _lag, lagAgeSeconds: _age, ...unknown } = i;
        expect(chooseDataLoss({ ...i, lagAgeSeconds: age }).mode).toBe(chooseDataLoss(unknown).mode);
      }),
      { numRuns: RUNS },
    );
  });

  it('never refuses more when the operator allows data loss, and never allows more when the policy tightens to never', () => {
    fc.assert(
      fc.property(inputsArb, (i) => {
        expect(chooseDataLoss(i).mode === 'refuse' || chooseDataLoss({ ...i, allowDataLoss: true }).mode !== 'refuse').toBe(true);
        expect(chooseDataLoss({ ...i, dataLoss: 'never' }).mode !== 'failover' || chooseDataLoss(i).mode === 'failover').toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('recovery policy', () => {
  const signals: SignalConfig[] = [
    { alarmName: 'a-east-2', region: 'us-east-2', kind: 'alarm', critical: true },
    { alarmName: 'h-east-2', region: 'us-east-2', kind: 'health-check', critical: false },
    { alarmName: 'a-east-1', region: 'us-east-1', kind: 'alarm', critical: true },
  ];
  const stateArb = fc.constantFrom<AlarmState>('ALARM', 'OK', 'INSUFFICIENT_DATA');
  const recordsArb = fc.option(fc.dictionary(fc.constantFrom(...signals.map((s) => s.alarmName)), stateArb.map((state) => ({ state, since: 0, lastAt: 0 }))), { nil: undefined });
  const healthArb = fc.constantFrom<HealthStatus>('healthy', 'unhealthy', 'unknown');

  it('verifies exactly when the state is there, no signal of the target is in ALARM and its endpoint is not unhealthy', () => {
    fc.assert(
      fc.property(recordsArb, healthArb, fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: -5_000, max: 10_000_000 }), (records, targetHealth, since, elapsed) => {
        const verdict = judgeRecovery({ app: 'payments', target: 'us-east-2', signals, records, targetHealth, since, now: since + elapsed, attempt: 1 });
        const alarming = signals.filter((s) => s.region === 'us-east-2' && records?.[s.alarmName]?.state === 'ALARM').map((s) => s.alarmName);
        expect(verdict.alarming).toEqual(alarming);
        expect(verdict.verified).toBe(records !== undefined && alarming.length === 0 && targetHealth !== 'unhealthy');
        expect(verdict.elapsedSeconds).toBe(Math.max(0, Math.round(elapsed / 1000)));
        expect(verdict.reason).toMatch(verdict.verified ? /^us-east-2 recovered/ : /^us-east-2 not recovered yet \(poll 1\)/);
      }),
      { numRuns: RUNS },
    );
  });
});
