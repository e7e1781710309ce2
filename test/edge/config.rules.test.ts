import fc from 'fast-check';
import { MAX_ALARM_NAME_CHARS, MAX_STATE_MACHINE_ARN_CHARS } from '../../domain/limits';
import { parseConfig } from '../../edge/config.schema';

/**
 * Rules of the configuration schema the example tests leave implicit: every error names its field
 * and says how to fix it, one mistake gives one error, the state machine ARN is read in any
 * partition and region code, and it must be the controller's own when the controller says where it is.
 */

const RUNS = Math.min(Number(process.env.PROPERTY_RUNS ?? 2000), 200);

type RawConfig = Record<string, unknown>;

/** A valid config: two regions, one alarm each, a quorum of one. */
function config(extra: RawConfig = {}): RawConfig {
  return {
    app: 'payments',
    regions: ['us-east-1', 'us-east-2'],
    initialActive: 'us-east-1',
    signals: [
      { alarmName: 'payments-us-east-1-api-5xx', region: 'us-east-1', kind: 'alarm' },
      { alarmName: 'payments-us-east-2-api-5xx', region: 'us-east-2', kind: 'alarm' },
    ],
    policy: { quorum: 1, minKinds: 1 },
    ...extra,
  };
}

function errorsOf(input: unknown): string[] {
  const result = parseConfig(input);
  if (result.ok) throw new Error(`expected the config to be rejected, got ${JSON.stringify(result.config)}`);
  return result.errors;
}

/** The field each error names (`policy.quorum`, `signals[0].alarmName`). */
function fieldsOf(errors: readonly string[]): string[] {
  return errors.map((error) => error.slice(0, error.indexOf(': ')));
}

const regionCode = fc
  .tuple(fc.stringMatching(/^[a-z]{2}$/), fc.array(fc.stringMatching(/^[a-z]{1,9}$/), { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 99 }))
  .map(([area, words, n]) => `${area}-${words.join('-')}-${n}`);
const accountId = fc.stringMatching(/^\d{12}$/);
const partition = fc.constantFrom('aws', 'aws-cn', 'aws-us-gov', 'aws-iso-b');
const machineName = fc.stringMatching(/^[a-zA-Z0-9_-]{1,80}$/);

describe('every configuration error', () => {
  const broken: [string, RawConfig, string][] = [
    ['a blank alarm name', config({ signals: [{ alarmName: '   ', region: 'us-east-1', kind: 'alarm' }] }), 'signals[0].alarmName'],
    ['an alarm name longer than CloudWatch allows', config({ signals: [{ alarmName: 'a'.repeat(MAX_ALARM_NAME_CHARS + 1), region: 'us-east-1', kind: 'alarm' }] }), 'signals[0].alarmName'],
    ['a state machine ARN longer than the limit', config({ stateMachineArn: `arn:aws:states:us-east-1:123456789012:stateMachine:${'m'.repeat(MAX_STATE_MACHINE_ARN_CHARS)}` }), 'stateMachineArn'],
    ['a quorum of 0', config({ policy: { quorum: 0 } }), 'policy.quorum'],
  ];

  it.each(broken)('for %s names the field and says how to fix it (`field: problem; fix`)', (_what, input, field) => {
    // Act
    const errors = errorsOf(input);

    // Assert
    expect(fieldsOf(errors)).toContain(field);
    for (const error of errors) expect(error).toMatch(/^[^:]+: .+; .+/s);
  });

  it.each([
    ['an alarm name', config({ signals: [{ alarmName: 'a'.repeat(MAX_ALARM_NAME_CHARS + 1), region: 'us-east-1', kind: 'alarm' }] }), 'signals[0].alarmName', MAX_ALARM_NAME_CHARS],
    ['a state machine ARN', config({ stateMachineArn: `arn:aws:states:us-east-1:123456789012:stateMachine:${'m'.repeat(MAX_STATE_MACHINE_ARN_CHARS)}` }), 'stateMachineArn', MAX_STATE_MACHINE_ARN_CHARS],
  ])('about %s that is too long names the limit it exceeds', (_what, input, field, limit) => {
    // Act
    const errors = errorsOf(input);

    // Assert
    expect(errors.filter((error) => error.startsWith(`${field}: `) && error.includes(String(limit)))).toHaveLength(1);
  });

  it('about a blank alarm name says that it is empty, not just that it is not a name', () => {
    // Act
    const errors = errorsOf(config({ signals: [{ alarmName: ' \u00a0 ', region: 'us-east-1', kind: 'alarm' }] }));

    // Assert
    expect(errors.filter((error) => error.startsWith('signals[0].alarmName: ') && /\bempty\b/.test(error))).toHaveLength(1);
  });
});

