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
import { PROBE_TIMING } from '../../handlers/prober/probe-loop';
import { FAILOVER_STEPS } from '../../handlers/steps/step-registry';
import { missingRegions, parseResources, type Resources } from '../../edge/resources.schema';
import { alarmArnOf, alarmArnsIn, alarmSignals, monitoredRegions, type ArnEnvironment } from './alarm-regions';
import { ControllerAlarms } from './controller-alarms.construct';
import {
  alarmStateChangePattern,
  eventPatternLength,
  heartbeatPattern,
  MAX_EVENT_PATTERN_LENGTH,
  overridePattern,
  readinessPattern,
  workflowEndedPattern,
} from './controller-events';
import { controllerNames, type ControllerNames } from './controller-names';
import { DeadLetterQueue } from './dead-letter-queue.construct';
import { FailoverWorkflow, type FailoverWorkflowProps } from './failover-workflow.construct';
import { addHeartbeatRule } from './heartbeat';
import { compactConfig, controllerEnvironment, environmentBytes, MAX_LAMBDA_ENVIRONMENT_BYTES } from './lambda-environment';
import { acknowledgeWildcardResources } from './nag-acknowledgements';
import { PROBE_ALARM, Prober } from './prober.construct';
import { DEFAULT_READINESS_INTERVAL_MINUTES, ReadinessEvaluation, readinessEnvironment } from './readiness.construct';
import { policyInputs, rtoBudget, rtoViolation, type RtoBudget, type RtoInputs } from './rto-model';
import { WakeUps } from './wake-ups.construct';

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

/** Minutes of silence (no decision, no tick) before the self-alarms fire, unless `silenceMinutes` says otherwise. */
const DEFAULT_SILENCE_MINUTES = 5;

/** The default `rtoTargetSeconds`: five minutes, detection to traffic moved. */
export const DEFAULT_RTO_TARGET_SECONDS = 300;

/** Decide Lambda timeout; the queue's visibility timeout is six times this. */
const DECIDE_TIMEOUT = Duration.seconds(30);

/** The workload's side of the recovery time, for the RTO model. */
export interface TrafficTiming {
  /** `RequestInterval` of the Route 53 health checks on the weighted records (10 or 30). */
  readonly healthCheckIntervalSeconds: number;
  /** `FailureThreshold` of those health checks. */
  readonly healthCheckFailureThreshold: number;
  /** TTL of the weighted records. */
  readonly recordTtlSeconds: number;
  /**
   * Seconds the workload caches its parameters before it sees a new active region.
   * @default 0
   */
  readonly workloadConfigCacheSeconds?: number;
  /** Where each number comes from (construct and property), for the RTO parts' `source`. */
  readonly sources: { readonly healthCheck: string; readonly recordTtl: string; readonly workloadConfigCache?: string };
}

/**
 * The identifiers of what the controller protects, as a user gives them: `DR_RESOURCES` without
 * what the controller creates and names itself (`controllerNames`): the state table and bus may be
 * left out (when given they must be those names), the state machine and queue URLs are never given.
 */
export type ProtectedResources = Omit<Resources, 'stateTableName' | 'controllerBusName' | 'stateMachineArn' | 'deadLetterQueueUrl' | 'wakeUpQueueUrl'> &
  Partial<Pick<Resources, 'stateTableName' | 'controllerBusName'>>;

