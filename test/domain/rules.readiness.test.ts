import fc from 'fast-check';
import { alarmRegionOf, alarmSignals } from '../../domain/alarm-regions';
import type { SignalConfig } from '../../domain/config';
import { failoverRequestOf } from '../../domain/decision';
import { clip } from '../../domain/limits';
import type { ControllerPlumbingView, ReadinessObservations, WeightedRecordView, WorkflowView } from '../../domain/ports/readiness-world.port';
import {
  automaticFailoverRefusal,
  evaluateReadiness,
  FAILBACK_CHECKS,
  failbackRefusal,
  guardingFailures,
  READINESS_CHECKS,
  type ReadinessCheckName,
  type ReadinessExpectations,
} from '../../domain/readiness';
import type { InFlight } from '../../domain/state';
import { referenceConfig } from './fixtures';
import { ACTIVE, ARN, expected, NOW, TARGET } from './readiness-fixtures';

/**
 * The rules of readiness (and of the small domain helpers next to it) stated as rules: a part that
 * cannot be read fails the check that needs it with the read error, never a throw; what AWS may
 * leave unreported (a sync status, a version, a Lambda state) is no failure; each window ends
 * exactly at its edge; a result is `ready` exactly when every check passed.
 */
const numRuns = Math.min(Number(process.env.PROPERTY_RUNS ?? 2000), 300);

const OTHER = 'us-west-2';
const VERSION = '8.0.mysql_aurora.3.08.0';

const ACTIVE_RECORD: WeightedRecordView = { region: ACTIVE, setIdentifier: ACTIVE, weight: 100, healthCheckId: 'hc-1' };
const TARGET_RECORD: WeightedRecordView = { region: TARGET, setIdentifier: TARGET, weight: 0, healthCheckId: 'hc-2' };
const PLUMBING: ControllerPlumbingView = {
  queue: { name: 'app-controller.fifo', exists: true, visibleMessages: 0 },
  deadLetterQueue: { name: 'app-controller-dlq.fifo', exists: true, visibleMessages: 0 },
  table: { name: 'app-controller-state', exists: true, status: 'ACTIVE' },
};
const WORKFLOW: WorkflowView = {
  stateMachineStatus: 'ACTIVE',
  steps: [
    { step: 'preflight', exists: true, state: 'Active' },
    { step: 'shift-traffic', exists: true, state: 'Active' },
  ],
};

/** A world where a failover into us-east-2 would work. */
function healthy(): ReadinessObservations {
  return {
    observedAt: NOW,
    database: {
      ok: true,
      value: {
        engineVersion: VERSION,
        members: [
          { region: ACTIVE, clusterArn: ARN(ACTIVE), isWriter: true, engineVersion: VERSION },
          { region: TARGET, clusterArn: ARN(TARGET), isWriter: false, synchronizationStatus: 'connected', engineVersion: VERSION },
        ],
      },
    },
    lagSeconds: { [TARGET]: { ok: true, value: 0.4 } },
    probes: { [TARGET]: { ok: true, value: { latest: { success: true, at: NOW - 10_000 }, alarmState: 'OK' } } },
    records: { ok: true, value: [ACTIVE_RECORD, TARGET_RECORD] },
    healthChecks: { 'hc-1': { ok: true, value: true }, 'hc-2': { ok: true, value: true } },
    parameters: { [ACTIVE]: { ok: true, value: { activeRegion: ACTIVE, fenced: false } }, [TARGET]: { ok: true, value: { activeRegion: ACTIVE, fenced: false } } },
    workflow: { ok: true, value: WORKFLOW },
    permissions: { ok: true, value: [{ step: 'shift-traffic', action: 'route53:ChangeResourceRecordSets', resource: 'arn:aws:route53:::hostedzone/Z1', decision: 'allowed' }] },
    plumbing: { ok: true, value: PLUMBING },
  };
}

const world = (change: Partial<ReadinessObservations>): ReadinessObservations => ({ ...healthy(), ...change });

