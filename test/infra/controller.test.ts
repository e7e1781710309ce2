import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../edge/config.schema';
import { parseResources } from '../../edge/resources.schema';
import { controllerStacks } from '../../infra/controller/controller-stacks';
import { referenceSettings } from '../../infra/controller/reference-settings';
import { runCdkNag, runCfnLint, templatePathsOf, testApp } from '../support/template-checks';

// One synth for the whole file: the reference payments app in `dev`, controller in us-east-2.
const ACCOUNT = '123456789012';
const app = testApp();
const settings = referenceSettings('dev', ACCOUNT);
const stacks = controllerStacks(app, settings);
const controller = Template.fromStack(stacks.controller);
const forwarding = stacks.forwarding.map((stack) => ({ stack, template: Template.fromStack(stack) }));
const QUEUE = 'payments-dev-controller.fifo';
const STATE_MACHINE_ARN = `arn:aws:states:us-east-2:${ACCOUNT}:stateMachine:payments-dev-failover`;
const ALARM_NAMES = settings.config.signals.map((signal) => signal.alarmName).sort();

/**
 * A CloudFormation value with `Fn::Join`, `Ref AWS::Partition` and `Fn::GetAtt` turned into a plain
 * string; `refs` gives what other `Ref`s resolve to (default `<LogicalId>`).
 */
function plain(value: unknown, refs: Record<string, string> = {}): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v.Ref === 'AWS::Partition') return 'aws';
  if (v['Fn::GetAtt']) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  if (v.Ref) return refs[String(v.Ref)] ?? `<${String(v.Ref)}>`;
  const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
  return parts.map((part) => plain(part, refs)).join(separator);
}

/** `template` has a `type` resource with these properties (the assertion's diff shows the closest ones). */
function expectResource(template: Template, type: string, props: Record<string, unknown>): void {
  template.hasResourceProperties(type, props);
}

function logicalIdOf(template: Template, type: string, props: Record<string, unknown>): string {
  const found = Object.keys(template.findResources(type, { Properties: Match.objectLike(props) }));
  expect(found).toHaveLength(1);
  return found[0]!;
}

function ruleNamed(name: string): Record<string, unknown> {
  const rules = controller.findResources('AWS::Events::Rule', { Properties: { Name: name } });
  const [rule] = Object.values(rules);
  expect(rule).toBeDefined();
  return (rule as { Properties: Record<string, unknown> }).Properties;
}

function policyStatementsOf(template: Template, roleLogicalId: string): unknown[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleLogicalId }] } });
  return Object.values(policies).flatMap((policy) => (policy as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument.Statement);
}

