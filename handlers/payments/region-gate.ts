import type { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';

/**
 * The workload's per-region parameters, as the DR controller publishes them in Parameter Store
 * under `PARAMETER_PREFIX`: `active-region` (the region that takes writes), `fenced` (`true` while
 * a failover fences this region) and `db/endpoint` (the database writer/reader endpoint).
 */
export type RegionParameterName = 'active-region' | 'fenced' | 'db/endpoint';

/**
 * How long a parameter value is reused from the in-memory cache before Parameter Store is asked
 * again: a fence or a new active region reaches every warm container within this many seconds.
 */
export const PARAMETER_MAX_AGE_SECONDS = 5;

/**
 * Read the named parameters in one `GetParameters` call (or from the cache). A parameter that
 * does not exist comes back `undefined`; any other failure (throttling, access denied) throws.
 * Powertools caches only parameters that exist, so the controller should create every parameter.
 *
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/parameters/
 */
export async function readRegionParameters<N extends RegionParameterName>(
  ssm: SSMProvider,
  prefix: string,
  names: readonly N[],
): Promise<Partial<Record<N, string>>> {
  const pathOf = (name: N) => `${prefix}/${name}`;
  const values = await ssm.getParametersByName<string>(Object.fromEntries(names.map((name) => [pathOf(name), {}])), {
    maxAge: PARAMETER_MAX_AGE_SECONDS,
    throwOnError: false,
  });
  const found: Partial<Record<N, string>> = {};
  for (const name of names) {
    const value = values[pathOf(name)];
    if (typeof value === 'string') found[name] = value;
  }
  return found;
}

/** A region is fenced when its `fenced` parameter says `true`; a missing parameter means not fenced. */
export function isFenced(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}

/**
 * Why `region` must not take a write now, or `undefined` when it may: it must not be fenced and
 * must be the active region. A region that cannot tell which region is active refuses too.
 */
export function writeRefusal(region: string, params: Partial<Record<'active-region' | 'fenced', string>>): string | undefined {
  if (isFenced(params.fenced)) return `region ${region} is fenced for failover`;
  const active = params['active-region']?.trim();
  if (!active) return `region ${region} cannot confirm it is the active region (its active-region parameter is not set)`;
  if (active !== region) return `region ${region} is standby; active region is ${active}`;
  return undefined;
}
