import fc from 'fast-check';
import type { DomainEvent } from '../../domain/events';
import { MAX_ALARM_NAME_CHARS, MAX_ALARM_REASON_CHARS, MAX_REGION_CHARS } from '../../domain/limits';
import { READINESS_CHECKS } from '../../domain/readiness';
import { isIgnorable, parseEvent, READINESS_DETAIL_TYPE, READINESS_SOURCE, UNREADABLE_EVENT, type ParseResult } from '../../edge/event.parser';
import { at, readFixture, type Json } from './aws-fixtures';

/**
 * Rules of the event parser that the example tests leave implicit: an envelope's detail is an
 * object, a rejection lists at most five problems and counts the rest, a field nobody sent is
 * absent (not `undefined`), identities (ARNs, accounts, regions) are read only when well formed
 * and bounded, and every text copied from an event stays bounded.
 */

const RUNS = Math.min(Number(process.env.PROPERTY_RUNS ?? 2000), 200);

const SINGLE_METRIC = 'cw_alarm_state_change__single_metric__OK_to_ALARM.json';
const SFN_SUCCEEDED = 'sfn_execution_status_change__SUCCEEDED.json';
const SFN_FAILED = 'sfn_execution_status_change__FAILED.json';

function eventOf(result: ParseResult): DomainEvent {
  if (!result.ok) throw new Error(`expected an event, got: ${result.reason}`);
  return result.event;
}

