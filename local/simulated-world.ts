import { InMemoryAlarmStates } from '../adapters/alarm-states/in-memory-alarm-states.twin';
import { TransientAdapterError } from '../adapters/errors';
import { delaySecondsFor, wakeUpMessage } from '../adapters/wake-ups/wake-up-message';
import type { Region, SignalConfig } from '../domain/config';
import type { AlarmState } from '../domain/events';
import type { AlarmReading, AlarmStates } from '../domain/ports/alarm-states.port';
import type { AppParameters, ConfigStore, WriteResult } from '../domain/ports/config-store.port';
import type { HealthStatus, ShiftResult, Traffic } from '../domain/ports/traffic.port';
import type { WakeUps } from '../domain/ports/wake-ups.port';
import { callWorstSeconds, stepSpec, type FailoverStep } from '../handlers/steps/step-registry';
import { alarmRegionOf } from '../infra/controller/alarm-regions';
import type { RawEvent } from './aws-events';
import type { DrillClock } from './simulated-clock';

/**
 * The parts of AWS the drill simulates around the controller, beyond what moto (or the twins)
 * serve: which regions are dark, CloudWatch's alarm states as DescribeAlarms reports them, the
 * wake-up queue and its pipe, and calls into a dark region that hang until the client gives up.
 * Every duration comes from {@link ClientDeadline}s and the timings the runner derives from the
 * synthesized stacks; nothing here waits in real time.
 */

/**
 * Route 53's control plane (ChangeResourceRecordSets, GetChange, GetHealthCheckStatus) is served
 * from us-east-1 only; its data plane (DNS answers, health checkers) is global.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/disaster-recovery-resiliency.html
 * @see https://docs.aws.amazon.com/general/latest/gr/r53.html
 */
export const ROUTE53_CONTROL_PLANE_REGION: Region = 'us-east-1';

/** What the drill knows of each region: dark (a blackout), or only its heartbeats lost. */
export class RegionConditions {
  private readonly dark = new Set<Region>();
  private readonly silent = new Set<Region>();

  /** The region's APIs stop answering, and nothing it would emit arrives anywhere. */
  blackout(region: Region): void {
    this.dark.add(region);
  }

  /** The region's heartbeats stop arriving (its forwarding broke); it keeps serving. */
  silenceHeartbeats(region: Region): void {
    this.silent.add(region);
  }

  restore(region: Region): void {
    this.dark.delete(region);
    this.silent.delete(region);
  }

  isDark(region: Region): boolean {
    return this.dark.has(region);
  }

  /** Whether the region's scheduled heartbeat reaches the controller bus now. */
  heartbeats(region: Region): boolean {
    return !this.dark.has(region) && !this.silent.has(region);
  }

  get darkRegions(): readonly Region[] {
    return [...this.dark];
  }
}

/** How long one client waits for a region that does not answer, all attempts included, and where that comes from. */
export interface ClientDeadline {
  readonly seconds: number;
  readonly source: string;
}

/** The services the failover steps and the decide path call into a protected region. */
export type DrillService = 'ssm' | 'route53' | 'cloudwatch';

/**
 * Calls into a dark region: instead of waiting in real time, the simulated clock moves by what
 * the calling client would wait and the call fails the way the adapter reports a timeout (a
 * TransientAdapterError), so the caller's own handling of it runs. Inside a failover step
 * ({@link during}) the client is that step's (its deadline × attempts in the step registry);
 * outside, the decide path's DescribeAlarms deadline.
 */
export class Hangs {
  /** Every call that hung, for the timeline. */
  readonly log: { readonly at: number; readonly service: DrillService; readonly region: Region; readonly what: string; readonly seconds: number; readonly step?: FailoverStep }[] = [];
  private step?: FailoverStep;

  constructor(
    private readonly clock: DrillClock,
    private readonly conditions: RegionConditions,
    /** The decide path's deadline for one region's alarm states. */
    private readonly decideDeadline: ClientDeadline,
  ) {}

  /** Run `fn` as the step `step`: the calls it makes hang with the step's client deadlines. */
  async during<T>(step: FailoverStep, fn: () => Promise<T>): Promise<T> {
    this.step = step;
    try {
      return await fn();
    } finally {
      this.step = undefined;
    }
  }

  /** The deadline of the client making a call now. */
  deadline(): ClientDeadline {
    if (this.step === undefined) return this.decideDeadline;
    const { call } = stepSpec(this.step);
    return {
      seconds: callWorstSeconds(call),
      source: `step registry ${this.step}.call: ${call.attempts} × ${call.requestTimeoutMs / 1000} s requestTimeout + backoff`,
    };
  }

  async call<T>(service: DrillService, region: Region, what: string, fn: () => Promise<T>): Promise<T> {
    if (!this.conditions.isDark(region)) return fn();
    const { seconds, source } = this.deadline();
    this.log.push({ at: this.clock.now(), service, region, what, seconds, ...(this.step !== undefined ? { step: this.step } : {}) });
    this.clock.advance(seconds * 1000);
    throw new TransientAdapterError(`${what} in ${region}: no answer within ${seconds} s (${source}); the region is dark`);
  }
}

/** A port `P` whose calls into a dark region hang until the client's deadline (see {@link Hangs.call}). */
abstract class DarkAware<P> {
  constructor(
    private readonly inner: P,
    private readonly hangs: Hangs,
  ) {}

  /** `use` the wrapped port, as a call `what` to `service` in `region`: it hangs while `region` is dark. */
  protected call<T>(service: DrillService, region: Region, what: string, use: (inner: P) => Promise<T>): Promise<T> {
    return this.hangs.call(service, region, what, () => use(this.inner));
  }
}

