import * as z from 'zod';
import type { AlarmState, DomainEvent, OverrideAction, WorkflowStatus } from '../domain/events';
import { AWS_REGION_PATTERN, isPlausibleEpochMs, parseAwsTimestamp } from './aws-formats';
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

const ALARM_STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const satisfies readonly AlarmState[];
const END_STATUSES = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const satisfies readonly WorkflowStatus[];
/**
 * Statuses an execution passes through without ending.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
 */
const RUNNING_STATUSES: readonly string[] = ['RUNNING', 'PENDING_REDRIVE'];
const OVERRIDE_ACTIONS = ['failover', 'freeze', 'unfreeze', 'abort', 'acknowledge'] as const satisfies readonly OverrideAction[];
const MAX_REQUEST_ID_CHARS = 128;
const MAX_DETAIL_CHARS = 500;
const MAX_ISSUES_IN_REASON = 5;

const timestamp = (what: string, fix: string) =>
  z.string(expected(what, fix)).refine((value) => parseAwsTimestamp(value) !== undefined, expected(what, fix));

const nonBlank = (what: string, fix: string) => z.string(expected(what, fix)).regex(/\S/, expected(what, fix));

const ENVELOPE_FIX = 'pass the EventBridge event itself (e.g. the SQS message body, JSON-parsed)';

/**
 * The envelope every EventBridge event has.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
 */
const envelopeSchema = z.looseObject(
  {
    id: nonBlank('the EventBridge event id', ENVELOPE_FIX),
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
  alarmName: nonBlank('the alarm name', 'CloudWatch always names the alarm; check the event source'),
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
      .regex(AWS_REGION_PATTERN, expected("a region code such as 'us-east-2'", 'omit it to fail over to the first healthy region'))
      .optional(),
    allowDataLoss: z.boolean(expected('true or false', 'omit it to follow policy.dataLoss')).optional(),
    force: z.boolean(expected('true or false', 'omit it to keep the health and cooldown guards')).optional(),
    until: timestamp('an ISO-8601 time like 2026-11-26T08:00:00Z within 2000..2200', 'omit it to freeze until unfreeze').optional(),
    reason: nonBlank('a non-empty reason', 'say why, for the decision record'),
    operator: nonBlank('a non-empty operator name', 'say who asks, for the decision record'),
    requestId: nonBlank('a non-empty request id', 'use a unique id per request, so a retried publish is applied once').max(MAX_REQUEST_ID_CHARS, {
      error: `is longer than ${MAX_REQUEST_ID_CHARS} characters; use a shorter unique id`,
    }),
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
  name: nonBlank('the execution name', 'Step Functions always names the execution; check the event source'),
  status: z.string(expected('the execution status', 'Step Functions always sends a status; check the event source')),
});

/** A rejection listing the first problems; `within` is the path of the parsed part (e.g. `detail`). */
function failure(issues: readonly z.core.$ZodIssue[], within?: 'detail'): ParseResult {
  const root = within ?? 'event';
  const problems = formatIssues(within === undefined ? issues : issues.map((issue) => ({ ...issue, path: [within, ...issue.path] })), root);
  const shown = problems.slice(0, MAX_ISSUES_IN_REASON).map(({ field, message }) => `${field}: ${message}`);
  const more = problems.length > MAX_ISSUES_IN_REASON ? [`and ${problems.length - MAX_ISSUES_IN_REASON} more`] : [];
  return { ok: false, reason: [...shown, ...more].join('; '), field: problems[0]?.field ?? root };
}

function truncate(text: string): string {
  const chars = Array.from(text);
  return chars.length > MAX_DETAIL_CHARS ? `${chars.slice(0, MAX_DETAIL_CHARS - 1).join('')}…` : text;
}

function parseAlarmStateChange(envelope: Envelope, envelopeTime: number): ParseResult {
  const parsed = alarmDetailSchema.safeParse(envelope.detail);
  if (!parsed.success) return failure(parsed.error.issues, 'detail');
  const { alarmName, state, previousState } = parsed.data;
  return {
    ok: true,
    event: {
      type: 'signal-changed',
      eventId: envelope.id,
      alarmName,
      state: state.value,
      ...(previousState ? { previousState: previousState.value } : {}),
      at: parseAwsTimestamp(state.timestamp) ?? envelopeTime,
      ...(state.reason !== undefined ? { reason: state.reason } : {}),
    },
  };
}

function parseOverride(envelope: Envelope, envelopeTime: number): ParseResult {
  const parsed = overrideDetailSchema.safeParse(envelope.detail);
  if (!parsed.success) return failure(parsed.error.issues, 'detail');
  const { until, ...detail } = parsed.data;
  const untilMs = parseAwsTimestamp(until);
  return {
    ok: true,
    event: { type: 'override', eventId: envelope.id, at: envelopeTime, ...detail, ...(untilMs !== undefined ? { until: untilMs } : {}) },
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
  const { name, status, stopDate, error, cause, output } = parsed.data;
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
      ...(summary !== undefined ? { detail: truncate(summary) } : {}),
      ...(recoverySeconds !== undefined ? { recoverySeconds } : {}),
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
  ['aws.events', new Map<string, Handler>([['Scheduled Event', (envelope, at) => ({ ok: true, event: { type: 'tick', eventId: envelope.id, at } })]])],
  [OVERRIDE_SOURCE, new Map<string, Handler>([[OVERRIDE_DETAIL_TYPE, parseOverride]])],
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
