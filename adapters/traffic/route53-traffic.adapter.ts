import { backoffDelayMs, callWithRetry, retryOptions, type RetryOptions } from '../retry';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHealthCheckStatusCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';
import type { Region } from '../../domain/config';
import type { HealthStatus, ShiftResult, Traffic } from '../../domain/ports/traffic.port';
import { PermanentAdapterError, TransientAdapterError } from '../errors';

/** What {@link Route53Traffic} needs: its client, the records it owns, and its retry and wait bounds. */
export interface Route53TrafficOptions {
  readonly client: Route53Client;
  /** Hosted zone holding the weighted records, e.g. `Z3M3LMPEXAMPLE` (a `/hostedzone/` prefix is fine). */
  readonly hostedZoneId: string;
  /** DNS name of the weighted records, e.g. `api.example.com`. */
  readonly recordName: string;
  /** @default 'A' */
  readonly recordType?: RRType;
  /**
   * Region -> `SetIdentifier` of its weighted record. When given, records with any other
   * `SetIdentifier` are not the app's and are left alone.
   * @default - every weighted record's `SetIdentifier` is the name of its region
   */
  readonly setIdentifiers?: Readonly<Record<Region, string>>;
  /** Region -> id of the Route 53 health check probing its endpoint. @default - none: `healthOf` answers `unknown` */
  readonly healthCheckIds?: Readonly<Record<Region, string>>;
  /** How long `shiftTo` waits for the change to be INSYNC before giving up. @default 120 */
  readonly maxWaitSeconds?: number;
  /** Attempts per API call on throttling, `PriorRequestNotComplete` and 5xx. @default 5 */
  readonly maxAttempts?: number;
  /** First backoff delay; it doubles per retry or poll, up to 20 s. @default 1000 */
  readonly baseDelayMs?: number;
  /** @default - a real `setTimeout` */
  readonly sleep?: (ms: number) => Promise<void>;
}

const MAX_DELAY_MS = 20_000;
/** Route 53 allows at most 100 weighted records per name and type, and 300 items per list page. */
const LIST_MAX_ITEMS = 300;

/**
 * {@link Traffic} on Route 53 weighted records: the active region's record has weight 100, every
 * other the app owns has 0 (never all 0: Route 53 then answers with all of them equally).
 *
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html (Weight; all 0 = equal split)
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-weighted.html
 */
export class Route53Traffic implements Traffic {
  private readonly client: Route53Client;
  private readonly zone: string;
  private readonly name: string;
  private readonly type: RRType;
  private readonly setIdentifiers?: Readonly<Record<Region, string>>;
  private readonly healthCheckIds: Readonly<Record<Region, string>>;
  private readonly maxWaitMs: number;
  private readonly retry: RetryOptions;

  constructor(options: Route53TrafficOptions) {
    if (!options.hostedZoneId) throw new PermanentAdapterError('Route53Traffic: hostedZoneId is required (the id of the hosted zone holding the weighted records)');
    if (!options.recordName) throw new PermanentAdapterError('Route53Traffic: recordName is required (the DNS name of the weighted records, e.g. api.example.com)');
    this.retry = retryOptions('Route53Traffic', options, { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: MAX_DELAY_MS });
    const maxWaitSeconds = options.maxWaitSeconds ?? 120;
    if (!(maxWaitSeconds >= 0)) throw new PermanentAdapterError(`Route53Traffic: maxWaitSeconds must be >= 0, got ${maxWaitSeconds}`);
    this.client = options.client;
    this.zone = options.hostedZoneId;
    this.name = options.recordName;
    this.type = options.recordType ?? 'A';
    this.setIdentifiers = options.setIdentifiers;
    this.healthCheckIds = options.healthCheckIds ?? {};
    this.maxWaitMs = maxWaitSeconds * 1000;
  }

