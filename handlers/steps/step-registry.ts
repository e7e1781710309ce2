/**
 * The failover workflow's steps: the ONE place that says, per step, which handler runs it, whether
 * it is on the recovery's critical path, how long each of its AWS calls may take, how the state
 * machine times it out and retries it, how long it takes in AWS (modelled, with the source), and
 * how a halt report names it. The state machine construct (`infra/controller/failover-workflow.construct.ts`),
 * the Lambda entries, the step Lambdas' SDK clients, `report-halt`'s progress and the RTO model
 * (`infra/controller/rto-model.ts`) are derived from it. Adding a step = one row here + one handler
 * file + its test (and its place in the state machine's chain).
 *
 * The rows are in the order a successful run takes them (`report-halt` runs only when a step fails).
 *
 * Deadlines: every SDK call a step makes gets `call.connectTimeoutMs` to connect and
 * `call.requestTimeoutMs` for the whole attempt (the SDK's `requestTimeout` with
 * `throwOnRequestTimeout`), and is tried at most `call.attempts` times by the adapter (the SDK
 * client itself makes one attempt). A call into a region that accepts connections and never
 * answers therefore fails after at most `callWorstSeconds(call)`.
 *
 * @see https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html (requestHandler shorthand: connectionTimeout, requestTimeout)
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html (Retry MaxAttempts counts retries, not the first attempt)
 */

/** Deadline and bounded retry of each AWS call a step makes. */
export interface CallDeadline {
  /** Milliseconds to establish the connection (the SDK's `connectionTimeout`). */
  readonly connectTimeoutMs: number;
  /** Milliseconds for one whole attempt, connection included (the SDK's `requestTimeout`, thrown). */
  readonly requestTimeoutMs: number;
  /** Attempts per call, the first included. */
  readonly attempts: number;
  /** Delay before the first retry; it doubles per retry. */
  readonly backoffMs: number;
}

/** How the state machine retries a step's Task. */
export interface StepRetry {
  /** Retries (Step Functions `MaxAttempts`) of `TransientAdapterError`; 0: none. */
  readonly transientRetries: number;
  /** Retries of `States.Timeout` and `Lambda.Unknown` (a hung or crashed function); 0: none. */
  readonly timeoutRetries: number;
  /** Seconds before the first retry (`IntervalSeconds`); doubles per retry (`BackoffRate` 2), full jitter. */
  readonly intervalSeconds: number;
}

/** What a step does to the recovery time when the region being left is dark (every call into it hangs). */
export interface BlackoutBehaviour {
  /** Seconds the calls that still answer take (AWS-typical, Lambda invocation included). */
  readonly answeringSeconds: number;
  /** Calls into the region being left (or Route 53's control plane) made one after the other; each hangs until its deadline. */
  readonly hungCalls: number;
  /**
   * Whether the hung call's failure leaves the step (so the state machine's Retry runs the step
   * again before the Catch), or the step absorbs it (best-effort read, e.g. a health check).
   */
  readonly failureLeavesStep: boolean;
}

export interface StepSpec {
  /** The handler file, from the repository root. */
  readonly handler: string;
  /** Name of the Task state running it. */
  readonly stateName: string;
  /** Where the Task puts its result (`$.<key>`); none: the result becomes the state (announce's output, report-halt's error). */
  readonly resultPath?: string;
  /** On the path from the decision to traffic served by the target (what the RTO counts). */
  readonly criticalPath: boolean;
  /**
   * A failure does not halt the failover: the state machine records it and goes on
   * (the old region's parameters, verification and the announcement, never the promotion or the target's parameters).
   */
  readonly bestEffort: boolean;
  readonly call: CallDeadline;
  /** Task `TimeoutSeconds`; the function gets {@link FUNCTION_TIMEOUT_MARGIN_SECONDS} more. */
  readonly taskTimeoutSeconds: number;
  readonly retry: StepRetry;
  /** AWS-typical duration of one call of the step when every region answers, and where that number comes from. */
  readonly modelled: { readonly seconds: number; readonly source: string };
  readonly blackout: BlackoutBehaviour;
  /** How `report-halt` and the drill's timeline name the step. */
  readonly progressLabel: string;
}

/** Extra seconds a step's function may run past its Task's timeout, so Step Functions (not Lambda) reports a hung step. */
export const FUNCTION_TIMEOUT_MARGIN_SECONDS = 10;

/**
 * Calls within AWS's own region answer in tens of milliseconds; 3 s per attempt is ample for the
 * control-plane reads and writes the steps make, and 2 attempts ride out one dropped connection.
 */
const REGIONAL_CALL: CallDeadline = { connectTimeoutMs: 1_000, requestTimeoutMs: 3_000, attempts: 2, backoffMs: 200 };

/** A promotion call: RDS answers once the switchover/failover is accepted (the promotion itself runs on). */
const PROMOTION_CALL: CallDeadline = { connectTimeoutMs: 1_000, requestTimeoutMs: 5_000, attempts: 2, backoffMs: 200 };

