import { GetParametersCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { Region } from '../../domain/config';
import type { AppParameters, ConfigStore, WriteResult } from '../../domain/ports/config-store.port';
import { TransientAdapterError, toAdapterError } from '../errors';
import {
  APP_PARAMETER_KEYS,
  assertParameterPrefix,
  changedKeys,
  decodeAppParameters,
  encodeAppParameters,
  parameterName,
  type RawAppParameters,
} from './app-parameters.codec';

export interface SsmConfigStoreProps {
  /** The SSM client for a region (parameters live in each region); called once per region, then reused. */
  readonly clientFor: (region: Region) => SSMClient;
  /** Path the parameters live under, e.g. `/payments/dev` for `/payments/dev/active-region` and `/payments/dev/fenced`. */
  readonly parameterPrefix: string;
}

/**
 * The workload's published configuration in SSM Parameter Store, per region: `<prefix>/active-region`
 * (a region name) and `<prefix>/fenced` (`true`/`false`), both `String` parameters.
 *
 * `read` fetches both with one GetParameters; a missing parameter comes back in `InvalidParameters`
 * and is simply absent from the result. `write` reads first and puts (Overwrite) only the values
 * that differ, because every PutParameter creates a new parameter version even for the same value.
 * `TooManyUpdates` (concurrent updates of one parameter) is reported as transient.
 *
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-versions.html
 */
export class SsmConfigStore implements ConfigStore {
  private readonly clients = new Map<Region, SSMClient>();
  private readonly clientFor: (region: Region) => SSMClient;
  private readonly prefix: string;

  constructor(props: SsmConfigStoreProps) {
    assertParameterPrefix(props.parameterPrefix);
    this.clientFor = props.clientFor;
    this.prefix = props.parameterPrefix;
  }

  async read(region: Region): Promise<AppParameters> {
    return decodeAppParameters(await this.readRaw(region), this.prefix, region);
  }

  async write(region: Region, params: AppParameters): Promise<WriteResult> {
    const wanted = encodeAppParameters(params);
    if (Object.keys(wanted).length === 0) return { changed: [] };
    const changed = changedKeys(wanted, await this.readRaw(region));
    for (const key of changed) {
      const name = parameterName(this.prefix, key);
      await this.call(region, `PutParameter ${name}`, (client) =>
        client.send(new PutParameterCommand({ Name: name, Value: wanted[key], Type: 'String', Overwrite: true })),
      );
    }
    return { changed };
  }

  private async readRaw(region: Region): Promise<RawAppParameters> {
    const names = APP_PARAMETER_KEYS.map((key) => parameterName(this.prefix, key));
    const out = await this.call(region, `GetParameters ${names.join(', ')}`, (client) => client.send(new GetParametersCommand({ Names: names })));
    const raw: RawAppParameters = {};
    for (const key of APP_PARAMETER_KEYS) {
      const value = out.Parameters?.find((p) => p.Name === parameterName(this.prefix, key))?.Value;
      if (value !== undefined) raw[key] = value;
    }
    return raw;
  }

  private async call<T>(region: Region, what: string, send: (client: SSMClient) => Promise<T>): Promise<T> {
    try {
      let client = this.clients.get(region);
      if (client === undefined) {
        client = this.clientFor(region);
        this.clients.set(region, client);
      }
      return await send(client);
    } catch (error) {
      const context = `ssm ${what} in ${region}`;
      if ((error as { name?: unknown } | null)?.name === 'TooManyUpdates') {
        throw new TransientAdapterError(`${context} failed transiently (TooManyUpdates: concurrent updates)`, { cause: error });
      }
      throw toAdapterError(error, context);
    }
  }
}
