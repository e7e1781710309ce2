import type { ControllerConfig } from '../../domain/config';
import {
  callWorstSeconds,
  retryWaitSeconds,
  STEP_REGISTRY,
  type FailoverStep,
  type StepSpec,
} from '../../handlers/steps/step-registry';

/**
 * RTO as code: the worst-case recovery time of a deployed configuration along the blackout path
 * (the active region goes dark: its APIs, Route 53's control plane when it is us-east-1, its alarm
 * events and its heartbeats), from the numbers the stacks are synthesized with. Pure: numbers in,
 * numbers out; the DrController computes its `rto` with it, `drctl rto` prints it, and the drill
 * takes every duration it simulates from it ({@link modelledDurations}).
 *
 * The path, in order (each part's worst case, summed):
 * 1. detection: the later of the probe alarm and the heartbeat window (the only evidence that
 *    survives a blackout; the reference policy, quorum 2 of 2 kinds, needs both);
 * 2. sustain: the policy's debounce, evaluated at its deadline by a wake-up;
 * 3. decide latency: wake-up delivery, FIFO hop, the decide Lambda and StartExecution;
 * 4. the workflow's critical-path steps, each at its blackout worst case (step registry):
 *    answering calls, plus every call into the dark region running to its deadline × attempts,
 *    plus the state machine's retries when that failure leaves the step; check-writer as the Aurora
 *    promotion (assumed) + one poll interval + one poll; update-config as its target write + the
 *    workload's parameter cache;
 * 5. DNS: the old region's health check failing (interval × threshold) and resolvers' cached
 *    answers expiring (TTL). Counted after the workflow although health checks run from the start
 *    (conservative: when Route 53's control plane works, the shift is what moves traffic and
 *    resolvers still hold the old answer for a TTL).
 */

/** One part of the budget: `source` names the construct and property (or the assumption and its reference) the number comes from. */
export interface RtoPart {
  readonly name: string;
  readonly seconds: number;
  readonly source: string;
}

/** What `drctl rto --json` prints. */
export interface RtoBudget {
  readonly worstCaseSeconds: number;
  readonly targetSeconds: number;
  readonly parts: readonly RtoPart[];
}

/** The controller's prober and its CloudWatch alarm (one per monitored region). */
export interface ProbeDetectionInputs {
  /** Seconds between two probes of a region. */
  readonly intervalSeconds: number;
  /** Per-probe timeout: a hung endpoint is a failed probe after this long. */
  readonly timeoutSeconds: number;
  /** The probe alarm's period. */
  readonly periodSeconds: number;
  /** Periods (all breaching: datapointsToAlarm = evaluationPeriods) before the alarm fires. */
  readonly evaluationPeriods: number;
}

/** Every number the budget is computed from. */
export interface RtoInputs {
  /** The target the worst case is held to (`DrController.props.rtoTargetSeconds`). */
  readonly targetSeconds: number;
  /** The prober's timings; absent: no probe signal. */
  readonly probe?: ProbeDetectionInputs;
  /** `policy.heartbeatWindowSeconds` when heartbeat signals are configured; absent: none. */
  readonly heartbeatWindowSeconds?: number;
  /** `policy.sustainSeconds`. */
  readonly sustainSeconds: number;
  /** @default DECIDE_LATENCY_SECONDS */
  readonly decideLatencySeconds?: number;
  /** `FailoverWorkflow.pollIntervalSeconds` (check-writer's Wait). */
  readonly pollIntervalSeconds: number;
  /** @default AURORA_PROMOTION_SECONDS */
  readonly promotionSeconds?: number;
  /** Seconds the workload caches its parameters before it sees the new active region. @default 0 */
  readonly workloadConfigCacheSeconds?: number;
  /** Route 53 health check `RequestInterval` of the records' health checks. */
  readonly healthCheckIntervalSeconds: number;
  /** Route 53 health check `FailureThreshold`. */
  readonly healthCheckFailureThreshold: number;
  /** TTL resolvers cache the weighted answer for. */
  readonly dnsTtlSeconds: number;
  /** The step registry to model; @default STEP_REGISTRY */
  readonly steps?: Readonly<Record<FailoverStep, StepSpec>>;
  /** Where each input came from, by input name, when the caller knows better than the defaults ({@link DEFAULT_SOURCES}). */
  readonly sources?: Partial<Record<RtoSourceKey, string>>;
}

/**
 * The inputs the configuration gives, read the same way by the construct and by `drctl rto`: the
 * policy's sustain, and its heartbeat window when a heartbeat signal is configured.
 */
