import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { addProtectedPayments, CONTROLLER_REGION_CONTEXT_KEY, protectedPaymentsConfig, referenceOperators } from '../../infra/protected-payments';
import { runCdkNag, runCfnLint, templatePathsOf, testApp } from '../support/template-checks';

// The reference app (us-east-1 active, us-east-2 standby) with its controller in a witness region
// that serves no traffic: what `npx cdk synth -c controllerRegion=us-west-2` builds.
const ACCOUNT = '123456789012';
const WITNESS = 'us-west-2';
const PROTECTED = ['us-east-1', 'us-east-2'];
const app = testApp();
const { workload, controller } = addProtectedPayments(app, 'dev', ACCOUNT, referenceOperators(), WITNESS);
const config = protectedPaymentsConfig('dev');
const template = Template.fromStack(controller.controller);
const forwardingIn = (region: string) => {
  const stack = controller.forwarding.find((s) => s.region === region);
  if (!stack) throw new Error(`no alarm-forwarding stack in ${region}`);
  return Template.fromStack(stack);
};

type Properties = Record<string, unknown>;
const propertiesOf = (t: Template, type: string, props: Properties = {}) =>
  Object.values(t.findResources(type, { Properties: props })).map((resource) => (resource as { Properties: Properties }).Properties);

/** A CloudFormation value with `Fn::Join` and `Ref AWS::Partition` turned into a plain string. */
function plain(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v.Ref === 'AWS::Partition') return 'aws';
  if (v.Ref) return `<${String(v.Ref)}>`;
  const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
  return parts.map(plain).join(separator);
}

const alarmArn = (region: string, name: string) => `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:${name}`;
const signalsOf = (kind: string) => config.signals.filter((signal) => signal.kind === kind);
const resourcesOfRule = (t: Template, name: string) => {
  const [rule] = propertiesOf(t, 'AWS::Events::Rule', { Name: name });
  if (!rule) throw new Error(`no rule ${name}`);
  return ((rule.EventPattern as { resources: unknown[] }).resources ?? []).map(plain).sort();
};

describe('a controller in a witness region (us-west-2 for a us-east-1/us-east-2 workload)', () => {
  it('puts the controller stack in the witness region and an alarm-forwarding stack in every protected region, both after it', () => {
    expect(controller.controller.region).toBe(WITNESS);
    expect(controller.controller.stackName).toBe('payments-dev-controller');
    expect(controller.forwarding.map((stack) => [stack.stackName, stack.region])).toEqual(
      PROTECTED.map((region) => [`payments-dev-alarm-forwarding-${region}`, region]),
    );
    for (const stack of controller.forwarding) expect(stack.dependencies).toContain(controller.controller);
    expect(workload.config.regions).not.toContain(WITNESS);
  });

  it('sends a heartbeat every minute from every protected region to the controller bus in the witness, and none from the witness itself', () => {
    for (const region of PROTECTED) {
      const [rule] = propertiesOf(forwardingIn(region), 'AWS::Events::Rule', { Name: 'payments-dev-heartbeat' });
      expect(rule!.ScheduleExpression).toBe('rate(1 minute)');
      expect((rule!.Targets as { Arn: unknown }[]).map((target) => plain(target.Arn))).toEqual([`arn:aws:events:${WITNESS}:${ACCOUNT}:event-bus/payments-dev-controller`]);
    }
    expect(propertiesOf(template, 'AWS::Events::Rule', { Name: 'payments-dev-heartbeat' })).toEqual([]);
    expect(resourcesOfRule(template, 'payments-dev-heartbeats')).toEqual(PROTECTED.map((region) => `arn:aws:events:${region}:${ACCOUNT}:rule/payments-dev-heartbeat`));
  });

  it('runs the prober and the probe alarms in the witness, and routes those alarms from its default bus', () => {
    expect(propertiesOf(template, 'AWS::Lambda::Function', { FunctionName: 'payments-dev-prober' })).toHaveLength(1);
    for (const signal of signalsOf('probe')) expect(propertiesOf(template, 'AWS::CloudWatch::Alarm', { AlarmName: signal.alarmName })).toHaveLength(1);
    expect(resourcesOfRule(template, 'payments-dev-alarms')).toEqual(signalsOf('probe').map((signal) => alarmArn(WITNESS, signal.alarmName)).sort());
  });

  it('forwards each protected region’s alarms from that region, the health-check alarms from us-east-1 where Route 53 raises them', () => {
    const livesIn = (region: string) =>
      config.signals
        .filter((signal) => (signal.kind === 'alarm' && signal.region === region) || (signal.kind === 'health-check' && region === 'us-east-1'))
        .map((signal) => alarmArn(region, signal.alarmName))
        .sort();
    for (const region of PROTECTED) expect(resourcesOfRule(forwardingIn(region), 'payments-dev-forward-alarms')).toEqual(livesIn(region));
    expect(resourcesOfRule(template, 'payments-dev-forwarded-alarms')).toEqual(PROTECTED.flatMap(livesIn).sort());
  });

  it('re-reads every alarm where it lives: probes in the witness, health checks in us-east-1, the others in their region', () => {
    const [fn] = propertiesOf(template, 'AWS::Lambda::Function', { FunctionName: 'payments-dev-decide' });
    const roleId = (fn!.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    const statements = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } })).flatMap(
      (policy) => (policy as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement,
    );
    const describe = statements.find((statement) => statement.Action === 'cloudwatch:DescribeAlarms')!;
    const where = (kind: string, region: string) => signalsOf(kind).map((signal) => alarmArn(kind === 'alarm' ? signal.region : region, signal.alarmName));
    expect([describe.Resource].flat().map(plain).sort()).toEqual([...where('alarm', ''), ...where('health-check', 'us-east-1'), ...where('probe', WITNESS)].sort());
    // Safe mode reads the app's parameters in the protected regions, not in the witness (it has none).
    const ssm = statements.find((statement) => statement.Action === 'ssm:GetParameters')!;
    expect(new Set([ssm.Resource].flat().map((arn) => plain(arn).split(':')[3]))).toEqual(new Set(PROTECTED));
  });

  it('has no unacknowledged cdk-nag finding and passes cfn-lint in all three regions', () => {
    expect(runCdkNag(app)).toEqual([]);
    expect(runCfnLint(templatePathsOf(app), { regions: [...PROTECTED, WITNESS] })).toEqual([]);
  });

  it('is what infra/app.ts synthesizes with -c controllerRegion=us-west-2, cdk-nag plugin included', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'witness-synth-'));
    try {
      // What `npx cdk synth -c controllerRegion=us-west-2` hands the app (bundling skipped, as in testApp).
      const context = { [CONTROLLER_REGION_CONTEXT_KEY]: WITNESS, 'aws:cdk:bundling-stacks': [] };
      execFileSync('npx', ['tsx', 'infra/app.ts'], {
        cwd: join(__dirname, '..', '..'),
        env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string; environment?: string }> };
      const regionOf = (stack: string) => manifest.artifacts[stack]?.environment?.split('/').pop();
      expect(regionOf('payments-dev-controller')).toBe(WITNESS);
      expect(PROTECTED.map((region) => regionOf(`payments-dev-alarm-forwarding-${region}`))).toEqual(PROTECTED);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 180_000);
});
