import * as path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { APP_PARAMETER_KEYS, parameterName } from '../../adapters/config-store/app-parameters.codec';
import { STATE_TABLE_KEYS } from '../../adapters/state-store/state-table.schema';
import type { ControllerConfig } from '../../domain/config';
import { OVERRIDE_SOURCE } from '../../edge/event.parser';
import { missingRegions, parseResources, type Resources } from '../../edge/resources.schema';
import {
  alarmStateChangePattern,
  eventPatternLength,
  MAX_EVENT_PATTERN_LENGTH,
  overridePattern,
  workflowEndedPattern,
} from './controller-events';
import { controllerNames, type ControllerNames } from './controller-names';
import { DeadLetterQueue } from './dead-letter-queue.construct';
import { FailoverWorkflow } from './failover-workflow.construct';
import { acknowledgeWildcardResources } from './nag-acknowledgements';

/** Repository root: NodejsFunction entries and the lockfile are resolved from here. */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Runtime of the decide Lambda: the newest Node.js runtime this CDK version offers. */
export const DECIDE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * esbuild settings of the decide Lambda (`bench/handlers.bench.ts` bundles with exactly these):
 * one minified CommonJS file, ESM entry points preferred so unused code is tree-shaken, a source
 * map for readable stack traces, and warnings only in the synth output.
 *
 * The AWS SDK v3 (`@aws-sdk/*` and the `@smithy/*` packages it is built on) is not bundled: the
 * function uses the copy the Node.js runtime provides, which Lambda finds on the runtime's module
 * search path. Bundled, the SDK's shared core alone (Smithy core, credential providers and their
 * nested STS/SSO clients: about 300 KB minified) put this bundle at 584 KB, over its 300 KB
 * budget. Trade-off: Lambda picks and updates the runtime's SDK version, so it is not the version
 * the tests ran against (package-lock.json), and an SDK fix or API newer than the runtime's copy
 * arrives only when Lambda updates it. Resolving the SDK's files also makes module init slower
 * than one self-contained file (the bench measures it against its 150 ms budget and labels the
 * bundle "SDK from runtime").
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html (runtime-included SDK versions)
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-package.html#nodejs-package-searchpath
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_lambda_nodejs-readme.html#externals
 */
export const DECIDE_BUNDLING: nodejs.BundlingOptions = {
  minify: true,
  sourceMap: true,
  target: 'node24',
  format: nodejs.OutputFormat.CJS,
  mainFields: ['module', 'main'],
  // Only @aws-sdk/* comes from the runtime (documented there); the one @smithy package our own
  // code imports (error classification, adapters/errors.ts) is small and bundled.
  externalModules: ['@aws-sdk/*'],
  logLevel: nodejs.LogLevel.WARNING,
};

/** Decide Lambda timeout; the queue's visibility timeout is six times this. */
const DECIDE_TIMEOUT = Duration.seconds(30);

/**
 * The most a Lambda function's environment variables may add up to, in bytes.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
const MAX_LAMBDA_ENVIRONMENT_BYTES = 4096;

/** Props of {@link DrController}. */
export interface DrControllerProps {
  /** Deployment environment (`dev`, `prod`, …): part of every resource name. Lowercase letters, digits, dashes. */
  readonly envName: string;
  /** The validated controller configuration (build it with `parseConfig` from `edge/config.schema.ts`). */
  readonly config: ControllerConfig;
  /**
   * The resource identifiers the Lambdas get as `DR_RESOURCES` (validated with `parseResources`).
   * `stateTableName` and `controllerBusName` name the table and bus this construct creates;
   * `stateMachineArn` and `deadLetterQueueUrl` are set to the state machine and queue created here.
   */
  readonly resources: Resources;
  /**
   * Who may assume the operator role (publish overrides, read state, read the app's parameters).
   * @default - the account root: any IAM identity of this account whose own policies allow `sts:AssumeRole` on it
   */
  readonly operatorPrincipal?: iam.IPrincipal;
  /**
   * How many times the decide Lambda may fail a message before it moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Topic notified when a dead-letter queue alarm fires or clears.
   * @default - no action; the alarm state is visible in CloudWatch and as an EventBridge event
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * What happens to the state table (state and decision audit log) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
}

/**
 * The disaster-recovery controller of one application, in the controller region (DESIGN.md "Shape"):
 * the controller bus, the rules that bring alarm changes, overrides, ticks and workflow endings to
 * one SQS FIFO queue (one message group per app), the decide Lambda that drains it, the state table,
 * the failover state machine and the operator role.
 *
 * Scheduled rules and AWS service events (CloudWatch alarms, Step Functions) only exist on the
 * default bus, so the tick, workflow-ended and local-alarm rules live there; overrides and alarms
 * forwarded from other regions arrive on the controller bus.
 *
 * @see https://docs.aws.amazon.com/batch/latest/userguide/batch-cwe-target.html (scheduled rules: default bus only)
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html
 */
export class DrController extends Construct {
  readonly names: ControllerNames;
  readonly bus: events.EventBus;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: DeadLetterQueue;
  /** Standard queue for events EventBridge could not deliver to {@link queue}. */
  readonly eventDeadLetterQueue: DeadLetterQueue;
  readonly table: dynamodb.Table;
  readonly operatorRole: iam.Role;
  readonly decideFunction: nodejs.NodejsFunction;
  /** The failover state machine and its step Lambdas. */
  readonly workflow: FailoverWorkflow;
  /** ARN of the failover state machine, built from its name (no token to resolve across stacks). */
  readonly stateMachineArn: string;