/** {@link ConfigStore} whose calls into a dark region hang until the SSM client's deadline. */
export class DarkAwareConfigStore extends DarkAware<ConfigStore> implements ConfigStore {
  read(region: Region): Promise<AppParameters> {
    return this.call('ssm', region, 'SSM GetParameter', (ssm) => ssm.read(region));
  }

  write(region: Region, params: AppParameters): Promise<WriteResult> {
    return this.call('ssm', region, 'SSM PutParameter', (ssm) => ssm.write(region, params));
  }
}

/**
 * {@link Traffic} whose Route 53 control-plane calls hang while us-east-1 is dark: shifting the
 * weights and reading a health check's status are both control-plane APIs.
 */
export class DarkAwareTraffic extends DarkAware<Traffic> implements Traffic {
  shiftTo(region: Region): Promise<ShiftResult> {
    return this.call('route53', ROUTE53_CONTROL_PLANE_REGION, 'Route 53 ChangeResourceRecordSets', (route53) => route53.shiftTo(region));
  }

  activeRegion(): Promise<Region | undefined> {
    return this.call('route53', ROUTE53_CONTROL_PLANE_REGION, 'Route 53 ListResourceRecordSets', (route53) => route53.activeRegion());
  }

  healthOf(region: Region): Promise<HealthStatus> {
    return this.call('route53', ROUTE53_CONTROL_PLANE_REGION, 'Route 53 GetHealthCheckStatus', (route53) => route53.healthOf(region));
  }
}

/**
 * CloudWatch as the drill's world has it: every configured alarm's state, per region where it
 * lives (OK from the start, as a deployed workload's alarms are), and {@link AlarmStates} over
 * them for the decide path's reconciliation. DescribeAlarms in a dark region hangs until the
 * reconciliation's deadline and fails.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
 */
export class DrillCloudWatch implements AlarmStates {
  private readonly states = new InMemoryAlarmStates();

  constructor(
    signals: readonly SignalConfig[],
    private readonly controllerRegion: Region,
    private readonly hangs: Hangs,
    since: number,
  ) {
    for (const signal of signals) {
      const region = alarmRegionOf(signal, controllerRegion);
      if (region !== undefined) this.states.set(region, signal.alarmName, 'OK', since);
    }
  }

  /** Region whose CloudWatch holds `signal`'s alarm. */
  regionOf(signal: SignalConfig): Region | undefined {
    return alarmRegionOf(signal, this.controllerRegion);
  }

  set(signal: SignalConfig, state: AlarmState, at: number, reason?: string): void {
    const region = this.regionOf(signal);
    if (region === undefined) throw new Error(`${signal.alarmName} is a ${signal.kind} signal: it has no CloudWatch alarm to set`);
    this.states.set(region, signal.alarmName, state, at, reason);
  }

  read(region: Region, alarmNames: readonly string[]): Promise<readonly AlarmReading[]> {
    return this.hangs.call('cloudwatch', region, 'CloudWatch DescribeAlarms', () => this.states.read(region, alarmNames));
  }
}

/**
 * The wake-up queue and its pipe: a wake-up scheduled at `now` for `at` becomes visible after
 * SQS's `DelaySeconds` (rounded up, at most 900 s) and the pipe moves it into the controller
 * queue. The runner delivers due wake-ups on the simulated clock ({@link due}). The same wake-up
 * asked for again while one waits is dropped, as the FIFO queue's content-based deduplication does.
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-delay-queues.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes.html
 */
export class DrillWakeUps implements WakeUps {
  private pending: { readonly deliverAt: number; readonly event: RawEvent }[] = [];
  /** Every wake-up asked for, for the timeline. */
  readonly scheduled: { readonly at: number; readonly wakeAt: number; readonly deliverAt: number }[] = [];

  constructor(
    private readonly region: Region,
    private readonly account: string,
  ) {}

  async schedule(app: string, at: number, now: number): Promise<void> {
    const deliverAt = now + delaySecondsFor(at, now) * 1000;
    // The same wake-up again is the same message body: the FIFO queue's content-based deduplication drops it.
    if (this.pending.some((p) => p.deliverAt === deliverAt && p.event.id === `wake-${app}-${at}`)) return;
    this.scheduled.push({ at: now, wakeAt: at, deliverAt });
    this.pending.push({ deliverAt, event: wakeUpMessage(app, at, this.region, this.account) as unknown as RawEvent });
    this.pending.sort((a, b) => a.deliverAt - b.deliverAt);
  }

  /** When the next wake-up becomes visible; undefined when none waits. */
  next(): number | undefined {
    return this.pending[0]?.deliverAt;
  }

  /** Take the wake-ups visible at `now`, in order. */
  due(now: number): RawEvent[] {
    const ready = this.pending.filter((p) => p.deliverAt <= now);
    this.pending = this.pending.filter((p) => p.deliverAt > now);
    return ready.map((p) => p.event);
  }
}

/**
 * {@link Traffic} whose health comes from the scenario: moto's GetHealthCheckStatus always reports
 * Success, so the health checkers' view of a failed region is modelled here. Shifting and reading
 * weights go to the real adapter.
 */
export class ScenarioTraffic implements Traffic {
  constructor(
    private readonly inner: Traffic,
    private readonly health: Map<Region, HealthStatus>,
  ) {}

  shiftTo(region: Region): Promise<ShiftResult> {
    return this.inner.shiftTo(region);
  }

  activeRegion(): Promise<Region | undefined> {
    return this.inner.activeRegion();
  }

  async healthOf(region: Region): Promise<HealthStatus> {
    return this.health.get(region) ?? 'unknown';
  }
}
