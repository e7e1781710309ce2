/**
 * Deterministic names of the controller's resources. Names are strings, never tokens, so a stack in
 * another region can build the controller bus ARN, and so the decide Lambda can be told the state
 * machine ARN without a cross-stack reference.
 */
export interface ControllerNames {
  /** Custom event bus in the controller region: `<app>-<envName>-controller`. */
  readonly busName: string;
  /** DynamoDB state table: `<app>-<envName>-controller-state`. */
  readonly tableName: string;
  /** SQS FIFO queue feeding the decide Lambda: `<app>-<envName>-controller.fifo`. */
  readonly queueName: string;
  /** Its FIFO dead-letter queue: `<app>-<envName>-controller-dlq.fifo`. */
  readonly deadLetterQueueName: string;
  /** Failover state machine: `<app>-<envName>-failover`. */
  readonly stateMachineName: string;
  /** Prefix of every other name (rules, roles, functions, alarms): `<app>-<envName>`. */
  readonly prefix: string;
}

/** The names every controller resource of `app` in `envName` gets. */
export function controllerNames(app: string, envName: string): ControllerNames {
  const prefix = `${app}-${envName}`;
  return {
    busName: `${prefix}-controller`,
    tableName: `${prefix}-controller-state`,
    queueName: `${prefix}-controller.fifo`,
    deadLetterQueueName: `${prefix}-controller-dlq.fifo`,
    stateMachineName: `${prefix}-failover`,
    prefix,
  };
}
