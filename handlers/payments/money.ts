import { ConfigurationError } from '../../adapters/errors';
/**
 * Money on the payment API: an amount is a decimal string in the currency's major unit
 * (`"12.50"` USD, `"1250"` JPY), parsed without floating point into an integer number of minor
 * units (cents, yen) using the currency's ISO 4217 exponent. A JSON number is never accepted: a
 * float cannot carry `0.10` exactly, and integers of 2^53 and above lose digits in `JSON.parse`.
 *
 * @see https://www.iso.org/iso-4217-currency-codes.html (minor unit column of the ISO 4217 list)
 * @see https://www.six-group.com/en/products-services/financial-information/data-standards.html (maintenance agency publishing the list)
 */

/**
 * ISO 4217 codes the payment system settles in, with the number of digits after the decimal
 * separator (the "minor unit" column of the list). An allow-list rather than the three-letter shape
 * rule: a well-formed but unknown code (`ABC`) or a withdrawn one (`DEM`) is refused here instead of
 * failing later at the processor.
 */
export const CURRENCY_EXPONENTS = {
  USD: 2,
  EUR: 2,
  GBP: 2,
  JPY: 0,
  CAD: 2,
  AUD: 2,
  CHF: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  NZD: 2,
  SGD: 2,
  HKD: 2,
  MXN: 2,
  BRL: 2,
  INR: 2,
} as const satisfies Record<string, number>;

export type Currency = keyof typeof CURRENCY_EXPONENTS;

export const SUPPORTED_CURRENCIES = Object.keys(CURRENCY_EXPONENTS) as [Currency, ...Currency[]];

/** The largest exponent of any supported currency: the most decimals any amount may carry. */
export const MAX_EXPONENT = Math.max(...Object.values(CURRENCY_EXPONENTS));

/**
 * Default largest amount of one payment, in the major unit of whatever currency it is in
 * (1,000,000.00 USD, 1,000,000 JPY). Deployments change it with `MAX_PAYMENT_AMOUNT`.
 */
export const DEFAULT_MAX_PAYMENT_AMOUNT = 1_000_000;

/**
 * Most integer digits any configured maximum may have: the minor-unit value of every accepted
 * amount then stays below 10^(12+3), far inside `Number.MAX_SAFE_INTEGER` (about 9 × 10^15), so
 * it survives `JSON.stringify`, DynamoDB's number type and every client's parser unchanged.
 */
export const MAX_AMOUNT_INTEGER_DIGITS = 12;

/**
 * The shape of every amount: digits without a sign, exponent or leading zeros, at most
 * {@link MAX_AMOUNT_INTEGER_DIGITS} before the point and {@link MAX_EXPONENT} after it. The API
 * Gateway model carries the same pattern, so most bad amounts never reach Lambda; the
 * per-currency decimals and the configured maximum are checked by {@link parseAmount}.
 */
export const AMOUNT_PATTERN = new RegExp(`^(0|[1-9][0-9]{0,${MAX_AMOUNT_INTEGER_DIGITS - 1}})(\\.[0-9]{1,${MAX_EXPONENT}})?$`);

/** Longest string {@link AMOUNT_PATTERN} can match. */
export const AMOUNT_MAX_LENGTH = MAX_AMOUNT_INTEGER_DIGITS + 1 + MAX_EXPONENT;

export type ParsedAmount =
  | { readonly ok: true; readonly minorUnits: number; readonly canonical: string }
  | { readonly ok: false; readonly message: string };

/**
 * `amount` (a decimal string) in minor units of `currency`, or why it is refused: not a plain
 * decimal, more decimals than the currency has, zero, or above `maxAmount` major units.
 * `canonical` is the amount written with exactly the currency's decimals (`"12.5"` → `"12.50"`).
 */
export function parseAmount(amount: string, currency: Currency, maxAmount: number): ParsedAmount {
  const exponent = CURRENCY_EXPONENTS[currency];
  if (!AMOUNT_PATTERN.test(amount)) {
    return { ok: false, message: `amount must be a decimal string like "12.50" (digits, at most one ".", no sign or exponent), got ${JSON.stringify(amount.slice(0, 40))}` };
  }
  const [whole = '0', fraction = ''] = amount.split('.');
  if (fraction.length > exponent) {
    return {
      ok: false,
      message:
        exponent === 0
          ? `amount must be a whole number for ${currency}, which has no minor unit (ISO 4217 exponent 0)`
          : `amount must have at most ${exponent} decimal places for ${currency} (ISO 4217 exponent ${exponent})`,
    };
  }
  const minorUnits = Number(whole) * 10 ** exponent + Number(fraction.padEnd(exponent, '0') || '0');
  if (minorUnits <= 0) return { ok: false, message: `amount must be greater than 0, e.g. "${formatMinorUnits(1, currency)}"` };
  if (minorUnits > maxAmount * 10 ** exponent) {
    return { ok: false, message: `amount must be at most ${formatMinorUnits(maxAmount * 10 ** exponent, currency)} ${currency} per payment: split larger payments` };
  }
  return { ok: true, minorUnits, canonical: formatMinorUnits(minorUnits, currency) };
}

/** Minor units written as a decimal string with exactly the currency's decimals. */
export function formatMinorUnits(minorUnits: number, currency: Currency): string {
  const exponent = CURRENCY_EXPONENTS[currency];
  if (exponent === 0) return String(minorUnits);
  const digits = String(minorUnits).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/**
 * `MAX_PAYMENT_AMOUNT` as a whole number of major units, 1 to 10^12 − 1 (default
 * {@link DEFAULT_MAX_PAYMENT_AMOUNT}); anything else is a configuration error naming the variable.
 */
export function maxPaymentAmount(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MAX_PAYMENT_AMOUNT?.trim();
  if (!raw) return DEFAULT_MAX_PAYMENT_AMOUNT;
  const value = Number(raw);
  if (!/^[1-9][0-9]*$/.test(raw) || value >= 10 ** MAX_AMOUNT_INTEGER_DIGITS) {
    throw new ConfigurationError(`environment variable MAX_PAYMENT_AMOUNT must be a whole number of major units from 1 to ${10 ** MAX_AMOUNT_INTEGER_DIGITS - 1}, got "${raw}"`);
  }
  return value;
}