/**
 * Route 53's control plane (us-east-1, whichever region the step runs in): three attempts, because
 * `PriorRequestNotComplete` asks for a retry after a short wait.
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html#API_ChangeResourceRecordSets_Errors
 */
const ROUTE53_CALL: CallDeadline = { connectTimeoutMs: 1_000, requestTimeoutMs: 3_000, attempts: 3, backoffMs: 200 };

const LAMBDA_INVOKE = 'one warm Lambda invocation through the Step Functions Lambda integration (~0.1-0.5 s) plus';

/** A step that only publishes one event on the controller bus (in the controller region): best effort, off the critical path. */
const PUBLISH_ONLY = {
  criticalPath: false,
  bestEffort: true,
  call: REGIONAL_CALL,
  taskTimeoutSeconds: 20,
  retry: { transientRetries: 2, timeoutRetries: 0, intervalSeconds: 1 },
  modelled: { seconds: 1, source: `${LAMBDA_INVOKE} one PutEvents on the controller bus` },
  blackout: { answeringSeconds: 1, hungCalls: 0, failureLeavesStep: false },
} as const;

/**
 * How long the traffic shift waits for Route 53 to report the change INSYNC. AWS: "Changes generally
 * propagate to all Route 53 name servers within 60 seconds".
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-editing.html
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html
 */
export const ROUTE53_INSYNC_WAIT_SECONDS = 60;

export const STEP_REGISTRY = {
  preflight: {
    handler: 'handlers/steps/preflight.handler.ts',
    stateName: 'Preflight',
    resultPath: '$.preflight',
    criticalPath: true,
    bestEffort: false,
    call: REGIONAL_CALL,
    taskTimeoutSeconds: 20,
    retry: { transientRetries: 2, timeoutRetries: 1, intervalSeconds: 1 },
    modelled: { seconds: 2, source: `${LAMBDA_INVOKE} DescribeGlobalClusters, GetMetricData and GetHealthCheckStatus in parallel (each well under 1 s in a healthy region)` },
    // The old region's health comes from Route 53 (us-east-1): read best effort, unknown when it hangs.
    blackout: { answeringSeconds: 2, hungCalls: 1, failureLeavesStep: false },
    progressLabel: 'checked the target and chose switchover or failover',
  },
  'promote-database': {
    handler: 'handlers/steps/promote-database.handler.ts',
    stateName: 'Promote database',
    resultPath: '$.promotion',
    criticalPath: true,
    bestEffort: false,
    call: PROMOTION_CALL,
    taskTimeoutSeconds: 30,
    retry: { transientRetries: 2, timeoutRetries: 1, intervalSeconds: 1 },
    modelled: { seconds: 2, source: `${LAMBDA_INVOKE} DescribeGlobalClusters and FailoverGlobalCluster/SwitchoverGlobalCluster, which return once the promotion is accepted` },
    // A failover is issued in the target region and the status read there first: nothing waits on the old region.
    blackout: { answeringSeconds: 2, hungCalls: 0, failureLeavesStep: true },
    progressLabel: 'started the promotion of the target cluster',
  },
  'check-writer': {
    handler: 'handlers/steps/check-writer.handler.ts',
    stateName: 'Check writer',
    resultPath: '$.writer',
    criticalPath: true,
    bestEffort: false,
    call: REGIONAL_CALL,
    taskTimeoutSeconds: 10,
    retry: { transientRetries: 1, timeoutRetries: 1, intervalSeconds: 1 },
    modelled: { seconds: 1, source: `${LAMBDA_INVOKE} DescribeGlobalClusters and DescribeDBClusters in the target region, per poll` },
    blackout: { answeringSeconds: 1, hungCalls: 0, failureLeavesStep: true },
    progressLabel: 'target cluster is the writer and available',
  },
  'shift-traffic': {
    handler: 'handlers/steps/shift-traffic.handler.ts',
    stateName: 'Shift traffic',
    resultPath: '$.traffic',
    criticalPath: true,
    bestEffort: false,
    call: ROUTE53_CALL,
    taskTimeoutSeconds: 90,
    // No Retry of the step: the adapter already makes ROUTE53_CALL.attempts attempts (with backoff,
    // as PriorRequestNotComplete asks); with Route 53's control plane down, the health checks move
    // traffic, so the Catch falls back to them after one bounded round.
    retry: { transientRetries: 0, timeoutRetries: 0, intervalSeconds: 1 },
    modelled: {
      seconds: ROUTE53_INSYNC_WAIT_SECONDS,
      source: 'ChangeResourceRecordSets then GetChange until INSYNC: "changes generally propagate to all Route 53 name servers within 60 seconds" (Route 53 Developer Guide, editing records)',
    },
    // ListResourceRecordSets on Route 53's control plane (us-east-1) hangs; the step fails after
    // deadline × attempts and the Catch records "traffic relying on health checks".
    blackout: { answeringSeconds: 1, hungCalls: 1, failureLeavesStep: true },
    progressLabel: 'weighted records point at the target',
  },
  'update-config': {
    handler: 'handlers/steps/update-config.handler.ts',
    stateName: 'Update config',
    resultPath: '$.config',
    criticalPath: true,
    bestEffort: false,
    call: REGIONAL_CALL,
    taskTimeoutSeconds: 20,
    retry: { transientRetries: 2, timeoutRetries: 1, intervalSeconds: 1 },
    modelled: { seconds: 1, source: `${LAMBDA_INVOKE} GetParameters and PutParameter per region, regions in parallel` },
    // The target's parameters are written at once; the old region's write runs beside it, best
    // effort, and only delays the step's end, not the target taking writes.
    blackout: { answeringSeconds: 1, hungCalls: 0, failureLeavesStep: false },
    progressLabel: 'published the new active region',
  },
  'fence-old-region': {
    handler: 'handlers/steps/fence-old-region.handler.ts',
    stateName: 'Fence old region',
    resultPath: '$.fence',
    criticalPath: false,
    bestEffort: true,
    call: REGIONAL_CALL,
    taskTimeoutSeconds: 20,
    retry: { transientRetries: 0, timeoutRetries: 0, intervalSeconds: 1 },
    modelled: { seconds: 1, source: `${LAMBDA_INVOKE} GetParameters and PutParameter in the old region` },
    blackout: { answeringSeconds: 0, hungCalls: 2, failureLeavesStep: true },
    progressLabel: 'fenced the old region',
  },
  'verify-recovery': {
    handler: 'handlers/steps/verify-recovery.handler.ts',
    stateName: 'Verify recovery',
    resultPath: '$.verify',
    criticalPath: false,
    bestEffort: true,
    call: ROUTE53_CALL,
    taskTimeoutSeconds: 20,
    retry: { transientRetries: 1, timeoutRetries: 0, intervalSeconds: 1 },
    modelled: { seconds: 1, source: `${LAMBDA_INVOKE} DynamoDB GetItem and GetHealthCheckStatus, per check` },
    blackout: { answeringSeconds: 1, hungCalls: 1, failureLeavesStep: false },
    progressLabel: 'verified the target recovered',
  },
  announce: {
    ...PUBLISH_ONLY,
    handler: 'handlers/steps/announce.handler.ts',
    stateName: 'Announce',
    progressLabel: 'announced DR Failover Completed',
  },
  'report-halt': {
    ...PUBLISH_ONLY,
    handler: 'handlers/steps/report-halt.handler.ts',
    stateName: 'Report halt',
    resultPath: '$.error',
    progressLabel: 'reported the halt',
  },
} as const satisfies Readonly<Record<string, StepSpec>>;

