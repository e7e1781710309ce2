import * as z from 'zod';
import type { AlarmState, DomainEvent, OverrideAction, WorkflowStatus } from '../domain/events';
import {
  clip,
  MAX_ALARM_NAME_CHARS,
  MAX_ALARM_REASON_CHARS,
  MAX_EVENT_ID_CHARS,
  MAX_EXECUTION_NAME_CHARS,
  MAX_OPERATOR_CHARS,
  MAX_OVERRIDE_REASON_CHARS,
  MAX_REGION_CHARS,
  MAX_REQUEST_ID_CHARS,
  MAX_STATE_MACHINE_ARN_CHARS,
} from '../domain/limits';
import { READINESS_CHECKS } from '../domain/readiness';
import { AWS_REGION_PATTERN, isPlausibleEpochMs, parseAwsTimestamp } from './aws-formats';
import { APP_PATTERN } from './config.schema';
import { expected, formatIssues, show, strictObjectOf } from './issues';

/**
 * Parses raw EventBridge events (as `JSON.parse` gives them) into domain events. Never throws:
 * anything it cannot use comes back as `{ ok: false, reason, field }`, where the reason names the
 * field and what was expected, ready for a dead-letter queue. Unknown extra fields are tolerated
 * in AWS payloads; the operator's override detail is strict, because a typo there changes meaning.
 */

/** A domain event, or why there is none. `ignorable` marks events that are valid but not for the controller. */
export type ParseResult =
  | { readonly ok: true; readonly event: DomainEvent }
  | { readonly ok: false; readonly reason: string; readonly field?: string; readonly ignorable?: true };

/** Whether a failed parse is "not for us" (a configuration change, a non-terminal status) rather than malformed. */
export function isIgnorable(result: ParseResult): boolean {
  return !result.ok && result.ignorable === true;
}

/** Source and detail-type of an operator override: what `drctl` publishes and the bus rule matches. */
export const OVERRIDE_SOURCE = 'dr.operator';
export const OVERRIDE_DETAIL_TYPE = 'DR Override';

/**
 * Source and detail-type of a wake-up the controller scheduled for itself (a decision's `wakeAt`):
 * an EventBridge-shaped message with detail `{ app, wakeAt }`, delayed on an SQS queue and piped
 * into the decide queue.
 */
export const WAKE_UP_SOURCE = 'dr.controller';
export const WAKE_UP_DETAIL_TYPE = 'DR Wake-up';

/**
 * Source and detail-type of a readiness result: the readiness function publishes one per target
 * to the controller bus (handlers/readiness), and a rule routes it to the decide queue.
 */
export const READINESS_SOURCE = 'dr.controller';
export const READINESS_DETAIL_TYPE = 'DR Readiness';

/** A scheduled rule whose name ends with this emits a region's heartbeat (e.g. `payments-us-east-1-heartbeat`). */
export const HEARTBEAT_RULE_SUFFIX = '-heartbeat';

const ALARM_STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const satisfies readonly AlarmState[];
const END_STATUSES = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const satisfies readonly WorkflowStatus[];
/**
 * Statuses an execution passes through without ending.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
 */
const RUNNING_STATUSES: readonly string[] = ['RUNNING', 'PENDING_REDRIVE'];
const OVERRIDE_ACTIONS = ['failover', 'failback', 'freeze', 'unfreeze', 'abort', 'acknowledge'] as const satisfies readonly OverrideAction[];
const MAX_DETAIL_CHARS = 500;
const MAX_ISSUES_IN_REASON = 5;

const timestamp = (what: string, fix: string) =>
  z.string(expected(what, fix)).refine((value) => parseAwsTimestamp(value) !== undefined, expected(what, fix));

const nonBlank = (what: string, fix: string) => z.string(expected(what, fix)).regex(/\S/, expected(what, fix));

/** A length limit whose error names the limit (the field is named by the path). */
const atMost = (max: number, fix: string) => ({ error: (issue: { readonly input?: unknown }) => `is longer than ${max} characters (${typeof issue.input === 'string' ? issue.input.length : '?'}); ${fix}` });

