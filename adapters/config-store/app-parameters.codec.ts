import type { AppParameters } from '../../domain/ports/config-store.port';
import { PermanentAdapterError } from '../errors';

export type AppParameterKey = keyof AppParameters;

/** Leaf name of each parameter under the prefix, e.g. `/payments/dev/active-region`. Order is write order. */
export const APP_PARAMETER_NAMES: Readonly<Record<AppParameterKey, string>> = { activeRegion: 'active-region', fenced: 'fenced' };

export const APP_PARAMETER_KEYS = Object.keys(APP_PARAMETER_NAMES) as readonly AppParameterKey[];

/** Raw String values as Parameter Store holds them; a key is absent when its parameter does not exist. */
export type RawAppParameters = Partial<Record<AppParameterKey, string>>;

/** A region name such as `us-east-1`, `eu-central-2` or `us-gov-west-1`. */
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * Parameter names are `a-zA-Z0-9_.-` segments separated by `/`, with a leading `/` in a hierarchy,
 * at most fifteen levels deep (the prefix leaves one level for the leaf name).
 *
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
 */
export function assertParameterPrefix(prefix: string): void {
  if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(prefix) || prefix.split('/').length - 1 > 14) {
    throw new PermanentAdapterError(
      `parameterPrefix "${prefix}" is not a Parameter Store path: use a leading "/", segments of a-zA-Z0-9_.- , no trailing "/", at most 14 levels (e.g. "/payments/dev")`,
    );
  }
}

/** Full parameter name of `key` under `prefix`. */
export function parameterName(prefix: string, key: AppParameterKey): string {
  return `${prefix}/${APP_PARAMETER_NAMES[key]}`;
}

/** The String value each given parameter must hold; bad input is an error naming the field. */
export function encodeAppParameters(params: AppParameters): RawAppParameters {
  const raw: RawAppParameters = {};
  if (params.activeRegion !== undefined) {
    if (typeof params.activeRegion !== 'string' || !REGION_PATTERN.test(params.activeRegion)) {
      throw new PermanentAdapterError(`write: activeRegion must be a region name such as "us-east-1", got ${JSON.stringify(params.activeRegion)}`);
    }
    raw.activeRegion = params.activeRegion;
  }
  if (params.fenced !== undefined) {
    if (typeof params.fenced !== 'boolean') {
      throw new PermanentAdapterError(`write: fenced must be true or false, got ${JSON.stringify(params.fenced)}`);
    }
    raw.fenced = String(params.fenced);
  }
  return raw;
}

/** Parameters from their stored values; a malformed value is a PermanentAdapterError naming the parameter. */
export function decodeAppParameters(raw: RawAppParameters, prefix: string, region: string): AppParameters {
  const malformed = (key: AppParameterKey, expected: string): PermanentAdapterError =>
    new PermanentAdapterError(
      `ssm parameter ${parameterName(prefix, key)} in ${region} holds ${JSON.stringify(raw[key])}, expected ${expected}; put a valid value (write() repairs it)`,
    );
  let fenced: boolean | undefined;
  if (raw.fenced !== undefined) {
    if (raw.fenced !== 'true' && raw.fenced !== 'false') throw malformed('fenced', '"true" or "false"');
    fenced = raw.fenced === 'true';
  }
  if (raw.activeRegion !== undefined && !REGION_PATTERN.test(raw.activeRegion)) throw malformed('activeRegion', 'a region name such as "us-east-1"');
  return {
    ...(raw.activeRegion !== undefined && { activeRegion: raw.activeRegion }),
    ...(fenced !== undefined && { fenced }),
  };
}

/** Keys whose wanted value differs from the stored one, in write order. */
export function changedKeys(wanted: RawAppParameters, current: RawAppParameters): AppParameterKey[] {
  return APP_PARAMETER_KEYS.filter((key) => wanted[key] !== undefined && wanted[key] !== current[key]);
}
