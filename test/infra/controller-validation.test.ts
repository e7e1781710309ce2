import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { ControllerConfig } from '../../domain/config';
import { AlarmForwardingStack } from '../../infra/controller/alarm-forwarding.stack';
import { controllerStacks, monitoredRegions } from '../../infra/controller/controller-stacks';
import { validateDrControllerProps, type DrControllerProps } from '../../infra/controller/dr-controller.construct';
import { referenceSettings } from '../../infra/controller/reference-settings';
import { runCdkNag, runCfnLint, testApp } from '../support/template-checks';

const reference = referenceSettings('dev', '123456789012');
const props: DrControllerProps = { envName: 'dev', config: reference.config, resources: reference.resources };

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

  it('rejects a controller region that is not a protected region', () => {
    const resources = { ...reference.resources, controllerRegion: 'eu-west-1' };
    expect(errorsOf({ resources }, 'eu-west-1')).toEqual([
      'resources.controllerRegion eu-west-1 must be one of config.regions (us-east-1, us-east-2); run the controller in a protected region, by default the standby',
    ]);
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
      expect.stringMatching(/^the Lambda environment \(DR_CONFIG, DR_RESOURCES, …\) takes \d+ bytes, over Lambda's 4096; shorten alarm names or drop unused signals$/),
    ]);
  });

  it('fails the synth with the message', () => {
    const app = testApp();
    controllerStacks(app, { ...reference, resources: { ...reference.resources, controllerRegion: 'eu-west-1' } });
    expect(() => app.synth()).toThrow(/resources\.controllerRegion eu-west-1 must be one of config\.regions/);
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