export function policyInputs(config: Pick<ControllerConfig, 'signals' | 'policy'>): Pick<RtoInputs, 'heartbeatWindowSeconds' | 'sustainSeconds'> {
  const hasHeartbeat = config.signals.some((signal) => signal.kind === 'heartbeat');
  return { ...(hasHeartbeat && { heartbeatWindowSeconds: config.policy.heartbeatWindowSeconds }), sustainSeconds: config.policy.sustainSeconds };
}

/** The inputs a source can be named for. */
export type RtoSourceKey =
  | 'probe'
  | 'heartbeatWindowSeconds'
  | 'sustainSeconds'
  | 'pollIntervalSeconds'
  | 'workloadConfigCacheSeconds'
  | 'healthCheck'
  | 'dnsTtlSeconds'
  | 'targetSeconds';

/** Where the inputs come from in the stacks, unless the caller names them ({@link RtoInputs.sources}). */
export const DEFAULT_SOURCES: Readonly<Record<RtoSourceKey, string>> = {
  probe: 'DrController prober (probe intervalSeconds + timeoutSeconds) and its probe alarm (period × evaluationPeriods)',
  heartbeatWindowSeconds: 'DrController.props.config.policy.heartbeatWindowSeconds',
  sustainSeconds: 'DrController.props.config.policy.sustainSeconds',
  pollIntervalSeconds: 'FailoverWorkflow.pollIntervalSeconds',
  workloadConfigCacheSeconds: "the workload's parameter cache (reference app: PARAMETER_MAX_AGE_MS, handlers/payments/region-gate.ts)",
  healthCheck: 'the weighted records\' Route 53 health checks: requestInterval × failureThreshold',
  dnsTtlSeconds: 'the weighted records\' TTL',
  targetSeconds: 'DrController.props.rtoTargetSeconds',
};

/**
 * Seconds from the instant a decision becomes due (a wake-up's `wakeAt`) to the workflow's first
 * step running: 1 s SQS `DelaySeconds` granularity (whole seconds, rounded up) + 2 s for the
 * EventBridge Pipe to poll the wake-up queue and send to the FIFO queue + 1 s for Lambda's event
 * source mapping to poll the FIFO queue + 2 s of the tick's alarm reconciliation in the dark region
 * (its per-region deadline) + 2 s for the decide Lambda (cold start, DynamoDB transaction,
 * StartExecution) + 2 s for Step Functions to start the execution and invoke the first step.
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-delay-queues.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-sqs.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 */
export const DECIDE_LATENCY_SECONDS = 10;

/**
 * How long Aurora takes to promote a secondary cluster (FailoverGlobalCluster with AllowDataLoss,
 * or a switchover) until the target is writer and available: assumed 60 s. AWS describes a global
 * database's cross-Region recovery as typically under a minute; the drill's Aurora twin stays in
 * progress for as many check-writer polls as fit in this time.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 * @see https://aws.amazon.com/rds/aurora/global-database/ ("RTO of typically less than 1 minute")
 */
export const AURORA_PROMOTION_SECONDS = 60;

/** Names of the parts, in path order (the drill and tests refer to them). */
export const RTO_PART_NAMES = {
  detection: 'detection',
  sustain: 'sustain',
  decide: 'decide latency',
  dnsHealthCheck: 'dns: health check fails',
  dnsTtl: 'dns: resolver cache (TTL)',
  workloadCache: 'workload parameter cache',
} as const;

/** The steps the recovery waits for, in order (the registry's `criticalPath` rows). */
export function criticalSteps(steps: Readonly<Record<FailoverStep, StepSpec>> = STEP_REGISTRY): FailoverStep[] {
  return (Object.keys(steps) as FailoverStep[]).filter((step) => steps[step].criticalPath);
}

/** When each kind of blackout evidence turns to ALARM, counted from the instant the region goes dark. */
export interface DetectionDurations {
  /** Probe alarm in ALARM: one interval until the first failing probe, its timeout, then every evaluation period breaching. Absent: no probe. */
  readonly probeSeconds?: number;
  /** Heartbeat signal in ALARM: the last heartbeat came just before the blackout, so the whole window. Absent: no heartbeat. */
  readonly heartbeatSeconds?: number;
  /** The later of the two (the quorum needs both kinds): the region counts as down, sustain starts. */
  readonly detectedSeconds: number;
}

