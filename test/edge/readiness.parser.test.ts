import type { ReadinessCheckName, ReadinessReport } from '../../domain/readiness';
import { READINESS_CHECKS } from '../../domain/readiness';
import { isIgnorable, parseEvent, READINESS_DETAIL_TYPE, READINESS_SOURCE, type ParseResult } from '../../edge/event.parser';
import { readinessNotices } from '../../handlers/readiness/readiness-setup';
import type { Json } from './aws-fixtures';

const EVALUATED_AT = Date.UTC(2026, 10, 30, 12, 0, 0);

/** A report whose target us-east-1 (the home region, while us-east-2 serves) fails `failing`. */
function report(failing: readonly ReadinessCheckName[] = []): ReadinessReport {
  return {
    evaluatedAt: EVALUATED_AT,
    active: 'us-east-2',
    targets: [
      {
        target: 'us-east-1',
        ready: failing.length === 0,
        failing,
        checks: READINESS_CHECKS.map((check) => ({ check, passed: !failing.includes(check), detail: `${check} ${failing.includes(check) ? 'failed' : 'passed'}: details…` })),
      },
    ],
  };
}

/** The event EventBridge delivers for a `DR Readiness` notice the readiness function publishes (PutEvents on the controller bus). */
function delivered(detail: Json, envelope: Json = {}): Json {
  return {
    version: '0',
    id: 'readiness-1',
    'detail-type': READINESS_DETAIL_TYPE,
    source: READINESS_SOURCE,
    account: '123456789012',
    time: '2026-11-30T12:00:03Z',
    region: 'us-east-2',
    resources: [],
    detail,
    ...envelope,
  };
}

function noticeDetail(failing: readonly ReadinessCheckName[] = []): Json {
  // Through JSON, as PutEvents carries it.
  return JSON.parse(JSON.stringify(readinessNotices('payments', report(failing), 'us-east-1')[0]!.detail)) as Json;
}

function rejection(result: ParseResult): { reason: string; field?: string; ignorable: boolean } {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.event)}`);
  return { reason: result.reason, field: result.field, ignorable: isIgnorable(result) };
}

describe('parseEvent on readiness results (DR Readiness)', () => {
  it('reads what the readiness function publishes: target, the region then active, when, the verdict and the failed checks, and who published it', () => {
    // Act
    const result = parseEvent(delivered(noticeDetail(['replication-lag', 'weighted-records'])));

    // Assert
    expect(result).toEqual({
      ok: true,
      event: {
        type: 'readiness-evaluated',
        eventId: 'readiness-1',
        app: 'payments',
        target: 'us-east-1',
        active: 'us-east-2',
        evaluatedAt: EVALUATED_AT,
        at: Date.UTC(2026, 10, 30, 12, 0, 3),
        ready: false,
        failing: ['replication-lag', 'weighted-records'],
        origin: { account: '123456789012', region: 'us-east-2' },
      },
    });
  });

  it('says on the home region\'s result whether failback is possible, and reads a ready result', () => {
    const ready = noticeDetail();

    expect(ready.failbackPossible).toBe(true);
    expect(noticeDetail(['replication-lag']).failbackPossible).toBe(false);
    expect(parseEvent(delivered(ready))).toMatchObject({ ok: true, event: { ready: true, failing: [] } });
  });

  it('reads no origin from an envelope without a usable account or region (the engine then refuses it when they are configured)', () => {
    const result = parseEvent(delivered(noticeDetail(), { account: 'someone', region: 'Mars' }));

    expect(result.ok && result.event).not.toHaveProperty('origin');
  });

  it.each([
    ['an unknown key is present', (d: Json) => (d.verdict = 'green'), 'detail.verdict'],
    ['the app is not an app name', (d: Json) => (d.app = 'pay ments'), 'detail.app'],
    ['the target is not a region code', (d: Json) => (d.target = 'US East'), 'detail.target'],
    ['the target is the active region', (d: Json) => (d.target = 'us-east-2'), 'detail.target'],
    ['evaluatedAt is not an ISO time', (d: Json) => (d.evaluatedAt = 1796040000000), 'detail.evaluatedAt'],
    ['a failed check has no such name', (d: Json) => (d.failing = ['vibes']), 'detail.failing[0]'],
    ['a failed check is named twice', (d: Json) => ((d.failing = ['workflow', 'workflow']), (d.ready = false)), 'detail.failing'],
    ['more checks fail than exist', (d: Json) => ((d.failing = [...READINESS_CHECKS, 'workflow']), (d.ready = false)), 'detail.failing'],
    ['ready disagrees with the failed checks', (d: Json) => (d.ready = false), 'detail.ready'],
    ['failing disagrees with the checks that did not pass', (d: Json) => ((d.failing = ['workflow']), (d.ready = false)), 'detail.failing'],
    ['a check result has no verdict', (d: Json) => ((d.checks as Json[])[0] = { check: 'workflow' }), 'detail.checks[0].passed'],
    ['ready is a string', (d: Json) => (d.ready = 'true'), 'detail.ready'],
  ])('rejects a result where %s, naming the field', (_case, change, field) => {
    // Arrange
    const detail = noticeDetail();
    change(detail);

    // Act
    const rejected = rejection(parseEvent(delivered(detail)));

    // Assert
    expect(rejected).toEqual({ ignorable: false, field, reason: expect.stringMatching(new RegExp(`^${field.replace(/[.[\]]/g, '\\$&')}: `)) });
  });

  it('rejects another detail-type of the controller\'s source, listing the events it reads', () => {
    const rejected = rejection(parseEvent(delivered(noticeDetail(), { 'detail-type': 'DR Decision' })));

    expect(rejected).toMatchObject({ field: 'detail-type', reason: expect.stringMatching(/dr\.controller\/DR Readiness/) });
  });
});
