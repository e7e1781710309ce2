import type { Region } from '../../domain/config';
import type { AlarmState } from '../../domain/events';
import type { AlarmReading, AlarmStates } from '../../domain/ports/alarm-states.port';
import { TransientAdapterError } from '../errors';

/**
 * In-memory {@link AlarmStates}: alarms per region, as CloudWatch would describe them. Test hooks:
 * {@link set} an alarm's state, make a region {@link hang} (no answer, ever: what a dead region
 * does to a client without a deadline) or {@link fail}, and see the {@link calls}.
 */
export class InMemoryAlarmStates implements AlarmStates {
  private readonly alarms = new Map<Region, Map<string, AlarmReading>>();
  private readonly hanging = new Set<Region>();
  private readonly failing = new Map<Region, Error>();
  private readonly now: () => number;
  /** Every read, in order. */
  readonly calls: { region: Region; alarmNames: readonly string[] }[] = [];

  constructor(options: { readonly now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Put the alarm `alarmName` of `region` in `state` since `at` (default: now). */
  set(region: Region, alarmName: string, state: AlarmState, at: number = this.now(), reason?: string): void {
    const inRegion = this.alarms.get(region) ?? new Map<string, AlarmReading>();
    this.alarms.set(region, inRegion);
    inRegion.set(alarmName, { alarmName, state, at, ...(reason !== undefined ? { reason } : {}) });
  }

  /** Reads of `region` never answer (until {@link heal}). */
  hang(region: Region): void {
    this.hanging.add(region);
  }

  /** Reads of `region` reject with `error` (until {@link heal}). */
  fail(region: Region, error: Error = new TransientAdapterError(`in-memory alarm states: ${region} unreachable`)): void {
    this.failing.set(region, error);
  }

  heal(region: Region): void {
    this.hanging.delete(region);
    this.failing.delete(region);
  }

  async read(region: Region, alarmNames: readonly string[]): Promise<readonly AlarmReading[]> {
    this.calls.push({ region, alarmNames: [...alarmNames] });
    if (this.hanging.has(region)) return new Promise<never>(() => undefined);
    const error = this.failing.get(region);
    if (error) throw error;
    const inRegion = this.alarms.get(region);
    return [...new Set(alarmNames)].flatMap((name) => {
      const reading = inRegion?.get(name);
      return reading ? [{ ...reading }] : [];
    });
  }
}
