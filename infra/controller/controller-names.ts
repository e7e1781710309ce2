/**
 * Deterministic names of the controller's resources, derived here and nowhere else: every construct,
 * stack and tool that names a controller resource asks {@link controllerNames} (or, given only the
 * prefix, {@link controllerNamesOf}). Names are strings, never tokens, so a stack in another region
 * can build the controller bus ARN, and so the decide Lambda can be told the state machine ARN
 * without a cross-stack reference.
 */
export interface ControllerNames {
  /** Prefix of every name: `<app>-<envName>`. */
  readonly prefix: string;
  /** The controller stack: `<app>-<envName>-controller`. */
  readonly controllerStackName: string;
  /** The alarm-forwarding stack of one monitored region: `<app>-<envName>-alarm-forwarding-<region>`. */
  readonly alarmForwardingStackName: (region: string) => string;
  /** Custom event bus in the controller region: `<app>-<envName>-controller`. */
  readonly busName: string;
  /** DynamoDB state table: `<app>-<envName>-controller-state`. */
  readonly tableName: string;
  /** SQS FIFO queue feeding the decide Lambda: `<app>-<envName>-controller.fifo`. */
  readonly queueName: string;
  /** Its FIFO dead-letter queue: `<app>-<envName>-controller-dlq.fifo`. */
  readonly deadLetterQueueName: string;
  /** Standard queue of the events EventBridge could not deliver to the controller queue: `<app>-<envName>-controller-undelivered`. */
  readonly undeliveredQueueName: string;
  /** Failover state machine: `<app>-<envName>-failover`. */
  readonly stateMachineName: string;
  /** Standard SQS queue of delayed wake-up ticks, piped into {@link queueName}: `<app>-<envName>-wakeups` (the pipe has the same name). */
  readonly wakeUpQueueName: string;
  /** Its dead-letter queue: `<app>-<envName>-wakeups-dlq`. */
  readonly wakeUpDeadLetterQueueName: string;
  /**
   * The scheduled rule, in every monitored region, whose events are the region's heartbeat:
   * `<app>-<envName>-heartbeat`. The event parser keys on the `-heartbeat` suffix of the rule ARN.
   */
  readonly heartbeatRuleName: string;
  /** The rules that feed the controller queue, each `<app>-<envName>-<what>`. */
  readonly rules: {
    readonly alarms: string;
    readonly forwardedAlarms: string;
    readonly overrides: string;
    readonly tick: string;
    readonly workflowEnded: string;
    readonly heartbeats: string;
    readonly readinessResults: string;
  };
  /** A failover step's Lambda: `<app>-<envName>-failover-<step>` ({@link stepFunctionNameOf}). */
  readonly stepFunctionName: (step: string) => string;
  /** The decide Lambda: `<app>-<envName>-decide`. */
  readonly decideFunctionName: string;
  /** The prober Lambda and its schedule: `<app>-<envName>-prober`. */
  readonly proberFunctionName: string;
  /** The readiness Lambda and its schedule: `<app>-<envName>-readiness` (`drctl readiness --app --env` reads it). */
  readonly readinessFunctionName: string;
  /** The role `drctl` assumes: `<app>-<envName>-operator`. */
  readonly operatorRoleName: string;
  /** The topic the controller's alarms notify, when none is given: `<app>-<envName>-controller-alarms`. */
  readonly alarmTopicName: string;
  /** One of the controller's own alarms: `<app>-<envName>-controller-<what>`. */
  readonly controllerAlarmName: (what: string) => string;
  /** The depth alarm of a dead-letter queue: `<queue name>-not-empty` (the `.fifo` suffix dropped). */
  readonly queueNotEmptyAlarmName: (queueName: string) => string;
  /** The prober's own errors alarm: `<app>-<envName>-prober-errors`. */
  readonly proberErrorsAlarmName: string;
  /** Readiness of one failover target: `<app>-<envName>-readiness-<region>`. */
  readonly readinessAlarmName: (region: string) => string;
  /** The readiness function's own errors: `<app>-<envName>-readiness-errors`. */
  readonly readinessErrorsAlarmName: string;
  /** In each alarm-forwarding stack: the rule `<app>-<envName>-forward-alarms`. */
  readonly forwardAlarmsRuleName: string;
  /** In each alarm-forwarding stack: its dead-letter queue `<app>-<envName>-alarm-forwarding-undelivered`. */
  readonly forwardingDeadLetterQueueName: string;
  /** In each alarm-forwarding stack: the topic its alarm notifies, when none is given: `<app>-<envName>-alarm-forwarding-<region>`. */
  readonly forwardingTopicName: (region: string) => string;
}

/** How every heartbeat rule's name ends; `resources[0]` of a heartbeat event is that rule's ARN. */
export const HEARTBEAT_RULE_SUFFIX = '-heartbeat';

/**
 * A failover step's Lambda, named after the state machine that runs it: `<state machine>-<step>`
 * (e.g. `payments-dev-failover-preflight`). Named, not generated, so the readiness function's
 * environment (which lists them) has a known size, and the functions are easy to find.
 */
export function stepFunctionNameOf(stateMachineName: string, step: string): string {
  return `${stateMachineName}-${step}`;
}

/** The names every controller resource of `app` in `envName` gets. */
export function controllerNames(app: string, envName: string): ControllerNames {
  return controllerNamesOf(`${app}-${envName}`);
}

/** The same names, from the prefix `<app>-<envName>` (what the controller's inner constructs are given). */
export function controllerNamesOf(prefix: string): ControllerNames {
  const controller = `${prefix}-controller`;
  return {
    prefix,
    controllerStackName: controller,
    alarmForwardingStackName: (region) => `${prefix}-alarm-forwarding-${region}`,
    busName: controller,
    tableName: `${controller}-state`,
    queueName: `${controller}.fifo`,
    deadLetterQueueName: `${controller}-dlq.fifo`,
    undeliveredQueueName: `${controller}-undelivered`,
    stateMachineName: `${prefix}-failover`,
    wakeUpQueueName: `${prefix}-wakeups`,
    wakeUpDeadLetterQueueName: `${prefix}-wakeups-dlq`,
    heartbeatRuleName: `${prefix}${HEARTBEAT_RULE_SUFFIX}`,
    rules: {
      alarms: `${prefix}-alarms`,
      forwardedAlarms: `${prefix}-forwarded-alarms`,
      overrides: `${prefix}-overrides`,
      tick: `${prefix}-tick`,
      workflowEnded: `${prefix}-workflow-ended`,
      heartbeats: `${prefix}-heartbeats`,
      readinessResults: `${prefix}-readiness-results`,
    },
    stepFunctionName: (step) => stepFunctionNameOf(`${prefix}-failover`, step),
    decideFunctionName: `${prefix}-decide`,
    proberFunctionName: `${prefix}-prober`,
    readinessFunctionName: `${prefix}-readiness`,
    operatorRoleName: `${prefix}-operator`,
    alarmTopicName: `${controller}-alarms`,
    controllerAlarmName: (what) => `${controller}-${what}`,
    queueNotEmptyAlarmName: (queueName) => `${queueName.replace(/\.fifo$/, '')}-not-empty`,
    proberErrorsAlarmName: `${prefix}-prober-errors`,
    readinessAlarmName: (region) => `${prefix}-readiness-${region}`,
    readinessErrorsAlarmName: `${prefix}-readiness-errors`,
    forwardAlarmsRuleName: `${prefix}-forward-alarms`,
    forwardingDeadLetterQueueName: `${prefix}-alarm-forwarding-undelivered`,
    forwardingTopicName: (region) => `${prefix}-alarm-forwarding-${region}`,
  };
}