// eslint-disable-next-line no-control-regex -- the point: control characters are refused
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
/** Operator text: bounded, and free of control characters (they would forge log lines and are refused as SQS attributes). */
const operatorText = (what: string, max: number, fix: string) =>
  nonBlank(what, fix)
    .max(max, atMost(max, fix))
    .refine((value) => !CONTROL_CHARACTERS.test(value), { error: `contains a control character (newline, tab, …); ${fix} on one line` });

const ENVELOPE_FIX = 'pass the EventBridge event itself (e.g. the SQS message body, JSON-parsed)';

/**
 * The envelope every EventBridge event has.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
 */
const envelopeSchema = z.looseObject(
  {
    id: nonBlank('the EventBridge event id', ENVELOPE_FIX).max(MAX_EVENT_ID_CHARS, atMost(MAX_EVENT_ID_CHARS, 'EventBridge ids are UUIDs; check the sender')),
    'detail-type': z.string(expected('the event detail-type', ENVELOPE_FIX)),
    source: z.string(expected('the event source', ENVELOPE_FIX)),
    time: timestamp('an ISO-8601 time like 2019-10-02T17:04:40Z within 2000..2200', ENVELOPE_FIX),
    // By reference, not copied: a copy would turn a JSON `__proto__` key into a prototype and hide it.
    detail: z.custom<Readonly<Record<string, unknown>>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), expected('an object', ENVELOPE_FIX)),
  },
  expected('an EventBridge event object', ENVELOPE_FIX),
);
type Envelope = z.output<typeof envelopeSchema>;

const alarmState = z.enum(ALARM_STATES, expected(`one of ${ALARM_STATES.join(', ')}`, 'this is not a CloudWatch alarm state'));

/**
 * The detail of `CloudWatch Alarm State Change`, the same for metric, metric-math,
 * anomaly-detection and composite alarms. `reasonData` (a JSON string, absent after alarm creation
 * and for multi-time-series alarms) and `configuration` are informational and never read, so
 * they cannot reject an event. `state.timestamp` is read leniently: the envelope `time` stands in.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 */
const alarmDetailSchema = z.looseObject({
  alarmName: nonBlank('the alarm name', 'CloudWatch always names the alarm; check the event source').max(
    MAX_ALARM_NAME_CHARS,
    atMost(MAX_ALARM_NAME_CHARS, "CloudWatch's own limit; check the event source"),
  ),
  state: z.looseObject(
    { value: alarmState, reason: z.string(expected('text', 'CloudWatch sends the reason as text')).optional(), timestamp: z.unknown().optional() },
    expected('an object', 'a state change carries the new state'),
  ),
  previousState: z.looseObject({ value: alarmState }, expected('an object', 'omit it or send the previous state')).nullish(),
});

/**
 * The operator override (`source: dr.operator`, `detail-type: DR Override`). Strict: an unknown
 * key is rejected, so a typo such as `allowDataloss` cannot silently drop an option. The CLI
 * validates with this same schema before publishing.
 */