/** The single target's result. */
function judge(observations: ReadinessObservations, expectations: ReadinessExpectations = expected) {
  const [target, ...more] = evaluateReadiness(observations, expectations).targets;
  expect(more).toEqual([]);
  return target!;
}
const check = (observations: ReadinessObservations, name: ReadinessCheckName, expectations: ReadinessExpectations = expected) =>
  judge(observations, expectations).checks.find((c) => c.check === name)!;

const members = (change: (m: { region: string; engineVersion?: string; synchronizationStatus?: string }) => object, globalVersion: string | null = VERSION) => {
  const base = healthy().database;
  const list = base.ok ? base.value.members : [];
  return { database: { ok: true as const, value: { ...(globalVersion === null ? {} : { engineVersion: globalVersion }), members: list.map((m) => ({ ...m, ...change(m) })) } } };
};

describe('readiness: an unreadable or unread part fails the check that needs it, with the reason, and never throws', () => {
  const unreadable: [string, ReadinessCheckName[], (error: string) => Partial<ReadinessObservations>][] = [
    ['the global cluster', ['global-cluster-member', 'engine-version'], (error) => ({ database: { ok: false, error } })],
    ["the target's replication lag", ['replication-lag'], (error) => ({ lagSeconds: { [TARGET]: { ok: false, error } } })],
    ["the target's probe result", ['endpoint'], (error) => ({ probes: { [TARGET]: { ok: false, error } } })],
    ['the weighted records', ['weighted-records'], (error) => ({ records: { ok: false, error } })],
    ["the target's health check", ['health-check'], (error) => ({ healthChecks: { 'hc-1': { ok: true, value: true }, 'hc-2': { ok: false, error } } })],
    ["the target's parameters", ['parameters'], (error) => ({ parameters: { [ACTIVE]: { ok: true, value: { activeRegion: ACTIVE } }, [TARGET]: { ok: false, error } } })],
    ['the workflow', ['workflow'], (error) => ({ workflow: { ok: false, error } })],
    ['the permission simulation', ['step-permissions'], (error) => ({ permissions: { ok: false, error } })],
    ["the controller's resources", ['controller-health'], (error) => ({ plumbing: { ok: false, error } })],
  ];

  it.each(unreadable)('%s unreadable: exactly the checks that need it fail, each naming the error', (_part, needs, change) => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z][A-Za-z0-9 :.-]{2,40}$/), (error) => {
        const t = judge(world(change(error)));
        expect(t.failing).toEqual(needs);
        expect(t.ready).toBe(false);
        for (const name of needs) expect(t.checks.find((c) => c.check === name)!.detail).toContain(error);
      }),
      { numRuns: Math.min(numRuns, 20) },
    );
  });

  it.each<[string, ReadinessCheckName, Partial<ReadinessObservations>]>([
    ["the target's probe result (target probed)", 'endpoint', { probes: {} }],
    ["the target's health check", 'health-check', { healthChecks: { 'hc-1': { ok: true, value: true } } }],
    ["the active region's weighted record", 'weighted-records', { records: { ok: true, value: [TARGET_RECORD] } }],
  ])('%s not read at all: only that check fails', (_part, name, change) => {
    expect(judge(world(change)).failing).toEqual([name]);
  });

  it('fails health-check, without printing "undefined", when no health check id is configured for the target', () => {
    const r = check(healthy(), 'health-check', { ...expected, healthCheckIds: { [ACTIVE]: 'hc-1' } });
    expect(r.passed).toBe(false);
    expect(r.detail).toContain(TARGET);
    expect(r.detail).not.toContain('undefined');
  });
});

