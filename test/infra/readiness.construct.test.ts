import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { READINESS_IAM_ACTIONS } from '../../cli/readiness.command';
import type { ControllerConfig } from '../../domain/config';
import { stepPermissions } from '../../handlers/readiness/step-permissions';
import { FAILOVER_STEPS } from '../../handlers/steps/step-registry';
import { DECIDE_BUNDLING, DECIDE_RUNTIME } from '../../infra/controller/dr-controller.construct';
import { FailoverWorkflow } from '../../infra/controller/failover-workflow.construct';
import { ReadinessEvaluation, type ReadinessEvaluationProps } from '../../infra/controller/readiness.construct';
import { testConfig } from '../domain/fixtures';
import { runCdkNag, runCfnLint, templatePathsOf, testApp } from '../support/template-checks';
import { ACCOUNT, RESOURCES, STANDBY } from '../workflow/workflow-fixtures';

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}
type Json = Record<string, unknown>;

const PROJECT_ROOT = `${__dirname}/../..`;
const STATE_MACHINE_ARN = `arn:aws:states:${STANDBY}:${ACCOUNT}:stateMachine:payments-test-failover`;
const config: ControllerConfig = {
  ...testConfig(),
  signals: [...testConfig().signals, { alarmName: 'payments-us-east-2-probe', region: STANDBY, kind: 'probe', critical: true }],
};

/** A test stack with the failover workflow and the readiness evaluation beside it, as DrController will hold them. */
function synth(overrides: Partial<ReadinessEvaluationProps> = {}) {
  const app = testApp();
  const stack = new Stack(app, 'ReadinessTest', { env: { account: ACCOUNT, region: STANDBY } });
  const resources = { ...RESOURCES, stateMachineArn: STATE_MACHINE_ARN };
  const workflow = new FailoverWorkflow(stack, 'Workflow', { stateMachineName: 'payments-test-failover', config, resources });
  const dlq = new sqs.Queue(stack, 'Dlq', { fifo: true, enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
  const queue = new sqs.Queue(stack, 'Queue', { fifo: true, enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED, deadLetterQueue: { queue: dlq, maxReceiveCount: 5 } });
  const table = new dynamodb.Table(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  });
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: RESOURCES.controllerBusName });
  const alarmTopic = new sns.Topic(stack, 'Alarms', { masterKey: new kms.Key(stack, 'TopicKey', { enableKeyRotation: true }), enforceSSL: true });
  const readiness = new ReadinessEvaluation(stack, 'Readiness', {
    prefix: 'payments-test',
    config,
    resources,
    stepFunctions: workflow.functions,
    queue,
    deadLetterQueue: dlq,
    table,
    bus,
    alarmTopic,
    runtime: DECIDE_RUNTIME,
    bundling: DECIDE_BUNDLING,
    projectRoot: PROJECT_ROOT,
    ...overrides,
  });
  return { app, stack, readiness, template: Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties?: Json }> } };
}

