/**
 * The bounds that keep the controller's inputs, memory and outputs small and its clock honest.
 * The edge rejects (or, for AWS's own informational text, truncates) anything longer; the engine
 * clips the text it composes. Together they give the proven maxima of `test/domain/sizes.property.test.ts`:
 * a state under DynamoDB's 400 KB item limit, a decision under EventBridge's 256 KB entry, a
 * failover request under Step Functions' 256 KB input.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html (item size 400 KB)
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html (PutEvents entry 256 KB)
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html (execution input 256 KB)
 */

/**
 * How far an event's own timestamp may lie after the delivery clock. AWS stamps events with
 * NTP-synchronised clocks, so a real event is never minutes ahead of its arrival; beyond this, an
 * alarm change, heartbeat or override is rejected: accepted, its future time would make every real
 * event after it look stale (or keep an override valid for longer). Within it, the time is read as
 * the delivery clock (stored times never pass the clock). A tick may come early (a wake-up for a
 * deadline beyond SQS's 15-minute delay arrives before its time) and is judged at the clock.
 */
export const MAX_EVENT_SKEW_SECONDS = 300;

/**
 * An override older than this (its envelope time against the delivery clock) is rejected as
 * expired: a redelivered or replayed override cannot act long after the operator asked.
 */
export const MAX_OVERRIDE_AGE_SECONDS = 900;

/**
 * Override request ids are remembered for {@link MAX_OVERRIDE_AGE_SECONDS} +
 * {@link MAX_EVENT_SKEW_SECONDS} after they were accepted, so every delivery of an override is
 * either expired or recognised: applied at most once, ever. At most this many are accepted in that
 * time; further ones are rejected with a reason (never an id forgotten early).
 */
export const MAX_RECENT_OVERRIDES = 64;

/** Input fields, checked at the edge. */
export const MAX_EVENT_ID_CHARS = 256;
/** CloudWatch's own limit on alarm names. @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html */
export const MAX_ALARM_NAME_CHARS = 255;
/** CloudWatch's state reason is at most 1023 characters; longer text is truncated, never rejected (it is evidence). */
export const MAX_ALARM_REASON_CHARS = 1024;
export const MAX_OVERRIDE_REASON_CHARS = 1024;
/** Room for an IAM role session ARN (`arn:aws:sts::<account>:assumed-role/<role 64>/<session 64>`). */
export const MAX_OPERATOR_CHARS = 256;
export const MAX_REQUEST_ID_CHARS = 128;
/** Step Functions' own limit on execution names. @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html */
export const MAX_EXECUTION_NAME_CHARS = 80;
export const MAX_REGION_CHARS = 32;
/** A state machine ARN: `arn:<partition>:states:<region>:<account>:stateMachine:<name ≤ 80>`. */
export const MAX_STATE_MACHINE_ARN_CHARS = 256;

/** Configuration, checked by the config schema: the state holds one record per signal and region. */
export const MAX_REGIONS = 16;
export const MAX_SIGNALS = 200;

/** Text the engine composes: a decision's reason, and a reason it keeps in state (a failover's, a halt's). */
export const MAX_DECISION_REASON_CHARS = 8000;
export const MAX_STATE_REASON_CHARS = 2000;

/** `text` cut to `max` characters (UTF-16 code units, never splitting a surrogate pair), marked with `…`. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
