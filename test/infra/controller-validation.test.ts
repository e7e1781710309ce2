import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { ControllerConfig } from '../../domain/config';
import { AlarmForwardingStack } from '../../infra/controller/alarm-forwarding.stack';
import { controllerStacks, monitoredRegions } from '../../infra/controller/controller-stacks';
import { validateDrControllerProps, type DrControllerProps } from '../../infra/controller/dr-controller.construct';
import { referenceOperators, referenceSettings } from '../../infra/protected-payments';
import { runCdkNag, runCfnLint, testApp } from '../support/template-checks';

const reference = referenceSettings('dev', '123456789012');
const props: DrControllerProps = { envName: 'dev', config: reference.config, resources: reference.resources, operatorPrincipals: reference.operatorPrincipals };

/** The synth-time errors of `props` changed by `change`, in a stack in `region`. */
function errorsOf(change: Partial<DrControllerProps>, region = 'us-east-2'): string[] {
  const stack = new Stack(testApp(), 'Controller', { env: { region } });
  return validateDrControllerProps(stack, { ...props, ...change });
}

function configWith(change: Partial<ControllerConfig>): ControllerConfig {
  return { ...reference.config, ...change };
}

describe('validateDrControllerProps', () => {
  it('accepts the reference settings in the controller region', () => {
    expect(errorsOf({})).toEqual([]);
  });

  it('accepts a witness controller region, one that serves no traffic, as well as a protected one', () => {
    const resources = { ...reference.resources, controllerRegion: 'us-west-2' };
    expect(errorsOf({ resources }, 'us-west-2')).toEqual([]);
  });

  it('rejects a stack in another region than resources.controllerRegion', () => {
    expect(errorsOf({}, 'us-east-1')).toEqual([
      'the controller is in us-east-1 but resources.controllerRegion is us-east-2; deploy it to the controller region',
    ]);
  });

  it('rejects an envName that cannot be part of resource names', () => {
    expect(errorsOf({ envName: 'Prod EU' })).toEqual([expect.stringContaining('envName "Prod EU" must be lowercase letters, digits and single dashes')]);
  });

  it('names each region that lacks a cluster, a weighted record or a health check', () => {
    const { traffic, database } = reference.resources;
    const resources = {
      ...reference.resources,
      database: { ...database, clusterArns: { 'us-east-1': database.clusterArns['us-east-1']! } },
      traffic: { ...traffic, healthCheckIds: { 'us-east-2': traffic.healthCheckIds['us-east-2']! } },
    };
    expect(errorsOf({ resources })).toEqual([
      expect.stringMatching(/^resources: DR_RESOURCES\.traffic\.healthCheckIds: no entry for us-east-1/),
      expect.stringMatching(/^resources: DR_RESOURCES\.database\.clusterArns: no entry for us-east-2/),
    ]);
  });

  it('reports what parseResources rejects, so a bad DR_RESOURCES fails at synth rather than at cold start', () => {
    const resources = { ...reference.resources, parameterPrefix: 'payments/dev/' };
    expect(errorsOf({ resources })).toEqual([expect.stringMatching(/^resources: DR_RESOURCES\.parameterPrefix: .*payments\/dev\//)]);
  });

  it('rejects a maxReceiveCount outside SQS’s range', () => {
    expect(errorsOf({ maxReceiveCount: 0 })).toEqual(['maxReceiveCount must be a whole number from 1 to 1000 (SQS\'s range), got 0']);
  });

  it('rejects a config without signals', () => {
    expect(errorsOf({ config: configWith({ signals: [] }) })).toEqual(['config.signals must list at least one alarm; the controller has nothing to watch']);
  });

  it('rejects alarm names that overflow the event pattern and the Lambda environment', () => {
    const signals = Array.from({ length: 20 }, (_, i) => ({ alarmName: `${'x'.repeat(240)}-${i}`, region: 'us-east-1', kind: 'alarm' as const, critical: true }));
    expect(errorsOf({ config: configWith({ signals }) })).toEqual([
      expect.stringMatching(/^the alarm rules' event pattern is \d+ characters, over EventBridge's 4096; shorten alarm names or watch fewer alarms$/),
      expect.stringMatching(/^the decide Lambda's environment \(DR_CONFIG, DR_RESOURCES, …\) takes \d+ bytes, over Lambda's 4096; shorten alarm names or drop unused signals$/),
      expect.stringMatching(/^the readiness Lambda's environment \(DR_CONFIG, DR_RESOURCES, …\) takes \d+ bytes, over Lambda's 4096; shorten alarm names or drop unused signals$/),
    ]);
  });

  it('counts the readiness Lambda’s environment too, which also lists every step function and both queues', () => {
    // Long enough for the readiness function (DR_READINESS on top), short enough for the decide function.
    const decideRoom = (length: number) =>
      configWith({ signals: [...reference.config.signals, { alarmName: 'y'.repeat(length), region: 'us-east-1', kind: 'alarm' as const, critical: true }] });
    const overReadinessOnly = [...Array(500).keys()]
      .map((i) => errorsOf({ config: decideRoom(8 * (i + 1)) }))
      .find((errors) => errors.length > 0);
    expect(overReadinessOnly).toEqual([expect.stringMatching(/^the readiness Lambda's environment .* takes \d+ bytes, over Lambda's 4096/)]);
  });

  it('names the state table and bus itself: given names must be the derived ones, and may be left out', () => {
    const { stateTableName: _table, controllerBusName: _bus, ...withoutNames } = reference.resources;
    expect(errorsOf({ resources: withoutNames })).toEqual([]);
    expect(errorsOf({ resources: { ...reference.resources, stateTableName: 'my-table', controllerBusName: 'my-bus' } })).toEqual([
      'resources.stateTableName is "my-table", but the controller names it "payments-dev-controller-state" (controllerNames); leave it out',
      'resources.controllerBusName is "my-bus", but the controller names it "payments-dev-controller" (controllerNames); leave it out',
    ]);
  });

  it('rejects a readiness interval that is not whole minutes up to a day', () => {
    expect(errorsOf({ readinessIntervalMinutes: 0 })).toEqual(['readinessIntervalMinutes must be a whole number of minutes from 1 to 1440 (a day), got 0']);
    expect(errorsOf({ readinessIntervalMinutes: 2.5 })).toEqual(['readinessIntervalMinutes must be a whole number of minutes from 1 to 1440 (a day), got 2.5']);
    expect(errorsOf({ readinessIntervalMinutes: 60 })).toEqual([]);
  });

  it('rejects a probe signal whose region has no probe URL, since the prober would have nothing to call', () => {
    const { 'us-east-2': _dropped, ...probeUrls } = reference.resources.probeUrls!;
    expect(errorsOf({ resources: { ...reference.resources, probeUrls } })).toEqual([
      'resources.probeUrls has no entry for us-east-2, which has a probe signal; add the https URL of its regional /health endpoint',
    ]);
  });

  it('rejects silenceMinutes and rtoTargetSeconds outside their ranges', () => {
    expect(errorsOf({ silenceMinutes: 0, rtoTargetSeconds: -1 })).toEqual([
      'silenceMinutes must be a whole number from 1 to 60, got 0',
      'rtoTargetSeconds must be a number of seconds above 0, got -1',
    ]);
  });

  it('rejects a controller without operator principals: the operator role is never open to the whole account by omission', () => {
    const message =
      'operatorPrincipals must name at least one principal that may assume the operator role (e.g. new iam.ArnPrincipal("arn:aws:iam::<account>:role/<operators>")); the role is never open to the whole account by default';
    expect(errorsOf({ operatorPrincipals: [] })).toEqual([message]);
    // A JavaScript caller (or a cast) may omit the prop altogether.
    expect(errorsOf({ operatorPrincipals: undefined as unknown as iam.IPrincipal[] })).toEqual([message]);
    const app = testApp();
    controllerStacks(app, { ...reference, operatorPrincipals: [] });
    expect(() => app.synth()).toThrow(/operatorPrincipals must name at least one principal/);
  });

  it('fails the synth with the message', () => {
    const app = testApp();
    controllerStacks(app, { ...reference, envName: 'Dev' });
    expect(() => app.synth()).toThrow(/envName "Dev" must be lowercase letters, digits and single dashes/);
  });
});

describe('operator role trust', () => {
  const trustOf = (settings: Parameters<typeof controllerStacks>[1]) => {
    const stacks = controllerStacks(testApp(), settings);
    const roles = Template.fromStack(stacks.controller).findResources('AWS::IAM::Role', { Properties: { RoleName: 'payments-dev-operator' } });
    return (Object.values(roles)[0] as { Properties: { AssumeRolePolicyDocument: { Statement: { Principal: unknown; Condition?: unknown }[] } } }).Properties
      .AssumeRolePolicyDocument.Statement;
  };
  const opsRole = 'arn:aws:iam::123456789012:role/DrOperators';
  const breakGlass = 'arn:aws:iam::123456789012:user/break-glass';

  it('names each configured principal and, by default, requires MFA of every one', () => {
    expect(trustOf({ ...reference, operatorPrincipals: [new iam.ArnPrincipal(opsRole), new iam.ArnPrincipal(breakGlass)] })).toEqual([
      expect.objectContaining({ Action: 'sts:AssumeRole', Principal: { AWS: opsRole }, Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }),
      expect.objectContaining({ Action: 'sts:AssumeRole', Principal: { AWS: breakGlass }, Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }),
    ]);
  });

  it('drops the MFA condition only when told, for role principals whose sessions carry no MFA context', () => {
    const [statement, ...more] = trustOf({ ...reference, operatorPrincipals: [new iam.ArnPrincipal(opsRole)], requireOperatorMfa: false });
    expect(more).toEqual([]);
    expect(statement!.Principal).toEqual({ AWS: opsRole });
    expect(statement!.Condition).toBeUndefined();
  });

  it('takes the reference app’s operators from context, comma-separated, and refuses a value that is not a principal ARN', () => {
    const operators = referenceOperators(` ${opsRole}, ${breakGlass} `);
    expect(operators.requireMfa).toBe(true);
    expect(operators.principals.map((principal) => (principal as iam.ArnPrincipal).arn)).toEqual([opsRole, breakGlass]);
    expect(referenceOperators(undefined).principals).toEqual([expect.any(iam.AccountRootPrincipal)]);
    expect(() => referenceOperators('DrOperators')).toThrow('context operators: "DrOperators" is not an IAM principal ARN; give arn:aws:iam::<account>:role/<name> (comma-separated for several)');
  });
});

describe('RTO at synth', () => {
  it('computes the reference controller’s worst case along the blackout path within the 300 s target, every part with its source', () => {
    const app = testApp();
    const rto = controllerStacks(app, reference).controller.controller.rto!;
    expect(rto.targetSeconds).toBe(300);
    expect(rto.worstCaseSeconds).toBeLessThanOrEqual(300);
    expect(rto.worstCaseSeconds).toBe(Math.round(rto.parts.reduce((sum, part) => sum + part.seconds, 0) * 10) / 10);
    expect(rto.parts.find((part) => part.name === 'detection')).toEqual({ name: 'detection', seconds: 90, source: expect.stringMatching(/PROBE_ALARM\.periodSeconds 10 s × evaluationPeriods 3.*heartbeatWindowSeconds/) });
    expect(rto.parts.find((part) => part.name === 'sustain')).toEqual({ name: 'sustain', seconds: 30, source: 'DrController.props.config.policy.sustainSeconds' });
    for (const part of rto.parts) expect(part.source).toMatch(/\S/);
    expect(() => app.synth()).not.toThrow();
  });

  it('fails the synth of a deliberately slow configuration with a message naming the largest part', () => {
    const app = testApp();
    const slow = { ...reference, config: configWith({ policy: { ...reference.config.policy, heartbeatWindowSeconds: 600 } }) };
    controllerStacks(app, slow);
    expect(() => app.synth()).toThrow(/worst-case RTO \d+(\.\d)? s exceeds the target 300 s; the largest part is detection \(600 s, from the later of .*heartbeat window 600 s/);
  });

  it('holds the worst case to rtoTargetSeconds when given', () => {
    const app = testApp();
    controllerStacks(app, { ...reference, rtoTargetSeconds: 120 });
    expect(() => app.synth()).toThrow(/exceeds the target 120 s/);
  });

  it('refuses to promise a recovery time when no evidence survives a blackout (no probe, no heartbeat)', () => {
    const app = testApp();
    const signals = reference.config.signals.filter((signal) => signal.kind === 'alarm' || signal.kind === 'health-check');
    controllerStacks(app, { ...reference, config: configWith({ signals }) });
    expect(() => app.synth()).toThrow(/no recovery time can be promised: no evidence survives a blackout/);
  });
});

describe('AlarmForwardingStack', () => {
  it('refuses to be deployed in the controller region, whose alarms the controller stack routes itself', () => {
    const app = testApp();
    new AlarmForwardingStack(app, 'Forwarding', {
      env: { region: 'us-east-2' },
      envName: 'dev',
      config: reference.config,
      controllerRegion: 'us-east-2',
      controllerBusName: 'payments-dev-controller',
    });
    expect(() => app.synth()).toThrow(/the alarm-forwarding stack is in the controller region us-east-2/);
  });

  it('creates no alarm rule in a region where no configured alarm lives, and refuses to exist there without heartbeats either', () => {
    const onlyUsEast2Alarms = { ...reference.config, signals: reference.config.signals.filter((signal) => signal.kind === 'alarm' && signal.region === 'us-east-2') };
    const app = testApp();
    const forwarding = new AlarmForwardingStack(app, 'Forwarding', {
      env: { region: 'us-east-1', account: '123456789012' },
      envName: 'dev',
      config: onlyUsEast2Alarms,
      controllerRegion: 'us-east-2',
      controllerBusName: 'payments-dev-controller',
    });
    expect(forwarding.rule).toBeUndefined();
    expect(() => app.synth()).toThrow(/no configured alarm lives in us-east-1 and no heartbeat signal is configured; there is nothing to forward, so remove this stack/);
  });
});

describe('monitoredRegions', () => {
  it('adds us-east-1 when a health-check alarm is configured, since Route 53 health-check metrics exist only there', () => {
    const config = configWith({
      regions: ['eu-west-1', 'eu-central-1'],
      signals: [{ alarmName: 'api-eu-west-1-health-check', region: 'eu-west-1', kind: 'health-check', critical: true }],
    });
    expect(monitoredRegions(config)).toEqual(['eu-west-1', 'eu-central-1', 'us-east-1']);
  });

  it('is the protected regions when no health-check alarm is configured', () => {
    const config = configWith({ regions: ['eu-west-1', 'eu-central-1'], signals: [{ alarmName: 'api-5xx', region: 'eu-west-1', kind: 'alarm', critical: true }] });
    expect(monitoredRegions(config)).toEqual(['eu-west-1', 'eu-central-1']);
  });
});

describe('template checks', () => {
  it('runCdkNag reports an unacknowledged finding with its rule, path and reason', () => {
    const app = testApp();
    new sqs.Queue(new Stack(app, 'Plain'), 'Queue', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true });
    expect(runCdkNag(app)).toEqual(['AwsSolutions-SQS3 at Plain/Queue/Resource: The SQS queue is not used as a dead-letter queue (DLQ) and does not have a DLQ enabled.']);
  });

  it('runCfnLint reports an invalid property with file, line, rule and path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
    const file = join(dir, 'Bad.template.json');
    writeFileSync(file, JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 'soon' } } } }));
    const findings = runCfnLint([file]);
    rmSync(dir, { recursive: true });
    expect(findings).toEqual([expect.stringMatching(/^Bad\.template\.json:1 E3012 \[Error\] .*'soon'.* \(Resources\/Queue\/Properties\/VisibilityTimeout\)$/)]);
  });
});