describe('readiness: ready exactly when every check passed', () => {
  const breakages: Partial<ReadinessObservations>[] = [
    members((m) => (m.region === TARGET ? { synchronizationStatus: 'pending-resync' } : {})),
    { lagSeconds: { [TARGET]: { ok: true, value: 60 } } },
    { probes: { [TARGET]: { ok: true, value: { latest: { success: false, at: NOW } } } } },
    { records: { ok: true, value: [ACTIVE_RECORD, { ...TARGET_RECORD, weight: 10 }] } },
    { healthChecks: { 'hc-2': { ok: true, value: false } } },
    { workflow: { ok: true, value: { ...WORKFLOW, stateMachineStatus: 'DELETING' } } },
    { permissions: { ok: true, value: [] } },
    { plumbing: { ok: true, value: { ...PLUMBING, queue: { name: 'q', exists: false } } } },
  ];

  it('is ready iff no check failed, and failing lists exactly the failed checks in order', () => {
    fc.assert(
      fc.property(fc.subarray(breakages), (chosen) => {
        const t = judge(Object.assign(healthy(), ...chosen) as ReadinessObservations);
        expect(t.failing).toEqual(t.checks.filter((c) => !c.passed).map((c) => c.check));
        expect(t.ready).toBe(t.failing.length === 0);
        expect(t.failing.length > 0).toBe(chosen.length > 0);
      }),
      { numRuns: Math.min(numRuns, 50) },
    );
  });
});

describe('readiness: what AWS may leave unreported is no failure', () => {
  it('passes a secondary whose synchronization status Aurora does not report', () => {
    expect(check(world(members((m) => (m.region === TARGET ? { synchronizationStatus: undefined } : {}))), 'global-cluster-member').passed).toBe(true);
  });

  it('compares only the engine versions that were read: an unreported global or active-region version is no mismatch', () => {
    expect(check(world(members(() => ({}), null)), 'engine-version').passed).toBe(true);
    expect(check(world(members((m) => (m.region === ACTIVE ? { engineVersion: undefined } : {}))), 'engine-version').passed).toBe(true);
    expect(check(world(members((m) => (m.region === ACTIVE ? { engineVersion: '8.0.mysql_aurora.3.07.1' } : {}))), 'engine-version').passed).toBe(false);
  });

  it("fails engine-version when the target's version is unknown, even when no other version was read either", () => {
    expect(check(world(members(() => ({ engineVersion: undefined }), null)), 'engine-version').passed).toBe(false);
  });

  it('passes a step function whose Lambda state is not reported, and fails a state machine that is not ACTIVE', () => {
    const unreported: WorkflowView = { stateMachineStatus: 'ACTIVE', steps: WORKFLOW.steps.map((s) => ({ step: s.step, exists: true })) };
    expect(check(world({ workflow: { ok: true, value: unreported } }), 'workflow').passed).toBe(true);
    expect(check(world({ workflow: { ok: true, value: { ...WORKFLOW, stateMachineStatus: 'DELETING' } } }), 'workflow').passed).toBe(false);
  });
});

describe('readiness: controller health', () => {
  it('accepts a state table that is UPDATING (usable) as well as ACTIVE', () => {
    expect(check(world({ plumbing: { ok: true, value: { ...PLUMBING, table: { ...PLUMBING.table, status: 'UPDATING' } } } }), 'controller-health').passed).toBe(true);
  });

  it.each<[string, Partial<ControllerPlumbingView>]>([
    ['queue', { queue: { name: 'gone', exists: false } }],
    ['dead-letter queue', { deadLetterQueue: { name: 'gone', exists: false } }],
    ['state table', { table: { name: 'gone', exists: false } }],
  ])('fails when the %s is missing, reporting it as not existing', (_part, change) => {
    const r = check(world({ plumbing: { ok: true, value: { ...PLUMBING, ...change } } }), 'controller-health');
    expect(r.passed).toBe(false);
    expect(r.detail).toContain('gone does not exist');
  });
});