/** Props of {@link DrController}. */
export interface DrControllerProps {
  /** Deployment environment (`dev`, `prod`, …): part of every resource name. Lowercase letters, digits, dashes. */
  readonly envName: string;
  /** The validated controller configuration (build it with `parseConfig` from `edge/config.schema.ts`). */
  readonly config: ControllerConfig;
  /**
   * What the controller acts on: the protected app's global cluster and member clusters, its
   * weighted records and health checks, its parameter path, the regional health URLs the prober
   * calls, and `controllerRegion` (where this construct must be deployed). The controller's own
   * resources (state table, bus, state machine, queues) are named by `controllerNames(config.app,
   * envName)` and added here; `stateTableName` and `controllerBusName` may be left out, and when
   * given must be those names. The Lambdas get the result as `DR_RESOURCES`.
   */
  readonly resources: ProtectedResources;
  /**
   * Who may assume the operator role (publish overrides, read state, read the app's parameters):
   * at least one, named explicitly (e.g. `new iam.ArnPrincipal('arn:aws:iam::123456789012:role/DrOperators')`).
   * There is no default: the role must never be open to the whole account by omission, so synth
   * fails without one. Trusting `new iam.AccountRootPrincipal()` is possible, but explicit.
   */
  readonly operatorPrincipals: readonly iam.IPrincipal[];
  /**
   * Whether assuming the operator role requires MFA (`aws:MultiFactorAuthPresent` true in the
   * trust policy). Right for people who sign in as IAM users (or the account root) and call
   * AssumeRole with an MFA code. Set it to false for principals that are roles whose sessions carry
   * no MFA context, such as IAM Identity Center permission-set roles or CI roles (AssumeRole from
   * a role session never has `aws:MultiFactorAuthPresent`), and enforce MFA where they sign in.
   * @default true
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html
   */
  readonly requireOperatorMfa?: boolean;
  /**
   * How many times the decide Lambda may fail a message before it moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Topic notified when one of the controller's own alarms (dead-letter queues, silence, stuck
   * failover, reconciliation failures, prober errors) fires or clears.
   * @default - a topic `<app>-<envName>-controller-alarms`, encrypted with a key CloudWatch may use; subscribe to it
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Minutes without a decision, or without a tick, before the controller's silence alarms fire.
   * @default 5
   */
  readonly silenceMinutes?: number;
  /**
   * The worst-case recovery time the blackout path may take (detection, sustain, decide, the
   * failover steps, DNS), in seconds: synth fails, naming the largest parts, when the model of
   * this controller's own settings exceeds it.
   * @default 300
   */
  readonly rtoTargetSeconds?: number;
  /**
   * How the protected workload's traffic follows a failover: the RTO model's DNS parts.
   * @default - no RTO computed at synth (`rto` undefined): the controller cannot see the workload's
   *   health checks and records; `drctl rto` reads them from the synthesized templates instead
   */
  readonly traffic?: TrafficTiming;
  /**
   * Settings of the failover state machine (polls, timeouts, log retention).
   * @default - the {@link FailoverWorkflow} defaults
   */
  readonly workflow?: Omit<FailoverWorkflowProps, 'stateMachineName' | 'config' | 'resources'>;
  /**
   * Minutes between readiness evaluations of every failover target (and the readiness alarms' period).
   * @default 15
   */
  readonly readinessIntervalMinutes?: number;
  /**
   * What happens to the state table (state and decision audit log) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
}

/**
 * The disaster-recovery controller of one application, in the controller region (ARCHITECTURE.md):
 * the controller bus, the rules that bring alarm changes, overrides, ticks and workflow endings to
 * one SQS FIFO queue (one message group per app), the decide Lambda that drains it, the state table,
 * the failover state machine and the operator role.
 *
 * Scheduled rules and AWS service events (CloudWatch alarms, Step Functions) only exist on the
 * default bus, so the tick, workflow-ended and local-alarm rules live there; overrides and alarms
 * forwarded from other regions arrive on the controller bus.
 *
 * The controller region is either a protected region (by default the standby: it survives the
 * primary's outage, but shares the fate of the region it would fail over into) or a *witness*, a
 * region that serves no traffic (e.g. us-west-2 for a us-east-1/us-east-2 workload): then every
 * protected region's alarms and heartbeats are forwarded to it (`controllerStacks`), the prober
 * and the probe alarms run there, and it sends no heartbeat of its own.
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
  /** Delayed wake-up ticks (standard queue, per-message delay) piped into {@link queue}. */
  readonly wakeUps: WakeUps;
  /** The prober and its alarms; undefined when no `probe` signal is configured. */
  readonly prober?: Prober;
  /** This region's heartbeat rule; undefined when no `heartbeat` signal is configured. */
  readonly heartbeatRule?: events.Rule;
  /** The controller's own alarms and the topic they notify. */
  readonly alarms: ControllerAlarms;
  /** The scheduled readiness evaluation of every failover target, its alarms and the rule bringing its results to {@link queue}. */
  readonly readiness: ReadinessEvaluation;
  /** The target the worst-case recovery time is held to (`rtoTargetSeconds`). */
  readonly rtoTargetSeconds: number;
  /**
   * The worst-case recovery time along the blackout path, from this controller's own settings and
   * `traffic` (`rto-model.ts`); undefined without `traffic`. Synth fails when it exceeds the target.
   */
  readonly rto?: RtoBudget;

  private readonly props: DrControllerProps;

