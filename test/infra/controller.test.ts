import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../edge/config.schema';
import { parseResources } from '../../edge/resources.schema';
import { READINESS_IAM_ACTIONS } from '../../cli/readiness.command';
import { FAILOVER_STEPS } from '../../handlers/steps/step-registry';
import { controllerStacks } from '../../infra/controller/controller-stacks';
import { referenceSettings } from '../../infra/protected-payments';
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
/** Every configured signal that is a CloudWatch alarm (heartbeats are not). */
const ALARM_NAMES = settings.config.signals
  .filter((signal) => signal.kind !== 'heartbeat')
  .map((signal) => signal.alarmName)
  .sort();
const REGIONS = ['us-east-1', 'us-east-2'];
/** Where each alarm lives: health checks in us-east-1, probes in the controller region, the rest in the region they judge. */
const DESCRIBED_ALARM_ARNS = settings.config.signals
  .filter((signal) => signal.kind !== 'heartbeat')
  .map((signal) => {
    const region = signal.kind === 'health-check' ? 'us-east-1' : signal.kind === 'probe' ? 'us-east-2' : signal.region;
    return `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:${signal.alarmName}`;
  });
/** The alarm ARNs living in `region`, sorted: what a rule on that region's default bus must match. */
const alarmArnsLivingIn = (region: string) => [...new Set(DESCRIBED_ALARM_ARNS.filter((arn) => arn.split(':')[3] === region))].sort();
/** The alarm state-change pattern of these ARNs, as the template holds it once flattened. */
function flattenedAlarmPattern(pattern: unknown): unknown {
  const { resources, ...rest } = pattern as { resources?: unknown[] };
  return { ...rest, ...(resources ? { resources: resources.map((arn) => plain(arn)) } : {}) };
}

/**
 * A CloudFormation value with `Fn::Join`, `Ref AWS::Partition` and `Fn::GetAtt` turned into a plain
 * string; `refs` gives what other `Ref`s resolve to (default `<LogicalId>`).
 */
function plain(value: unknown, refs: Record<string, string> = {}): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v.Ref === 'AWS::Partition') return 'aws';
  if (v.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
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

function alarmNamed(name: string): Record<string, unknown> {
  const [alarm] = Object.values(controller.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: name } }));
  expect(alarm).toBeDefined();
  return (alarm as { Properties: Record<string, unknown> }).Properties;
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

/** A request as IAM sees it: the condition keys present in its context (absent keys are undefined). */
type RequestContext = Readonly<Record<string, string | undefined>>;