export const overrideDetailSchema = strictObjectOf(
  {
    action: z.enum(OVERRIDE_ACTIONS, expected(`one of ${OVERRIDE_ACTIONS.join(', ')}`, 'pick the override to apply')),
    target: z
      .string(expected("a region code such as 'us-east-2'", 'omit it to fail over to the first healthy region'))
      .max(MAX_REGION_CHARS, atMost(MAX_REGION_CHARS, "use a region code such as 'us-east-2'"))
      .regex(AWS_REGION_PATTERN, expected("a region code such as 'us-east-2'", 'omit it to fail over to the first healthy region'))
      .optional(),
    allowDataLoss: z.boolean(expected('true or false', 'omit it to follow policy.dataLoss')).optional(),
    force: z.boolean(expected('true or false', 'omit it to keep the health and cooldown guards')).optional(),
    until: timestamp('an ISO-8601 time like 2026-11-26T08:00:00Z within 2000..2200', 'omit it to freeze until unfreeze').optional(),
    reason: operatorText('a non-empty reason', MAX_OVERRIDE_REASON_CHARS, 'say why, briefly, for the decision record'),
    operator: operatorText('a non-empty operator name', MAX_OPERATOR_CHARS, 'say who asks, for the decision record'),
    requestId: operatorText('a non-empty request id', MAX_REQUEST_ID_CHARS, 'use a unique id per request, so a retried publish is applied once'),
  },
  'an override detail object',
).superRefine((detail, ctx) => {
  const failoverOnly = (['target', 'allowDataLoss', 'force'] as const).filter((key) => detail.action !== 'failover' && detail[key] !== undefined);
  const freezeOnly = detail.action !== 'freeze' && detail.until !== undefined ? (['until'] as const) : [];
  for (const key of failoverOnly) {
    ctx.addIssue({ code: 'custom', path: [key], input: detail[key], message: `only applies to action failover, not ${detail.action}; remove it or use action failover` });
  }
  for (const key of freezeOnly) {
    ctx.addIssue({ code: 'custom', path: [key], input: detail[key], message: `only applies to action freeze, not ${detail.action}; remove it or use action freeze` });
  }
});

/** An operator override's detail, as the CLI builds it and the parser reads it. */
export type OverrideDetail = z.output<typeof overrideDetailSchema>;

/**
 * The detail of `Step Functions Execution Status Change`: the DescribeExecution fields, with
 * `startDate`/`stopDate` in epoch ms. `error`, `cause` and `output` are informational and read
 * only when they are strings.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
 */
const workflowDetailSchema = z.looseObject({
  name: nonBlank('the execution name', 'Step Functions always names the execution; check the event source').max(
    MAX_EXECUTION_NAME_CHARS,
    atMost(MAX_EXECUTION_NAME_CHARS, "Step Functions' own limit; check the event source"),
  ),
  status: z.string(expected('the execution status', 'Step Functions always sends a status; check the event source')).max(40, atMost(40, 'check the event source')),
  stateMachineArn: z
    .string(expected('the state machine ARN', 'Step Functions always names the state machine; check the event source'))
    .max(MAX_STATE_MACHINE_ARN_CHARS, atMost(MAX_STATE_MACHINE_ARN_CHARS, 'check the event source'))
    .optional(),
});

/** A rejection listing the first problems; `within` is the path of the parsed part (e.g. `detail`). */
function failure(issues: readonly z.core.$ZodIssue[], within?: 'detail'): ParseResult {
  const root = within ?? 'event';
  const problems = formatIssues(within === undefined ? issues : issues.map((issue) => ({ ...issue, path: [within, ...issue.path] })), root);
  const shown = problems.slice(0, MAX_ISSUES_IN_REASON).map(({ field, message }) => `${field}: ${message}`);
  const more = problems.length > MAX_ISSUES_IN_REASON ? [`and ${problems.length - MAX_ISSUES_IN_REASON} more`] : [];
  return { ok: false, reason: [...shown, ...more].join('; '), field: problems[0]?.field ?? root };
}


/** `value` when it is a string of at most `max` characters matching `pattern`, else undefined. */
function boundedString(value: unknown, max: number, pattern: RegExp): string | undefined {
  return typeof value === 'string' && value.length <= max && pattern.test(value) ? value : undefined;
}

/**
 * An alarm's ARN: `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>`.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html#amazoncloudwatch-resources-for-iam-policies
 */
const ALARM_ARN = /^arn:aws[a-z-]{0,20}:cloudwatch:([a-z]{2}(?:-[a-z]+){1,3}-\d{1,2}):(\d{12}):alarm:(.+)$/s;