  constructor(scope: Construct, id: string, props: DrControllerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { config, envName } = props;
    const names = controllerNames(config.app, envName);
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    this.names = names;
    this.node.addValidation({ validate: () => validateDrControllerProps(stack, props) });

    this.stateMachineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: names.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // What every controller Lambda gets as DR_RESOURCES: the identifiers plus this state machine.
    const resources: Resources = { ...props.resources, stateMachineArn: this.stateMachineArn };

    this.table = this.stateTable(props.resources.stateTableName, props.tableRemovalPolicy ?? RemovalPolicy.RETAIN);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.resources.controllerBusName });
    this.operatorRole = this.operatorRoleFor(props, names);
    this.restrictOverridesToOperator();

    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue', {
      queueName: names.deadLetterQueueName,
      fifo: true,
      alarmName: `${names.prefix}-controller-dlq-not-empty`,
      holds: `controller events the decide Lambda failed ${maxReceiveCount} times`,
      alarmTopic: props.alarmTopic,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: names.queueName,
      fifo: true,
      // EventBridge sends no deduplication id; each event's body is unique (id, time), a redelivery is not.
      contentBasedDeduplication: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(DECIDE_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue.queue, maxReceiveCount },
    });
    this.eventDeadLetterQueue = new DeadLetterQueue(this, 'EventDeadLetterQueue', {
      queueName: `${names.prefix}-controller-undelivered`,
      alarmName: `${names.prefix}-controller-undelivered-not-empty`,
      holds: 'controller events EventBridge could not deliver to the controller queue',
      terminalReason: 'Dead-letter queue of the EventBridge rule targets: EventBridge DLQs must be standard queues and are the end of the line.',
      alarmTopic: props.alarmTopic,
    });

    this.workflow = new FailoverWorkflow(this, 'Workflow', { stateMachineName: names.stateMachineName, config, resources });
    this.routeEventsToQueue(config, names);
    this.decideFunction = this.decideLambda(props, names, resources);
  }

  /**
   * State and decision log: on-demand, point-in-time recovery, TTL on decision records, and
   * encryption with the AWS managed key (`aws/dynamodb`): every use of the key is in CloudTrail,
   * and the table holds no secret that would justify a customer managed key's policy and cost.
   *
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
   */
  private stateTable(tableName: string, removalPolicy: RemovalPolicy): dynamodb.Table {
    return new dynamodb.Table(this, 'StateTable', {
      tableName,
      partitionKey: { name: STATE_TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: STATE_TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: STATE_TABLE_KEYS.ttlAttribute,
      removalPolicy,
    });
  }

  /** The role `drctl` assumes: publish to the controller bus, read state, read the app's parameters. */
  private operatorRoleFor(props: DrControllerProps, names: ControllerNames): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'OperatorRole', {
      roleName: `${names.prefix}-operator`,
      description: `Operators of ${props.config.app} (${props.envName}): publish DR overrides, read controller state and app parameters`,
      assumedBy: props.operatorPrincipal ?? new iam.AccountRootPrincipal(),
    });
    this.bus.grantPutEventsTo(role);
    // `drctl status`: the state item and the recent decision records.
    this.table.grant(role, 'dynamodb:GetItem', 'dynamodb:Query');
    // The app's parameters in every region, by exact name (the config-store codec's).
    const parameterArns = props.config.regions.flatMap((region) =>
      APP_PARAMETER_KEYS.map((key) =>
        stack.formatArn({ service: 'ssm', region, resource: 'parameter', resourceName: parameterName(props.resources.parameterPrefix, key).slice(1) }),
      ),
    );
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: parameterArns }));
    return role;
  }

  /**
   * Only the operator role may put `dr.operator` events on the controller bus: an explicit Deny for
   * every other principal, keyed on the `events:source` condition key of PutEvents.
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html
   */
  private restrictOverridesToOperator(): void {
    this.bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyOperatorRolePutsOverrides',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: {
          StringEquals: { 'events:source': OVERRIDE_SOURCE },
          ArnNotEquals: { 'aws:PrincipalArn': this.operatorRole.roleArn },
        },
      }),
    );
  }

  /**
   * Five rules, one queue. SQS FIFO targets need a message group id (the app: one group per
   * protected app); failed deliveries go to a standard queue, the only kind EventBridge accepts as
   * a target dead-letter queue.
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-event-delivery.html#eb-rule-dlq
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html
   */
  private routeEventsToQueue(config: ControllerConfig, names: ControllerNames): void {
    const target = new targets.SqsQueue(this.queue, { messageGroupId: config.app, deadLetterQueue: this.eventDeadLetterQueue.queue });
    const alarms = alarmStateChangePattern(config.signals.map((signal) => signal.alarmName));
    const rule = (id: string, suffix: string, description: string, props: Partial<events.RuleProps>) =>
      new events.Rule(this, id, { ruleName: `${names.prefix}-${suffix}`, description, targets: [target], ...props });
    rule('AlarmRule', 'alarms', 'Configured alarms of the controller region (default bus) to the controller queue', { eventPattern: alarms });
    rule('ForwardedAlarmRule', 'forwarded-alarms', 'Configured alarms forwarded from other regions to the controller queue', {
      eventBus: this.bus,
      eventPattern: alarms,
    });
    rule('OverrideRule', 'overrides', 'Operator overrides to the controller queue', { eventBus: this.bus, eventPattern: overridePattern });
    rule('TickRule', 'tick', 'Every minute: lets sustain periods and freezes expire without alarm changes', {
      schedule: events.Schedule.rate(Duration.minutes(1)),
    });
    rule('WorkflowEndedRule', 'workflow-ended', 'Failover executions that ended to the controller queue', {
      eventPattern: workflowEndedPattern(this.stateMachineArn),
    });
  }

  /**
   * The decide Lambda: drains the FIFO queue in batches of 10, reports failed items so only they are
   * retried, and runs one at a time (reserved concurrency 1) so state saves never race.
   *
   * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-lambda-function-trigger.html
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   */
  private decideLambda(props: DrControllerProps, names: ControllerNames, resources: Resources): nodejs.NodejsFunction {
    const stack = Stack.of(this);
    const functionName = `${names.prefix}-decide`;
    const logGroup = new logs.LogGroup(this, 'DecideLogs', { logGroupName: `/aws/lambda/${functionName}`, retention: logs.RetentionDays.THREE_MONTHS });
    const role = new iam.Role(this, 'DecideRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Decide Lambda of ${props.config.app} (${props.envName})`,
    });
    logGroup.grantWrite(role);
    // What DynamoDbStateStore calls: load (GetItem), save (conditional PutItem), decision log (BatchWriteItem, Query).
    this.table.grant(role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem', 'dynamodb:Query');
    this.bus.grantPutEventsTo(role);
    this.deadLetterQueue.queue.grantSendMessages(role);
    role.addToPolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachineArn] }));
    const executionsArn = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${names.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['states:StopExecution', 'states:DescribeExecution'], resources: [executionsArn] }));
    acknowledgeWildcardResources(role, [executionsArn], 'Executions of this one state machine: their names carry the failover generation, unknown at deploy time.');

    const fn = new nodejs.NodejsFunction(this, 'Decide', {
      functionName,
      description: `Decides on ${props.config.app} controller events (${props.envName})`,
      entry: path.join(PROJECT_ROOT, 'handlers', 'decide.handler.ts'),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: DECIDE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: DECIDE_TIMEOUT,
      reservedConcurrentExecutions: 1,
      role,
      logGroup,
      bundling: DECIDE_BUNDLING,
      // The decide Lambda alone sends records that do not parse to the dead-letter queue (SqsDeadLetters).
      environment: controllerEnvironment(
        stack.toJsonString(props.config),
        stack.toJsonString({ ...resources, deadLetterQueueUrl: this.deadLetterQueue.queue.queueUrl }),
      ),
    });
    fn.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }));
    return fn;
  }
}

