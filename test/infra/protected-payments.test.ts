import { Template } from 'aws-cdk-lib/assertions';
import type { Stack } from 'aws-cdk-lib';
import { addProtectedPayments, protectedPaymentsConfig, REFERENCE_POLICY } from '../../infra/protected-payments';
import { runCdkNag, runCfnLint, templatePathsOf, testApp } from '../support/template-checks';

type Resource = { Type: string; Properties?: Record<string, unknown> };
const resourcesOf = (stack: Stack, type: string) =>
  Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, Resource>).filter((r) => r.Type === type);

/** The environment variables of the controller's decide function, parsed. */
function decideEnvironment(controller: Stack) {
  const fn = resourcesOf(controller, 'AWS::Lambda::Function').find((r) =>
    JSON.stringify(r.Properties?.Environment ?? {}).includes('deadLetterQueueUrl'),
  );
  if (!fn) throw new Error('no decide function in the controller stack');
  return (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
}

describe('the protected payment workload, composed with its controller (infra/app.ts)', () => {
  const app = testApp();
  const { workload, controller } = addProtectedPayments(app, 'dev');
  const paths = templatePathsOf(app);

  it('emits every workload stack for both regions, the controller stack and the forwarding stack', () => {
    expect(paths.map((p) => p.split('/').pop()).sort()).toEqual(
      [
        'payments-dev-alarm-forwarding-us-east-1',
        'payments-dev-controller',
        'payments-dev-dns',
        'payments-dev-routing',
        'payments-dev-us-east-1-data',
        'payments-dev-us-east-1-service',
        'payments-dev-us-east-1-storage',
        'payments-dev-us-east-2-data',
        'payments-dev-us-east-2-service',
        'payments-dev-us-east-2-storage',
      ].map((s) => `${s}.template.json`),
    );
    expect(controller.controller.region).toBe('us-east-2');
  });

  it("derives the controller's signals from the workload's alarms and its own probe and heartbeat: every alarm signal is an alarm some stack creates", () => {
    const alarmsOf = (stacks: readonly Stack[]) =>
      new Set(stacks.flatMap((stack) => resourcesOf(stack, 'AWS::CloudWatch::Alarm').map((a) => a.Properties!.AlarmName as string)));
    const byWorkload = alarmsOf(workload.stacks);
    const byController = alarmsOf([controller.controller]);
    const config = protectedPaymentsConfig('dev');
    for (const signal of config.signals.filter((s) => s.kind === 'alarm' || s.kind === 'health-check')) expect(byWorkload).toContain(signal.alarmName);
    for (const signal of config.signals.filter((s) => s.kind === 'probe')) expect(byController).toContain(signal.alarmName);
    for (const region of ['us-east-1', 'us-east-2']) {
      const kinds = new Set(config.signals.filter((s) => s.region === region && s.critical).map((s) => s.kind));
      expect([...kinds].sort()).toEqual(['alarm', 'health-check', 'heartbeat', 'probe']);
    }
    const env = decideEnvironment(controller.controller);
    expect(JSON.stringify(env.DR_CONFIG)).toContain(config.signals[0]!.alarmName);
  });

  it("points the failover steps at the workload's global cluster, records and parameters", () => {
    const clusters = workload.stacks.flatMap((stack) => resourcesOf(stack, 'AWS::RDS::DBCluster').map((c) => c.Properties!.DBClusterIdentifier));
    const globals = workload.stacks.flatMap((stack) => resourcesOf(stack, 'AWS::RDS::GlobalCluster').map((c) => c.Properties!.GlobalClusterIdentifier));
    const params = workload.stacks.flatMap((stack) => resourcesOf(stack, 'AWS::SSM::Parameter').map((p) => p.Properties!.Name as string));
    const env = JSON.stringify(decideEnvironment(controller.controller).DR_RESOURCES);

    expect(globals).toHaveLength(1);
    expect(env).toContain(`\\"globalClusterIdentifier\\":\\"${globals[0]}\\"`);
    for (const id of clusters) expect(env).toContain(`cluster:${id}`);
    expect(params.length).toBeGreaterThan(0);
    expect(params.every((name) => name.startsWith('/payments/dev/'))).toBe(true);
    expect(env).toContain('\\"parameterPrefix\\":\\"/payments/dev\\"');
    expect(env).toContain(`\\"recordName\\":\\"${workload.config.apiRecordName}\\"`);
  });

  it('reads the Route 53 ids generated in us-east-1 through cross-region references, not copies', () => {
    const env = JSON.stringify(decideEnvironment(controller.controller).DR_RESOURCES);
    expect(env).not.toMatch(/Z0REFERENCE|a1b2c3d4-0000/);
    expect(env).toMatch(/Fn::GetAtt|Ref/);
  });

  it('probes each region at its own API’s regional /health URL, read from the service stacks, not an example id', () => {
    const prober = resourcesOf(controller.controller, 'AWS::Lambda::Function').find((r) => r.Properties?.FunctionName === 'payments-dev-prober');
    const env = JSON.stringify((prober!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.DR_RESOURCES);
    expect(env).toContain('probeUrls');
    expect(env).toMatch(/execute-api\.us-east-1\./);
    expect(env).toMatch(/execute-api\.us-east-2\./);
    expect(env).toContain('/prod/health');
    expect(env).not.toContain('refapiuse');
    for (const region of ['us-east-1', 'us-east-2']) expect(controller.controller.dependencies).toContain(workload.services[region]);
  });

  it('judges by the reference policy: two critical signals of two kinds for 30 s, heartbeats missing after 90 s', () => {
    expect(protectedPaymentsConfig('dev').policy).toEqual(expect.objectContaining({ quorum: 2, minKinds: 2, sustainSeconds: 30, heartbeatWindowSeconds: 90 }));
    expect(REFERENCE_POLICY).toEqual(protectedPaymentsConfig('dev').policy);
  });

  it('has no unacknowledged cdk-nag finding and a clean cfn-lint across every stack', () => {
    expect(runCdkNag(app)).toEqual([]);
    expect(runCfnLint(paths)).toEqual([]);
  });
});