function parseAlarmStateChange(envelope: Envelope, envelopeTime: number): ParseResult {
  const parsed = alarmDetailSchema.safeParse(envelope.detail);
  if (!parsed.success) return failure(parsed.error.issues, 'detail');
  const { alarmName, state, previousState } = parsed.data;
  // The alarm's identity is its ARN: the same name in another region or account is another alarm.
  const resources: unknown = envelope.resources;
  const arn: unknown = Array.isArray(resources) ? resources[0] : undefined;
  const match = typeof arn === 'string' && arn.length <= MAX_ALARM_NAME_CHARS + 80 ? ALARM_ARN.exec(arn) : null;
  if (match === null || match[3] !== alarmName) {
    return {
      ok: false,
      field: 'resources[0]',
      reason: `resources[0]: expected the ARN of alarm ${show(alarmName)} (arn:aws:cloudwatch:<region>:<account>:alarm:<name>), got ${show(arn)}; CloudWatch names the alarm's ARN in every state-change event, so check the event source`,
    };
  }
  const reason = state.reason === undefined ? undefined : clip(state.reason, MAX_ALARM_REASON_CHARS);
  return {
    ok: true,
    event: {
      type: 'signal-changed',
      eventId: envelope.id,
      alarmName,
      state: state.value,
      ...(previousState ? { previousState: previousState.value } : {}),
      at: parseAwsTimestamp(state.timestamp) ?? envelopeTime,
      ...(reason !== undefined ? { reason } : {}),
      origin: { region: match[1]!, account: match[2]! },
    },
  };
}