  /**
   * Issues one change batch that UPSERTs every app record (target 100, others 0) keeping their other
   * fields, then waits for INSYNC. Nothing is issued when the target alone has weight already.
   * UPSERT makes a retried batch harmless; Route 53 applies a batch all or nothing.
   *
   * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html
   * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html (PENDING until INSYNC)
   */
  async shiftTo(region: Region): Promise<ShiftResult> {
    const records = await this.records();
    const target = records.get(region);
    if (!target) {
      throw new PermanentAdapterError(
        `route53: no weighted ${this.type} record ${this.name} with SetIdentifier "${this.setIdentifierOf(region)}" for region ${region} in hosted zone ${this.zone}; ` +
          'create that record, or map the region to its SetIdentifier in setIdentifiers',
      );
    }
    const others = [...records].filter(([r]) => r !== region);
    if ((target.Weight ?? 0) > 0 && others.every(([, record]) => record.Weight === 0)) return { changed: false };

    const { ChangeInfo } = await this.call('ChangeResourceRecordSets', () =>
      this.client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: this.zone,
          ChangeBatch: {
            Comment: `dr-controller: shift ${this.name} to ${region}`,
            Changes: [...records].map(([r, record]) => ({
              Action: 'UPSERT' as const,
              ResourceRecordSet: { ...record, Weight: r === region ? 100 : 0 },
            })),
          },
        }),
      ),
    );
    if (ChangeInfo?.Status !== 'INSYNC') await this.waitInSync(ChangeInfo?.Id);
    return { changed: true };
  }

  async activeRegion(): Promise<Region | undefined> {
    const active = [...(await this.records())].filter(([, record]) => (record.Weight ?? 0) > 0);
    return active.length === 1 ? active[0]?.[0] : undefined;
  }

  /**
   * Healthy when a majority of the health checkers report success (their status text starts with
   * `Success`). Stricter than Route 53's own routing view (healthy when more than 18% agree), so a
   * target is only called healthy when most vantage points can reach it.
   *
   * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHealthCheckStatus.html
   * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
   */
  async healthOf(region: Region): Promise<HealthStatus> {
    const healthCheckId = this.healthCheckIds[region];
    if (!healthCheckId) return 'unknown';
    const { HealthCheckObservations: observations = [] } = await this.call(`GetHealthCheckStatus ${healthCheckId}`, () =>
      this.client.send(new GetHealthCheckStatusCommand({ HealthCheckId: healthCheckId })),
    );
    if (observations.length === 0) return 'unknown';
    const successes = observations.filter((o) => o.StatusReport?.Status?.startsWith('Success')).length;
    return successes * 2 > observations.length ? 'healthy' : 'unhealthy';
  }

  /**
   * The app's weighted records by region. One page starting at our name and type holds them all
   * (at most 100 weighted records share a name and type).
   *
   * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html
   * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html (at most 100 weighted records per name and type)
   */
  private async records(): Promise<Map<Region, ResourceRecordSet>> {
    const { ResourceRecordSets = [] } = await this.call('ListResourceRecordSets', () =>
      this.client.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: this.zone,
          StartRecordName: this.name,
          StartRecordType: this.type,
          MaxItems: LIST_MAX_ITEMS,
        }),
      ),
    );
    const byRegion = new Map<Region, ResourceRecordSet>();
    for (const record of ResourceRecordSets) {
      if (record.Type !== this.type || normalize(record.Name) !== normalize(this.name)) continue;
      if (record.Weight === undefined || record.SetIdentifier === undefined) continue;
      const region = this.regionOf(record.SetIdentifier);
      if (region !== undefined) byRegion.set(region, record);
    }
    return byRegion;
  }

  private setIdentifierOf(region: Region): string {
    return this.setIdentifiers ? (this.setIdentifiers[region] ?? '(not in setIdentifiers)') : region;
  }

  private regionOf(setIdentifier: string): Region | undefined {
    if (!this.setIdentifiers) return setIdentifier;
    return Object.entries(this.setIdentifiers).find(([, id]) => id === setIdentifier)?.[0];
  }

  private async waitInSync(changeId: string | undefined): Promise<void> {
    if (!changeId) throw new TransientAdapterError(`route53 ChangeResourceRecordSets on ${this.zone} answered without a change id to wait for`);
    let waitedMs = 0;
    for (let poll = 0; ; poll++) {
      const delayMs = Math.min(backoffDelayMs(this.retry, poll + 1), this.maxWaitMs - waitedMs);
      if (delayMs <= 0) {
        throw new TransientAdapterError(
          `route53 change ${changeId} on ${this.zone} is still PENDING after ${waitedMs / 1000} s; it keeps propagating, shift again to confirm`,
        );
      }
      await this.retry.sleep(delayMs);
      waitedMs += delayMs;
      const { ChangeInfo } = await this.call(`GetChange ${changeId}`, () => this.client.send(new GetChangeCommand({ Id: changeId })));
      if (ChangeInfo?.Status === 'INSYNC') return;
    }
  }

  /**
   * Bounded exponential backoff on transient errors. `PriorRequestNotComplete` asks for exactly that.
   * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html#API_ChangeResourceRecordSets_Errors
   */
  private call<T>(what: string, send: () => Promise<T>): Promise<T> {
    return callWithRetry(send, (attempt) => `route53 ${what} on ${this.zone} (${this.name} ${this.type}, attempt ${attempt} of ${this.retry.maxAttempts})`, this.retry);
  }
}

/**
 * Route 53 returns fully qualified names (`api.example.com.`) and treats names case-insensitively.
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html
 */
function normalize(name: string | undefined): string {
  return (name ?? '').toLowerCase().replace(/\.$/, '');
}