/**
 * Whether a Deny statement's Condition holds for `context`, by IAM's documented semantics for the
 * operators the controller's policies use: operators and keys are ANDed; the values of one key are
 * ORed (NORed for a negated operator); a key absent from the request fails a positive test and
 * passes a negated one. Values are compared once flattened by `plain` (`<LogicalId.Arn>` for a GetAtt).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
function conditionHolds(condition: Record<string, Record<string, unknown>>, context: RequestContext): boolean {
  return Object.entries(condition).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const values = [expected].flat().map((value) => plain(value));
      const actual = context[key];
      switch (operator) {
        case 'StringEquals':
        case 'ArnEquals':
          return actual !== undefined && values.includes(actual);
        case 'StringNotEquals':
        case 'ArnNotEquals':
          return actual === undefined || !values.includes(actual);
        default:
          throw new Error(`condition operator ${operator} is not modelled here; model it from the IAM documentation before relying on it`);
      }
    }),
  );
}

/** The Deny statements of the resource policies (`type`) of `resourceId` for `action`. */
function denyStatements(type: string, property: string, resourceRef: unknown, action: string): { Principal: unknown; Resource: unknown; Condition: Record<string, Record<string, unknown>> }[] {
  return Object.values(controller.findResources(type))
    .map((policy) => (policy as { Properties: Record<string, unknown> }).Properties)
    .filter((properties) => JSON.stringify(properties[property]).includes(JSON.stringify(resourceRef)))
    .flatMap((properties) => [(properties.PolicyDocument as { Statement: unknown[] } | undefined)?.Statement ?? properties.Statement].flat())
    .filter((statement) => {
      const st = statement as { Effect: string; Action: string | string[] };
      return st.Effect === 'Deny' && [st.Action].flat().includes(action);
    }) as { Principal: unknown; Resource: unknown; Condition: Record<string, Record<string, unknown>> }[];
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

  // EventBridge authorizes every entry of a PutEvents batch on its own, with that entry's source as
  // events:source, and fails only the denied entries (NotAuthorizedForSourceException in their result
  // entry): https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsResultEntry.html,
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html. So a batch is
  // judged entry by entry below, exactly as EventBridge judges it.
  it('denies an override hidden in a batched PutEvents to anyone but the operator role, entry by entry, and lets the other entries through', () => {
    const [deny, ...more] = denyStatements('AWS::Events::EventBusPolicy', 'EventBusName', { Ref: busId }, 'events:PutEvents');
    expect(more).toEqual([]);
    expect(deny!.Principal).toEqual({ AWS: '*' });
    // events:source is single-valued: a plain StringEquals, no ForAnyValue/ForAllValues qualifier and no IfExists.
    expect(Object.keys(deny!.Condition).sort()).toEqual(['ArnNotEquals', 'StringEquals']);
    const batch = [
      { source: 'app.orders', detailType: 'Order Placed' },
      { source: 'dr.operator', detailType: 'DR Override' },
      { source: 'dr.controller', detailType: 'DR Decision' },
    ];
    const deniedEntries = (principalArn: string) =>
      batch.filter((entry) => conditionHolds(deny!.Condition, { 'events:source': entry.source, 'aws:PrincipalArn': principalArn })).map((entry) => entry.source);
    expect(deniedEntries(`arn:aws:iam::${ACCOUNT}:role/payments-dev-decide`)).toEqual(['dr.operator']);
    expect(deniedEntries(`arn:aws:iam::${ACCOUNT}:user/mallory`)).toEqual(['dr.operator']);
    expect(deniedEntries(`<${operatorRoleId}.Arn>`)).toEqual([]);
    // The Deny names exactly the source the override rule routes: no other spelling reaches the queue.
    expect((deny!.Condition.StringEquals as Record<string, unknown>)['events:source']).toBe((ruleNamed('payments-dev-overrides').EventPattern as { source: string[] }).source[0]);
  });

  it('denies SendMessage on the FIFO queue to every principal except the rules that target it and the wake-up pipe’s role', () => {
    const [pipe] = Object.values(controller.findResources('AWS::Pipes::Pipe')) as { Properties: { RoleArn: { 'Fn::GetAtt': string[] } } }[];
    const pipeRoleId = pipe!.Properties.RoleArn['Fn::GetAtt'][0]!;
    const ruleIds = Object.entries(controller.findResources('AWS::Events::Rule'))
      .filter(([, rule]) => JSON.stringify((rule as { Properties: { Targets?: unknown } }).Properties.Targets ?? []).includes(`"${queueId}"`))
      .map(([id]) => id)
      .sort();
    expect(ruleIds).toHaveLength(7);
    const [deny, ...more] = denyStatements('AWS::SQS::QueuePolicy', 'Queues', { Ref: queueId }, 'sqs:SendMessage');
    expect(more).toEqual([]);
    expect(deny!.Principal).toEqual({ AWS: '*' });
    expect(deny!.Resource).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
    const { ArnNotEquals, ...others } = deny!.Condition;
    expect(others).toEqual({});
    expect([ArnNotEquals!['aws:SourceArn']].flat().map((arn) => plain(arn)).sort()).toEqual(ruleIds.map((id) => `<${id}.Arn>`));
    expect(plain(ArnNotEquals!['aws:PrincipalArn'])).toBe(`<${pipeRoleId}.Arn>`);

    const denied = (context: RequestContext) => conditionHolds(deny!.Condition, context);
    // Every rule that targets the queue delivers as events.amazonaws.com with its own ARN as aws:SourceArn.
    for (const id of ruleIds) expect(denied({ 'aws:SourceArn': `<${id}.Arn>` })).toBe(false);
    // The pipe sends with its execution role's credentials: aws:PrincipalArn is the role, no source ARN.
    expect(denied({ 'aws:PrincipalArn': `<${pipeRoleId}.Arn>` })).toBe(false);
    // A forged override or Step Functions SUCCEEDED sent straight to the queue, even by an admin: denied.
    expect(denied({ 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/Admin` })).toBe(true);
    expect(denied({ 'aws:PrincipalArn': `<${operatorRoleId}.Arn>` })).toBe(true);
    // Another rule (this account's or another's) targeting the queue: denied.
    expect(denied({ 'aws:SourceArn': `arn:aws:events:us-east-2:${ACCOUNT}:rule/forged-alarms` })).toBe(true);
    expect(denied({ 'aws:SourceArn': 'arn:aws:events:us-east-2:210987654321:rule/payments-dev-alarms' })).toBe(true);    // So a redrive of the dead-letter queue into it is denied too, and its alarm says what to do instead.
    expectResource(controller, 'AWS::CloudWatch::Alarm', {
      AlarmName: 'payments-dev-controller-dlq-not-empty',
      AlarmDescription: Match.stringLikeRegexp('a redrive into the controller queue is denied by its policy; re-send overrides with drctl'),
    });
  });

  it('routes the alarms living in the controller region (its own signals’ and the probes’) from the default bus to the FIFO queue, matched by alarm ARN', () => {
    const rule = ruleNamed('payments-dev-alarms');
    expect(rule.EventBusName).toBeUndefined();
    expect(flattenedAlarmPattern(rule.EventPattern)).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      resources: alarmArnsLivingIn('us-east-2'),
    });
    expect(alarmArnsLivingIn('us-east-2')).toEqual(expect.arrayContaining(REGIONS.map((region) => `arn:aws:cloudwatch:us-east-2:${ACCOUNT}:alarm:payments-dev-${region}-probe`)));
    expect(rule.Targets).toEqual([expect.objectContaining(queueTarget)]);
  });

  it('routes the alarms living elsewhere (us-east-1’s and the health checks’), forwarded to the controller bus, to the FIFO queue, matched by alarm ARN', () => {
    const rule = ruleNamed('payments-dev-forwarded-alarms');
    expect(rule.EventBusName).toEqual({ Ref: busId });
    expect(flattenedAlarmPattern(rule.EventPattern)).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      resources: alarmArnsLivingIn('us-east-1'),
    });
    expect(alarmArnsLivingIn('us-east-1')).toEqual(
      expect.arrayContaining(REGIONS.map((region) => `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:payments-dev-${region}-health-check`)),
    );
    expect(rule.Targets).toEqual([expect.objectContaining(queueTarget)]);
  });

  it('matches no alarm by name alone: every configured alarm is matched by its ARN (region and account) in exactly one rule', () => {
    const patterns = ['payments-dev-alarms', 'payments-dev-forwarded-alarms'].map((name) => flattenedAlarmPattern(ruleNamed(name).EventPattern) as Record<string, unknown>);
    for (const pattern of patterns) expect(pattern.detail).toBeUndefined();
    expect(patterns.flatMap((pattern) => pattern.resources as string[]).sort()).toEqual([...new Set(DESCRIBED_ALARM_ARNS)].sort());
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

  it('lets each rule that targets it, and only those, send to the FIFO queue and the undelivered-events queue', () => {
    const ruleIds = Object.entries(controller.findResources('AWS::Events::Rule'))
      .filter(([, rule]) => JSON.stringify(rule).includes(queueId))
      .map(([id]) => id)
      .sort();
    const deliveringToBusOrQueue = Object.entries(controller.findResources('AWS::Events::Rule'))
      .filter(([, rule]) => JSON.stringify(rule).includes(eventDlqId))
      .map(([id]) => id)
      .sort();
    const sendersTo = (queue: string) =>
      Object.values(controller.findResources('AWS::SQS::QueuePolicy', { Properties: { Queues: [{ Ref: queue }] } }))
        .flatMap((policy) => (policy as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties.PolicyDocument.Statement)
        .filter((statement) => statement.Effect === 'Allow')
        .map((statement) => {
          expect(statement.Principal).toEqual({ Service: 'events.amazonaws.com' });
          return ((statement.Condition as { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': string[] } } }).ArnEquals['aws:SourceArn']['Fn::GetAtt'][0]);
        })
        .sort();
    // alarms, forwarded alarms, overrides, tick, workflow ended, heartbeats, readiness results; the heartbeat rule itself targets the bus.
    expect(ruleIds).toHaveLength(7);
    expect(sendersTo(queueId)).toEqual(ruleIds);
    expect(deliveringToBusOrQueue).toEqual([...ruleIds, logicalIdOf(controller, 'AWS::Events::Rule', { Name: 'payments-dev-heartbeat' })].sort());
    expect(sendersTo(eventDlqId)).toEqual(deliveringToBusOrQueue);
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

    it('gets a DR_CONFIG that parseConfig accepts as the reference config, bound to its account, region and state machine', () => {
      const parsed = parseConfig(JSON.parse(plain(environment.DR_CONFIG)));
      expect(parsed).toEqual({ ok: true, config: { ...settings.config, account: ACCOUNT, controllerRegion: 'us-east-2', stateMachineArn: STATE_MACHINE_ARN } });
    });

    it('gets a DR_RESOURCES that parseResources accepts, naming the state machine and the dead-letter queue', () => {
      const dlqId = logicalIdOf(controller, 'AWS::SQS::Queue', { QueueName: 'payments-dev-controller-dlq.fifo' });
      // Ref of a queue is its URL.
      const dlqUrl = `https://sqs.us-east-2.amazonaws.com/${ACCOUNT}/payments-dev-controller-dlq.fifo`;
      const wakeUpsId = logicalIdOf(controller, 'AWS::SQS::Queue', { QueueName: 'payments-dev-wakeups' });
      const wakeUpUrl = `https://sqs.us-east-2.amazonaws.com/${ACCOUNT}/payments-dev-wakeups`;
      const parsed = parseResources(plain(environment.DR_RESOURCES, { [dlqId]: dlqUrl, [wakeUpsId]: wakeUpUrl }));
      const { probeUrls: _probersOnly, ...resources } = settings.resources;
      expect(parsed).toEqual({ ok: true, resources: { ...resources, stateMachineArn: STATE_MACHINE_ARN, deadLetterQueueUrl: dlqUrl, wakeUpQueueUrl: wakeUpUrl } });
    });

    it('gets the Powertools service name, the DrController metrics namespace and source-mapped stack traces', () => {
      expect(environment).toEqual(
        expect.objectContaining({ POWERTOOLS_SERVICE_NAME: 'dr-controller', POWERTOOLS_METRICS_NAMESPACE: 'DrController', NODE_OPTIONS: '--enable-source-maps' }),
      );
    });


    it('may only use the state table, the controller bus, its queues, its log group, this state machine’s executions, the configured alarms and the app’s parameters', () => {
      const dlqId = logicalIdOf(controller, 'AWS::SQS::Queue', { QueueName: 'payments-dev-controller-dlq.fifo' });
      const wakeUpsId = logicalIdOf(controller, 'AWS::SQS::Queue', { QueueName: 'payments-dev-wakeups' });
      const logGroupId = logicalIdOf(controller, 'AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/payments-dev-decide' });
      const statements = policyStatementsOf(controller, roleId).map((s) => {
        const { Action, Resource } = s as { Action: string | string[]; Resource: unknown };
        return { actions: [Action].flat().sort(), resources: [Resource].flat().map((value) => plain(value)) };
      });
      expect(statements).toEqual(
        expect.arrayContaining([
          { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`<${logGroupId}.Arn>`] },
          {
            actions: ['dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
            resources: [`<${tableId}.Arn>`],
          },
          { actions: ['events:PutEvents'], resources: [`<${busId}.Arn>`] },
          { actions: ['states:StartExecution'], resources: [STATE_MACHINE_ARN] },
          { actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [`arn:aws:states:us-east-2:${ACCOUNT}:execution:payments-dev-failover:*`] },
          {
            actions: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
            resources: [`<${queueId}.Arn>`],
          },
          { actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], resources: [`<${dlqId}.Arn>`] },
          { actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], resources: [`<${wakeUpsId}.Arn>`] },
          { actions: ['cloudwatch:DescribeAlarms'], resources: DESCRIBED_ALARM_ARNS },
          // Safe mode: an acknowledge reads active-region (and fenced) in every protected region to rebuild the state.
          {
            actions: ['ssm:GetParameters'],
            resources: REGIONS.flatMap((region) => ['active-region', 'fenced'].map((leaf) => `arn:aws:ssm:${region}:${ACCOUNT}:parameter/payments/dev/${leaf}`)),
          },
        ]),
      );
      expect(statements).toHaveLength(10);
      const role = controller.findResources('AWS::IAM::Role')[roleId] as { Properties: Record<string, unknown> };
      expect(role.Properties.AssumeRolePolicyDocument).toEqual(
        expect.objectContaining({ Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }] }),
      );
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    });
  });

  it('gives the configured operators, with MFA, a role to publish overrides, read state and read the app’s parameters', () => {
    const role = controller.findResources('AWS::IAM::Role')[operatorRoleId] as {
      Properties: { AssumeRolePolicyDocument: { Statement: { Action: string; Principal: { AWS: unknown }; Condition?: unknown }[] } };
    };
    // The reference settings name the account root as their example operator, with MFA.
    expect(role.Properties.AssumeRolePolicyDocument.Statement.map((s) => [s.Action, plain(s.Principal.AWS), s.Condition])).toEqual([
      ['sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:root`, { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }],
    ]);
    const statements = policyStatementsOf(controller, operatorRoleId).map((s) => {
      const { Action, Resource } = s as { Action: string | string[]; Resource: unknown };
      return { actions: [Action].flat().sort(), resources: [Resource].flat().map((value) => plain(value)) };
    });
    // Then what drctl readiness reads (see the readiness tests below).
    expect(statements.slice(0, 4)).toEqual([
      { actions: ['events:PutEvents'], resources: [`<${busId}.Arn>`] },
      { actions: ['dynamodb:GetItem', 'dynamodb:Query'], resources: [`<${tableId}.Arn>`] },
      { actions: ['states:DescribeExecution'], resources: [`arn:aws:states:us-east-2:${ACCOUNT}:execution:payments-dev-failover:*`] },
      {
        actions: ['ssm:GetParameter', 'ssm:GetParameters'],
        resources: ['us-east-1', 'us-east-2'].flatMap((region) =>
          ['active-region', 'fenced'].map((leaf) => `arn:aws:ssm:${region}:${ACCOUNT}:parameter/payments/dev/${leaf}`),
        ),
      },
    ]);
  });
});