describe('one mistake gives one error', () => {
  it('a quorum below 1 is reported on policy.quorum only, not also as a minKinds the quorum cannot reach', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 0 }), fc.integer({ min: 1, max: 4 }), (quorum, minKinds) => {
        // Act
        const errors = errorsOf(config({ policy: { quorum, minKinds } }));

        // Assert
        expect(fieldsOf(errors)).not.toContain('policy.minKinds');
        expect(fieldsOf(errors)).toContain('policy.quorum');
      }),
      { numRuns: Math.min(RUNS, 20) },
    );
  });
});

describe('the account', () => {
  it.each(['1234567890123', 'a123456789012', '123456789012a', '12345678901'])("'%s' is not a 12-digit account id and is rejected naming account", (account) => {
    // Act
    const errors = errorsOf(config({ account }));

    // Assert
    expect(fieldsOf(errors)).toEqual(['account']);
  });
});

describe('the state machine ARN', () => {
  it('is accepted in any partition, region code and account, when it is in the controller region and account', () => {
    fc.assert(
      fc.property(partition, regionCode, accountId, machineName, (part, region, account, name) => {
        // Arrange
        const stateMachineArn = `arn:${part}:states:${region}:${account}:stateMachine:${name}`;

        // Act
        const result = parseConfig(config({ stateMachineArn, controllerRegion: region, account }));

        // Assert
        expect(result).toMatchObject({ ok: true, config: { stateMachineArn } });
      }),
      { numRuns: RUNS },
    );
  });

  it('is accepted anywhere when the controller does not say where it is', () => {
    fc.assert(
      fc.property(regionCode, accountId, (region, account) => {
        // Act
        const result = parseConfig(config({ stateMachineArn: `arn:aws:states:${region}:${account}:stateMachine:failover` }));

        // Assert
        expect(result.ok).toBe(true);
      }),
      { numRuns: Math.min(RUNS, 20) },
    );
  });

  it.each([
    ['a prefix before arn:', 'xarn:aws:states:us-east-1:123456789012:stateMachine:failover'],
    ['a name longer than 80 characters', `arn:aws:states:us-east-1:123456789012:stateMachine:${'m'.repeat(81)}`],
    ['a version suffix', 'arn:aws:states:us-east-1:123456789012:stateMachine:failover:1'],
    ['an execution instead of a state machine', 'arn:aws:states:us-east-1:123456789012:execution:failover:run-1'],
  ])('with %s is rejected naming stateMachineArn', (_what, stateMachineArn) => {
    // Act
    const errors = errorsOf(config({ stateMachineArn }));

    // Assert
    expect(fieldsOf(errors)).toEqual(['stateMachineArn']);
  });

  it("in another account than the controller's is rejected naming stateMachineArn and both accounts", () => {
    // Act
    const errors = errorsOf(config({ account: '222222222222', stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:failover' }));

    // Assert
    expect(fieldsOf(errors)).toEqual(['stateMachineArn']);
    expect(errors[0]).toContain('111111111111');
    expect(errors[0]).toContain('222222222222');
  });

  it("in another region than the controller's, with no account configured, is rejected without naming an account that does not exist", () => {
    // Act
    const errors = errorsOf(config({ controllerRegion: 'us-east-2', stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:failover' }));

    // Assert
    expect(fieldsOf(errors)).toEqual(['stateMachineArn']);
    expect(errors[0]).toContain('us-east-1');
    expect(errors[0]).toContain('us-east-2');
    expect(errors[0]).not.toContain('undefined');
  });
});
