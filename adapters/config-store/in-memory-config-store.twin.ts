import type { Region } from '../../domain/config';
import type { AppParameters, ConfigStore, WriteResult } from '../../domain/ports/config-store.port';
import { TransientAdapterError } from '../errors';
import {
  APP_PARAMETER_KEYS,
  assertParameterPrefix,
  changedKeys,
  decodeAppParameters,
  encodeAppParameters,
  type AppParameterKey,
  type RawAppParameters,
} from './app-parameters.codec';

export type ConfigStoreOperation = 'read' | 'write' | 'put';

export interface InMemoryConfigStoreProps {
  /**
   * Parameter path used in error messages, as the SSM adapter names parameters.
   * @default '/app'
   */
  readonly parameterPrefix?: string;
}

interface StoredParameter {
  readonly value: string;
  readonly version: number;
}

/** Which calls a fault hits: in `region`, of `operation`, after letting `skip` matching calls through. */
export interface FaultTarget {
  readonly region?: Region;
  readonly operation?: ConfigStoreOperation;
  readonly skip?: number;
}

interface Fault {
  remaining: number;
  skip: number;
  readonly error: Error;
  readonly region?: Region;
  readonly operation?: ConfigStoreOperation;
}

/**
 * In-memory twin of the SSM config store: one parameter map per region holding the same String
 * values (with Parameter Store's version numbers: 1 on create, +1 per put), the same read/write
 * rules and the same validation, because it shares the adapter's codec.
 *
 * Test hooks: {@link seed}, {@link seedRaw} (e.g. a malformed value), {@link failNext},
 * {@link setReachable} (a region whose every call fails transiently, as in a regional outage),
 * {@link versions}, {@link raw} and {@link calls} (`put` is one parameter write).
 */
export class InMemoryConfigStore implements ConfigStore {
  /** Every call, in order; `put` entries are the individual parameter writes a `write` made. */
  readonly calls: { readonly operation: ConfigStoreOperation; readonly region: Region; readonly key?: AppParameterKey }[] = [];
  private readonly regions = new Map<Region, Map<AppParameterKey, StoredParameter>>();
  private readonly unreachable = new Set<Region>();
  private readonly faults: Fault[] = [];
  private readonly prefix: string;

  constructor(props: InMemoryConfigStoreProps = {}) {
    this.prefix = props.parameterPrefix ?? '/app';
    assertParameterPrefix(this.prefix);
  }

  async read(region: Region): Promise<AppParameters> {
    await this.enter('read', region);
    return decodeAppParameters(this.raw(region), this.prefix, region);
  }

  async write(region: Region, params: AppParameters): Promise<WriteResult> {
    const wanted = encodeAppParameters(params);
    if (Object.keys(wanted).length === 0) return { changed: [] };
    await this.enter('write', region);
    const changed = changedKeys(wanted, this.raw(region));
    for (const key of changed) {
      await this.enter('put', region, key);
      this.put(region, key, wanted[key] as string);
    }
    return { changed };
  }

  /** Store parameters in `region` as if written before (each put counts as a version). */
  seed(region: Region, params: AppParameters): void {
    const raw = encodeAppParameters(params);
    for (const key of APP_PARAMETER_KEYS) if (raw[key] !== undefined) this.put(region, key, raw[key]);
  }

  /** Store a raw String value, e.g. a malformed `fenced`. */
  seedRaw(region: Region, key: AppParameterKey, value: string): void {
    this.put(region, key, value);
  }

  /**
   * The next `count` matching calls reject with `error` before doing anything; e.g.
   * `failNext(1, err, { operation: 'put', skip: 1 })` fails a write between its two puts.
   */
  failNext(count: number, error: Error = new TransientAdapterError('injected fault (InMemoryConfigStore.failNext)'), target: FaultTarget = {}): void {
    this.faults.push({ remaining: count, error, region: target.region, operation: target.operation, skip: target.skip ?? 0 });
  }

  /** An unreachable region fails every call with a TransientAdapterError until made reachable again. */
  setReachable(region: Region, reachable: boolean): void {
    if (reachable) this.unreachable.delete(region);
    else this.unreachable.add(region);
  }

  /** Parameter Store version of each existing parameter in `region`. */
  versions(region: Region): Partial<Record<AppParameterKey, number>> {
    const stored = this.regions.get(region);
    return Object.fromEntries([...(stored?.entries() ?? [])].map(([key, p]) => [key, p.version]));
  }

  /** Raw String values in `region`. */
  raw(region: Region): RawAppParameters {
    const stored = this.regions.get(region);
    return Object.fromEntries([...(stored?.entries() ?? [])].map(([key, p]) => [key, p.value]));
  }

  private put(region: Region, key: AppParameterKey, value: string): void {
    const stored = this.regions.get(region) ?? new Map<AppParameterKey, StoredParameter>();
    this.regions.set(region, stored);
    stored.set(key, { value, version: (stored.get(key)?.version ?? 0) + 1 });
  }

  private async enter(operation: ConfigStoreOperation, region: Region, key?: AppParameterKey): Promise<void> {
    this.calls.push({ operation, region, ...(key && { key }) });
    await Promise.resolve();
    if (this.unreachable.has(region)) {
      throw new TransientAdapterError(`ssm ${operation} in ${region} failed transiently (region unreachable, injected by InMemoryConfigStore.setReachable)`);
    }
    const fault = this.faults.find(
      (f) => f.remaining > 0 && (f.region === undefined || f.region === region) && (f.operation === undefined || f.operation === operation),
    );
    if (!fault) return;
    if (fault.skip > 0) {
      fault.skip -= 1;
      return;
    }
    fault.remaining -= 1;
    if (fault.remaining === 0) this.faults.splice(this.faults.indexOf(fault), 1);
    throw fault.error;
  }
}
