import type { ReadinessCheckName, ReadinessReport } from '../../../domain/readiness';
import { READINESS_CHECKS } from '../../../domain/readiness';
import { failbackPossible, readinessNotices } from '../../../handlers/readiness/readiness-setup';

const AT = Date.UTC(2026, 10, 30, 12, 0, 0);

function target(region: string, failing: readonly ReadinessCheckName[] = []) {
  return { target: region, ready: failing.length === 0, failing, checks: READINESS_CHECKS.map((check) => ({ check, passed: !failing.includes(check), detail: check })) };
}

function report(active: string, ...targets: ReturnType<typeof target>[]): ReadinessReport {
  return { evaluatedAt: AT, active, targets };
}

describe('readiness notices', () => {
  it('publishes one DR Readiness notice per target with every check, and on the home region\'s whether failback is possible', () => {
    const notices = readinessNotices('payments', report('us-east-2', target('us-east-1'), target('us-west-2', ['endpoint'])), 'us-east-1');

    expect(notices).toEqual([
      {
        detailType: 'DR Readiness',
        detail: expect.objectContaining({ app: 'payments', target: 'us-east-1', active: 'us-east-2', ready: true, failing: [], evaluatedAt: '2026-11-30T12:00:00.000Z', failbackPossible: true }),
      },
      { detailType: 'DR Readiness', detail: expect.objectContaining({ target: 'us-west-2', ready: false, failing: ['endpoint'] }) },
    ]);
    expect(notices[1]!.detail).not.toHaveProperty('failbackPossible');
    expect((notices[0]!.detail.checks as unknown[]).length).toBe(READINESS_CHECKS.length);
  });

  it.each([
    ['in sync and ready', [], true],
    ['out of sync', ['replication-lag'], false],
    ['not a member of the global cluster', ['global-cluster-member'], false],
    ['failing a guarding check', ['weighted-records'], false],
    ['failing only controller health, which says nothing about the home region', ['controller-health'], true],
  ] as const)('says whether failback is possible for a home region %s', (_what, failing, possible) => {
    expect(failbackPossible(report('us-east-2', target('us-east-1', failing)), 'us-east-1')).toBe(possible);
  });

  it('says nothing about failback while the home region is active (it is no target)', () => {
    const r = report('us-east-1', target('us-east-2'));

    expect(failbackPossible(r, 'us-east-1')).toBeUndefined();
    expect(readinessNotices('payments', r, 'us-east-1')[0]!.detail).not.toHaveProperty('failbackPossible');
  });
});