export function detectionDurations(inputs: Pick<RtoInputs, 'probe' | 'heartbeatWindowSeconds'>): DetectionDurations {
  const { probe, heartbeatWindowSeconds } = inputs;
  const probeSeconds = probe ? probe.intervalSeconds + probe.timeoutSeconds + probe.periodSeconds * probe.evaluationPeriods : undefined;
  const candidates = [probeSeconds, heartbeatWindowSeconds].filter((s): s is number => s !== undefined);
  if (candidates.length === 0) {
    throw new Error('rto model: no evidence survives a blackout; configure probe and heartbeat signals (alarm events from the dark region never arrive)');
  }
  return {
    ...(probeSeconds !== undefined && { probeSeconds }),
    ...(heartbeatWindowSeconds !== undefined && { heartbeatSeconds: heartbeatWindowSeconds }),
    detectedSeconds: Math.max(...candidates),
  };
}

/** One step's durations as the model sees them. */
export interface StepDurations {
  /** AWS-typical seconds of one call of the step when every region answers (the registry's `modelled`). */
  readonly healthySeconds: number;
  /** Seconds the step holds the recovery up in a blackout (critical-path steps; check-writer: the whole poll loop). */
  readonly blackoutSeconds: number;
  /** How `blackoutSeconds` is made up, for the `source` column. */
  readonly explanation: string;
}

/** One step's blackout worst case (check-writer: the promotion, one interval and one poll). */
export function stepDurations(step: FailoverStep, inputs: Pick<RtoInputs, 'pollIntervalSeconds' | 'promotionSeconds' | 'steps'>): StepDurations {
  const spec = (inputs.steps ?? STEP_REGISTRY)[step];
  const healthySeconds = spec.modelled.seconds;
  if (step === 'check-writer') {
    const promotion = inputs.promotionSeconds ?? AURORA_PROMOTION_SECONDS;
    return {
      healthySeconds,
      blackoutSeconds: promotion + inputs.pollIntervalSeconds + healthySeconds,
      explanation: `Aurora promotion ${promotion} s (assumed, AWS: typically under a minute) + FailoverWorkflow.pollIntervalSeconds ${inputs.pollIntervalSeconds} s + one poll ${healthySeconds} s (step registry check-writer)`,
    };
  }
  const { answeringSeconds, hungCalls, failureLeavesStep } = spec.blackout;
  const call = callWorstSeconds(spec.call);
  const executions = failureLeavesStep && hungCalls > 0 ? 1 + spec.retry.transientRetries : 1;
  const retryWaits = executions > 1 ? retryWaitSeconds(spec.retry, executions - 1) : 0;
  const blackoutSeconds = round(answeringSeconds + executions * hungCalls * call + retryWaits);
  const deadline = `${spec.call.attempts} attempts × ${spec.call.requestTimeoutMs / 1000} s requestTimeout + backoff = ${call} s`;
  const explanation =
    hungCalls === 0
      ? `step registry ${step}: calls that answer ${answeringSeconds} s (nothing waits on the dark region)`
      : `step registry ${step}: calls that answer ${answeringSeconds} s + ${executions} execution(s) × ${hungCalls} hung call(s) × (${deadline})` +
        (retryWaits > 0 ? ` + ${retryWaits} s Retry interval` : '') +
        (failureLeavesStep ? '' : ', the failure absorbed by the step');
  return { healthySeconds, blackoutSeconds, explanation };
}