const synthesized = synth();
const resourcesOf = (type: string) => Object.entries(synthesized.template.Resources).filter(([, r]) => r.Type === type);
const readinessRoleId = synthesized.stack.getLogicalId(synthesized.readiness.function.role!.node.defaultChild as never);
const statementsOfRole = (roleId: string): Statement[] =>
  resourcesOf('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties?.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);

describe('ReadinessEvaluation', () => {
  it('runs the readiness function on a schedule, every 15 minutes by default', () => {
    const rules = resourcesOf('AWS::Events::Rule');

    expect(rules).toHaveLength(1);
    expect(rules[0]![1].Properties).toMatchObject({ Name: 'payments-test-readiness', ScheduleExpression: 'rate(15 minutes)', State: 'ENABLED' });
    const [, fn] = resourcesOf('AWS::Lambda::Function').find(([, f]) => f.Properties?.FunctionName === 'payments-test-readiness')!;
    expect(fn.Properties).toMatchObject({ Runtime: DECIDE_RUNTIME.name, Architectures: ['arm64'] });
    const variables = (fn.Properties?.Environment as { Variables: Json }).Variables;
    expect(Object.keys(variables)).toEqual(expect.arrayContaining(['DR_CONFIG', 'DR_RESOURCES', 'DR_READINESS']));
  });

  it('takes the interval as a prop and refuses one that is not whole minutes up to a day', () => {
    const { template } = synth({ intervalMinutes: 30 });
    const rule = Object.values(template.Resources).find((r) => r.Type === 'AWS::Events::Rule')!;
    expect(rule.Properties?.ScheduleExpression).toBe('rate(30 minutes)');
    expect(() => synth({ intervalMinutes: 0 })).toThrow(/intervalMinutes must be a whole number of minutes from 1 to 1440/);
  });

  it('has one alarm per region on ReadinessFailed of that target, notifying the topic on ALARM and OK, and one on the function\'s errors', () => {
    const alarms = resourcesOf('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);

    for (const region of config.regions) {
      expect(alarms).toContainEqual(
        expect.objectContaining({
          AlarmName: `payments-test-readiness-${region}`,
          Namespace: 'DrController',
          MetricName: 'ReadinessFailed',
          Dimensions: expect.arrayContaining([{ Name: 'Target', Value: region }, { Name: 'service', Value: 'dr-controller' }]),
          Statistic: 'Maximum',
          Period: 900,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'ignore',
          AlarmActions: [{ Ref: expect.stringMatching(/^Alarms/) }],
          OKActions: [{ Ref: expect.stringMatching(/^Alarms/) }],
        }),
      );
    }
    expect(alarms.map((a) => a.AlarmName)).toContain('payments-test-readiness-errors');
  });

  it('may only read, each read on the resources it names, but GetMetricData (no resource-level permissions)', () => {
    const statements = statementsOfRole(readinessRoleId);
    const actions = statements.flatMap((s) => [s.Action].flat());

    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    // The same evaluation `drctl readiness` runs with the caller's credentials, plus publishing its results.
    expect(new Set(actions.filter((a) => !a.startsWith('logs:')))).toEqual(new Set([...READINESS_IAM_ACTIONS, 'events:PutEvents']));
    const wildcards = statements.filter((s) => [s.Resource].flat().includes('*')).flatMap((s) => [s.Action].flat());
    expect(wildcards).toEqual(['cloudwatch:GetMetricData']);
    const simulate = statements.find((s) => s.Action === 'iam:SimulatePrincipalPolicy')!;
    expect([simulate.Resource].flat()).toHaveLength(FAILOVER_STEPS.length);
  });

  it('simulates exactly the actions the failover workflow grants each step (the two cannot drift apart)', () => {
    const functions = resourcesOf('AWS::Lambda::Function').filter(([, f]) => (f.Properties?.Environment as { Variables?: Json } | undefined)?.Variables?.DR_STEP);
    const granted: Record<string, string[]> = {};
    for (const [, fn] of functions) {
      const step = (fn.Properties?.Environment as { Variables: Json }).Variables.DR_STEP as string;
      const roleId = (fn.Properties?.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
      granted[step] = [...new Set(statementsOfRole(roleId).flatMap((s) => [s.Action].flat()).filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:')))].sort();
    }
    const simulated: Record<string, string[]> = {};
    for (const p of stepPermissions(config, { ...RESOURCES, stateMachineArn: STATE_MACHINE_ARN }, 'aws', ACCOUNT)) simulated[p.step] = [...new Set([...(simulated[p.step] ?? []), ...p.actions])].sort();

    expect(simulated).toEqual(granted);
  });

  it('is clean under cdk-nag (AwsSolutions) and cfn-lint', () => {
    const { app } = synth();

    expect(runCdkNag(app)).toEqual([]);
    expect(runCfnLint(templatePathsOf(app), { regions: [STANDBY] })).toEqual([]);
  });

  it('refuses a resources object without the state machine, naming the fix', () => {
    expect(() => synth({ resources: RESOURCES })).toThrow(/resources.stateMachineArn must be set/);
  });
});
