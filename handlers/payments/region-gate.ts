import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { observability, type Observability } from '../runtime/observability';
import { parameterPrefix, requireEnv, SSM_CLIENT_DEADLINES } from './payments-runtime';

/**
 * The workload's per-region parameters, as the DR controller publishes them in Parameter Store
 * under `PARAMETER_PREFIX`: `active-region` (the region that takes writes), `fenced` (`true` while
 * a failover fences this region) and `db/reader-endpoint` (this region's Aurora reader endpoint, which `/health` probes).
 */
export type RegionParameterName = 'active-region' | 'fenced' | 'db/reader-endpoint';

/**
 * How long a read of the region parameters is reused, in milliseconds, counted from the moment the
 * read was *started*: a value reused at time t was read from Parameter Store at or after
 * t − 500 ms. So a payment write decided 500 ms or more after the controller's `PutParameter` of
 * `fenced=true` sees the fence (Parameter Store returns the latest version of a parameter it has
 * acknowledged), well inside the 1 s bound the workload promises.
 *
 * Powertools' own cache cannot do this: its `maxAge` is whole seconds, counted from when the answer
 * arrived, and 0 means its 5 s default. Cost: one `GetParameters` per warm container every 500 ms under load, 2 TPS per
 * container against Parameter Store's default 40 TPS per account and region; deployments with more
 * than about 15 busy containers per region turn on higher throughput (10,000 TPS).
 *
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-throughput.html
 * @see https://docs.aws.amazon.com/general/latest/gr/ssm.html#limits_ssm
 */
export const PARAMETER_MAX_AGE_MS = 500;

/**
 * Read the named parameters in one `GetParameters` call on the provider's SDK client, without
 * Powertools' cache (its `getParametersByName` turns a `maxAge` of 0 into its 5 s default). A
 * parameter that does not exist comes back `undefined` (Parameter Store lists it in
 * `InvalidParameters`); any other failure (throttling, access denied) throws.
 *
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html
 */
export async function readRegionParameters<N extends RegionParameterName>(
  ssm: SSMProvider,
  prefix: string,
  names: readonly N[],
): Promise<Partial<Record<N, string>>> {
  const pathOf = (name: N) => `${prefix}/${name}`;
  const { Parameters = [] } = await ssm.client.send(new GetParametersCommand({ Names: names.map(pathOf) }));
  const found: Partial<Record<N, string>> = {};
  for (const name of names) {
    const value = Parameters.find((parameter) => parameter.Name === pathOf(name))?.Value;
    if (typeof value === 'string') found[name] = value;
  }
  return found;
}

interface CachedRead {
  readonly key: string;
  readonly startedAt: number;
  readonly values: Partial<Record<RegionParameterName, string>>;
}

/** One cached read per provider, i.e. per execution environment (each builds its provider once). */
const cachedReads = new WeakMap<SSMProvider, CachedRead>();

/**
 * {@link readRegionParameters}, reused for {@link PARAMETER_MAX_AGE_MS} from the start of the read
 * that produced it (clock `now`, epoch ms). A failed read is not cached.
 */
export async function readRegionParametersCached<N extends RegionParameterName>(
  ssm: SSMProvider,
  prefix: string,
  names: readonly N[],
  now: () => number,
  maxAgeMs: number = PARAMETER_MAX_AGE_MS,
): Promise<Partial<Record<N, string>>> {
  const key = `${prefix}|${names.join(',')}`;
  const startedAt = now();
  const cached = cachedReads.get(ssm);
  if (cached && cached.key === key && startedAt >= cached.startedAt && startedAt - cached.startedAt < maxAgeMs) {
    return cached.values as Partial<Record<N, string>>;
  }
  const values = await readRegionParameters(ssm, prefix, names);
  cachedReads.set(ssm, { key, startedAt, values });
  return values;
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

/** What a function that reads its region's parameters needs: where it runs, where they live, a client, a clock. */
export interface RegionGateDeps extends Observability {
  /** The region this function runs in (`AWS_REGION`). */
  readonly region: string;
  readonly parameterPrefix: string;
  readonly ssm: SSMProvider;
  /** Epoch milliseconds: also the clock of the region-parameter cache. */
  readonly now: () => number;
}

/** {@link RegionGateDeps} of a deployed function, from its environment (`AWS_REGION`, `PARAMETER_PREFIX`). */
export function regionGateRuntimeDeps(): RegionGateDeps {
  return {
    region: requireEnv('AWS_REGION'),
    parameterPrefix: parameterPrefix(),
    ssm: new SSMProvider({ awsSdkV3Client: new SSMClient(SSM_CLIENT_DEADLINES) }),
    ...observability,
    now: Date.now,
  };
}
