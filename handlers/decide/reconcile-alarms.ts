import { alarmRegionOf, HEALTH_CHECK_ALARM_REGION } from '../../domain/alarm-regions';
import type { Region, SignalConfig } from '../../domain/config';
import type { SignalChanged } from '../../domain/events';
import type { AlarmReading } from '../../domain/ports/alarm-states.port';
import type { ControllerState } from '../../domain/state';
import type { DecideDeps } from './decide-deps';

export const DEFAULT_ALARM_READ_DEADLINE_MS = 2_000;

/**
 * The region whose CloudWatch holds a signal's alarm: the domain's rule ({@link alarmRegionOf}),
 * with the health-check alarm region overridable for tests and other partitions
 * (`deps.healthCheckAlarmRegion`). Undefined: not readable here (a heartbeat, or a probe when the
 * controller region is not known).
 */
function readRegionOf(signal: SignalConfig, deps: Pick<DecideDeps, 'controllerRegion' | 'healthCheckAlarmRegion'>): Region | undefined {
  if (signal.kind === 'health-check') return deps.healthCheckAlarmRegion ?? HEALTH_CHECK_ALARM_REGION;
  return alarmRegionOf(signal, deps.controllerRegion);
}

/** `promise`, or a rejection once `ms` have passed, whichever comes first; the timer never outlives it. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    timer.unref?.();
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A reading the stored state does not reflect yet: another state, or a newer change the events never brought. */
function isNews(reading: AlarmReading, state: ControllerState): boolean {
  const known = state.signals[reading.alarmName];
  return known === undefined || known.state !== reading.state || reading.at > known.lastAt;
}

/**
 * Read every configured alarm's current state, per region where it lives, each region under the
 * deadline and all regions at once, and turn every reading the state does not reflect into a
 * `signal-changed` (event id `reconcile:<alarm>:<at>`), oldest first. A region that fails or is too
 * slow is logged and counted (`ReconcileFailures`) and skipped for this tick: its alarms are read
 * again on the next one. Never throws.
 */
export async function alarmChanges(state: ControllerState, deps: DecideDeps): Promise<SignalChanged[]> {
  const { alarmStates } = deps;
  if (!alarmStates) return [];
  const byRegion = new Map<Region, string[]>();
  for (const signal of deps.config.signals) {
    const region = readRegionOf(signal, deps);
    if (region === undefined) continue;
    byRegion.set(region, [...(byRegion.get(region) ?? []), signal.alarmName]);
  }
  const deadlineMs = deps.alarmReadDeadlineMs ?? DEFAULT_ALARM_READ_DEADLINE_MS;
  const regions = [...byRegion.entries()];
  const results = await Promise.allSettled(
    regions.map(([region, names]) => withDeadline(alarmStates.read(region, names), deadlineMs, `DescribeAlarms in ${region}`)),
  );
  const readings: AlarmReading[] = [];
  results.forEach((result, i) => {
    const region = regions[i]![0];
    if (result.status === 'fulfilled') {
      readings.push(...result.value.filter((r) => byRegion.get(region)!.includes(r.alarmName)));
      return;
    }
    deps.log.warn('could not read alarm states; skipped until the next tick', { region, error: (result.reason as Error)?.message ?? String(result.reason) });
    deps.metric?.('ReconcileFailures', 1);
  });
  return readings
    .filter((r) => isNews(r, state))
    .sort((a, b) => a.at - b.at)
    .map((r) => ({
      type: 'signal-changed',
      eventId: `reconcile:${r.alarmName}:${r.at}`,
      alarmName: r.alarmName,
      state: r.state,
      at: r.at,
      ...(r.reason !== undefined ? { reason: r.reason } : {}),
    }));
}
