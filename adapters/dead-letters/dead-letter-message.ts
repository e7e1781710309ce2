import type { DeadLetter } from '../../domain/ports/dead-letters.port';

/**
 * The characters SQS accepts in a message body and in a String message attribute's value (those of
 * XML 1.0): `#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`. Any other
 * (a control character, U+FFFE/U+FFFF, a lone surrogate) makes SendMessage fail.
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_MessageAttributeValue.html
 */
const NOT_SQS_TEXT = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * A message (body and attributes: names, types and values) is kept within 256 KiB: the limit SQS
 * long had for every queue (a queue's `MaximumMessageSize` may now be up to 1 MiB, but the
 * controller's queues do not rely on it), so a dead letter fits whatever the queue allows.
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
 */
export const SQS_MAX_MESSAGE_BYTES = 262_144;

/** Longest reason kept, in characters: readable, and far inside the message limit. */
export const MAX_REASON_CHARS = 1000;
/** Longest field path kept, in characters. */
export const MAX_FIELD_CHARS = 200;
/** Longest source id kept, in characters (SQS message ids are at most 100). */
export const MAX_SOURCE_ID_CHARS = 128;

/** True when SQS accepts `text` as a message body or a String attribute value. */
export function isSqsText(text: string): boolean {
  NOT_SQS_TEXT.lastIndex = 0;
  return !NOT_SQS_TEXT.test(text);
}

/**
 * `text` as SQS accepts it, at most `maxChars` characters (code points, so a pair of surrogates is
 * never split): every refused character written as its `\uXXXX` escape, so a control character in
 * a reason stays visible instead of failing the send; a longer text cut with "… (N more characters)".
 */
export function sqsText(text: string, maxChars: number): string {
  const escaped = text.replace(NOT_SQS_TEXT, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
  const chars = Array.from(escaped);
  if (chars.length <= maxChars) return escaped;
  const note = ` … (${chars.length - maxChars} more characters)`;
  return chars.slice(0, Math.max(0, maxChars - note.length)).join('') + note;
}

/** At most `maxBytes` UTF-8 bytes of `text`, cut between characters. */
function utf8Prefix(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const c of text) {
    const size = Buffer.byteLength(c);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += c.length;
  }
  return text.slice(0, end);
}

/** A dead letter as one SQS message: the body and the String attributes. */
export interface DeadLetterMessage {
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** Bytes SQS counts for a message: the body, and each attribute's name, type (`String`) and value. */
export function sqsMessageBytes(message: DeadLetterMessage): number {
  return (
    Buffer.byteLength(message.body) +
    Object.entries(message.attributes).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength('String') + Buffer.byteLength(value), 0)
  );
}

/**
 * The SQS message for a dead letter, always one SendMessage accepts: attributes `reason`, `field`
 * and `sourceId` in SQS's characters and bounded ({@link sqsText}); the body as received, unless
 * it holds characters SQS refuses (then escaped, attribute `bodyEscaped`) or the message would pass
 * {@link SQS_MAX_MESSAGE_BYTES} (then cut, attribute `bodyTruncatedFromBytes`). A body that came
 * off an SQS queue is already SQS text and fits, except next to the attributes at the very limit.
 */
export function deadLetterMessage(letter: DeadLetter): DeadLetterMessage {
  const attributes: Record<string, string> = {
    reason: sqsText(letter.reason, MAX_REASON_CHARS) || '(no reason given)',
    sourceId: sqsText(letter.sourceId, MAX_SOURCE_ID_CHARS) || '(no source id)',
    ...(letter.field ? { field: sqsText(letter.field, MAX_FIELD_CHARS) } : {}),
  };
  let body = letter.body.length > 0 ? letter.body : '(empty message body)';
  if (!isSqsText(body)) {
    body = sqsText(body, Number.MAX_SAFE_INTEGER);
    attributes.bodyEscaped = 'true';
  }
  const bodyBytes = Buffer.byteLength(body);
  if (sqsMessageBytes({ body, attributes }) > SQS_MAX_MESSAGE_BYTES) {
    attributes.bodyTruncatedFromBytes = String(bodyBytes);
    const room = SQS_MAX_MESSAGE_BYTES - sqsMessageBytes({ body: '', attributes });
    body = utf8Prefix(body, room);
  }
  return { body, attributes };
}