  constructor(scope: Construct, id: string, props: DrControllerProps) {
    super(scope, id);
    this.props = props;
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
    // The probe URLs are the prober's alone (they are cross-region references in the reference app).
    const { probeUrls, ...withoutProbeUrls } = props.resources;
    const resources: Resources = { ...withoutProbeUrls, stateTableName: names.tableName, controllerBusName: names.busName, stateMachineArn: this.stateMachineArn };

    this.table = this.stateTable(names.tableName, props.tableRemovalPolicy ?? RemovalPolicy.RETAIN);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: names.busName });
    this.operatorRole = this.operatorRoleFor(props, names);
    this.restrictOverridesToOperator();

    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue', {
      queueName: names.deadLetterQueueName,
      fifo: true,
      alarmName: names.queueNotEmptyAlarmName(names.deadLetterQueueName),
      holds: `controller events the decide Lambda failed ${maxReceiveCount} times`,
      // The controller queue denies every sender but its rules and the wake-up pipe (restrictQueueSenders).
      remedy: 'then delete them: a redrive into the controller queue is denied by its policy; re-send overrides with drctl, alarm states and workflow endings are re-read on every tick',
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
      queueName: names.undeliveredQueueName,
      alarmName: names.queueNotEmptyAlarmName(names.undeliveredQueueName),
      holds: 'controller events EventBridge could not deliver to the controller queue',
      terminalReason: 'Dead-letter queue of the EventBridge rule targets: EventBridge DLQs must be standard queues and are the end of the line.',
    });
    this.wakeUps = new WakeUps(this, 'WakeUps', {
      names,
      controllerQueue: this.queue,
      messageGroupId: config.app,
      maxReceiveCount,
    });

    this.workflow = new FailoverWorkflow(this, 'Workflow', { ...props.workflow, stateMachineName: names.stateMachineName, config, resources });
    const queueRules = this.routeEventsToQueue(config, names);
    // A witness controller region (one that serves no traffic) is not monitored: it sends no heartbeat.
    if (config.signals.some((signal) => signal.kind === 'heartbeat') && monitoredRegions(config).includes(props.resources.controllerRegion)) {
      this.heartbeatRule = addHeartbeatRule(this, 'HeartbeatRule', {
        ruleName: names.heartbeatRuleName,
        controllerBus: this.bus,
        deadLetterQueue: this.eventDeadLetterQueue.queue,
      });
    }
    this.decideFunction = this.decideLambda(props, names, resources);
    this.restrictQueueSenders(queueRules);
    this.restrictWakeUpSenders(this.decideFunction.role!);
    const probeSignals = config.signals.filter((signal) => signal.kind === 'probe');
    if (probeSignals.length > 0) {
      this.prober = new Prober(this, 'Prober', {
        prefix: names.prefix,
        signals: probeSignals,
        environment: controllerEnvironment(stack.toJsonString(compactConfig(config)), stack.toJsonString({ ...resources, probeUrls })),
        runtime: DECIDE_RUNTIME,
        bundling: DECIDE_BUNDLING,
        projectRoot: PROJECT_ROOT,
      });
    }

    this.alarms = new ControllerAlarms(this, 'Alarms', {
      prefix: names.prefix,
      topic: props.alarmTopic,
      silenceMinutes: props.silenceMinutes ?? DEFAULT_SILENCE_MINUTES,
      runTimeoutSeconds: this.workflow.tunables.timeoutMinutes * 60,
      prober: this.prober?.function,
    });
    for (const dlq of [this.deadLetterQueue, this.eventDeadLetterQueue, this.wakeUps.deadLetterQueue]) this.alarms.notify(dlq.alarm);
    // Probe alarms are evidence first, but a region failing its probes is worth a page too (and
    // every alarm has an action: ARCHITECTURE.md "Trust boundaries").
    for (const alarm of Object.values(this.prober?.alarms ?? {})) this.alarms.notify(alarm);

    // Readiness: its results come back through the readiness rule (routeEventsToQueue); the
    // operator role may run the same checks with drctl readiness.
    const readinessInterval = props.readinessIntervalMinutes ?? DEFAULT_READINESS_INTERVAL_MINUTES;
    this.readiness = new ReadinessEvaluation(this, 'Readiness', {
      prefix: names.prefix,
      config,
      resources,
      stepFunctions: this.workflow.functions,
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue.queue,
      table: this.table,
      bus: this.bus,
      alarmTopic: this.alarms.topic,
      // An invalid interval fails the synth (validateDrControllerProps); the default stands in meanwhile.
      intervalMinutes: validReadinessInterval(readinessInterval) ? readinessInterval : DEFAULT_READINESS_INTERVAL_MINUTES,
      runtime: DECIDE_RUNTIME,
      bundling: DECIDE_BUNDLING,
      projectRoot: PROJECT_ROOT,
    });
    this.readiness.grantRun(this.operatorRole);

    this.rtoTargetSeconds = props.rtoTargetSeconds ?? DEFAULT_RTO_TARGET_SECONDS;
    if (props.traffic) {
      let rtoError: string | undefined;
      try {
        this.rto = rtoBudget(this.rtoInputs(props.traffic));
      } catch (error) {
        rtoError = (error as Error).message.replace(/^rto model: /, '');
      }
      this.node.addValidation({
        validate: () => {
          if (rtoError) return [`no recovery time can be promised: ${rtoError}`];
          const violation = this.rto && rtoViolation(this.rto);
          return violation ? [violation] : [];
        },
      });
    }
  }

  /**
   * The RTO model's inputs, each from this construct: the prober's timing and alarm (when a probe
   * signal exists), the policy's heartbeat window (when a heartbeat signal exists) and sustain, the
   * workflow's poll interval, and the workload's health checks and TTL (`traffic`).
   */
  private rtoInputs(traffic: TrafficTiming): RtoInputs {
    const { config } = this.props;
    const hasProbe = config.signals.some((signal) => signal.kind === 'probe');
    return {
      targetSeconds: this.rtoTargetSeconds,
      ...(hasProbe && {
        probe: {
          intervalSeconds: PROBE_TIMING.intervalSeconds,
          timeoutSeconds: PROBE_TIMING.timeoutSeconds,
          periodSeconds: PROBE_ALARM.periodSeconds,
          evaluationPeriods: PROBE_ALARM.evaluationPeriods,
        },
      }),
      ...policyInputs(config),
      pollIntervalSeconds: this.workflow.tunables.pollIntervalSeconds,
      workloadConfigCacheSeconds: traffic.workloadConfigCacheSeconds ?? 0,
      healthCheckIntervalSeconds: traffic.healthCheckIntervalSeconds,
      healthCheckFailureThreshold: traffic.healthCheckFailureThreshold,
      dnsTtlSeconds: traffic.recordTtlSeconds,
      sources: {
        probe:
          `Prober: PROBE_TIMING.intervalSeconds ${PROBE_TIMING.intervalSeconds} s + timeoutSeconds ${PROBE_TIMING.timeoutSeconds} s (handlers/prober/probe-loop.ts), ` +
          `its alarm PROBE_ALARM.periodSeconds ${PROBE_ALARM.periodSeconds} s × evaluationPeriods ${PROBE_ALARM.evaluationPeriods} (infra/controller/prober.construct.ts)`,
        heartbeatWindowSeconds: `DrController.props.config.policy.heartbeatWindowSeconds`,
        sustainSeconds: 'DrController.props.config.policy.sustainSeconds',
        pollIntervalSeconds: 'FailoverWorkflow.tunables.pollIntervalSeconds (DrController.props.workflow)',
        workloadConfigCacheSeconds: `DrController.props.traffic.workloadConfigCacheSeconds (${traffic.sources.workloadConfigCache ?? 'given'})`,
        healthCheck: `DrController.props.traffic.healthCheckIntervalSeconds × healthCheckFailureThreshold (${traffic.sources.healthCheck})`,
        dnsTtlSeconds: `DrController.props.traffic.recordTtlSeconds (${traffic.sources.recordTtl})`,
        targetSeconds: 'DrController.props.rtoTargetSeconds',
      },
    };
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
    const role = new iam.Role(this, 'OperatorRole', {
      roleName: names.operatorRoleName,
      description: `Operators of ${props.config.app} (${props.envName}): publish DR overrides, read controller state and app parameters, run readiness`,
      assumedBy: operatorTrust(props),
    });
    this.bus.grantPutEventsTo(role);
    // `drctl status`: the state item and the recent decision records, the in-flight run's status.
    this.table.grant(role, 'dynamodb:GetItem', 'dynamodb:Query');
    const executionsArn = this.executionsArn(names);
    role.addToPolicy(new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executionsArn] }));
    acknowledgeWildcardResources(role, [executionsArn], 'Executions of this one state machine: their names carry the failover generation, unknown at deploy time.');
    // `drctl status` reads them with GetParameters, one call per region.
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter', 'ssm:GetParameters'], resources: this.appParameterArns(props) }));
    return role;
  }

  /**
   * The app's parameters (`active-region`, `fenced`, …) in every protected region, by exact name
   * (the config-store codec's), as SSM parameter ARNs: `arn:<partition>:ssm:<region>:<account>:parameter/<name without the leading slash>`.
   *
   * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html#awssystemsmanager-resources-for-iam-policies
   */
  private appParameterArns(props: DrControllerProps): string[] {
    const stack = Stack.of(this);
    return props.config.regions.flatMap((region) =>
      APP_PARAMETER_KEYS.map((key) =>
        stack.formatArn({ service: 'ssm', region, resource: 'parameter', resourceName: parameterName(props.resources.parameterPrefix, key).slice(1) }),
      ),
    );
  }

  /**
   * Only the operator role may put `dr.operator` events on the controller bus: an explicit Deny for
   * every other principal, keyed on the `events:source` condition key of PutEvents.
   *
   * A batched PutEvents cannot slip an override past it: EventBridge authorizes each entry of the
   * batch against the bus policy on its own, with that entry's `source` as `events:source` (a
   * single-valued key, so `StringEquals` without a set operator is the documented form), and
   * rejects just the entries it denies with `NotAuthorizedForSourceException` in their own result
   * entry, while the other entries of the same call go through. So an override entry hidden among
   * harmless ones is denied exactly as if it were sent alone. The Deny's value is the exact,
   * case-sensitive string the override rule matches (`overridePattern`), so no spelling reaches
   * the queue without being denied first.
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html (events:source: "the literal string for the source field of the event")
   * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsResultEntry.html (per-entry NotAuthorizedForSourceException)
   * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html (each entry has its own result; FailedEntryCount)
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
   */
  private restrictOverridesToOperator(): void {
    this.bus.addToResourcePolicy(
      denyEveryoneElse('OnlyOperatorRolePutsOverrides', 'events:PutEvents', this.bus.eventBusArn, {
        StringEquals: { 'events:source': OVERRIDE_SOURCE },
        ArnNotEquals: { 'aws:PrincipalArn': this.operatorRole.roleArn },
      }),
    );
  }

  /**
   * The controller queue trusts only the controller's own senders: an explicit Deny of
   * `sqs:SendMessage` (which also governs SendMessageBatch) to every principal, unless the request
   * comes from one of the rules that target the queue (`aws:SourceArn`, which EventBridge sets to
   * the rule's ARN when it delivers to a target) or from the wake-up pipe's execution role
   * (`aws:PrincipalArn`: a pipe calls its target with its execution role's credentials, so the
   * request carries the role, not a source ARN; for a role session `aws:PrincipalArn` is the role's
   * ARN). The two negated keys sit in one `ArnNotEquals`, so the Deny applies only when neither
   * matches; a key absent from the request makes its negated test true, so an IAM user (no
   * source ARN) or another rule (no principal ARN) is denied. A forged override or a forged Step
   * Functions `SUCCEEDED` sent straight to the queue, even by an administrator, never reaches
   * the decide Lambda. The Allow statements for the rules are the ones the SQS targets add.
   *
   * Consequence: redriving the controller's dead-letter queue back into this queue
   * (StartMessageMoveTask sends as the caller) is denied too; replay overrides with `drctl`,
   * and rely on reconciliation for alarm states and workflow endings.
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sqs-permissions
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html (aws:SourceArn: the ARN of the rule sending the event)
   * @see https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_CreatePipe.html#pipes-CreatePipe-request-RoleArn (the role that allows the pipe to send data to the target)
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-permissions.html
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html (a negated operator is true when the key is absent)
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html (keys of one operator are ANDed)
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api-actions.html (SendMessage permissions cover SendMessageBatch)
   */
  private restrictQueueSenders(rules: readonly events.Rule[]): void {
    this.queue.addToResourcePolicy(
      denyEveryoneElse('OnlyControllerRulesAndWakeUpPipeSend', 'sqs:SendMessage', this.queue.queueArn, {
        ArnNotEquals: { 'aws:SourceArn': rules.map((rule) => rule.ruleArn), 'aws:PrincipalArn': this.wakeUps.pipeRole.roleArn },
      }),
    );
  }

  /**
   * Only the decide Lambda schedules wake-ups: an explicit Deny of `sqs:SendMessage` on the
   * wake-up queue to every principal but the decide function's role. A wake-up is only a tick
   * (it cannot fake evidence), but a flood of them would crowd the FIFO lane.
   *
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
   */
  private restrictWakeUpSenders(decideRole: iam.IRole): void {
    this.wakeUps.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyDecideFunctionSchedulesWakeUps',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sqs:SendMessage'],
        resources: [this.wakeUps.queue.queueArn],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': decideRole.roleArn } },
      }),
    );
  }

  /** ARN pattern of this state machine's executions. */
  private executionsArn(names: ControllerNames): string {
    return Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${names.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /**
   * Up to seven rules, one queue: alarms of this region, alarms forwarded from other regions (each
   * only when some configured alarm lives there; matched by alarm ARN, see `alarmArnsIn`),
   * overrides, the tick, workflow endings, heartbeats, readiness results (`dr.controller` /
   * `DR Readiness` on the controller bus, which the engine reads). Returns them: they are the queue's only
   * senders besides the wake-up pipe ({@link restrictQueueSenders}). SQS FIFO targets need a
   * message group id (the app: one group per protected app); failed deliveries go to a standard
   * queue, the only kind EventBridge accepts as a target dead-letter queue.
   *
   * Heartbeats reach the controller bus from the heartbeat rule of every monitored region
   * (including this one); the `heartbeats` rule matches them by those rules' ARNs.
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-event-delivery.html#eb-rule-dlq
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html
   */
  private routeEventsToQueue(config: ControllerConfig, names: ControllerNames): events.Rule[] {
    const stack = Stack.of(this);
    const controllerRegion = this.props.resources.controllerRegion;
    const target = new targets.SqsQueue(this.queue, { messageGroupId: config.app, deadLetterQueue: this.eventDeadLetterQueue.queue });
    const rules: events.Rule[] = [];
    const rule = (id: string, ruleName: string, description: string, props: Partial<events.RuleProps>) => {
      const created = new events.Rule(this, id, { ruleName, description, targets: [target], ...props });
      rules.push(created);
      return created;
    };
    // Alarms by ARN: those living in this region arrive on its default bus, the others forwarded
    // to the controller bus by the alarm-forwarding stacks (each matching its own region's ARNs).
    const arnEnvironment: ArnEnvironment = { partition: stack.partition, account: stack.account };
    const localAlarms = alarmArnsIn(config, controllerRegion, controllerRegion, arnEnvironment);
    const forwardedAlarms = monitoredRegions(config)
      .filter((region) => region !== controllerRegion)
      .flatMap((region) => alarmArnsIn(config, region, controllerRegion, arnEnvironment));
    if (localAlarms.length > 0) {
      rule('AlarmRule', names.rules.alarms, 'Configured alarms of the controller region (default bus), by ARN, to the controller queue', {
        eventPattern: alarmStateChangePattern(localAlarms),
      });
    }
    if (forwardedAlarms.length > 0) {
      rule('ForwardedAlarmRule', names.rules.forwardedAlarms, 'Configured alarms of other regions forwarded to the controller bus, by ARN, to the controller queue', {
        eventBus: this.bus,
        eventPattern: alarmStateChangePattern(forwardedAlarms),
      });
    }
    rule('OverrideRule', names.rules.overrides, 'Operator overrides to the controller queue', { eventBus: this.bus, eventPattern: overridePattern });
    rule('TickRule', names.rules.tick, 'Every minute: lets sustain periods and freezes expire without alarm changes', {
      schedule: events.Schedule.rate(Duration.minutes(1)),
    });
    rule('WorkflowEndedRule', names.rules.workflowEnded, 'Failover executions that ended to the controller queue', {
      eventPattern: workflowEndedPattern(this.stateMachineArn),
    });
    if (config.signals.some((signal) => signal.kind === 'heartbeat')) {
      const heartbeatRuleArns = monitoredRegions(config).map((region) =>
        stack.formatArn({ service: 'events', region, resource: 'rule', resourceName: names.heartbeatRuleName }),
      );
      rule('HeartbeatRoutingRule', names.rules.heartbeats, 'Heartbeats of every monitored region, from the controller bus to the controller queue', {
        eventBus: this.bus,
        eventPattern: heartbeatPattern(heartbeatRuleArns),
      });
    }
    rule('ReadinessRule', names.rules.readinessResults, 'Readiness results of every failover target, from the controller bus to the controller queue', {
      eventBus: this.bus,
      eventPattern: readinessPattern,
    });
    return rules;
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
    const functionName = names.decideFunctionName;
    const logGroup = new logs.LogGroup(this, 'DecideLogs', { logGroupName: `/aws/lambda/${functionName}`, retention: logs.RetentionDays.THREE_MONTHS });
    const role = new iam.Role(this, 'DecideRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Decide Lambda of ${props.config.app} (${props.envName})`,
    });
    logGroup.grantWrite(role);
    // What DynamoDbStateStore calls: load (GetItem), save state and its decisions in one
    // TransactWriteItems (authorized as PutItem, UpdateItem and ConditionCheckItem per item), the
    // decision log (BatchWriteItem, Query).
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
    this.table.grant(role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem', 'dynamodb:Query');
    this.bus.grantPutEventsTo(role);
    this.deadLetterQueue.queue.grantSendMessages(role);
    this.wakeUps.queue.grantSendMessages(role);
    // Reconciliation re-reads every configured alarm where it lives (DescribeAlarms takes alarm ARNs).
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
    const alarmArns = alarmSignals(props.config).map(
      (signal) => alarmArnOf(signal, props.resources.controllerRegion, { partition: stack.partition, account: stack.account })!,
    );
    role.addToPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: alarmArns }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachineArn] }));
    const executionsArn = this.executionsArn(names);
    role.addToPolicy(new iam.PolicyStatement({ actions: ['states:StopExecution', 'states:DescribeExecution'], resources: [executionsArn] }));
    acknowledgeWildcardResources(role, [executionsArn], 'Executions of this one state machine: their names carry the failover generation, unknown at deploy time.');
    // Safe mode: an acknowledge rebuilds an unreadable state from the active region the app's
    // parameters name, read with one GetParameters per protected region (handlers/decide/safe-mode.ts).
    // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameters'], resources: this.appParameterArns(props) }));

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
      // The decide path binds evidence to its origin: alarms and heartbeats to this account, overrides
      // to this account and region, workflow status to this state machine (domain/config.ts).
      environment: controllerEnvironment(
        stack.toJsonString(compactConfig(boundConfig(props.config, stack.account, resources.controllerRegion, this.stateMachineArn))),
        stack.toJsonString({ ...resources, deadLetterQueueUrl: this.deadLetterQueue.queue.queueUrl, wakeUpQueueUrl: this.wakeUps.queue.queueUrl }),
      ),
    });
    fn.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }));
    return fn;
  }
}