function parseOverride(envelope: Envelope, envelopeTime: number): ParseResult {
  const parsed = overrideDetailSchema.safeParse(envelope.detail);
  if (!parsed.success) return failure(parsed.error.issues, 'detail');
  const { until, ...detail } = parsed.data;
  const untilMs = parseAwsTimestamp(until);
  // Who published it: the engine obeys only the controller's own account and region, when configured.
  const account = boundedString(envelope.account, 12, /^\d{12}$/);
  const region = boundedString(envelope.region, MAX_REGION_CHARS, AWS_REGION_PATTERN);
  const origin = { ...(account !== undefined ? { account } : {}), ...(region !== undefined ? { region } : {}) };
  return {
    ok: true,
    event: {
      type: 'override',
      eventId: envelope.id,
      at: envelopeTime,
      ...detail,
      ...(untilMs !== undefined ? { until: untilMs } : {}),
      ...(account !== undefined || region !== undefined ? { origin } : {}),
    },
  };
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

const seconds = z.number().nonnegative().optional().catch(undefined);
const recoveryOutputSchema = z.looseObject({
  recoverySeconds: seconds,
  recovery: z.looseObject({ recoverySeconds: seconds }).optional().catch(undefined),
});

/** `recoverySeconds` reported by the workflow's verify step, at the top of its JSON output or under `recovery`. */
function recoverySecondsFrom(output: string | undefined): number | undefined {
  if (output === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(output);
  } catch {
    return undefined;
  }
  const parsed = recoveryOutputSchema.safeParse(value);
  return parsed.success ? (parsed.data.recoverySeconds ?? parsed.data.recovery?.recoverySeconds) : undefined;
}

function parseWorkflowStatusChange(envelope: Envelope, envelopeTime: number): ParseResult {
  const parsed = workflowDetailSchema.safeParse(envelope.detail);
  if (!parsed.success) return failure(parsed.error.issues, 'detail');
  const { name, status, stopDate, error, cause, output, stateMachineArn } = parsed.data;
  if (RUNNING_STATUSES.includes(status)) {
    return { ok: false, ignorable: true, field: 'detail.status', reason: `detail.status: status ${status} is not an end state; only ${END_STATUSES.join(', ')} end a workflow` };
  }
  const endStatus = END_STATUSES.find((candidate) => candidate === status);
  if (endStatus === undefined) {
    return {
      ok: false,
      field: 'detail.status',
      reason: `detail.status: expected one of ${[...END_STATUSES, ...RUNNING_STATUSES].join(', ')}, got ${show(status)}; check the event source`,
    };
  }
  const problem = [stringOf(error), stringOf(cause)].filter((part) => part !== undefined).join(': ');
  const summary = problem !== '' ? problem : endStatus === 'SUCCEEDED' ? stringOf(output) : undefined;
  const recoverySeconds = endStatus === 'SUCCEEDED' ? recoverySecondsFrom(stringOf(output)) : undefined;
  return {
    ok: true,
    event: {
      type: 'workflow-ended',
      eventId: envelope.id,
      executionName: name,
      status: endStatus,
      at: isPlausibleEpochMs(stopDate) ? stopDate : envelopeTime,
      ...(summary !== undefined ? { detail: clip(summary, MAX_DETAIL_CHARS) } : {}),
      ...(recoverySeconds !== undefined ? { recoverySeconds } : {}),
      ...(stateMachineArn !== undefined ? { stateMachineArn } : {}),
    },
  };
}

/**
 * A rule's ARN: `arn:<partition>:events:<region>:<account>:rule/<name>` (rules on a custom bus
 * have `rule/<bus>/<name>`). The name is the last segment.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list-amazoneventbridge.html#amazoneventbridge-resources-for-iam-policies
 */
const RULE_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:(\d{12}):rule\/(?:[^/]+\/)?([^/]+)$/;
/** EventBridge rule and bus names are at most 64 and 256 characters. */
const MAX_RULE_ARN_CHARS = 400;

/** The name and account of the rule that emitted a scheduled event (its `resources[0]`), if it has one. */
function ruleOf(envelope: Envelope): { name: string; account: string } | undefined {
  const resources: unknown = envelope.resources;
  const first: unknown = Array.isArray(resources) ? resources[0] : undefined;
  const match = typeof first === 'string' && first.length <= MAX_RULE_ARN_CHARS ? RULE_ARN.exec(first) : null;
  return match ? { account: match[1]!, name: match[2]! } : undefined;
}

/**
 * A `Scheduled Event`: the controller's one-minute tick, or, from a rule named `…-heartbeat` in a
 * monitored region (forwarded to the controller bus like its alarms), that region's heartbeat.
 * The envelope's `region` is where the rule ran.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html
 */
function parseScheduledEvent(envelope: Envelope, envelopeTime: number): ParseResult {
  const ruleArn = ruleOf(envelope);
  if (ruleArn === undefined || !ruleArn.name.endsWith(HEARTBEAT_RULE_SUFFIX)) return { ok: true, event: { type: 'tick', eventId: envelope.id, at: envelopeTime } };
  const rule = ruleArn.name;
  const region: unknown = envelope.region;
  if (typeof region !== 'string' || region.length > MAX_REGION_CHARS || !AWS_REGION_PATTERN.test(region)) {
    return {
      ok: false,
      field: 'region',
      reason: `region: expected the region code of the heartbeat rule ${show(rule)} such as 'us-east-1', got ${show(region)}; the heartbeat names the region it comes from`,
    };
  }
  return { ok: true, event: { type: 'heartbeat', eventId: envelope.id, region, at: envelopeTime, account: ruleArn.account } };
}

/** The wake-up's detail. Strict, like an override: the controller writes it, so anything else is a bug. */
const wakeUpDetailSchema = strictObjectOf(
  {
    app: z
      .string(expected('the application name', 'the wake-up names the app it is for'))
      .regex(APP_PATTERN, expected("1..40 letters, digits, '-' or '_'", 'the wake-up names the app it is for')),
    wakeAt: z
      .number(expected('epoch milliseconds within 2000..2200', "send the decision's wakeAt"))
      .refine((value) => isPlausibleEpochMs(value), expected('whole epoch milliseconds within 2000..2200', "send the decision's wakeAt")),
  },
  'a wake-up detail object',
);

/**
 * A wake-up the shell scheduled for a decision's `wakeAt`: a tick at that time, marked `wake`.
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
function parseWakeUp(envelope: Envelope): ParseResult {
  const parsed = wakeUpDetailSchema.safeParse(envelope.detail);
  if (!parsed.success) return failure(parsed.error.issues, 'detail');
  return { ok: true, event: { type: 'tick', eventId: envelope.id, wake: true, at: parsed.data.wakeAt } };
}

const readinessRegion = (what: string) =>
  z
    .string(expected(`${what}: a region code such as 'us-east-2'`, 'the readiness function names it'))
    .max(MAX_REGION_CHARS, atMost(MAX_REGION_CHARS, 'the readiness function names a region code'))
    .regex(AWS_REGION_PATTERN, expected(`${what}: a region code such as 'us-east-2'`, 'the readiness function names it'));
const readinessCheck = z.enum(READINESS_CHECKS, expected(`one of ${READINESS_CHECKS.join(', ')}`, 'the readiness function names its checks'));

/**
 * The detail of `DR Readiness` (handlers/readiness `readinessNotices`). Strict, like a wake-up:
 * the controller writes it, so anything else is a bug or a forgery. Bounded: at most one entry per
 * check; each check's `detail` text is not read (only its name and verdict, which must agree with
 * `failing` and `ready`).
 */
const readinessDetailSchema = strictObjectOf(
  {
    app: z.string(expected('the application name', 'the result names the app it is for')).regex(APP_PATTERN, expected("1..40 letters, digits, '-' or '_'", 'the result names the app it is for')),
    target: readinessRegion('the target evaluated'),
    active: readinessRegion('the region active when evaluated'),
    ready: z.boolean(expected('true or false', 'the result says whether every check passed')),
    failing: z
      .array(readinessCheck, expected('a list of check names', 'the result lists its failed checks'))
      .max(READINESS_CHECKS.length, { error: `lists more than the ${READINESS_CHECKS.length} checks that exist` }),
    evaluatedAt: timestamp('an ISO-8601 time like 2026-11-30T12:00:00.000Z within 2000..2200', 'the result says when it was evaluated'),
    checks: z
      .array(
        z.looseObject({ check: readinessCheck, passed: z.boolean(expected('true or false', 'each check says whether it passed')) }, expected('a check result object', 'each check has a name and a verdict')),
        expected('a list of check results', 'the result lists every check'),
      )
      .max(READINESS_CHECKS.length, { error: `lists more than the ${READINESS_CHECKS.length} checks that exist` })
      .optional(),
    failbackPossible: z.boolean(expected('true or false', 'omit it for a target that is not the home region')).optional(),
  },
  'a readiness detail object',
).superRefine((detail, ctx) => {
  const issue = (path: string, input: unknown, message: string) => ctx.addIssue({ code: 'custom', path: [path], input, message });
  if (new Set(detail.failing).size !== detail.failing.length) issue('failing', detail.failing, 'names a check twice; list each failed check once');
  if (detail.ready !== (detail.failing.length === 0)) issue('ready', detail.ready, `is ${String(detail.ready)} but ${detail.failing.length} check(s) failed; ready means no failed check`);
  if (detail.target === detail.active) issue('target', detail.target, 'is the region active when evaluated; readiness evaluates the other regions');
  if (detail.checks !== undefined) {
    const failed = detail.checks.filter((c) => !c.passed).map((c) => c.check);
    if (failed.length !== detail.failing.length || failed.some((c) => !detail.failing.includes(c))) {
      issue('failing', detail.failing, `disagrees with the checks that did not pass (${failed.join(', ') || 'none'})`);
    }
  }
});

/**
 * A readiness result for one target, from the controller's readiness function. Its envelope's
 * account and region say who published it: the engine believes only the controller's own (when
 * configured).
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
 */
function parseReadiness(envelope: Envelope, envelopeTime: number): ParseResult {
  const parsed = readinessDetailSchema.safeParse(envelope.detail);
  if (!parsed.success) return failure(parsed.error.issues, 'detail');
  const { app, target, active, ready, failing, evaluatedAt } = parsed.data;
  const account = boundedString(envelope.account, 12, /^\d{12}$/);
  const region = boundedString(envelope.region, MAX_REGION_CHARS, AWS_REGION_PATTERN);
  return {
    ok: true,
    event: {
      type: 'readiness-evaluated',
      eventId: envelope.id,
      app,
      target,
      active,
      // The schema accepted `evaluatedAt` only if it parses.
      evaluatedAt: parseAwsTimestamp(evaluatedAt) as number,
      at: envelopeTime,
      ready,
      failing,
      ...(account !== undefined || region !== undefined ? { origin: { ...(account !== undefined ? { account } : {}), ...(region !== undefined ? { region } : {}) } } : {}),
    },
  };
}

type Handler = (envelope: Envelope, envelopeTime: number) => ParseResult;

/**
 * The events the controller reads, by `source` then `detail-type`. Maps, not object literals, so
 * that a `source` such as `__proto__` or `constructor` finds nothing.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 */
const HANDLERS: ReadonlyMap<string, ReadonlyMap<string, Handler>> = new Map([
  [
    'aws.cloudwatch',
    new Map<string, Handler>([
      ['CloudWatch Alarm State Change', parseAlarmStateChange],
      [
        'CloudWatch Alarm Configuration Change',
        () => ({
          ok: false,
          ignorable: true,
          field: 'detail-type',
          reason: "detail-type: 'CloudWatch Alarm Configuration Change' is a configuration change, not a state change; nothing to decide",
        }),
      ],
    ]),
  ],
  ['aws.events', new Map<string, Handler>([['Scheduled Event', parseScheduledEvent]])],
  [OVERRIDE_SOURCE, new Map<string, Handler>([[OVERRIDE_DETAIL_TYPE, parseOverride]])],
  // WAKE_UP_SOURCE and READINESS_SOURCE are both the controller's own source, dr.controller.
  [
    WAKE_UP_SOURCE,
    new Map<string, Handler>([
      [WAKE_UP_DETAIL_TYPE, parseWakeUp],
      [READINESS_DETAIL_TYPE, parseReadiness],
    ]),
  ],
  ['aws.states', new Map<string, Handler>([['Step Functions Execution Status Change', parseWorkflowStatusChange]])],
]);

const KNOWN_EVENTS = [...HANDLERS].flatMap(([source, types]) => [...types.keys()].map((type) => `${source}/${type}`)).join(', ');

function parseKnownEvent(raw: unknown): ParseResult {
  const parsed = envelopeSchema.safeParse(raw);
  if (!parsed.success) return failure(parsed.error.issues);
  const envelope = parsed.data;
  const types = HANDLERS.get(envelope.source);
  const handler = types?.get(envelope['detail-type']);
  if (handler === undefined) {
    const field = types === undefined ? 'source' : 'detail-type';
    return {
      ok: false,
      field,
      reason: `${field}: ${show(envelope.source)}/${show(envelope['detail-type'])} is not an event this controller reads; expected one of ${KNOWN_EVENTS}; check the EventBridge rule's pattern`,
    };
  }
  // The envelope schema accepted `time` only if it parses.
  return handler(envelope, parseAwsTimestamp(envelope.time) as number);
}

/** Prefix of the reason given when reading the input itself threw (e.g. a throwing getter). */
export const UNREADABLE_EVENT = 'event: could not be read';

/**
 * Parses one raw EventBridge event into a domain event. Never throws, whatever the input: a
 * malformed event yields `{ ok: false, reason, field }`, and an event that is valid but not for
 * the controller (an alarm configuration change, a workflow that has not ended) is also marked
 * `ignorable` (see {@link isIgnorable}).
 */
export function parseEvent(raw: unknown): ParseResult {
  try {
    return parseKnownEvent(raw);
  } catch (error) {
    return { ok: false, field: 'event', reason: `${UNREADABLE_EVENT}: ${error instanceof Error ? error.message.slice(0, 200) : show(error)}` };
  }
}