/**
 * The decide Lambda's environment: its configuration as JSON (validated at cold start), the
 * Powertools settings and source-mapped stack traces.
 *
 * @see https://docs.aws.amazon.com/powertools/typescript/latest/environment-variables/
 */
function controllerEnvironment(configJson: string, resourcesJson: string): Record<string, string> {
  return {
    DR_CONFIG: configJson,
    DR_RESOURCES: resourcesJson,
    POWERTOOLS_SERVICE_NAME: 'dr-controller',
    POWERTOOLS_METRICS_NAMESPACE: 'DrController',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // The bundle ships a source map (DECIDE_BUNDLING): stack traces point into the TypeScript.
    NODE_OPTIONS: '--enable-source-maps',
  };
}

const ENV_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * `resources` as the Lambdas will read it, for validation with `parseResources` at synth: the
 * account and partition tokens replaced by sample values (CloudFormation fills in the real ones).
 */
function resolvedForValidation(resources: Resources): unknown {
  return JSON.parse(
    JSON.stringify(resources)
      .replace(/\$\{Token\[AWS\.AccountId\.\d+\]\}/g, '123456789012')
      .replace(/\$\{Token\[AWS\.Partition\.\d+\]\}/g, 'aws'),
  );
}

/** Synth-time checks of {@link DrControllerProps}: each message says what is wrong and how to fix it. */
export function validateDrControllerProps(stack: Stack, props: DrControllerProps): string[] {
  const { config, resources, envName } = props;
  const errors: string[] = [];
  const names = controllerNames(config.app, envName);
  if (!ENV_NAME.test(envName)) errors.push(`envName "${envName}" must be lowercase letters, digits and single dashes (e.g. dev, prod-eu)`);
  if (names.deadLetterQueueName.length > 80) {
    errors.push(`queue name "${names.deadLetterQueueName}" is longer than SQS's 80 characters; shorten config.app or envName`);
  }
  const maxReceiveCount = props.maxReceiveCount ?? 5;
  if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
    errors.push(`maxReceiveCount must be a whole number from 1 to 1000 (SQS's range), got ${maxReceiveCount}`);
  }
  const parsed = parseResources(resolvedForValidation(resources));
  if (!parsed.ok) errors.push(...parsed.errors.map((error) => `resources: ${error}`));
  if (!config.regions.includes(resources.controllerRegion)) {
    errors.push(
      `resources.controllerRegion ${resources.controllerRegion} must be one of config.regions (${config.regions.join(', ')}); run the controller in a protected region, by default the standby`,
    );
  }
  if (!Token.isUnresolved(stack.region) && stack.region !== resources.controllerRegion) {
    errors.push(`the controller is in ${stack.region} but resources.controllerRegion is ${resources.controllerRegion}; deploy it to the controller region`);
  }
  if (parsed.ok) errors.push(...missingRegions(parsed.resources, config.regions).map((error) => `resources: ${error}`));
  if (config.signals.length === 0) errors.push('config.signals must list at least one alarm; the controller has nothing to watch');
  config.signals.forEach((signal, i) => {
    if (signal.alarmName.trim() === '') errors.push(`config.signals[${i}].alarmName must not be empty; use the CloudWatch alarm's name`);
  });
  const patternLength = eventPatternLength(alarmStateChangePattern(config.signals.map((s) => s.alarmName)));
  if (patternLength > MAX_EVENT_PATTERN_LENGTH) {
    errors.push(
      `the alarm rules' event pattern is ${patternLength} characters, over EventBridge's ${MAX_EVENT_PATTERN_LENGTH}; shorten alarm names or watch fewer alarms`,
    );
  }
  const decideResources = {
    ...(resolvedForValidation(resources) as Resources),
    stateMachineArn: `arn:aws:states:${resources.controllerRegion}:123456789012:stateMachine:${names.stateMachineName}`,
    deadLetterQueueUrl: `https://sqs.${resources.controllerRegion}.amazonaws.com/123456789012/${names.deadLetterQueueName}`,
  };
  const environment = controllerEnvironment(JSON.stringify(config), JSON.stringify(decideResources));
  const environmentBytes = Object.entries(environment).reduce(
    (sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value),
    0,
  );
  if (environmentBytes > MAX_LAMBDA_ENVIRONMENT_BYTES) {
    errors.push(
      `the Lambda environment (DR_CONFIG, DR_RESOURCES, …) takes ${environmentBytes} bytes, over Lambda's ${MAX_LAMBDA_ENVIRONMENT_BYTES}; shorten alarm names or drop unused signals`,
    );
  }
  return errors;
}