/**
 * `config` with the origin the decide path holds its inputs to, unless the configuration already
 * names it: the deploying account, the controller's region and its state machine.
 */
export function boundConfig(config: ControllerConfig, account: string, controllerRegion: string, stateMachineArn: string): ControllerConfig {
  return { ...config, account: config.account ?? account, controllerRegion: config.controllerRegion ?? controllerRegion, stateMachineArn: config.stateMachineArn ?? stateMachineArn };
}

/**
 * The operator role's trust: each of `operatorPrincipals`, with `aws:MultiFactorAuthPresent` true
 * unless `requireOperatorMfa` is false. Without principals (a synth error, see
 * {@link validateDrControllerProps}) the role trusts nobody but MFA sessions of its own account's
 * root user, and is never deployed: validation fails the synth first.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
 */
function operatorTrust(props: DrControllerProps): iam.IPrincipal {
  const requireMfa = props.requireOperatorMfa ?? true;
  const mfa = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
  const withMfa = (principal: iam.IPrincipal) => (requireMfa ? new iam.PrincipalWithConditions(principal, mfa) : principal);
  const principals = props.operatorPrincipals ?? [];
  return principals.length > 0 ? new iam.CompositePrincipal(...principals.map(withMfa)) : new iam.PrincipalWithConditions(new iam.AccountRootPrincipal(), mfa);
}

