import type { Region } from '../../domain/config';
import type { HealthStatus, ShiftResult, Traffic } from '../../domain/ports/traffic.port';
import { PermanentAdapterError, TransientAdapterError } from '../errors';

/** The twin's starting records and health, and its PENDING and retry bounds. */
export interface InMemoryTrafficOptions {
  /** Weight of each region's record: the regions that have one. */
  readonly weights: Readonly<Record<Region, number>>;
  /** @default - `unknown` for every region (no health check) */
  readonly health?: Readonly<Record<Region, HealthStatus>>;
  /** Polls that see a change PENDING before one sees it INSYNC. @default 0 */
  readonly pendingPolls?: number;
  /** Polls `shiftTo` makes before giving up on INSYNC (the adapter's `maxWaitSeconds`). @default 8 */
  readonly maxPolls?: number;
  /** Attempts per change on `PriorRequestNotComplete`, as the adapter. @default 5 */
  readonly maxAttempts?: number;
}

/** What the last change batch looks like from `GetChange`. */
export type ChangeStatus = 'PENDING' | 'INSYNC';

/**
 * In-memory {@link Traffic} with Route 53's observable behaviour: one record weight per region,
 * target 100 and others 0 on a shift, no change issued when already there, refusal of a region
 * without a record, a PENDING -> INSYNC delay counted in polls, and fault hooks.
 */
export class InMemoryTraffic implements Traffic {
  private readonly weights: Map<Region, number>;
  private readonly health: Map<Region, HealthStatus>;
  private readonly maxPolls: number;
  private readonly maxAttempts: number;
  private pendingPolls: number;
  private faults: { remaining: number; error: Error }[] = [];
  private priorRequests = 0;
  /** Weights set by each change batch, oldest first: one entry per change issued. */
  readonly changes: Readonly<Record<Region, number>>[] = [];
  /** Status of the last change batch; undefined before the first. */
  lastChangeStatus?: ChangeStatus;

  constructor(options: InMemoryTrafficOptions) {
    this.weights = new Map(Object.entries(options.weights));
    this.health = new Map(Object.entries(options.health ?? {}));
    this.pendingPolls = options.pendingPolls ?? 0;
    this.maxPolls = options.maxPolls ?? 8;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  /** Current weights by region. */
  weightsNow(): Readonly<Record<Region, number>> {
    return Object.fromEntries(this.weights);
  }

  /** Seed or change a region's record weight, as an operator editing the zone would. */
  setWeight(region: Region, weight: number): void {
    this.weights.set(region, weight);
  }

  setHealth(region: Region, status: HealthStatus): void {
    this.health.set(region, status);
  }

  /** Polls each later change stays PENDING before INSYNC. */
  setPendingPolls(polls: number): void {
    this.pendingPolls = polls;
  }

  /** The next `n` calls (any method) reject with `error`. */
  failNext(n: number, error: Error = new TransientAdapterError('in-memory traffic: injected fault')): void {
    this.faults.push({ remaining: n, error });
  }

  /** The next `n` change attempts are refused with `PriorRequestNotComplete` (retried by `shiftTo`). */
  priorRequestNotComplete(n: number): void {
    this.priorRequests += n;
  }

  async shiftTo(region: Region): Promise<ShiftResult> {
    this.injectFault();
    const target = this.weights.get(region);
    if (target === undefined) {
      throw new PermanentAdapterError(`in-memory traffic: no weighted record for region ${region}; create it first (known: ${[...this.weights.keys()].join(', ')})`);
    }
    if (target > 0 && [...this.weights].every(([r, w]) => r === region || w === 0)) return { changed: false };

    for (let attempt = 1; this.priorRequests > 0; attempt++) {
      this.priorRequests--;
      if (attempt >= this.maxAttempts) {
        const cause = Object.assign(new Error('The request was rejected because Route 53 was still processing a prior request.'), { name: 'PriorRequestNotComplete' });
        throw new TransientAdapterError(`in-memory traffic: change refused ${attempt} times with PriorRequestNotComplete`, { cause });
      }
    }
    for (const r of this.weights.keys()) this.weights.set(r, r === region ? 100 : 0);
    this.changes.push(this.weightsNow());

    if (this.pendingPolls >= this.maxPolls) {
      this.lastChangeStatus = 'PENDING';
      throw new TransientAdapterError(`in-memory traffic: change to ${region} still PENDING after ${this.maxPolls} polls`);
    }
    this.lastChangeStatus = 'INSYNC';
    return { changed: true };
  }

  async activeRegion(): Promise<Region | undefined> {
    this.injectFault();
    const active = [...this.weights].filter(([, w]) => w > 0);
    return active.length === 1 ? active[0]?.[0] : undefined;
  }

  async healthOf(region: Region): Promise<HealthStatus> {
    this.injectFault();
    return this.health.get(region) ?? 'unknown';
  }

  private injectFault(): void {
    const fault = this.faults[0];
    if (!fault) return;
    if (--fault.remaining <= 0) this.faults.shift();
    throw fault.error;
  }
}
