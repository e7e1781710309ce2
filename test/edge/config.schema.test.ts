import { DEFAULT_POLICY, type ControllerConfig } from '../../domain/config';
import { parseConfig } from '../../edge/config.schema';

type RawConfig = Record<string, unknown> & { signals: Record<string, unknown>[]; policy?: Record<string, unknown> };

/** A valid minimal config: two regions, an alarm and a health check each, every default left out. */
function minimalConfig(): RawConfig {
  return {
    app: 'payments',
    regions: ['us-east-1', 'us-east-2'],
    initialActive: 'us-east-1',
    signals: [
      { alarmName: 'payments-us-east-1-api-5xx', region: 'us-east-1', kind: 'alarm' },
      { alarmName: 'payments-us-east-1-health-check', region: 'us-east-1', kind: 'health-check' },
      { alarmName: 'payments-us-east-2-api-5xx', region: 'us-east-2', kind: 'alarm' },
      { alarmName: 'payments-us-east-2-health-check', region: 'us-east-2', kind: 'health-check' },
    ],
  };
}

function errorsOf(input: unknown): string[] {
  const result = parseConfig(input);
  if (result.ok) throw new Error(`expected the config to be rejected, got ${JSON.stringify(result.config)}`);
  return result.errors;
}

describe('parseConfig', () => {
  it('fills every policy default and critical=true when they are left out', () => {
    // Arrange
    const input = minimalConfig();

    // Act
    const result = parseConfig(input);

    // Assert
    const expected: ControllerConfig = {
      app: 'payments',
      regions: ['us-east-1', 'us-east-2'],
      initialActive: 'us-east-1',
      signals: [
        { alarmName: 'payments-us-east-1-api-5xx', region: 'us-east-1', kind: 'alarm', critical: true },
        { alarmName: 'payments-us-east-1-health-check', region: 'us-east-1', kind: 'health-check', critical: true },
        { alarmName: 'payments-us-east-2-api-5xx', region: 'us-east-2', kind: 'alarm', critical: true },
        { alarmName: 'payments-us-east-2-health-check', region: 'us-east-2', kind: 'health-check', critical: true },
      ],
      policy: DEFAULT_POLICY,
    };
    expect(result).toEqual({ ok: true, config: expected });
  });

  it('keeps every value that is given', () => {
    // Arrange
    const policy = {
      quorum: 3,
      minKinds: 1,
      sustainSeconds: 0,
      cooldownSeconds: 0,
      maxAutoFailovers: 2,
      windowSeconds: 1,
      autoFailback: true,
      dryRun: true,
      dataLoss: 'always',
      rpoBudgetSeconds: 0.5,
      heartbeatWindowSeconds: 45,
      readinessMaxAgeSeconds: 600,
    };
    const input = minimalConfig();
    input.signals.push(
      { alarmName: 'payments-us-east-1-lambda-errors', region: 'us-east-1', kind: 'alarm', critical: true },
      { alarmName: 'payments-us-east-2-lambda-errors', region: 'us-east-2', kind: 'alarm' },
      { alarmName: 'payments-us-east-2-latency', region: 'us-east-2', kind: 'alarm', critical: false },
    );

    // Act
    const result = parseConfig({ ...input, policy });

    // Assert
    expect(result.ok && result.config.policy).toEqual(policy);
    expect(result.ok && result.config.signals.map((signal) => signal.critical)).toEqual([true, true, true, true, true, true, false]);
  });

  it('fills the policy fields that are left out of a partial policy', () => {
    // Act
    const result = parseConfig({ ...minimalConfig(), policy: { dryRun: true } });

    // Assert
    expect(result.ok && result.config.policy).toEqual({ ...DEFAULT_POLICY, dryRun: true });
  });

  it('accepts a region covered by fewer signals when quorum and minKinds ask for fewer', () => {
    // Arrange
    const input = minimalConfig();
    input.signals = input.signals.filter((signal) => signal.kind === 'alarm');

    // Act
    const result = parseConfig({ ...input, policy: { quorum: 1, minKinds: 1 } });

    // Assert
    expect(result.ok).toBe(true);
  });

  it('accepts probe and heartbeat signals, one heartbeat per region, and fills heartbeatWindowSeconds with 90', () => {
    // Arrange
    const input = minimalConfig();
    input.signals.push(
      { alarmName: 'payments-us-east-1-probe', region: 'us-east-1', kind: 'probe' },
      { alarmName: 'payments-us-east-1-heartbeat', region: 'us-east-1', kind: 'heartbeat' },
      { alarmName: 'payments-us-east-2-probe', region: 'us-east-2', kind: 'probe' },
      { alarmName: 'payments-us-east-2-heartbeat', region: 'us-east-2', kind: 'heartbeat' },
    );

    // Act
    const result = parseConfig(input);

    // Assert
    if (!result.ok) throw new Error(result.errors.join('; '));
    expect(result.config.signals.map((signal) => signal.kind)).toEqual(['alarm', 'health-check', 'alarm', 'health-check', 'probe', 'heartbeat', 'probe', 'heartbeat']);
    expect(result.config.policy.heartbeatWindowSeconds).toBe(90);
  });

  it('counts probes and heartbeats as kinds of their own when checking a region can be detected down', () => {
    // Arrange: a blackout alone (the probe failing, the heartbeat missing) must be able to meet quorum 2 of 2 kinds.
    const input = {
      ...minimalConfig(),
      signals: ['us-east-1', 'us-east-2'].flatMap((region) => [
        { alarmName: `payments-${region}-probe`, region, kind: 'probe' },
        { alarmName: `payments-${region}-heartbeat`, region, kind: 'heartbeat' },
      ]),
      policy: { quorum: 2, minKinds: 2 },
    };

    // Act
    const result = parseConfig(input);

    // Assert
    expect(result.ok).toBe(true);
    expect(errorsOf({ ...input, policy: { quorum: 3, minKinds: 2 } })).toEqual([
      expect.stringMatching(/^signals: region us-east-1 has 2 critical signal\(s\) of 2 kind\(s\) \[probe, heartbeat\] but policy.quorum is 3/),
      expect.stringMatching(/^signals: region us-east-2 /),
    ]);
  });

  it('names the field and the fix in the example message for a signal region outside regions', () => {
    // Arrange
    const input = minimalConfig();
    input.signals.push({ alarmName: 'payments-eu-api-5xx', region: 'eu-west-9', kind: 'alarm' });
    input.signals.splice(2, 0, input.signals.pop() as Record<string, unknown>);

    // Act
    const errors = errorsOf(input);

    // Assert
    expect(errors).toEqual(["signals[2].region: 'eu-west-9' is not in regions [us-east-1, us-east-2]; use one of them or add it to regions"]);
  });

  const badFields: [string, (config: RawConfig) => void, string, string][] = [
    ['app has a space', (c) => (c.app = 'pay ments'), 'app:', "rename it, e.g. 'payments'"],
    ['app is longer than 40 characters', (c) => (c.app = 'a'.repeat(41)), 'app:', 'rename it'],
    ['app is missing', (c) => delete c.app, 'app:', "use letters, digits, '-' or '_'"],
    ['regions has one region', (c) => ((c.regions = ['us-east-1']), (c.signals = c.signals.slice(0, 2))), 'regions:', 'add a standby region'],
    ['regions lists a region twice', (c) => (c.regions = ['us-east-1', 'us-east-2', 'us-east-1']), 'regions[2]:', 'remove the duplicate'],
    ['regions holds a display name', (c) => (c.regions = ['us-east-1', 'US East (Ohio)']), 'regions[1]:', 'use the lowercase region code'],
    ['regions is not a list', (c) => (c.regions = 'us-east-1,us-east-2'), 'regions:', 'write e.g. ["us-east-1", "us-east-2"]'],
    ['initialActive is not in regions', (c) => (c.initialActive = 'eu-west-1'), 'initialActive:', 'use one of them or add it to regions'],
    ['signals is missing', (c) => delete (c as Record<string, unknown>).signals, 'signals:', 'list the CloudWatch alarms'],
    ['an alarm name is empty', (c) => (c.signals[0] = { ...c.signals[0], alarmName: ' ' }), 'signals[0].alarmName:', 'copy the exact alarm name'],
    ['an alarm name is too long', (c) => (c.signals[0] = { ...c.signals[0], alarmName: 'a'.repeat(256) }), 'signals[0].alarmName:', 'copy the exact alarm name'],
    ['an alarm name is used twice', (c) => (c.signals[3] = { ...c.signals[3], alarmName: 'payments-us-east-1-api-5xx' }), 'signals[3].alarmName:', 'remove the duplicate'],
    ['a signal kind is unknown', (c) => (c.signals[1] = { ...c.signals[1], kind: 'route53' }), 'signals[1].kind:', "use 'health-check' for Route 53"],
    ['critical is not a boolean', (c) => (c.signals[0] = { ...c.signals[0], critical: 'yes' }), 'signals[0].critical:', 'expected true or false'],
    ['a signal has an unknown key', (c) => (c.signals[0] = { ...c.signals[0], severity: 'high' }), 'signals[0].severity:', 'remove it or use one of alarmName, region, kind, critical'],
    ['a signal is not an object', (c) => (c.signals[0] = 'payments-us-east-1-api-5xx' as unknown as Record<string, unknown>), 'signals[0]:', 'write it as a JSON object'],
    ['policy.quorum is 0', (c) => (c.policy = { quorum: 0 }), 'policy.quorum:', 'e.g. 2'],
    ['policy.quorum is fractional', (c) => (c.policy = { quorum: 1.5 }), 'policy.quorum:', 'expected a whole number ≥ 1'],
    ['policy.quorum is a string', (c) => (c.policy = { quorum: '2' }), 'policy.quorum:', 'expected a whole number ≥ 1'],
    ['policy.minKinds is above the 4 kinds that exist', (c) => (c.policy = { quorum: 5, minKinds: 5 }), 'policy.minKinds:', 'alarm, health-check, probe, heartbeat); use at most 4'],
    ['policy.heartbeatWindowSeconds is 0', (c) => (c.policy = { heartbeatWindowSeconds: 0 }), 'policy.heartbeatWindowSeconds:', 'leave room for one late or lost, e.g. 90'],
    ['policy.heartbeatWindowSeconds is negative', (c) => (c.policy = { heartbeatWindowSeconds: -90 }), 'policy.heartbeatWindowSeconds:', 'e.g. 90'],
    ['policy.heartbeatWindowSeconds is a string', (c) => (c.policy = { heartbeatWindowSeconds: '90' }), 'policy.heartbeatWindowSeconds:', 'expected a number of seconds > 0'],
    ['policy.readinessMaxAgeSeconds is 0', (c) => (c.policy = { readinessMaxAgeSeconds: 0 }), 'policy.readinessMaxAgeSeconds:', 'allow a few runs, e.g. 2700'],
    ['policy.readinessMaxAgeSeconds is a string', (c) => (c.policy = { readinessMaxAgeSeconds: '2700' }), 'policy.readinessMaxAgeSeconds:', 'expected a number of seconds > 0'],
    ['policy.minKinds is above policy.quorum', (c) => (c.policy = { quorum: 1, minKinds: 2 }), 'policy.minKinds:', 'lower policy.minKinds or raise policy.quorum'],
    ['policy.minKinds is 0', (c) => (c.policy = { minKinds: 0 }), 'policy.minKinds:', 'use 1 (any signals) or 2'],
    [
      'a region has two heartbeat signals',
      (c) =>
        c.signals.push(
          { alarmName: 'payments-us-east-1-heartbeat', region: 'us-east-1', kind: 'heartbeat' },
          { alarmName: 'payments-us-east-1-heartbeat-2', region: 'us-east-1', kind: 'heartbeat' },
        ),
      'signals[5].kind:',
      'us-east-1 already has a heartbeat signal (signals[4]); a region has one heartbeat, so remove this one',
    ],
    ['policy.maxAutoFailovers is 0', (c) => (c.policy = { maxAutoFailovers: 0 }), 'policy.maxAutoFailovers:', 'use policy.dryRun or an operator freeze'],
    ['policy.sustainSeconds is negative', (c) => (c.policy = { sustainSeconds: -1 }), 'policy.sustainSeconds:', 'use 0 to act as soon as the quorum holds'],
    ['policy.cooldownSeconds is negative', (c) => (c.policy = { cooldownSeconds: -60 }), 'policy.cooldownSeconds:', 'use 0 for no cooldown'],
    ['policy.rpoBudgetSeconds is negative', (c) => (c.policy = { rpoBudgetSeconds: -5 }), 'policy.rpoBudgetSeconds:', 'set the replication lag'],
    ['policy.windowSeconds is 0', (c) => (c.policy = { windowSeconds: 0 }), 'policy.windowSeconds:', 'set the sliding window'],
    ['policy.autoFailback is a string', (c) => (c.policy = { autoFailback: 'no' }), 'policy.autoFailback:', 'expected true or false'],
    ['policy.dryRun is a number', (c) => (c.policy = { dryRun: 1 }), 'policy.dryRun:', 'expected true or false'],
    ['policy.dataLoss is unknown', (c) => (c.policy = { dataLoss: 'sometimes' }), 'policy.dataLoss:', 'never, within-rpo-budget, always'],
    ['policy has a misspelt key', (c) => (c.policy = { quorom: 2 }), 'policy.quorom:', 'remove it or use one of quorum, minKinds'],
    ['policy is not an object', (c) => (c.policy = 'strict' as unknown as Record<string, unknown>), 'policy:', 'write it as a JSON object'],
    ['policy carries a JSON __proto__ key', (c) => (c.policy = JSON.parse('{"__proto__":{"dryRun":true}}') as Record<string, unknown>), 'policy.__proto__:', 'unknown key'],
    ['a top-level key is misspelt', (c) => (c.region = ['us-east-1']), 'region:', 'remove it or use one of app, regions, initialActive, signals, policy'],
  ];

  it.each(badFields)('rejects a config where %s, naming the field and the fix', (_case, breakIt, field, fix) => {
    // Arrange
    const input = minimalConfig();
    breakIt(input);

    // Act
    const errors = errorsOf(input);

    // Assert
    expect(errors).toContainEqual(expect.stringMatching(new RegExp(`^${escapeRegExp(field)} .*${escapeRegExp(fix)}`)));
  });

  it.each([
    ['has one signal', (c: RawConfig) => (c.signals = c.signals.filter((s) => s.region !== 'us-east-2' || s.kind === 'alarm'))],
    ['has no health check (too few kinds)', (c: RawConfig) => c.signals.splice(3, 1, { alarmName: 'payments-us-east-2-lambda-errors', region: 'us-east-2', kind: 'alarm' })],
    ['has a health check that is not critical', (c: RawConfig) => (c.signals[3] = { ...c.signals[3], critical: false })],
    ['has no signals at all', (c: RawConfig) => (c.signals = c.signals.slice(0, 2))],
  ])('rejects a config where us-east-2 %s, because it could never be detected down', (_case, breakIt) => {
    // Arrange
    const input = minimalConfig();
    breakIt(input);

    // Act
    const errors = errorsOf(input);

    // Assert
    expect(errors).toEqual([expect.stringMatching(/^signals: region us-east-2 .*add signals for us-east-2 or lower policy\.quorum\/policy\.minKinds$/)]);
  });

  it.each([[null], [[]], ['payments'], [42], [undefined]])('rejects %p as a whole, saying a JSON object is needed', (input) => {
    // Act
    const errors = errorsOf(input);

    // Assert
    expect(errors).toEqual([expect.stringMatching(/^config: expected a configuration object .*write it as a JSON object$/)]);
  });

  it('reports every problem at once', () => {
    // Arrange
    const input = { ...minimalConfig(), app: '', initialActive: 'eu-west-1', policy: { quorum: 0, dataLoss: 'maybe' }, extra: true };

    // Act
    const errors = errorsOf(input);

    // Assert
    expect(errors.map((error) => error.slice(0, error.indexOf(':')))).toEqual(['app', 'policy.quorum', 'policy.dataLoss', 'extra']);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('parseConfig: trust boundaries', () => {
  const identity = { account: '111122223333', controllerRegion: 'us-east-2', stateMachineArn: 'arn:aws:states:us-east-2:111122223333:stateMachine:payments-failover' };

  it("accepts the controller's account, region and state machine, which bind evidence and overrides to them", () => {
    const result = parseConfig({ ...minimalConfig(), ...identity });
    expect(result).toMatchObject({ ok: true, config: identity });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an account that is not 12 digits', { account: '1234' }, /^account: expected a 12-digit AWS account id, got '1234'/],
    ['a controller region that is not a region code', { controllerRegion: 'Ohio' }, /^controllerRegion: expected an AWS region code/],
    ['a state machine ARN that is not one', { stateMachineArn: 'arn:aws:lambda:us-east-2:111122223333:function:f' }, /^stateMachineArn: expected arn:aws:states/],
    ['a state machine in another region than the controller', { ...identity, stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:p' }, /^stateMachineArn: is in region us-east-1 and account 111122223333, but the controller is in us-east-2/],
    ['more than 16 regions', { regions: Array.from({ length: 17 }, (_, i) => `us-east-${i + 1}`) }, /^regions: has more than 16 regions \(MAX_REGIONS/],
  ])('rejects %s, naming the field', (_case, fields, message) => {
    const result = parseConfig({ ...minimalConfig(), ...fields });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.some((e) => message.test(e))).toBe(true);
  });

  it('rejects more than 200 signals and alarm names with control characters', () => {
    const base = minimalConfig() as { signals: Record<string, unknown>[] };
    const many = Array.from({ length: 201 }, (_, i) => ({ alarmName: `a-${i}`, region: 'us-east-1', kind: 'alarm' }));
    const tooMany = parseConfig({ ...base, signals: many });
    expect(!tooMany.ok && tooMany.errors.some((e) => /^signals: has more than 200 signals \(MAX_SIGNALS/.test(e))).toBe(true);
    const control = parseConfig({ ...base, signals: [{ ...base.signals[0], alarmName: 'bad\nname' }, ...base.signals.slice(1)] });
    expect(!control.ok && control.errors.some((e) => /^signals\[0\]\.alarmName: contains a control character/.test(e))).toBe(true);
  });
});
