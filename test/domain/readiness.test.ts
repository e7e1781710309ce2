import type { ReadinessObservations } from '../../domain/ports/readiness-world.port';
import {
  automaticFailoverRefusal,
  evaluateReadiness,
  READINESS_CHECKS,
  readinessSummaries,
  type ReadinessCheckName,
  type ReadinessExpectations,
} from '../../domain/readiness';
import { ACTIVE, ARN, expected, NOW, TARGET } from './readiness-fixtures';


/** A world where a failover into us-east-2 would work; each test breaks one thing. */
function healthy(): ReadinessObservations {
  return {
    observedAt: NOW,
    database: {
      ok: true,
      value: {
        engineVersion: '8.0.mysql_aurora.3.08.0',
        members: [
          { region: ACTIVE, clusterArn: ARN(ACTIVE), isWriter: true, engineVersion: '8.0.mysql_aurora.3.08.0' },
          { region: TARGET, clusterArn: ARN(TARGET), isWriter: false, synchronizationStatus: 'connected', engineVersion: '8.0.mysql_aurora.3.08.0' },
        ],
      },
    },
    lagSeconds: { [ACTIVE]: { ok: true, value: undefined }, [TARGET]: { ok: true, value: 0.4 } },
    probes: { [ACTIVE]: { ok: true, value: { latest: { success: true, at: NOW - 10_000 }, alarmState: 'OK' } }, [TARGET]: { ok: true, value: { latest: { success: true, at: NOW - 10_000 }, alarmState: 'OK' } } },
    records: {
      ok: true,
      value: [
        { region: ACTIVE, setIdentifier: ACTIVE, weight: 100, healthCheckId: 'hc-1' },
        { region: TARGET, setIdentifier: TARGET, weight: 0, healthCheckId: 'hc-2' },
      ],
    },
    healthChecks: { 'hc-1': { ok: true, value: true }, 'hc-2': { ok: true, value: true } },
    parameters: { [ACTIVE]: { ok: true, value: { activeRegion: ACTIVE, fenced: false } }, [TARGET]: { ok: true, value: { activeRegion: ACTIVE, fenced: false } } },
    workflow: {
      ok: true,
      value: {
        stateMachineStatus: 'ACTIVE',
        steps: [
          { step: 'preflight', exists: true, state: 'Active', roleArn: 'arn:aws:iam::123456789012:role/pre' },
          { step: 'shift-traffic', exists: true, state: 'Active', roleArn: 'arn:aws:iam::123456789012:role/shift' },
        ],
      },
    },
    permissions: {
      ok: true,
      value: [{ step: 'shift-traffic', action: 'route53:ChangeResourceRecordSets', resource: 'arn:aws:route53:::hostedzone/Z1', decision: 'allowed' }],
    },
    plumbing: {
      ok: true,
      value: {
        queue: { name: 'app-controller.fifo', exists: true, visibleMessages: 0 },
        deadLetterQueue: { name: 'app-controller-dlq.fifo', exists: true, visibleMessages: 0 },
        table: { name: 'app-controller-state', exists: true, status: 'ACTIVE' },
      },
    },
  };
}

/** The one target's result of `check`. */
function result(observations: ReadinessObservations, check: ReadinessCheckName, expectations: ReadinessExpectations = expected) {
  const report = evaluateReadiness(observations, expectations);
  expect(report.targets.map((t) => t.target)).toEqual([TARGET]);
  return report.targets[0]!.checks.find((c) => c.check === check)!;
}

const world = (change: (o: ReadinessObservations) => Partial<ReadinessObservations>): ReadinessObservations => {
  const base = healthy();
  return { ...base, ...change(base) };
};

