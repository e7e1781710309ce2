import type { Region } from '../../domain/config';

/**
 * The prober's loop, free of AWS and of real time: it calls each protected region's regional
 * `/health` URL every {@link ProbeTiming.intervalSeconds} within one invocation, each call bounded
 * by {@link ProbeTiming.timeoutSeconds}, and hands every round's results to `publish` (the
 * handler's CloudWatch publisher). Clock, fetch and publisher are arguments, so the tests drive it
 * with a virtual clock and a hung endpoint.
 *
 * A probe succeeds only on a 2xx answer within the timeout. A refused connection, a 5xx, a hang
 * and a DNS failure all count as failure: from outside the region they look the same to a client.
 */

/** The timing of one prober invocation. Every duration the RTO model reads comes from here. */
export interface ProbeTiming {
  /** Seconds between the starts of two probe rounds. */
  readonly intervalSeconds: number;
  /** Seconds one probe may take before it counts as failed (connect, TLS, answer). */
  readonly timeoutSeconds: number;
  /** Seconds one round's metric publication may take before it is abandoned (one datapoint lost). */
  readonly publishTimeoutSeconds: number;
  /** Seconds one invocation may spend: no round starts unless it can finish (probe + publish) within this. */
  readonly runSeconds: number;
}

/**
 * The reference timing: rounds at 0, 10, …, 50 s of each one-minute invocation (six rounds), 3 s
 * per probe, 2 s per publication, so the last round ends by 55 s, under the function's 60 s timeout.
 */
export const PROBE_TIMING: ProbeTiming = { intervalSeconds: 10, timeoutSeconds: 3, publishTimeoutSeconds: 2, runSeconds: 55 };

/**
 * The prober Lambda's timeout, in seconds: the run budget plus room for cold start and logging.
 * The schedule invokes it every 60 s; an invocation that overran would only overlap the next one,
 * whose datapoints land in the same 10 s periods (the alarms use the Maximum, so overlap is harmless).
 */
export const PROBER_FUNCTION_TIMEOUT_SECONDS = 60;

/** The metric the prober publishes and the probe alarms watch: exactly one dimension, `Region`. */
export const PROBE_METRIC = { namespace: 'DrController', metricName: 'ProbeSuccess', regionDimension: 'Region' } as const;

/** What the loop needs of a clock: the time, a sleep, and a signal that aborts after a delay. */
export interface ProbeClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** An AbortSignal aborted `ms` from now (in Lambda: `AbortSignal.timeout(ms)`). */
  timeout(ms: number): AbortSignal;
}

/** The part of the Fetch API the loop uses. */
export type ProbeFetch = (url: string, init: { method: 'GET'; signal: AbortSignal }) => Promise<{ readonly ok: boolean; readonly status: number; readonly body?: { cancel(): Promise<void> } | null }>;

/** One probe of one region. */
export interface ProbeResult {
  readonly region: Region;
  /** When the round started (ms since the epoch): the metric's timestamp. */
  readonly at: number;
  readonly success: boolean;
  /** HTTP status, when the endpoint answered. */
  readonly status?: number;
  /** Why it failed, when it did not answer (timeout, connection refused, …). */
  readonly error?: string;
  readonly durationMs: number;
}

export interface ProbeDeps {
  readonly fetch: ProbeFetch;
  readonly clock: ProbeClock;
  /** Publish one round's results (all regions at once). May throw; the loop logs and goes on. */
  readonly publish: (results: readonly ProbeResult[]) => Promise<void>;
  readonly log?: (message: string, extra: Record<string, unknown>) => void;
}

/** Settles with `undefined` once `signal` aborts: a deadline no promise can outlive. */
function deadline(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(undefined);
    else signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
}

/**
 * Probe one URL once. The fetch gets the timeout signal; the result is also raced against it, so a
 * call that ignores its signal (a stalled body, a misbehaving agent) still fails at the deadline.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/AbortSignal/timeout_static
 */
export async function probeOnce(region: Region, url: string, at: number, deps: Pick<ProbeDeps, 'fetch' | 'clock'>, timeoutMs: number): Promise<ProbeResult> {
  const started = deps.clock.now();
  const signal = deps.clock.timeout(timeoutMs);
  const call = deps.fetch(url, { method: 'GET', signal }).then(
    async (response) => {
      // Free the connection: only the status matters.
      await response.body?.cancel().catch(() => undefined);
      return { status: response.status, ok: response.ok } as const;
    },
    (error: unknown) => ({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }) as const,
  );
  const outcome = await Promise.race([call, deadline(signal)]);
  const durationMs = deps.clock.now() - started;
  if (outcome === undefined) return { region, at, success: false, error: `no answer within ${timeoutMs} ms`, durationMs };
  if ('error' in outcome) return { region, at, success: false, error: outcome.error, durationMs };
  return { region, at, success: outcome.ok, status: outcome.status, durationMs };
}

/**
 * Run one invocation's rounds: round `k` starts at `start + k × interval` (not after the previous
 * one, so rounds do not drift), probes every target in parallel, then publishes. A round starts
 * only if it can finish within `runSeconds` of the start, so the whole run is bounded whatever the
 * endpoints and CloudWatch do. Returns every result, in round order.
 */
export async function runProbes(targets: Readonly<Record<Region, string>>, deps: ProbeDeps, timing: ProbeTiming = PROBE_TIMING): Promise<ProbeResult[]> {
  const { clock } = deps;
  const start = clock.now();
  const end = start + timing.runSeconds * 1000;
  const roundMs = (timing.timeoutSeconds + timing.publishTimeoutSeconds) * 1000;
  const all: ProbeResult[] = [];
  for (let round = 0; ; round++) {
    const at = start + round * timing.intervalSeconds * 1000;
    if (at + roundMs > end) break;
    const wait = at - clock.now();
    if (wait > 0) await clock.sleep(wait);
    if (clock.now() + roundMs > end) break;
    const results = await Promise.all(Object.entries(targets).map(([region, url]) => probeOnce(region, url, at, deps, timing.timeoutSeconds * 1000)));
    all.push(...results);
    const published = deps.publish(results).then(
      () => true,
      (error: unknown) => {
        deps.log?.('probe results not published', { round, error: error instanceof Error ? error.message : String(error) });
        return true;
      },
    );
    const done = await Promise.race([published, deadline(clock.timeout(timing.publishTimeoutSeconds * 1000))]);
    if (done === undefined) deps.log?.('probe results not published in time', { round, timeoutSeconds: timing.publishTimeoutSeconds });
  }
  return all;
}