describe('prober', () => {
  const fnId = logicalIdOf(controller, 'AWS::Lambda::Function', { FunctionName: 'payments-dev-prober' });
  const fn = controller.findResources('AWS::Lambda::Function')[fnId] as { Properties: Record<string, unknown> };

  it('is a small Arm function that can finish its minute of probing within its timeout', () => {
    expect(fn.Properties).toEqual(
      expect.objectContaining({ Runtime: 'nodejs24.x', Handler: 'index.handler', MemorySize: 128, Timeout: 60, Architectures: ['arm64'] }),
    );
  });

  it('is invoked every minute by a scheduled rule, never retried (a late run only overlaps the next)', () => {
    const rule = ruleNamed('payments-dev-prober');
    expect(rule.ScheduleExpression).toBe('rate(1 minute)');
    expect(rule.Targets).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } }),
    ]);
  });

  it('gets the regional /health URL of every protected region, not the shared DNS name', () => {
    const environment = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const parsed = parseResources(plain(environment.DR_RESOURCES));
    expect(parsed.ok && parsed.resources.probeUrls).toEqual({
      'us-east-1': 'https://refapiuse1.execute-api.us-east-1.amazonaws.com/prod/health',
      'us-east-2': 'https://refapiuse2.execute-api.us-east-2.amazonaws.com/prod/health',
    });
  });

  it('may publish metrics to the DrController namespace only, and write its log group', () => {
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    const logGroupId = logicalIdOf(controller, 'AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/payments-dev-prober' });
    expect(policyStatementsOf(controller, roleId)).toEqual([
      expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } }),
      expect.objectContaining({ Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'DrController' } } }),
    ]);
  });

  it.each(REGIONS)('raises payments-dev-%s-probe after three 10 s periods without a successful probe, missing data not evidence', (region) => {
    expectResource(controller, 'AWS::CloudWatch::Alarm', {
      AlarmName: `payments-dev-${region}-probe`,
      Namespace: 'DrController',
      MetricName: 'ProbeSuccess',
      Dimensions: [{ Name: 'Region', Value: region }],
      Statistic: 'Maximum',
      Period: 10,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'missing',
    });
  });
});

