import * as path from 'node:path';
import { build } from 'esbuild';
import { FAILOVER_STEPS, FUNCTION_TIMEOUT_MARGIN_SECONDS, STEP_REGISTRY, type FailoverStep } from '../../handlers/steps/step-registry';
import { LAMBDA_SERVICE_RETRIES, WORKFLOW_DEFAULTS, workflowBudget } from '../../infra/controller/failover-workflow.construct';
import { runCdkNag, runCfnLint, templatePathsOf } from '../support/template-checks';
import { workflowFromTemplate, type TemplateJson } from '../support/asl';
import { RESOURCES, synthWorkflow } from './workflow-fixtures';

type Resource = TemplateJson['Resources'][string];
interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

const synthesized = synthWorkflow();
const { template } = synthesized;
const resources = Object.entries(template.Resources);
const ofType = (type: string): [string, Resource][] => resources.filter(([, r]) => r.Type === type);

/** The step a function runs, from its DR_STEP environment variable. */
function stepOf(fn: Resource): FailoverStep {
  return (fn.Properties?.Environment as { Variables: Record<string, string> }).Variables.DR_STEP as FailoverStep;
}

/** Actions each step's role may perform, besides writing its own logs. */
function actionsByStep(): Record<string, string[]> {
  const roleOfStep = new Map(ofType('AWS::Lambda::Function').map(([, fn]) => [(fn.Properties?.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0], stepOf(fn)]));
  const byStep: Record<string, string[]> = {};
  for (const [, policy] of ofType('AWS::IAM::Policy')) {
    const role = (policy.Properties?.Roles as { Ref: string }[])[0]?.Ref ?? '';
    const step = roleOfStep.get(role);
    if (!step) continue;
    const statements = (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement;
    byStep[step] = statements.flatMap((s) => [s.Action].flat()).filter((a) => !a.startsWith('logs:')).sort();
  }
  return byStep;
}

describe('FailoverWorkflow', () => {
  it('is a Standard, traced, fully logged state machine with the given name and a run timeout', () => {
    const [[, machine]] = ofType('AWS::StepFunctions::StateMachine') as [[string, Resource]];

    expect(machine.Properties).toMatchObject({
      StateMachineName: 'payments-test-failover',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
    expect(workflowFromTemplate(template).definition.TimeoutSeconds).toBe(3600);
  });

  it('gives every Task the timeout and retries of its step registry row, and a catch', () => {
    const { definition, taskSteps } = workflowFromTemplate(template);
    const taskStates = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');

    expect(taskStates).toHaveLength(FAILOVER_STEPS.length);
    for (const [name, state] of taskStates) {
      const spec = STEP_REGISTRY[taskSteps[name] as FailoverStep];
      const { transientRetries, timeoutRetries, intervalSeconds } = spec.retry;
      expect({ name, state }).toEqual({
        name: spec.stateName,
        state: expect.objectContaining({
          TimeoutSeconds: spec.taskTimeoutSeconds,
          Retry: [
            ...(transientRetries > 0
              ? [{ ErrorEquals: ['TransientAdapterError'], IntervalSeconds: intervalSeconds, BackoffRate: 2, MaxAttempts: transientRetries, MaxDelaySeconds: 20, JitterStrategy: 'FULL' }]
              : []),
            ...(timeoutRetries > 0 ? [{ ErrorEquals: ['States.Timeout', 'Lambda.Unknown'], IntervalSeconds: intervalSeconds, MaxAttempts: timeoutRetries }] : []),
            expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Lambda.ServiceException']), MaxAttempts: LAMBDA_SERVICE_RETRIES }),
          ],
          Catch: expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['States.ALL'] })]),
        }),
      });
    }
  });

  it('counts every Task\'s timeout × attempts, the retry waits and the polls within the run timeout', () => {
    const budget = workflowBudget(WORKFLOW_DEFAULTS);

    expect(budget.timeoutSeconds).toBe(workflowFromTemplate(template).definition.TimeoutSeconds);
    expect(budget.worstCaseSeconds).toBeLessThanOrEqual(budget.timeoutSeconds);
    expect(budget.items.map((i) => i.name.split(':')[0])).toEqual([...FAILOVER_STEPS]);
    expect(budget.worstCaseSeconds).toBe(budget.items.reduce((sum, i) => sum + i.seconds, 0));
  });

  it('runs each step in its own Node.js 24 arm64 function with DR_CONFIG, DR_RESOURCES and DR_STEP', () => {
    const functions = ofType('AWS::Lambda::Function').map(([, fn]) => fn);

    expect(functions.map(stepOf).sort()).toEqual([...FAILOVER_STEPS].sort());
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Timeout: STEP_REGISTRY[stepOf(fn)].taskTimeoutSeconds + FUNCTION_TIMEOUT_MARGIN_SECONDS,
        Environment: { Variables: { DR_CONFIG: expect.any(String), DR_RESOURCES: JSON.stringify(RESOURCES), DR_STEP: stepOf(fn) } },
      });
    }
  });

  it('grants each step only the calls its adapters make', () => {
    expect(actionsByStep()).toEqual({
      preflight: ['cloudwatch:GetMetricData', 'rds:DescribeDBClusters', 'rds:DescribeGlobalClusters', 'route53:GetHealthCheckStatus'],
      'fence-old-region': ['ssm:GetParameters', 'ssm:PutParameter'],
      'promote-database': ['rds:DescribeDBClusters', 'rds:DescribeGlobalClusters', 'rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster'],
      'check-writer': ['rds:DescribeDBClusters', 'rds:DescribeGlobalClusters'],
      'shift-traffic': ['route53:ChangeResourceRecordSets', 'route53:GetChange', 'route53:ListResourceRecordSets'],
      'update-config': ['ssm:GetParameters', 'ssm:PutParameter'],
      'verify-recovery': ['dynamodb:GetItem', 'route53:GetHealthCheckStatus'],
      announce: ['events:PutEvents'],
      'report-halt': ['events:PutEvents'],
    });
  });

  it('passes cdk-nag AwsSolutions with every wildcard acknowledged for a reason', () => {
    expect(runCdkNag(synthesized.app)).toEqual([]);
  });

  it('passes cfn-lint', () => {
    expect(runCfnLint(templatePathsOf(synthesized.app), { regions: ['us-east-2'] })).toEqual([]);
  });

  it.each([
    [{ maxPolls: 0 }, 'maxPolls must be a whole number from 1'],
    [{ pollIntervalSeconds: 2.5 }, 'pollIntervalSeconds must be a whole number from 1'],
    [{ timeoutMinutes: 30 }, /timeoutMinutes \(30\) is shorter than the run's worst case of \d+ s \(every task's timeout × attempts, retry waits and polls; largest: check-writer: 30 polls .*\); raise timeoutMinutes, or lower maxPolls/],
    [{ maxVerifyPolls: 100 }, /largest: verify-recovery: 100 checks/],
    [{ resources: { ...RESOURCES, traffic: { ...RESOURCES.traffic, healthCheckIds: { 'us-east-1': 'hc-use1' } } } }, 'DR_RESOURCES.traffic.healthCheckIds: no entry for us-east-2'],
  ])('refuses %j at synth with a message that says what to change', (props, message) => {
    expect(() => synthWorkflow(props)).toThrow(message);
  });
});

