/**
 * Shapes of the AWS strings the edge reads: timestamps and region names. Plain functions, no I/O.
 */

/** Earliest time the edge accepts (2000-01-01T00:00:00Z), epoch ms. */
export const EARLIEST_TIME_MS = Date.UTC(2000, 0, 1);
/** Latest time the edge accepts (2200-12-31T23:59:59.999Z), epoch ms. */
export const LATEST_TIME_MS = Date.UTC(2201, 0, 1) - 1;

/**
 * An AWS region code such as `us-east-1`, `ap-southeast-2` or `us-gov-west-1`.
 *
 * @see https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
 */
export const AWS_REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

// Date, time, optional fraction, then `Z`, `+0000` or `+00:00`: nothing else reaches Date.UTC.
const AWS_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/;

/** Whether `value` is an integer epoch-millisecond time within 2000..2200. */
export function isPlausibleEpochMs(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= EARLIEST_TIME_MS && (value as number) <= LATEST_TIME_MS;
}

/**
 * Parses the ISO-8601 timestamps AWS puts in events, to epoch milliseconds:
 * `2019-10-02T17:04:40Z` (EventBridge envelope `time`), `2019-10-02T17:04:40.989+0000`
 * (CloudWatch alarm `state.timestamp`, no colon in the offset) and `…+00:00`. Milliseconds are
 * optional; extra fraction digits are truncated to milliseconds.
 *
 * Returns `undefined` for anything else: other shapes, impossible dates (`2019-02-30`), and
 * times outside the years 2000..2200. The shape is checked by a regular expression first, so no
 * arbitrary string ever reaches the Date parser.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
 */
export function parseAwsTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = AWS_TIMESTAMP.exec(value);
  if (match === null) return undefined;
  const [, y = '', mo = '', d = '', h = '', mi = '', s = '', fraction = '', zulu, sign, offH = '0', offM = '0'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const [offsetHours, offsetMinutes] = [Number(offH), Number(offM)];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const offsetMs = zulu === undefined ? (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000 : 0;
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMs;
  return isPlausibleEpochMs(epochMs) ? epochMs : undefined;
}