/** A step's name: its `handlers/steps/<name>.handler.ts` file and the `DR_STEP` variable of its Lambda function. */
export type FailoverStep = keyof typeof STEP_REGISTRY;

/** Every step, in the order a successful run takes them; `report-halt` last (it runs only when a step fails). */
export const FAILOVER_STEPS: readonly FailoverStep[] = Object.keys(STEP_REGISTRY) as FailoverStep[];

/** The registry row of `step`, typed as a {@link StepSpec}. */
export function stepSpec(step: FailoverStep): StepSpec {
  return STEP_REGISTRY[step];
}

/**
 * Worst case of one call against an endpoint that accepts and never answers (or never connects):
 * every attempt runs to its deadline, plus the backoff between attempts.
 */
export function callWorstSeconds(call: CallDeadline): number {
  let backoffMs = 0;
  for (let retry = 0; retry < call.attempts - 1; retry++) backoffMs += call.backoffMs * 2 ** retry;
  return (call.attempts * call.requestTimeoutMs + backoffMs) / 1000;
}

/** Seconds the state machine waits between the retries of one Task, all retries taken (interval doubling). */
export function retryWaitSeconds(retry: StepRetry, retries: number): number {
  let seconds = 0;
  for (let i = 0; i < retries; i++) seconds += Math.min(retry.intervalSeconds * 2 ** i, MAX_RETRY_DELAY_SECONDS);
  return seconds;
}

/** The state machine's `MaxDelaySeconds` on every Retry. */
export const MAX_RETRY_DELAY_SECONDS = 20;

/**
 * The SDK client settings that enforce `call` (the adapters retry, so the client makes one
 * attempt): connection and whole-attempt deadlines through the `requestHandler` shorthand, thrown
 * as `TimeoutError` (`throwOnRequestTimeout`, needed from @smithy/node-http-handler 4.4 on; before
 * it, `requestTimeout` was the socket timeout, which throws as well).
 *
 * @see https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html
 */
export function sdkDeadlineConfig(region: string, call: CallDeadline, sdkAttempts = 1) {
  return {
    region,
    requestHandler: { connectionTimeout: call.connectTimeoutMs, requestTimeout: call.requestTimeoutMs, throwOnRequestTimeout: true },
    maxAttempts: sdkAttempts,
  };
}