/** The worst-case RTO along the blackout path, part by part, with the source of every number. */
export function rtoBudget(inputs: RtoInputs): RtoBudget {
  const source = (key: RtoSourceKey) => inputs.sources?.[key] ?? DEFAULT_SOURCES[key];
  const detection = detectionDurations(inputs);
  const evidence = [
    ...(detection.probeSeconds !== undefined && inputs.probe
      ? [`probe ${detection.probeSeconds} s = interval ${inputs.probe.intervalSeconds} + timeout ${inputs.probe.timeoutSeconds} + period ${inputs.probe.periodSeconds} × ${inputs.probe.evaluationPeriods} (${source('probe')})`]
      : []),
    ...(detection.heartbeatSeconds !== undefined ? [`heartbeat window ${detection.heartbeatSeconds} s (${source('heartbeatWindowSeconds')})`] : []),
  ];
  const parts: RtoPart[] = [
    { name: RTO_PART_NAMES.detection, seconds: detection.detectedSeconds, source: `the later of ${evidence.join(' and ')}` },
    { name: RTO_PART_NAMES.sustain, seconds: inputs.sustainSeconds, source: source('sustainSeconds') },
    {
      name: RTO_PART_NAMES.decide,
      seconds: inputs.decideLatencySeconds ?? DECIDE_LATENCY_SECONDS,
      source: 'rto-model DECIDE_LATENCY_SECONDS: SQS delay granularity 1 s + Pipe 2 s + FIFO poll 1 s + reconcile deadline 2 s + decide Lambda 2 s + execution start 2 s',
    },
  ];
  for (const step of criticalSteps(inputs.steps)) {
    const { blackoutSeconds, explanation } = stepDurations(step, inputs);
    parts.push({ name: step, seconds: blackoutSeconds, source: step === 'check-writer' ? explanation.replace('FailoverWorkflow.pollIntervalSeconds', source('pollIntervalSeconds')) : explanation });
  }
  const cache = inputs.workloadConfigCacheSeconds ?? 0;
  if (cache > 0) parts.push({ name: RTO_PART_NAMES.workloadCache, seconds: cache, source: source('workloadConfigCacheSeconds') });
  parts.push(
    {
      name: RTO_PART_NAMES.dnsHealthCheck,
      seconds: inputs.healthCheckIntervalSeconds * inputs.healthCheckFailureThreshold,
      source: `${source('healthCheck')} = ${inputs.healthCheckIntervalSeconds} s × ${inputs.healthCheckFailureThreshold}`,
    },
    { name: RTO_PART_NAMES.dnsTtl, seconds: inputs.dnsTtlSeconds, source: source('dnsTtlSeconds') },
  );
  const worstCaseSeconds = round(parts.reduce((sum, part) => sum + part.seconds, 0));
  return { worstCaseSeconds, targetSeconds: inputs.targetSeconds, parts };
}

/** The part that contributes most, to name in a "worst case over target" message. */
export function worstPart(budget: RtoBudget): RtoPart {
  return budget.parts.reduce((worst, part) => (part.seconds > worst.seconds ? part : worst));
}

/** A one-line, actionable verdict when the worst case exceeds the target; undefined when it fits. */
export function rtoViolation(budget: RtoBudget): string | undefined {
  if (budget.worstCaseSeconds <= budget.targetSeconds) return undefined;
  const worst = worstPart(budget);
  return (
    `worst-case RTO ${budget.worstCaseSeconds} s exceeds the target ${budget.targetSeconds} s; ` +
    `the largest part is ${worst.name} (${worst.seconds} s, from ${worst.source}): shorten it or raise rtoTargetSeconds`
  );
}

/**
 * Every duration the drill simulates, from the same model `drctl rto` prints: when each kind of
 * evidence fires, the sustain and decide latency, each step's healthy and blackout durations, the
 * promotion time (and so how many check-writer polls it spans), and the DNS parts.
 */
export interface ModelledDurations {
  readonly detection: DetectionDurations;
  readonly sustainSeconds: number;
  readonly decideLatencySeconds: number;
  readonly promotionSeconds: number;
  readonly pollIntervalSeconds: number;
  /** check-writer polls that see the promotion still in progress before one sees it done. */
  readonly promotionPolls: number;
  readonly steps: Readonly<Record<FailoverStep, StepDurations>>;
  readonly workloadConfigCacheSeconds: number;
  readonly dnsHealthCheckSeconds: number;
  readonly dnsTtlSeconds: number;
  readonly budget: RtoBudget;
}

export function modelledDurations(inputs: RtoInputs): ModelledDurations {
  const registry = inputs.steps ?? STEP_REGISTRY;
  const promotionSeconds = inputs.promotionSeconds ?? AURORA_PROMOTION_SECONDS;
  const pollSeconds = registry['check-writer'].modelled.seconds;
  return {
    detection: detectionDurations(inputs),
    sustainSeconds: inputs.sustainSeconds,
    decideLatencySeconds: inputs.decideLatencySeconds ?? DECIDE_LATENCY_SECONDS,
    promotionSeconds,
    pollIntervalSeconds: inputs.pollIntervalSeconds,
    promotionPolls: Math.ceil(promotionSeconds / (inputs.pollIntervalSeconds + pollSeconds)),
    steps: Object.fromEntries((Object.keys(registry) as FailoverStep[]).map((step) => [step, stepDurations(step, inputs)])) as Record<FailoverStep, StepDurations>,
    workloadConfigCacheSeconds: inputs.workloadConfigCacheSeconds ?? 0,
    dnsHealthCheckSeconds: inputs.healthCheckIntervalSeconds * inputs.healthCheckFailureThreshold,
    dnsTtlSeconds: inputs.dnsTtlSeconds,
    budget: rtoBudget(inputs),
  };
}

function round(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}