describe('readiness: the prober datapoint ages out exactly at maxProbeAgeSeconds', () => {
  it('a datapoint at most maxProbeAgeSeconds old counts, one a second older does not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3600 }), fc.integer({ min: 0, max: 1 }), (maxAge, over) => {
        const observations = world({ probes: { [TARGET]: { ok: true, value: { latest: { success: true, at: NOW - (maxAge + over) * 1000 } } } } });
        expect(check(observations, 'endpoint', { ...expected, maxProbeAgeSeconds: maxAge }).passed).toBe(over === 0);
      }),
      { numRuns },
    );
  });
});

describe('readiness: weighted records', () => {
  const records = (value: WeightedRecordView[]) => world({ records: { ok: true, value } });
  const third = (weight: number, region: string | undefined): WeightedRecordView => ({ ...(region === undefined ? {} : { region }), setIdentifier: 'third', weight, healthCheckId: 'hc-3' });

  it('fails when a record of neither the active region nor the target has weight, passes when it has none', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.constantFrom<string | undefined>(OTHER, undefined), (weight, region) => {
        const expectations = { ...expected, regions: [ACTIVE, TARGET, OTHER] };
        const r = evaluateReadiness(records([ACTIVE_RECORD, TARGET_RECORD, third(weight, region)]), expectations).targets.find((t) => t.target === TARGET)!;
        expect(r.checks.find((c) => c.check === 'weighted-records')!.passed).toBe(weight === 0);
      }),
      { numRuns: Math.min(numRuns, 100) },
    );
  });

  it("names the target record's wrong weight once", () => {
    const r = check(records([ACTIVE_RECORD, { ...TARGET_RECORD, weight: 37 }]), 'weighted-records');
    expect(r.passed).toBe(false);
    expect(r.detail.split('weight 37')).toHaveLength(2);
  });
});

describe('readiness: parameters', () => {
  const params = (activeFenced: boolean | undefined, targetFenced: boolean | undefined) =>
    world({
      parameters: {
        [ACTIVE]: { ok: true, value: { activeRegion: ACTIVE, ...(activeFenced === undefined ? {} : { fenced: activeFenced }) } },
        [TARGET]: { ok: true, value: { activeRegion: ACTIVE, ...(targetFenced === undefined ? {} : { fenced: targetFenced }) } },
      },
    });

  it('passes whatever the fences, and mentions a fence exactly when the target is fenced', () => {
    const fence = fc.constantFrom<boolean | undefined>(true, false, undefined);
    fc.assert(
      fc.property(fence, fence, (activeFenced, targetFenced) => {
        const r = check(params(activeFenced, targetFenced), 'parameters');
        expect(r.passed).toBe(true);
        expect(r.detail.includes('fenced')).toBe(targetFenced === true);
      }),
      { numRuns: Math.min(numRuns, 30) },
    );
  });

  it('adds nothing to the pass detail when there is nothing to note', () => {
    expect(check(params(false, false), 'parameters').detail).toBe(`every readable region names ${ACTIVE} as active`);
  });
});

describe('readiness guards: freshness ends exactly at maxAgeSeconds', () => {
  it('a failing result refuses an automatic failover up to and including maxAgeSeconds after it was evaluated, not a millisecond later', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_400 }), fc.integer({ min: 0, max: 1 }), (maxAge, late) => {
        const last = { target: TARGET, evaluatedAt: NOW, failing: ['health-check' as const] };
        const now = NOW + maxAge * 1000 + late;
        expect(guardingFailures(last, now, maxAge)).toEqual(late === 0 ? ['health-check'] : []);
        expect(automaticFailoverRefusal(last, now, maxAge) === undefined).toBe(late === 1);
      }),
      { numRuns },
    );
  });
});

describe('failback checks', () => {
  it('lists every check once, every check but controller-health', () => {
    expect(new Set(FAILBACK_CHECKS).size).toBe(FAILBACK_CHECKS.length);
    expect([...FAILBACK_CHECKS].sort()).toEqual(READINESS_CHECKS.filter((c) => c !== 'controller-health').sort());
  });

  it('refuses a failback exactly when a fresh result failed a failback check: a failing controller-health alone does not', () => {
    fc.assert(
      fc.property(fc.subarray([...READINESS_CHECKS]), (failing) => {
        const refusal = failbackRefusal(ACTIVE, { target: ACTIVE, evaluatedAt: NOW, failing }, NOW, 2700);
        expect(refusal === undefined).toBe(failing.every((c) => c === 'controller-health'));
      }),
      { numRuns: Math.min(numRuns, 100) },
    );
  });
});