describe('heartbeats', () => {
  const busId = logicalIdOf(controller, 'AWS::Events::EventBus', { Name: 'payments-dev-controller' });
  const heartbeatArns = REGIONS.map((region) => `arn:aws:events:${region}:${ACCOUNT}:rule/payments-dev-heartbeat`);

  it('leave the controller region every minute from its default bus to the controller bus, like forwarded alarms', () => {
    const rule = ruleNamed('payments-dev-heartbeat');
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.ScheduleExpression).toBe('rate(1 minute)');
    expect(rule.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [busId, 'Arn'] }, RoleArn: expect.anything() })]);
  });

  it('leave every other monitored region every minute, to the controller bus in us-east-2', () => {
    const { template } = forwarding[0]!;
    const [rule] = Object.values(template.findResources('AWS::Events::Rule', { Properties: { Name: 'payments-dev-heartbeat' } })) as {
      Properties: { ScheduleExpression: string; Targets: { Arn: unknown; RoleArn: unknown; DeadLetterConfig: unknown }[] };
    }[];
    expect(rule!.Properties.ScheduleExpression).toBe('rate(1 minute)');
    expect(rule!.Properties.Targets.map((target) => plain(target.Arn))).toEqual([`arn:aws:events:us-east-2:${ACCOUNT}:event-bus/payments-dev-controller`]);
    const dlqId = logicalIdOf(template, 'AWS::SQS::Queue', { QueueName: 'payments-dev-alarm-forwarding-undelivered' });
    expect(rule!.Properties.Targets[0]!.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
  });

  it('are routed from the controller bus to the FIFO queue by the ARNs of the heartbeat rules of every monitored region', () => {
    const rule = ruleNamed('payments-dev-heartbeats');
    const pattern = rule.EventPattern as { source: string[]; 'detail-type': string[]; resources: unknown[] };
    expect(rule.EventBusName).toEqual({ Ref: busId });
    expect(pattern.source).toEqual(['aws.events']);
    expect(pattern['detail-type']).toEqual(['Scheduled Event']);
    expect(pattern.resources.map((arn) => plain(arn))).toEqual(heartbeatArns);
    const queueId = logicalIdOf(controller, 'AWS::SQS::Queue', { QueueName: QUEUE });
    expect(rule.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] }, SqsParameters: { MessageGroupId: 'payments' } })]);
  });

  it('are signals of the reference configuration, one per region, with no alarm to match', () => {
    expect(settings.config.signals.filter((s) => s.kind === 'heartbeat').map((s) => [s.alarmName, s.region, s.critical])).toEqual(
      REGIONS.map((region) => [`payments-dev-${region}-heartbeat`, region, true]),
    );
    expect(ALARM_NAMES.some((name) => name.endsWith('-heartbeat'))).toBe(false);
  });
});