const ENV_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const validReadinessInterval = (minutes: number) => Number.isInteger(minutes) && minutes >= 1 && minutes <= 1440;

/**
 * `resources` as the Lambdas will read it, for validation with `parseResources` at synth: the
 * account and partition tokens replaced by sample values (CloudFormation fills in the real ones).
 */
function resolvedForValidation(resources: object): unknown {
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
  // Checked only for a valid envName: with an invalid one the derived names are as wrong as it is.
  for (const [field, name] of ENV_NAME.test(envName) ? ([['stateTableName', names.tableName], ['controllerBusName', names.busName]] as const) : []) {
    const given = resources[field];
    if (given !== undefined && given !== name) errors.push(`resources.${field} is "${given}", but the controller names it "${name}" (controllerNames); leave it out`);
  }
  const readinessInterval = props.readinessIntervalMinutes ?? DEFAULT_READINESS_INTERVAL_MINUTES;
  if (!validReadinessInterval(readinessInterval)) {
    errors.push(`readinessIntervalMinutes must be a whole number of minutes from 1 to 1440 (a day), got ${readinessInterval}`);
  }
  const parsed = parseResources(resolvedForValidation({ ...resources, stateTableName: names.tableName, controllerBusName: names.busName }));
  if (!parsed.ok) errors.push(...parsed.errors.map((error) => `resources: ${error}`));
  if (!Token.isUnresolved(stack.region) && stack.region !== resources.controllerRegion) {
    errors.push(`the controller is in ${stack.region} but resources.controllerRegion is ${resources.controllerRegion}; deploy it to the controller region`);
  }
  if (parsed.ok) errors.push(...missingRegions(parsed.resources, config.regions).map((error) => `resources: ${error}`));
  if (config.signals.length === 0) errors.push('config.signals must list at least one alarm; the controller has nothing to watch');
  const probeRegions = [...new Set(config.signals.filter((signal) => signal.kind === 'probe').map((signal) => signal.region))];
  for (const region of probeRegions.filter((r) => !resources.probeUrls?.[r])) {
    errors.push(`resources.probeUrls has no entry for ${region}, which has a probe signal; add the https URL of its regional /health endpoint`);
  }
  const silenceMinutes = props.silenceMinutes ?? DEFAULT_SILENCE_MINUTES;
  if (!Number.isInteger(silenceMinutes) || silenceMinutes < 1 || silenceMinutes > 60) {
    errors.push(`silenceMinutes must be a whole number from 1 to 60, got ${silenceMinutes}`);
  }
  const rtoTargetSeconds = props.rtoTargetSeconds ?? DEFAULT_RTO_TARGET_SECONDS;
  if (!Number.isFinite(rtoTargetSeconds) || rtoTargetSeconds <= 0) errors.push(`rtoTargetSeconds must be a number of seconds above 0, got ${rtoTargetSeconds}`);
  config.signals.forEach((signal, i) => {
    if (signal.alarmName.trim() === '') errors.push(`config.signals[${i}].alarmName must not be empty; use the CloudWatch alarm's name`);
  });
  if (!props.operatorPrincipals || props.operatorPrincipals.length === 0) {
    errors.push(
      'operatorPrincipals must name at least one principal that may assume the operator role (e.g. new iam.ArnPrincipal("arn:aws:iam::<account>:role/<operators>")); the role is never open to the whole account by default',
    );
  }
  // The longest alarm pattern: the controller region's own, or the forwarded alarms of every other
  // region together (each forwarding stack matches a subset of those).
  const sampleArns: ArnEnvironment = { partition: 'aws', account: '123456789012' };
  const alarmsIn = (region: string) => alarmArnsIn(config, region, resources.controllerRegion, sampleArns);
  const local = alarmsIn(resources.controllerRegion);
  const forwarded = monitoredRegions(config)
    .filter((region) => region !== resources.controllerRegion)
    .flatMap(alarmsIn);
  const patternLength = Math.max(0, ...[local, forwarded].filter((arns) => arns.length > 0).map((arns) => eventPatternLength(alarmStateChangePattern(arns))));
  if (patternLength > MAX_EVENT_PATTERN_LENGTH) {
    errors.push(
      `the alarm rules' event pattern is ${patternLength} characters, over EventBridge's ${MAX_EVENT_PATTERN_LENGTH}; shorten alarm names or watch fewer alarms`,
    );
  }
  // The environments as deployed, with sample values where CloudFormation fills in tokens: the
  // decide function's (DR_RESOURCES with the queue URLs) and the readiness function's (DR_RESOURCES
  // plus DR_READINESS: every step function's name and both queue URLs).
  const queueUrl = (queueName: string) => `https://sqs.${resources.controllerRegion}.amazonaws.com/123456789012/${queueName}`;
  const controllerResources = {
    ...(resolvedForValidation({ ...resources, stateTableName: names.tableName, controllerBusName: names.busName }) as Resources),
    stateMachineArn: `arn:aws:states:${resources.controllerRegion}:123456789012:stateMachine:${names.stateMachineName}`,
    probeUrls: undefined,
  };
  const environments = {
    decide: controllerEnvironment(
      JSON.stringify(compactConfig(boundConfig(config, '123456789012', resources.controllerRegion, controllerResources.stateMachineArn))),
      JSON.stringify({ ...controllerResources, deadLetterQueueUrl: queueUrl(names.deadLetterQueueName), wakeUpQueueUrl: queueUrl(names.wakeUpQueueName) }),
    ),
    readiness: readinessEnvironment(
      JSON.stringify(compactConfig(config)),
      JSON.stringify(controllerResources),
      JSON.stringify({
        stepFunctions: Object.fromEntries(FAILOVER_STEPS.map((step) => [step, names.stepFunctionName(step)])),
        queueUrl: queueUrl(names.queueName),
        deadLetterQueueUrl: queueUrl(names.deadLetterQueueName),
      }),
    ),
  };
  for (const [fn, environment] of Object.entries(environments)) {
    const bytes = environmentBytes(environment);
    if (bytes > MAX_LAMBDA_ENVIRONMENT_BYTES) {
      errors.push(
        `the ${fn} Lambda's environment (DR_CONFIG, DR_RESOURCES, …) takes ${bytes} bytes, over Lambda's ${MAX_LAMBDA_ENVIRONMENT_BYTES}; shorten alarm names or drop unused signals`,
      );
    }
  }
  return errors;
}

/**
 * A resource-policy statement denying `action` on `resource` to every principal unless
 * `conditions` spare the request (they are written negated: the Deny applies where they hold).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html (an explicit Deny overrides any Allow)
 */
function denyEveryoneElse(sid: string, action: string, resource: string, conditions: Record<string, unknown>): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: [action], resources: [resource], conditions });
}