function rejection(result: ParseResult): { reason: string; field?: string; ignorable: boolean } {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.event)}`);
  return { reason: result.reason, field: result.field, ignorable: isIgnorable(result) };
}

/** The single-metric fixture, naming alarm `alarmName` with ARN `arn` (CloudWatch sends both). */
function alarmEvent(alarmName: string, arn: unknown): Json {
  const event = readFixture(SINGLE_METRIC);
  at(event, 'detail').alarmName = alarmName;
  event.resources = [arn];
  return event;
}

/** An EventBridge event (the envelope AWS documents) of `detailType` from `source`, `envelope` overriding any field. */
function eventBridgeEvent(id: string, detailType: string, source: string, time: string, detail: Json, envelope: Json = {}): Json {
  return { version: '0', id, 'detail-type': detailType, source, time, resources: [], detail, ...envelope };
}

function overrideEvent(detail: Json, envelope: Json = {}): Json {
  return eventBridgeEvent('6f1b1c3e-2f0a-4d47-9a3b-5c2d7e8f9a01', 'DR Override', 'dr.operator', '2026-11-26T02:45:30Z', detail, envelope);
}

const operatorFields = { reason: 'region incident INC-4711', operator: 'oncall@example.com', requestId: 'inc-4711-1' };

/** An EventBridge scheduled event from the rule with ARN `ruleArn` (AWS's documented shape). */
function scheduledEvent(ruleArn: unknown, envelope: Json = {}): Json {
  return eventBridgeEvent('53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa', 'Scheduled Event', 'aws.events', '2015-10-08T16:53:06Z', {}, {
    account: '123456789012',
    region: 'us-east-1',
    resources: [ruleArn],
    ...envelope,
  });
}

function readinessEvent(detail: Json, envelope: Json = {}): Json {
  const result = { app: 'payments', target: 'us-east-1', active: 'us-east-2', ready: true, failing: [], evaluatedAt: '2026-11-30T12:00:00.000Z', ...detail };
  return eventBridgeEvent('readiness-1', READINESS_DETAIL_TYPE, READINESS_SOURCE, '2026-11-30T12:00:03Z', result, envelope);
}

/** A region code the edge accepts: two letters, one to three words, one or two digits. */
const regionCode = fc
  .tuple(fc.stringMatching(/^[a-z]{2}$/), fc.array(fc.stringMatching(/^[a-z]{1,9}$/), { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 99 }))
  .map(([area, words, n]) => `${area}-${words.join('-')}-${n}`);
const accountId = fc.stringMatching(/^\d{12}$/);
const partition = fc.constantFrom('aws', 'aws-cn', 'aws-us-gov', 'aws-iso-b');

describe('an envelope detail', () => {
  it.each([
    ['null', null],
    ['a string', 'detail'],
    ['a number', 42],
    ['a boolean', true],
    ['an array', [{}]],
  ])('that is %s is rejected naming detail, even for an event that reads nothing from it', (_what, detail) => {
    // Act
    const result = parseEvent(scheduledEvent('arn:aws:events:us-east-1:123456789012:rule/tick', { detail }));

    // Assert
    expect(rejection(result).field).toBe('detail');
  });
});

describe('a rejection reason', () => {
  /** An override whose detail has `count` unknown keys `extra0`…: exactly `count` problems, in that order. */
  const withUnknownKeys = (count: number) =>
    parseEvent(overrideEvent({ action: 'freeze', ...operatorFields, ...Object.fromEntries(Array.from({ length: count }, (_, i) => [`extra${i}`, true])) }));

  it('lists each problem as `field: message`, the first five of them, and counts the rest', () => {
    // Arrange: one unknown key's message, as the reason gives it
    const message = rejection(withUnknownKeys(1)).reason.slice('detail.extra0: '.length);

    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), (count) => {
        // Act
        const { reason, field } = rejection(withUnknownKeys(count));

        // Assert
        const listed = Array.from({ length: Math.min(count, 5) }, (_, i) => `detail.extra${i}: ${message}`);
        const more = count > 5 ? [`and ${count - 5} more`] : [];
        expect(reason).toBe([...listed, ...more].join('; '));
        expect(field).toBe('detail.extra0');
      }),
      { numRuns: Math.min(RUNS, 30) },
    );
  });

  it('of input that throws when read is bounded, whatever the error says', () => {
    // Arrange
    const raw = Object.defineProperty({}, 'id', {
      enumerable: true,
      get() {
        throw new Error('x'.repeat(5000));
      },
    });

    // Act
    const { reason, field } = rejection(parseEvent(raw));

    // Assert
    expect(field).toBe('event');
    expect(reason.startsWith(UNREADABLE_EVENT)).toBe(true);
    expect(reason.length).toBeLessThanOrEqual(UNREADABLE_EVENT.length + 2 + 200);
  });
});

describe('an alarm state change', () => {
  it("is read from any partition, region code and account, naming the alarm's origin", () => {
    fc.assert(
      fc.property(
        partition,
        regionCode,
        accountId,
        fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme-ascii' }).filter((name) => /\S/.test(name)),
        (part, region, account, name) => {
          // Act
          const event = eventOf(parseEvent(alarmEvent(name, `arn:${part}:cloudwatch:${region}:${account}:alarm:${name}`)));

          // Assert
          expect(event).toMatchObject({ type: 'signal-changed', alarmName: name, origin: { region, account } });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it.each([
    ['a prefix before arn:', 'xarn:aws:cloudwatch:us-east-1:123456789012:alarm:A'],
    ['the ARN inside an array', ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:A']],
    ['another alarm', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:B'],
    ['an 11-digit account', 'arn:aws:cloudwatch:us-east-1:12345678901:alarm:A'],
  ])('is rejected naming resources[0] when the ARN has %s', (_what, arn) => {
    // Act
    const result = parseEvent(alarmEvent('A', arn));

    // Assert
    expect(rejection(result).field).toBe('resources[0]');
  });

  it('reads an alarm ARN of up to the name limit + 80 characters, and no longer', () => {
    // Arrange: the longest alarm name, and a region code long enough to reach the bound
    const name = 'N'.repeat(MAX_ALARM_NAME_CHARS);
    const arnOf = (regionWordLength: number) => `arn:aws:cloudwatch:us-${'e'.repeat(regionWordLength)}-1:123456789012:alarm:${name}`;
    const base = arnOf(0).length;
    const fits = arnOf(MAX_ALARM_NAME_CHARS + 80 - base);
    const tooLong = arnOf(MAX_ALARM_NAME_CHARS + 81 - base);

    // Act
    const accepted = parseEvent(alarmEvent(name, fits));
    const refused = parseEvent(alarmEvent(name, tooLong));

    // Assert
    expect(fits).toHaveLength(MAX_ALARM_NAME_CHARS + 80);
    expect(eventOf(accepted)).toMatchObject({ alarmName: name });
    expect(rejection(refused).field).toBe('resources[0]');
  });

  it('without a reason has no reason field at all', () => {
    // Arrange
    const event = alarmEvent('A', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:A');
    delete at(event, 'detail', 'state').reason;

    // Act
    const parsed = eventOf(parseEvent(event));

    // Assert
    expect(parsed).not.toHaveProperty('reason');
  });

  it('keeps a reason up to the limit verbatim, and cuts a longer one to a prefix, never longer than the limit plus the mark', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MAX_ALARM_REASON_CHARS - 3, max: MAX_ALARM_REASON_CHARS + 3 }),
        fc.constantFrom('a', '😀', 'é'),
        (length, unit) => {
          // Arrange
          const text = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
          const event = alarmEvent('A', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:A');
          at(event, 'detail', 'state').reason = text;

          // Act
          const parsed = eventOf(parseEvent(event));

          // Assert
          const reason = parsed.type === 'signal-changed' ? parsed.reason : undefined;
          expect(reason === text || (text.length > MAX_ALARM_REASON_CHARS && reason?.endsWith('…') === true && text.startsWith(reason.slice(0, -1)))).toBe(true);
          expect(reason === text).toBe(text.length <= MAX_ALARM_REASON_CHARS);
          expect(reason?.length).toBeLessThanOrEqual(MAX_ALARM_REASON_CHARS + 1);
        },
      ),
      { numRuns: Math.min(RUNS, 40) },
    );
  });
});

describe("the origin of an override or a readiness result (who published it)", () => {
  const cases: [string, Json, Json | undefined][] = [
    ['neither account nor region', {}, undefined],
    ['an account only', { account: '123456789012' }, { account: '123456789012' }],
    ['a region only', { region: 'us-east-2' }, { region: 'us-east-2' }],
    ['both', { account: '123456789012', region: 'us-east-2' }, { account: '123456789012', region: 'us-east-2' }],
    ['an account that is a number', { account: 123456789012, region: 'us-east-2' }, { region: 'us-east-2' }],
    ['an account inside an array', { account: ['123456789012'], region: 'us-east-2' }, { region: 'us-east-2' }],
    ['a 13-digit account', { account: '1234567890123', region: 'us-east-2' }, { region: 'us-east-2' }],
    ['a region inside an array', { account: '123456789012', region: ['us-east-2'] }, { account: '123456789012' }],
    ['a region code longer than the limit', { account: '123456789012', region: `us-${'e'.repeat(MAX_REGION_CHARS)}-1` }, { account: '123456789012' }],
  ];

  const originOf = (event: DomainEvent): unknown => ('origin' in event ? event.origin : undefined);

  it.each(cases)('of an override with %s names exactly what is well formed, and is absent when nothing is', (_what, envelope, origin) => {
    // Act
    const event = eventOf(parseEvent(overrideEvent({ action: 'freeze', ...operatorFields }, envelope)));

    // Assert
    expect(originOf(event)).toStrictEqual(origin);
    expect('origin' in event).toBe(origin !== undefined);
  });

  it.each(cases)('of a readiness result with %s names exactly what is well formed, and is absent when nothing is', (_what, envelope, origin) => {
    // Act
    const event = eventOf(parseEvent(readinessEvent({}, envelope)));

    // Assert
    expect(originOf(event)).toStrictEqual(origin);
    expect('origin' in event).toBe(origin !== undefined);
  });

  it('accepts a region code of exactly the limit', () => {
    // Arrange
    const region = `us-${'e'.repeat(MAX_REGION_CHARS - 5)}-1`;

    // Act
    const event = eventOf(parseEvent(overrideEvent({ action: 'freeze', ...operatorFields }, { region })));

    // Assert
    expect(region).toHaveLength(MAX_REGION_CHARS);
    expect(originOf(event)).toStrictEqual({ region });
  });

  it('of an override without until has no until field at all', () => {
    // Act
    const event = eventOf(parseEvent(overrideEvent({ action: 'freeze', ...operatorFields })));

    // Assert
    expect(event).not.toHaveProperty('until');
  });
});

describe('a workflow status change', () => {
  function failed(detail: Json): Json {
    const event = readFixture(SFN_FAILED);
    Object.assign(at(event, 'detail'), detail);
    return event;
  }

  it.each([
    ['blank error and cause', { error: '', cause: '   ' }],
    ['error and cause that are not text', { error: 42, cause: { message: 'x' } }],
    ['whitespace only', { error: '\n\t ', cause: ' ' }],
    ['an output but no error (output summarises only a success)', { output: '{"recoverySeconds":12}' }],
  ])('that failed with %s carries no detail', (_what, detail) => {
    // Act
    const event = eventOf(parseEvent(failed(detail)));

    // Assert
    expect(event).toMatchObject({ type: 'workflow-ended', status: 'FAILED' });
    expect(event).not.toHaveProperty('detail');
    expect(event).not.toHaveProperty('recoverySeconds');
  });

  it('that succeeded with a blank output carries no detail', () => {
    // Arrange
    const event = readFixture(SFN_SUCCEEDED);
    at(event, 'detail').output = '   ';

    // Act
    const parsed = eventOf(parseEvent(event));

    // Assert
    expect(parsed).not.toHaveProperty('detail');
  });

  it('without a state machine ARN has no stateMachineArn field at all', () => {
    // Arrange
    const event = readFixture(SFN_SUCCEEDED);
    delete at(event, 'detail').stateMachineArn;

    // Act
    const parsed = eventOf(parseEvent(event));

    // Assert
    expect(parsed).not.toHaveProperty('stateMachineArn');
  });

  it('with an unknown status is rejected, naming every status the controller knows', () => {
    // Arrange
    const event = readFixture(SFN_SUCCEEDED);
    at(event, 'detail').status = 'EXPLODED';

    // Act
    const { reason, field, ignorable } = rejection(parseEvent(event));

    // Assert
    expect(field).toBe('detail.status');
    expect(ignorable).toBe(false);
    for (const status of ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'RUNNING', 'PENDING_REDRIVE']) expect(reason).toContain(status);
  });
});

describe('a scheduled event', () => {
  const heartbeatArn = 'arn:aws:events:us-east-1:123456789012:rule/payments-us-east-1-heartbeat';

  it.each([
    ['a prefix before arn:', `x${heartbeatArn}`],
    ['a trailing segment after the rule name', 'arn:aws:events:us-east-1:123456789012:rule/bus/x-heartbeat/extra'],
    ['the ARN inside an array', [heartbeatArn]],
    ['an ARN longer than any rule ARN', `arn:aws:events:us-east-1:123456789012:rule/${'b'.repeat(400)}/x-heartbeat`],
  ])('is a tick, not a heartbeat, when its rule ARN has %s', (_what, arn) => {
    // Act
    const event = eventOf(parseEvent(scheduledEvent(arn)));

    // Assert
    expect(event.type).toBe('tick');
  });

  it('from a heartbeat rule ARN of exactly 400 characters is a heartbeat', () => {
    // Arrange
    const prefix = 'arn:aws:events:us-east-1:123456789012:rule/';
    const suffix = '/x-heartbeat';
    const arn = `${prefix}${'b'.repeat(400 - prefix.length - suffix.length)}${suffix}`;

    // Act
    const event = eventOf(parseEvent(scheduledEvent(arn)));

    // Assert
    expect(arn).toHaveLength(400);
    expect(event).toMatchObject({ type: 'heartbeat', region: 'us-east-1', account: '123456789012' });
  });

  it.each([
    ['inside an array', ['us-east-1']],
    ['longer than the limit', `us-${'e'.repeat(MAX_REGION_CHARS)}-1`],
    ['missing', undefined],
  ])('from a heartbeat rule is rejected naming region when the region is %s', (_what, region) => {
    // Act
    const result = parseEvent(scheduledEvent(heartbeatArn, { region }));

    // Assert
    expect(rejection(result).field).toBe('region');
  });

  it('from a heartbeat rule accepts a region code of exactly the limit', () => {
    // Arrange
    const region = `us-${'e'.repeat(MAX_REGION_CHARS - 5)}-1`;

    // Act
    const event = eventOf(parseEvent(scheduledEvent(heartbeatArn, { region })));

    // Assert
    expect(event).toMatchObject({ type: 'heartbeat', region });
  });
});

describe('a readiness result', () => {
  const [first, second, third] = READINESS_CHECKS;

  it('without per-check results is accepted', () => {
    // Act
    const event = eventOf(parseEvent(readinessEvent({ ready: false, failing: [first] })));

    // Assert
    expect(event).toMatchObject({ type: 'readiness-evaluated', ready: false, failing: [first] });
  });

  it('listing only some checks is accepted when they agree with failing', () => {
    // Act
    const event = eventOf(
      parseEvent(
        readinessEvent({
          ready: false,
          failing: [second],
          checks: [
            { check: first, passed: true },
            { check: second, passed: false },
          ],
        }),
      ),
    );

    // Assert
    expect(event).toMatchObject({ type: 'readiness-evaluated', failing: [second] });
  });

  it('naming a failed check twice is rejected naming detail.failing', () => {
    // Act
    const result = parseEvent(readinessEvent({ ready: false, failing: [first, first] }));

    // Assert
    expect(rejection(result).field).toBe('detail.failing');
  });

  it('whose failing names other checks than the ones that did not pass is rejected naming detail.failing', () => {
    // Act
    const result = parseEvent(
      readinessEvent({
        ready: false,
        failing: [third],
        checks: [
          { check: second, passed: false },
          { check: third, passed: true },
        ],
      }),
    );

    // Assert
    expect(rejection(result).field).toBe('detail.failing');
  });

  it('that says ready while a check did not pass is rejected, naming that check', () => {
    // Act
    const { reason, field } = rejection(parseEvent(readinessEvent({ ready: true, failing: [], checks: [{ check: second, passed: false }] })));

    // Assert
    expect(field).toBe('detail.failing');
    expect(reason).toContain(`(${second})`);
  });

  it.each([
    ['failing', () => ({ ready: false, failing: [...READINESS_CHECKS, first] })],
    ['checks', () => ({ checks: [...READINESS_CHECKS, first].map((check) => ({ check, passed: true })) })],
  ])('with more entries in %s than there are checks is rejected, saying how many checks exist', (key, detail) => {
    // Act
    const { reason, field } = rejection(parseEvent(readinessEvent(detail())));

    // Assert
    expect(field).toBe(`detail.${key}`);
    expect(reason).toContain(`${READINESS_CHECKS.length} checks`);
  });
});