describe('wake-ups', () => {
  const queueId = logicalIdOf(controller, 'AWS::SQS::Queue', { QueueName: QUEUE });
  const wakeUpsId = logicalIdOf(controller, 'AWS::SQS::Queue', { QueueName: 'payments-dev-wakeups' });
  const dlqId = logicalIdOf(controller, 'AWS::SQS::Queue', { QueueName: 'payments-dev-wakeups-dlq' });

  it('wait in a standard, encrypted, TLS-only queue (per-message delays) with its own dead-letter queue', () => {
    const queue = controller.findResources('AWS::SQS::Queue')[wakeUpsId] as { Properties: Record<string, unknown> };
    expect(queue.Properties).toEqual(
      expect.objectContaining({ SqsManagedSseEnabled: true, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 } }),
    );
    expect(queue.Properties.FifoQueue).toBeUndefined();
    expectResource(controller, 'AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: wakeUpsId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('may be scheduled by the decide function’s role only: SendMessage is denied to every other principal', () => {
    const decideId = logicalIdOf(controller, 'AWS::Lambda::Function', { FunctionName: 'payments-dev-decide' });
    const decide = controller.findResources('AWS::Lambda::Function')[decideId] as { Properties: { Role: { 'Fn::GetAtt': string[] } } };
    const decideRoleId = decide.Properties.Role['Fn::GetAtt'][0]!;
    const [deny, ...more] = denyStatements('AWS::SQS::QueuePolicy', 'Queues', { Ref: wakeUpsId }, 'sqs:SendMessage');
    expect(more).toEqual([]);
    expect(deny!.Principal).toEqual({ AWS: '*' });
    expect(deny!.Resource).toEqual({ 'Fn::GetAtt': [wakeUpsId, 'Arn'] });
    expect(deny!.Condition).toEqual({ ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [decideRoleId, 'Arn'] } } });
    expect(conditionHolds(deny!.Condition, { 'aws:PrincipalArn': `<${decideRoleId}.Arn>` })).toBe(false);
    expect(conditionHolds(deny!.Condition, { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/Admin` })).toBe(true);
    expect(conditionHolds(deny!.Condition, { 'aws:SourceArn': `arn:aws:events:us-east-2:${ACCOUNT}:rule/any` })).toBe(true);
  });

  it('are piped, body only, into the FIFO queue in the app’s message group', () => {
    const [pipe] = Object.values(controller.findResources('AWS::Pipes::Pipe')) as { Properties: Record<string, unknown> }[];
    expect(pipe!.Properties).toEqual(
      expect.objectContaining({
        Name: 'payments-dev-wakeups',
        Source: { 'Fn::GetAtt': [wakeUpsId, 'Arn'] },
        SourceParameters: { SqsQueueParameters: { BatchSize: 1 } },
        Target: { 'Fn::GetAtt': [queueId, 'Arn'] },
        TargetParameters: { InputTemplate: '<$.body>', SqsQueueParameters: { MessageGroupId: 'payments' } },
        DesiredState: 'RUNNING',
      }),
    );
    const roleId = (pipe!.Properties.RoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    const statements = policyStatementsOf(controller, roleId).map((st) => {
      const { Action, Resource } = st as { Action: string[]; Resource: unknown };
      return { actions: [Action].flat().sort(), resource: Resource };
    });
    expect(statements).toEqual([
      {
        actions: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
        resource: { 'Fn::GetAtt': [wakeUpsId, 'Arn'] },
      },
      { actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], resource: { 'Fn::GetAtt': [queueId, 'Arn'] } },
    ]);
  });
});

describe('readiness', () => {
  const fnId = logicalIdOf(controller, 'AWS::Lambda::Function', { FunctionName: 'payments-dev-readiness' });
  const fn = controller.findResources('AWS::Lambda::Function')[fnId] as { Properties: Record<string, unknown> };
  const queueId = logicalIdOf(controller, 'AWS::SQS::Queue', { QueueName: QUEUE });
  const busId = logicalIdOf(controller, 'AWS::Events::EventBus', { Name: 'payments-dev-controller' });
  const topicId = logicalIdOf(controller, 'AWS::SNS::Topic', { TopicName: 'payments-dev-controller-alarms' });
  const operatorRoleId = logicalIdOf(controller, 'AWS::IAM::Role', { RoleName: 'payments-dev-operator' });

  it('evaluates every failover target every 15 minutes by default, logging to its own log group', () => {
    expect(ruleNamed('payments-dev-readiness').ScheduleExpression).toBe('rate(15 minutes)');
    expectResource(controller, 'AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/payments-dev-readiness' });
    const logGroupId = logicalIdOf(controller, 'AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/payments-dev-readiness' });
    expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: logGroupId } });
  });

  it('takes the interval from readinessIntervalMinutes', () => {
    const custom = testApp();
    const { controller: stack } = controllerStacks(custom, { ...settings, readinessIntervalMinutes: 30 });
    const rules = Template.fromStack(stack).findResources('AWS::Events::Rule', { Properties: { Name: 'payments-dev-readiness' } });
    expect(Object.values(rules).map((rule) => (rule as { Properties: { ScheduleExpression: string } }).Properties.ScheduleExpression)).toEqual(['rate(30 minutes)']);
  });

  it('checks every failover step by the name the workflow gives its function', () => {
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const targets = JSON.parse(plain(variables.DR_READINESS)) as { stepFunctions: Record<string, string> };
    // Each is a Ref to a step function, which resolves to the name that function is given.
    const functions = controller.findResources('AWS::Lambda::Function') as Record<string, { Properties: { FunctionName?: unknown } }>;
    const named = Object.values(targets.stepFunctions).map((ref) => functions[ref.replace(/^<|>$/g, '')]?.Properties.FunctionName);
    expect(named.sort()).toEqual(FAILOVER_STEPS.map((step) => `payments-dev-failover-${step}`).sort());
    expect(parseConfig(JSON.parse(plain(variables.DR_CONFIG)))).toEqual({ ok: true, config: settings.config });
  });

  it('routes dr.controller / DR Readiness events from the controller bus into the FIFO queue, in the app’s message group', () => {
    const rule = ruleNamed('payments-dev-readiness-results');
    expect(rule.EventBusName).toEqual({ Ref: busId });
    expect(rule.EventPattern).toEqual({ source: ['dr.controller'], 'detail-type': ['DR Readiness'] });
    expect(rule.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] }, SqsParameters: { MessageGroupId: 'payments' } })]);
  });

  it('pages through the controller’s alarm topic when a target fails readiness and when it recovers', () => {
    for (const region of REGIONS) {
      const alarm = alarmNamed(`payments-dev-readiness-${region}`);
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
    }
  });

  it('lets the operators run drctl readiness: every action it calls, each on this controller’s resources but GetMetricData', () => {
    const statements = policyStatementsOf(controller, operatorRoleId) as { Action: string | string[]; Resource: unknown }[];
    const granted = new Set(statements.flatMap((statement) => [statement.Action].flat()));
    expect(READINESS_IAM_ACTIONS.filter((action) => !granted.has(action))).toEqual([]);
    const wildcards = statements.filter((statement) => [statement.Resource].flat().some((resource) => plain(resource).endsWith('*')));
    expect(wildcards.map((statement) => [[statement.Action].flat(), [statement.Resource].flat().map((r) => plain(r))])).toEqual([
      [['states:DescribeExecution'], [`arn:aws:states:us-east-2:${ACCOUNT}:execution:payments-dev-failover:*`]],
      [['cloudwatch:GetMetricData'], ['*']],
    ]);
    const readConfiguration = statements.find((statement) => JSON.stringify(statement.Resource).includes(fnId));
    expect(readConfiguration?.Action).toBe('lambda:GetFunctionConfiguration');
  });
});

describe('controller self-alarms', () => {
  const topicId = logicalIdOf(controller, 'AWS::SNS::Topic', { TopicName: 'payments-dev-controller-alarms' });
  const dimensions = [{ Name: 'service', Value: 'dr-controller' }];

  it.each([
    ['payments-dev-controller-no-decisions', { MetricName: 'Decisions', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 5, DatapointsToAlarm: 5, TreatMissingData: 'breaching' }],
    ['payments-dev-controller-ticks-missing', { MetricName: 'Ticks', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 5, DatapointsToAlarm: 5, TreatMissingData: 'breaching' }],
    ['payments-dev-controller-failover-stuck', { MetricName: 'FailoverInFlightSeconds', Statistic: 'Maximum', Threshold: 3600, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' }],
    ['payments-dev-controller-reconcile-failures', { MetricName: 'ReconcileFailures', Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 5, DatapointsToAlarm: 5, TreatMissingData: 'notBreaching' }],
    ['payments-dev-controller-state-unreadable', { MetricName: 'StateUnreadable', Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' }],
    ['payments-dev-controller-dead-letter-failures', { MetricName: 'DeadLetterFailures', Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' }],
    ['payments-dev-controller-halted', { MetricName: 'Halted', Statistic: 'Maximum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' }],
  ])('raises %s on the decide Lambda’s metric and notifies the topic', (alarmName, metric) => {
    expectResource(controller, 'AWS::CloudWatch::Alarm', {
      AlarmName: alarmName,
      Namespace: 'DrController',
      Dimensions: dimensions,
      Period: 60,
      ...metric,
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
  });

  it('says what the state-unreadable alarm means: safe mode, and how to leave it', () => {
    expectResource(controller, 'AWS::CloudWatch::Alarm', {
      AlarmName: 'payments-dev-controller-state-unreadable',
      AlarmDescription: Match.stringLikeRegexp('^safe mode: the stored controller state is unreadable.*acknowledge'),
    });
  });

  it.each(['payments-dev-controller-dlq-not-empty', 'payments-dev-controller-undelivered-not-empty', 'payments-dev-wakeups-dlq-not-empty', 'payments-dev-prober-errors'])(
    'notifies the topic when %s fires or clears',
    (alarmName) => {
      expectResource(controller, 'AWS::CloudWatch::Alarm', { AlarmName: alarmName, AlarmActions: [{ Ref: topicId }], OKActions: [{ Ref: topicId }] });
    },
  );

  it('gives every alarm of every controller stack an action on ALARM and on OK, the probe alarms included (a region failing its probes is worth a page)', () => {
    const withoutAction = [controller, ...forwarding.map(({ template }) => template)].flatMap((template) =>
      Object.values(template.findResources('AWS::CloudWatch::Alarm'))
        .map((alarm) => (alarm as { Properties: { AlarmName: string; AlarmActions?: unknown[]; OKActions?: unknown[] } }).Properties)
        .filter((alarm) => !alarm.AlarmActions?.length || !alarm.OKActions?.length)
        .map((alarm) => alarm.AlarmName),
    );
    expect(withoutAction).toEqual([]);
    for (const region of REGIONS) {
      expectResource(controller, 'AWS::CloudWatch::Alarm', { AlarmName: `payments-dev-${region}-probe`, AlarmActions: [{ Ref: topicId }], OKActions: [{ Ref: topicId }] });
    }
  });

  it('uses a TLS-only topic encrypted with a rotated key that CloudWatch may use', () => {
    const topic = controller.findResources('AWS::SNS::Topic')[topicId] as { Properties: { KmsMasterKeyId: { 'Fn::GetAtt': string[] } } };
    const keyId = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0]!;
    const key = controller.findResources('AWS::KMS::Key')[keyId] as { Properties: { EnableKeyRotation: boolean; KeyPolicy: { Statement: unknown[] } } };
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Effect: 'Allow' }),
      ]),
    );
    expectResource(controller, 'AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
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
    const rules = Object.values(template.findResources('AWS::Events::Rule', { Properties: { Name: 'payments-dev-forward-alarms' } })) as {
      Properties: Record<string, unknown>;
    }[];
    expect(rules).toHaveLength(1);
    const [{ Properties: rule }] = rules as [{ Properties: Record<string, unknown> }];
    expect(rule.EventBusName).toBeUndefined();
    expect(flattenedAlarmPattern(rule.EventPattern)).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      resources: alarmArnsLivingIn('us-east-1'),
    });
    const [target] = rule.Targets as [{ Arn: unknown; RoleArn: { 'Fn::GetAtt': string[] }; DeadLetterConfig: unknown }];
    expect(plain(target.Arn)).toBe(`arn:aws:events:us-east-2:${ACCOUNT}:event-bus/payments-dev-controller`);
    expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
    const statements = policyStatementsOf(template, target.RoleArn['Fn::GetAtt'][0]!).map((s) => {
      const { Action, Resource } = s as { Action: string; Resource: unknown };
      return { action: Action, resource: plain(Resource) };
    });
    expect(statements).toEqual([{ action: 'events:PutEvents', resource: `arn:aws:events:us-east-2:${ACCOUNT}:event-bus/payments-dev-controller` }]);
  });

  it('raises an alarm as soon as an alarm event could not be forwarded, and notifies an encrypted topic of its own region', () => {
    const { template } = forwarding[0]!;
    const topicId = logicalIdOf(template, 'AWS::SNS::Topic', { TopicName: 'payments-dev-alarm-forwarding-us-east-1' });
    expectResource(template, 'AWS::CloudWatch::Alarm', {
      AlarmName: 'payments-dev-alarm-forwarding-undelivered-not-empty',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
    const topic = template.findResources('AWS::SNS::Topic')[topicId] as { Properties: { KmsMasterKeyId?: unknown } };
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
  });
});

describe('controller templates', () => {
  const templates = [controller, ...forwarding.map(({ template }) => template)];
  const statementsOf = (template: Template) =>
    Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => (policy as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement,
    );

  it('attach no managed policy to any role (AWSLambdaBasicExecutionRole grants log writes on every log group)', () => {
    const withManaged = templates.flatMap((template) =>
      Object.entries(template.findResources('AWS::IAM::Role'))
        .filter(([, role]) => (role as { Properties: { ManagedPolicyArns?: unknown[] } }).Properties.ManagedPolicyArns !== undefined)
        .map(([id]) => id),
    );
    expect(withManaged).toEqual([]);
  });

  it('never allow logs:* or a log write on every resource: each function writes only its own log group, which has a retention', () => {
    const logWrites = ['logs:*', 'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];
    const wide = templates.flatMap(statementsOf).filter((statement) => {
      const actions = [statement.Action].flat();
      const resources = [statement.Resource].flat();
      return actions.some((action) => action === '*' || logWrites.includes(action)) && resources.some((resource) => resource === '*');
    });
    expect(wide).toEqual([]);
    const functions = Object.entries(controller.findResources('AWS::Lambda::Function')) as [string, { Properties: { Role: { 'Fn::GetAtt': string[] }; LoggingConfig?: { LogGroup?: { Ref: string } } } }][];
    expect(functions.length).toBeGreaterThanOrEqual(11); // decide, prober, nine failover steps
    for (const [id, fn] of functions) {
      const logGroupId = fn.Properties.LoggingConfig?.LogGroup?.Ref;
      expect([id, logGroupId]).toEqual([id, expect.any(String)]);
      const logGroup = controller.findResources('AWS::Logs::LogGroup')[logGroupId!] as { Properties: { RetentionInDays?: number } };
      expect([id, logGroup.Properties.RetentionInDays]).toEqual([id, expect.any(Number)]);
      const roleId = fn.Properties.Role['Fn::GetAtt'][0]!;
      const logStatements = (policyStatementsOf(controller, roleId) as { Action: string | string[]; Resource: unknown }[]).filter((statement) =>
        [statement.Action].flat().some((action) => action.startsWith('logs:')),
      );
      expect([id, logStatements]).toEqual([id, [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } }]]);
    }
  });

  it('have no unacknowledged cdk-nag AwsSolutions findings', () => {
    expect(runCdkNag(app)).toEqual([]);
  });

  it('pass cfn-lint in the regions they deploy to', () => {
    expect(runCfnLint(templatePathsOf(app), { regions: ['us-east-1', 'us-east-2'] })).toEqual([]);
  });
});