describe('ControllerStack', () => {
  const queueId = logicalIdOf(controller, 'AWS::SQS::Queue', { QueueName: QUEUE });
  const eventDlqId = logicalIdOf(controller, 'AWS::SQS::Queue', { QueueName: 'payments-dev-controller-undelivered' });
  const busId = logicalIdOf(controller, 'AWS::Events::EventBus', { Name: 'payments-dev-controller' });
  const tableId = logicalIdOf(controller, 'AWS::DynamoDB::Table', { TableName: 'payments-dev-controller-state' });
  const operatorRoleId = logicalIdOf(controller, 'AWS::IAM::Role', { RoleName: 'payments-dev-operator' });
  const queueTarget = {
    Arn: { 'Fn::GetAtt': [queueId, 'Arn'] },
    SqsParameters: { MessageGroupId: 'payments' },
    DeadLetterConfig: { Arn: { 'Fn::GetAtt': [eventDlqId, 'Arn'] } },
  };

  it('is deployed to the standby region us-east-2 under a deterministic name', () => {
    expect(stacks.controller.region).toBe('us-east-2');
    expect(stacks.controller.stackName).toBe('payments-dev-controller');
  });

  it('creates the failover state machine under the name the rules and the decide Lambda use', () => {
    expectResource(controller, 'AWS::StepFunctions::StateMachine', { StateMachineName: 'payments-dev-failover' });
  });

  it('denies dr.operator events on the controller bus to every principal but the operator role', () => {
    expectResource(controller, 'AWS::Events::EventBusPolicy', {
      EventBusName: { Ref: busId },
      Statement: {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [busId, 'Arn'] },
        Condition: {
          StringEquals: { 'events:source': 'dr.operator' },
          ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [operatorRoleId, 'Arn'] } },
        },
      },
    });
  });

  it('routes the controller region’s alarms from the default bus to the FIFO queue', () => {
    const rule = ruleNamed('payments-dev-alarms');
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.EventPattern).toEqual({ source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { alarmName: ALARM_NAMES } });
    expect(rule.Targets).toEqual([expect.objectContaining(queueTarget)]);
  });

  it('routes alarms forwarded from other regions from the controller bus to the FIFO queue', () => {
    const rule = ruleNamed('payments-dev-forwarded-alarms');
    expect(rule.EventBusName).toEqual({ Ref: busId });
    expect(rule.EventPattern).toEqual(ruleNamed('payments-dev-alarms').EventPattern);
    expect(rule.Targets).toEqual([expect.objectContaining(queueTarget)]);
  });

  it('routes operator overrides from the controller bus to the FIFO queue', () => {
    const rule = ruleNamed('payments-dev-overrides');
    expect(rule.EventBusName).toEqual({ Ref: busId });
    expect(rule.EventPattern).toEqual({ source: ['dr.operator'], 'detail-type': ['DR Override'] });
    expect(rule.Targets).toEqual([expect.objectContaining(queueTarget)]);
  });

  it('ticks every minute on the default bus, where scheduled rules run', () => {
    const rule = ruleNamed('payments-dev-tick');
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.ScheduleExpression).toBe('rate(1 minute)');
    expect(rule.Targets).toEqual([expect.objectContaining(queueTarget)]);
  });

  it('routes only this state machine’s ended executions from the default bus to the FIFO queue', () => {
    const rule = ruleNamed('payments-dev-workflow-ended');
    const pattern = rule.EventPattern as { source: string[]; 'detail-type': string[]; detail: { stateMachineArn: unknown[]; status: string[] } };
    expect(rule.EventBusName).toBeUndefined();
    expect(pattern.source).toEqual(['aws.states']);
    expect(pattern['detail-type']).toEqual(['Step Functions Execution Status Change']);
    expect(pattern.detail.stateMachineArn.map((value) => plain(value))).toEqual([STATE_MACHINE_ARN]);
    expect(pattern.detail.status).toEqual(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
    expect(rule.Targets).toEqual([expect.objectContaining(queueTarget)]);
  });

  it('lets each rule, and only the rules, send to the FIFO queue and the undelivered-events queue', () => {
    const ruleIds = Object.keys(controller.findResources('AWS::Events::Rule')).sort();
    const sendersTo = (queue: string) =>
      Object.values(controller.findResources('AWS::SQS::QueuePolicy', { Properties: { Queues: [{ Ref: queue }] } }))
        .flatMap((policy) => (policy as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties.PolicyDocument.Statement)
        .filter((statement) => statement.Effect === 'Allow')
        .map((statement) => {
          expect(statement.Principal).toEqual({ Service: 'events.amazonaws.com' });
          return ((statement.Condition as { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': string[] } } }).ArnEquals['aws:SourceArn']['Fn::GetAtt'][0]);
        })
        .sort();
    expect(ruleIds).toHaveLength(5);
    expect(sendersTo(queueId)).toEqual(ruleIds);
    expect(sendersTo(eventDlqId)).toEqual(ruleIds);
  });

  it('makes the controller queue FIFO with content-based deduplication, a FIFO dead-letter queue after 5 receives, and TLS only', () => {
    const dlqId = logicalIdOf(controller, 'AWS::SQS::Queue', { QueueName: 'payments-dev-controller-dlq.fifo' });
    expectResource(controller, 'AWS::SQS::Queue', {
      QueueName: QUEUE,
      FifoQueue: true,
      ContentBasedDeduplication: true,
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 180,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
    });
    expectResource(controller, 'AWS::SQS::Queue', { QueueName: 'payments-dev-controller-dlq.fifo', FifoQueue: true, MessageRetentionPeriod: 1209600 });
    expectResource(controller, 'AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('keeps undeliverable events in a standard queue, since EventBridge target dead-letter queues cannot be FIFO', () => {
    const queue = controller.findResources('AWS::SQS::Queue', { Properties: { QueueName: 'payments-dev-controller-undelivered' } });
    expect(Object.values(queue)[0]).toEqual(expect.objectContaining({ Properties: expect.not.objectContaining({ FifoQueue: true }) }));
  });

  it.each([
    ['payments-dev-controller-dlq-not-empty', 'payments-dev-controller-dlq.fifo'],
    ['payments-dev-controller-undelivered-not-empty', 'payments-dev-controller-undelivered'],
  ])('raises %s as soon as one message is visible in %s', (alarmName, queueName) => {
    expectResource(controller, 'AWS::CloudWatch::Alarm', {
      AlarmName: alarmName,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(controller, 'AWS::SQS::Queue', { QueueName: queueName }), 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('keeps state in an on-demand table with PITR, AWS managed KMS encryption, TTL on expiresAt and the adapter’s keys, retained on delete', () => {
    expect(controller.findResources('AWS::DynamoDB::Table')[tableId]).toEqual({
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        TableName: 'payments-dev-controller-state',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        // SSEEnabled without a key: KMS encryption with the AWS managed key aws/dynamodb.
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
    });
  });

  describe('decide Lambda', () => {
    const fnId = logicalIdOf(controller, 'AWS::Lambda::Function', { FunctionName: 'payments-dev-decide' });
    const fn = controller.findResources('AWS::Lambda::Function')[fnId] as { Properties: Record<string, unknown> };
    const environment = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;

    it('runs on the newest Node.js runtime, one at a time', () => {
      expect(fn.Properties).toEqual(expect.objectContaining({ Runtime: 'nodejs24.x', Handler: 'index.handler', ReservedConcurrentExecutions: 1, Timeout: 30 }));
    });

    it('drains the FIFO queue in batches of 10 and reports failed items', () => {
      expectResource(controller, 'AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: fnId },
        EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    });

    it('gets a DR_CONFIG that parseConfig accepts as the reference config', () => {
      const parsed = parseConfig(JSON.parse(plain(environment.DR_CONFIG)));
      expect(parsed).toEqual({ ok: true, config: settings.config });
    });

    it('gets a DR_RESOURCES that parseResources accepts, naming the state machine and the dead-letter queue', () => {
      const dlqId = logicalIdOf(controller, 'AWS::SQS::Queue', { QueueName: 'payments-dev-controller-dlq.fifo' });
      // Ref of a queue is its URL.
      const dlqUrl = `https://sqs.us-east-2.amazonaws.com/${ACCOUNT}/payments-dev-controller-dlq.fifo`;
      const parsed = parseResources(plain(environment.DR_RESOURCES, { [dlqId]: dlqUrl }));
      expect(parsed).toEqual({ ok: true, resources: { ...settings.resources, stateMachineArn: STATE_MACHINE_ARN, deadLetterQueueUrl: dlqUrl } });
    });

    it('gets the Powertools service name, the DrController metrics namespace and source-mapped stack traces', () => {
      expect(environment).toEqual(
        expect.objectContaining({ POWERTOOLS_SERVICE_NAME: 'dr-controller', POWERTOOLS_METRICS_NAMESPACE: 'DrController', NODE_OPTIONS: '--enable-source-maps' }),
      );
    });


    it('may only use the state table, the controller bus, its queues, its log group and this state machine’s executions', () => {
      const dlqId = logicalIdOf(controller, 'AWS::SQS::Queue', { QueueName: 'payments-dev-controller-dlq.fifo' });
      const logGroupId = logicalIdOf(controller, 'AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/payments-dev-decide' });
      const statements = policyStatementsOf(controller, roleId).map((s) => {
        const { Action, Resource } = s as { Action: string | string[]; Resource: unknown };
        return { actions: [Action].flat().sort(), resources: [Resource].flat().map((value) => plain(value)) };
      });
      expect(statements).toEqual(
        expect.arrayContaining([
          { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`<${logGroupId}.Arn>`] },
          { actions: ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'], resources: [`<${tableId}.Arn>`] },
          { actions: ['events:PutEvents'], resources: [`<${busId}.Arn>`] },
          { actions: ['states:StartExecution'], resources: [STATE_MACHINE_ARN] },
          { actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [`arn:aws:states:us-east-2:${ACCOUNT}:execution:payments-dev-failover:*`] },
          {
            actions: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
            resources: [`<${queueId}.Arn>`],
          },
          { actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], resources: [`<${dlqId}.Arn>`] },
        ]),
      );
      expect(statements).toHaveLength(7);
      const role = controller.findResources('AWS::IAM::Role')[roleId] as { Properties: Record<string, unknown> };
      expect(role.Properties.AssumeRolePolicyDocument).toEqual(
        expect.objectContaining({ Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }] }),
      );
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    });
  });

  it('gives operators a role the account can assume to publish overrides, read state and read the app’s parameters', () => {
    const role = controller.findResources('AWS::IAM::Role')[operatorRoleId] as {
      Properties: { AssumeRolePolicyDocument: { Statement: { Action: string; Principal: { AWS: unknown } }[] } };
    };
    expect(role.Properties.AssumeRolePolicyDocument.Statement.map((s) => [s.Action, plain(s.Principal.AWS)])).toEqual([
      ['sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:root`],
    ]);
    const statements = policyStatementsOf(controller, operatorRoleId).map((s) => {
      const { Action, Resource } = s as { Action: string | string[]; Resource: unknown };
      return { actions: [Action].flat().sort(), resources: [Resource].flat().map((value) => plain(value)) };
    });
    expect(statements).toEqual([
      { actions: ['events:PutEvents'], resources: [`<${busId}.Arn>`] },
      { actions: ['dynamodb:GetItem', 'dynamodb:Query'], resources: [`<${tableId}.Arn>`] },
      {
        actions: ['ssm:GetParameter'],
        resources: ['us-east-1', 'us-east-2'].flatMap((region) =>
          ['active-region', 'fenced'].map((leaf) => `arn:aws:ssm:${region}:${ACCOUNT}:parameter/payments/dev/${leaf}`),
        ),
      },
    ]);
  });
});

describe('AlarmForwardingStack', () => {
  it('exists only in the monitored regions other than the controller region, after the controller stack', () => {
    expect(forwarding.map(({ stack }) => [stack.stackName, stack.region])).toEqual([['payments-dev-alarm-forwarding-us-east-1', 'us-east-1']]);
    expect(forwarding.every(({ stack }) => stack.dependencies.includes(stacks.controller))).toBe(true);
  });

  it('forwards the configured alarms from the region’s default bus to the controller bus in us-east-2, with a role and a standard dead-letter queue', () => {
    const { template } = forwarding[0]!;
    const dlqId = logicalIdOf(template, 'AWS::SQS::Queue', { QueueName: 'payments-dev-alarm-forwarding-undelivered' });
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as { Properties: Record<string, unknown> }[];
    expect(rules).toHaveLength(1);
    const [{ Properties: rule }] = rules as [{ Properties: Record<string, unknown> }];
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.EventPattern).toEqual({ source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { alarmName: ALARM_NAMES } });
    const [target] = rule.Targets as [{ Arn: unknown; RoleArn: { 'Fn::GetAtt': string[] }; DeadLetterConfig: unknown }];
    expect(plain(target.Arn)).toBe(`arn:aws:events:us-east-2:${ACCOUNT}:event-bus/payments-dev-controller`);
    expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
    const statements = policyStatementsOf(template, target.RoleArn['Fn::GetAtt'][0]!).map((s) => {
      const { Action, Resource } = s as { Action: string; Resource: unknown };
      return { action: Action, resource: plain(Resource) };
    });
    expect(statements).toEqual([{ action: 'events:PutEvents', resource: `arn:aws:events:us-east-2:${ACCOUNT}:event-bus/payments-dev-controller` }]);
  });

  it('raises an alarm as soon as an alarm event could not be forwarded', () => {
    const { template } = forwarding[0]!;
    expectResource(template, 'AWS::CloudWatch::Alarm', {
      AlarmName: 'payments-dev-alarm-forwarding-undelivered-not-empty',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});

describe('controller templates', () => {
  it('have no unacknowledged cdk-nag AwsSolutions findings', () => {
    expect(runCdkNag(app)).toEqual([]);
  });

  it('pass cfn-lint in the regions they deploy to', () => {
    expect(runCfnLint(templatePathsOf(app), { regions: ['us-east-1', 'us-east-2'] })).toEqual([]);
  });
});