describe('failoverRequestOf', () => {
  const flight: InFlight = {
    generation: 3,
    executionName: 'payments-failover-g3-1',
    from: ACTIVE,
    target: TARGET,
    mode: 'auto',
    allowDataLoss: false,
    requestedBy: 'controller',
    reason: 'us-east-1 failed',
    startedAt: NOW,
  };

  it('carries the detection time (the RTO clock) exactly when the failover has one, and no empty field otherwise', () => {
    fc.assert(
      fc.property(fc.option(fc.integer({ min: 0, max: NOW }), { nil: undefined }), (detectedAt) => {
        const request = failoverRequestOf('payments', detectedAt === undefined ? flight : { ...flight, detectedAt });
        expect(Object.keys(request).includes('detectedAt')).toBe(detectedAt !== undefined);
        expect(request.detectedAt).toBe(detectedAt);
      }),
      { numRuns: Math.min(numRuns, 50) },
    );
  });
});

describe('clip', () => {
  const UNITS = ['\ud800', '\udbff', '\udc00', '\udfff', '\ud7ff', '\ue000', 'a', '\ud800\udc00', '\udbff\udfff', '😀'];
  const text = fc.array(fc.constantFrom(...UNITS), { maxLength: 40 }).map((parts) => parts.join(''));
  const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;

  it('leaves text that fits alone', () => {
    fc.assert(
      fc.property(text, fc.nat(5), (t, room) => {
        expect(clip(t, t.length + room)).toBe(t);
      }),
      { numRuns: Math.min(numRuns, 100) },
    );
  });

  it('cuts longer text to at most max units marked with …, keeping all that fits without ending in half a surrogate pair', () => {
    const longer = text.filter((t) => t.length >= 3).chain((t) => fc.tuple(fc.constant(t), fc.integer({ min: 2, max: t.length - 1 })));
    fc.assert(
      fc.property(longer, ([t, max]) => {
        const clipped = clip(t, max);
        const kept = clipped.slice(0, -1);
        expect(clipped.endsWith('…')).toBe(true);
        expect(clipped.length).toBeLessThanOrEqual(max);
        expect(t.startsWith(kept)).toBe(true);
        expect(kept.length).toBe(isHigh(t.charCodeAt(max - 2)) ? max - 2 : max - 1);
      }),
      { numRuns: Math.max(Math.min(numRuns, 300), 100) },
    );
  });

  it.each([
    [0xd7ff, true],
    [0xd800, false],
    [0xdbff, false],
    [0xdc00, true],
  ])('keeps code unit %s at the cut only when it is not the high half of a pair (%s)', (unit, keptUnit) => {
    const half = String.fromCharCode(unit);
    expect(clip(`abc${half}\udc00xyz`, 5)).toBe(keptUnit ? `abc${half}…` : 'abc…');
  });
});

describe('alarm regions', () => {
  it('the CloudWatch alarms are every signal but the heartbeats, which are no alarm', () => {
    const config = referenceConfig();
    const alarms = alarmSignals(config);
    expect(alarms).toEqual(config.signals.filter((s) => s.kind !== 'heartbeat'));
    expect(alarms.length).toBeGreaterThan(0);
    expect(alarms.length).toBeLessThan(config.signals.length);
  });

  it('refuses a signal of an unknown kind rather than giving it no region (which would skip the region check)', () => {
    const bogus = { alarmName: 'x', region: 'us-west-2', kind: 'sms', critical: true } as unknown as SignalConfig;
    expect(() => alarmRegionOf(bogus, 'us-east-2')).toThrow(/unknown signal kind sms/);
  });
});