describe('step bundles', () => {
  async function bundledPackages(step: FailoverStep): Promise<string[]> {
    const result = await build({
      entryPoints: [path.join(__dirname, '..', '..', 'handlers', 'steps', `${step}.handler.ts`)],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      mainFields: ['module', 'main'],
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    // Files that contribute bytes to the output: the import graph after tree shaking.
    const included = Object.values(result.metafile.outputs).flatMap((output) =>
      Object.entries(output.inputs).filter(([, use]) => use.bytesInOutput > 0).map(([input]) => input),
    );
    return [...new Set(included.map((input) => /node_modules\/(@aws-sdk\/client-[a-z0-9-]+)\//.exec(input)?.[1]).filter((p): p is string => p !== undefined))].sort();
  }

  it.each([
    ['preflight', ['@aws-sdk/client-cloudwatch', '@aws-sdk/client-rds', '@aws-sdk/client-route-53']],
    ['fence-old-region', ['@aws-sdk/client-ssm']],
    ['verify-recovery', ['@aws-sdk/client-dynamodb', '@aws-sdk/client-route-53']],
    ['announce', ['@aws-sdk/client-eventbridge']],
  ] as const)('bundles only the SDK clients %s needs', async (step, clients) => {
    await expect(bundledPackages(step)).resolves.toEqual(clients);
  });
});