describe('evaluateReadiness', () => {
  it('passes every check, one result per check, for a target where a failover would work', () => {
    const report = evaluateReadiness(healthy(), expected);

    expect(report).toMatchObject({ evaluatedAt: NOW, active: ACTIVE });
    expect(report.targets).toHaveLength(1);
    const [target] = report.targets;
    expect(target!.checks.map((c) => c.check)).toEqual([...READINESS_CHECKS]);
    expect(target!.checks.filter((c) => !c.passed)).toEqual([]);
    expect(target).toMatchObject({ target: TARGET, ready: true, failing: [] });
  });

  it('judges every region but the active one, so after a failover the home region is the target (failback)', () => {
    const report = evaluateReadiness(healthy(), { ...expected, regions: [ACTIVE, TARGET, 'us-west-2'], active: TARGET });

    expect(report.targets.map((t) => t.target)).toEqual([ACTIVE, 'us-west-2']);
  });

  describe('global-cluster-member', () => {
    const members = (o: ReadinessObservations) => (o.database.ok ? o.database.value.members : []);
    it('fails when the target cluster is not a member, naming the fix', () => {
      const r = result(world((o) => ({ database: { ok: true, value: { members: members(o).filter((m) => m.region !== TARGET) } } })), 'global-cluster-member');
      expect(r).toMatchObject({ passed: false, detail: expect.stringMatching(/us-east-2's cluster is not a member .*add it back/) });
    });
    it('fails when the target is pending-resync', () => {
      const r = result(world((o) => ({ database: { ok: true, value: { members: members(o).map((m) => (m.region === TARGET ? { ...m, synchronizationStatus: 'pending-resync' } : m)) } } })), 'global-cluster-member');
      expect(r).toMatchObject({ passed: false, detail: expect.stringContaining('pending-resync, not connected') });
    });
    it('fails when the target is already the writer while another region serves', () => {
      const r = result(world((o) => ({ database: { ok: true, value: { members: members(o).map((m) => ({ ...m, isWriter: m.region === TARGET })) } } })), 'global-cluster-member');
      expect(r).toMatchObject({ passed: false, detail: expect.stringContaining('is the writer') });
    });
    it('fails with the reason when the global cluster cannot be read', () => {
      expect(result(world(() => ({ database: { ok: false, error: 'AccessDenied' } })), 'global-cluster-member')).toMatchObject({ passed: false, detail: 'global cluster unreadable: AccessDenied' });
    });
    it('passes for a connected secondary', () => {
      expect(result(healthy(), 'global-cluster-member')).toMatchObject({ passed: true, detail: expect.stringContaining('is a secondary, connected') });
    });
  });

  describe('replication-lag', () => {
    it('fails over the RPO budget', () => {
      expect(result(world(() => ({ lagSeconds: { [TARGET]: { ok: true, value: 7.5 } } })), 'replication-lag')).toMatchObject({ passed: false, detail: expect.stringContaining('7.5 s behind the writer, over the RPO budget of 5 s') });
    });
    it('fails when no recent lag datapoint exists', () => {
      expect(result(world(() => ({ lagSeconds: { [TARGET]: { ok: true, value: undefined } } })), 'replication-lag')).toMatchObject({ passed: false, detail: expect.stringContaining('no recent replication lag datapoint') });
    });
    it('passes at the budget', () => {
      expect(result(world(() => ({ lagSeconds: { [TARGET]: { ok: true, value: 5 } } })), 'replication-lag').passed).toBe(true);
    });
  });

  describe('engine-version', () => {
    it('fails when the target runs another engine version than the writer, naming both', () => {
      const o = world((b) => ({ database: { ok: true, value: { engineVersion: '8.0.mysql_aurora.3.08.0', members: (b.database.ok ? b.database.value.members : []).map((m) => (m.region === TARGET ? { ...m, engineVersion: '8.0.mysql_aurora.3.07.1' } : m)) } } }));
      expect(result(o, 'engine-version')).toMatchObject({ passed: false, detail: expect.stringMatching(/us-east-2 runs 8\.0\.mysql_aurora\.3\.07\.1 but global cluster runs .*3\.08\.0, us-east-1 runs .*3\.08\.0/) });
    });
    it('fails when the target cluster\'s version could not be read', () => {
      const o = world((b) => ({ database: { ok: true, value: { members: (b.database.ok ? b.database.value.members : []).map((m) => (m.region === TARGET ? { ...m, engineVersion: undefined } : m)) } } }));
      expect(result(o, 'engine-version').passed).toBe(false);
    });
    it('passes when every member runs one version', () => {
      expect(result(healthy(), 'engine-version')).toMatchObject({ passed: true, detail: 'every member runs 8.0.mysql_aurora.3.08.0' });
    });
  });

  describe('endpoint', () => {
    const probe = (value: object) => world(() => ({ probes: { [TARGET]: { ok: true, value } } }));
    it('fails when the newest probe failed', () => {
      expect(result(probe({ latest: { success: false, at: NOW - 20_000 } }), 'endpoint')).toMatchObject({ passed: false, detail: expect.stringContaining('did not answer the prober 20 s ago') });
    });
    it('fails when the prober published nothing recent', () => {
      expect(result(probe({}), 'endpoint').detail).toContain('published no result');
      expect(result(probe({ latest: { success: true, at: NOW - 301_000 } }), 'endpoint')).toMatchObject({ passed: false, detail: expect.stringContaining('301 s old') });
    });
    it('fails when the probe alarm is in ALARM', () => {
      expect(result(probe({ latest: { success: true, at: NOW }, alarmState: 'ALARM' }), 'endpoint')).toMatchObject({ passed: false, detail: "us-east-2's probe alarm is in ALARM" });
    });
    it('passes, saying it was not probed, for a target without a probe signal', () => {
      expect(result(world(() => ({ probes: {} })), 'endpoint', { ...expected, probedRegions: [] })).toMatchObject({ passed: true, detail: expect.stringContaining('not probed') });
    });
    it('passes for a recent successful probe', () => {
      expect(result(healthy(), 'endpoint')).toMatchObject({ passed: true, detail: expect.stringContaining('answered the prober 10 s ago') });
    });
  });

  describe('weighted-records', () => {
    const records = (value: ReadinessObservations extends { records: infer R } ? R : never) => world(() => ({ records: value }));
    it('fails when a record was edited to give the target weight, naming the record', () => {
      const r = result(records({ ok: true, value: [{ region: ACTIVE, setIdentifier: ACTIVE, weight: 100, healthCheckId: 'hc-1' }, { region: TARGET, setIdentifier: TARGET, weight: 50, healthCheckId: 'hc-2' }] }), 'weighted-records');
      expect(r).toMatchObject({ passed: false, detail: expect.stringContaining("us-east-2's record (us-east-2) has weight 50, expected 0") });
    });
    it('fails when the target record is missing or lost its health check', () => {
      expect(result(records({ ok: true, value: [{ region: ACTIVE, setIdentifier: ACTIVE, weight: 100, healthCheckId: 'hc-1' }] }), 'weighted-records').detail).toContain('no weighted record for us-east-2');
      expect(result(records({ ok: true, value: [{ region: ACTIVE, setIdentifier: ACTIVE, weight: 100, healthCheckId: 'hc-1' }, { region: TARGET, setIdentifier: TARGET, weight: 0 }] }), 'weighted-records').detail).toContain('carries health check none, expected hc-2');
    });
    it('fails when the active record has no weight', () => {
      expect(result(records({ ok: true, value: [{ region: ACTIVE, setIdentifier: ACTIVE, weight: 0, healthCheckId: 'hc-1' }, { region: TARGET, setIdentifier: TARGET, weight: 0, healthCheckId: 'hc-2' }] }), 'weighted-records').passed).toBe(false);
    });
    it('passes for the records the traffic shift leaves', () => {
      expect(result(healthy(), 'weighted-records').passed).toBe(true);
    });
  });

  describe('health-check', () => {
    it('fails when the target\'s health check was deleted', () => {
      expect(result(world(() => ({ healthChecks: { 'hc-1': { ok: true, value: true }, 'hc-2': { ok: true, value: false } } })), 'health-check')).toMatchObject({ passed: false, detail: expect.stringContaining('hc-2 of us-east-2 does not exist') });
    });
    it('passes when it exists', () => {
      expect(result(healthy(), 'health-check').passed).toBe(true);
    });
  });

  describe('parameters', () => {
    it('fails when a region names another active region', () => {
      const r = result(world(() => ({ parameters: { [ACTIVE]: { ok: true, value: { activeRegion: ACTIVE } }, [TARGET]: { ok: true, value: { activeRegion: TARGET } } } })), 'parameters');
      expect(r).toMatchObject({ passed: false, detail: 'us-east-2 says active-region us-east-2, expected us-east-1' });
    });
    it('passes, saying so, when the target is fenced: the old region of the last failover is, and a failover into it lifts the fence', () => {
      const r = result(world(() => ({ parameters: { [ACTIVE]: { ok: true, value: { activeRegion: ACTIVE } }, [TARGET]: { ok: true, value: { activeRegion: ACTIVE, fenced: true } } } })), 'parameters');
      expect(r).toMatchObject({ passed: true, detail: expect.stringContaining('us-east-2 is fenced (a failover into it lifts the fence)') });
    });
    it('fails when the target is unreadable', () => {
      expect(result(world(() => ({ parameters: { [ACTIVE]: { ok: true, value: { activeRegion: ACTIVE } }, [TARGET]: { ok: false, error: 'timed out' } } })), 'parameters').passed).toBe(false);
    });
    it('passes, saying so, when only the region being left cannot be read (an outage must not block its failover)', () => {
      const r = result(world(() => ({ parameters: { [ACTIVE]: { ok: false, error: 'timed out' }, [TARGET]: { ok: true, value: { activeRegion: ACTIVE } } } })), 'parameters');
      expect(r).toMatchObject({ passed: true, detail: expect.stringContaining('us-east-1 unreadable (timed out), not needed for a failover') });
    });
  });

  describe('workflow', () => {
    it('fails when the state machine or a step function is gone', () => {
      expect(result(world((o) => ({ workflow: { ok: true, value: { steps: o.workflow.ok ? o.workflow.value.steps : [] } } })), 'workflow').detail).toContain('the state machine does not exist');
      const r = result(world(() => ({ workflow: { ok: true, value: { stateMachineStatus: 'ACTIVE', steps: [{ step: 'preflight', exists: true, state: 'Active' }] } } })), 'workflow');
      expect(r).toMatchObject({ passed: false, detail: expect.stringContaining('the shift-traffic function does not exist') });
    });
    it('fails when a function is not Active', () => {
      const r = result(world(() => ({ workflow: { ok: true, value: { stateMachineStatus: 'ACTIVE', steps: [{ step: 'preflight', exists: true, state: 'Failed' }, { step: 'shift-traffic', exists: true, state: 'Active' }] } } })), 'workflow');
      expect(r.detail).toContain('the preflight function is Failed');
    });
    it('passes when everything exists', () => {
      expect(result(healthy(), 'workflow').passed).toBe(true);
    });
  });

  describe('step-permissions', () => {
    it('fails when a step\'s role no longer allows an action, naming step, action and resource', () => {
      const r = result(world(() => ({ permissions: { ok: true, value: [{ step: 'shift-traffic', action: 'route53:ChangeResourceRecordSets', resource: 'arn:aws:route53:::hostedzone/Z1', decision: 'implicitDeny' }] } })), 'step-permissions');
      expect(r).toMatchObject({ passed: false, detail: expect.stringContaining('shift-traffic: route53:ChangeResourceRecordSets on arn:aws:route53:::hostedzone/Z1 implicitDeny') });
    });
    it('fails when the simulation itself failed or simulated nothing', () => {
      expect(result(world(() => ({ permissions: { ok: false, error: 'AccessDenied' } })), 'step-permissions').passed).toBe(false);
      expect(result(world(() => ({ permissions: { ok: true, value: [] } })), 'step-permissions').passed).toBe(false);
    });
    it('passes when every action is allowed', () => {
      expect(result(healthy(), 'step-permissions').detail).toBe("1 step actions allowed by the steps' roles");
    });
  });

  describe('controller-health', () => {
    const plumbing = (change: object) => world((o) => ({ plumbing: { ok: true, value: { ...(o.plumbing.ok ? o.plumbing.value : ({} as never)), ...change } } }));
    it('fails when the dead-letter queue holds messages', () => {
      expect(result(plumbing({ deadLetterQueue: { name: 'dlq', exists: true, visibleMessages: 3 } }), 'controller-health').detail).toContain('dlq holds 3 message(s)');
    });
    it('fails when the queue or the table is gone', () => {
      expect(result(plumbing({ queue: { name: 'q', exists: false } }), 'controller-health').detail).toContain('queue q does not exist');
      expect(result(plumbing({ table: { name: 't', exists: true, status: 'ARCHIVED' } }), 'controller-health').detail).toContain('state table t is ARCHIVED');
    });
    it('passes when the queues and the table are healthy', () => {
      expect(result(healthy(), 'controller-health').passed).toBe(true);
    });
  });
});

describe('automaticFailoverRefusal', () => {
  const failing = (checks: ReadinessCheckName[]) => ({ target: TARGET, evaluatedAt: NOW, failing: checks });

  it('refuses naming the failing checks that guard a failover', () => {
    expect(automaticFailoverRefusal(failing(['weighted-records', 'replication-lag']), NOW + 60_000, 2700)).toBe(
      'us-east-2 failed readiness at 2026-11-30T12:00:00.000Z (weighted-records): automatic failover into it refused; a manual failover with force still works',
    );
  });

  it('does not refuse for lag or controller health alone, for a ready target, or without a result', () => {
    expect(automaticFailoverRefusal(failing(['replication-lag', 'controller-health']), NOW, 2700)).toBeUndefined();
    expect(automaticFailoverRefusal(failing([]), NOW, 2700)).toBeUndefined();
    expect(automaticFailoverRefusal(undefined, NOW, 2700)).toBeUndefined();
  });

  it('ignores a result older than the given age', () => {
    expect(automaticFailoverRefusal(failing(['step-permissions']), NOW + 2701_000, 2700)).toBeUndefined();
  });

  it('is fed by the report\'s summaries', () => {
    const broken = world(() => ({ healthChecks: { 'hc-2': { ok: true, value: false } } }));
    expect(readinessSummaries(evaluateReadiness(broken, expected))).toEqual([{ target: TARGET, evaluatedAt: NOW, failing: ['health-check'], active: ACTIVE }]);
  });
});
