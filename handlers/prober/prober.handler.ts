import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Region } from '../../domain/config';
import { logger, observed } from '../runtime/observability';
import { ConfigurationError, once, settings, type Settings } from '../runtime/settings-root';
import { runProbes, PROBE_TIMING, type ProbeClock, type ProbeDeps, type ProbeResult } from './probe-loop';
import { cloudWatchProbePublisher } from './probe-metrics';

/**
 * The prober Lambda, invoked once a minute by a scheduled rule in the controller region: probes
 * the regional `/health` URL of every region that has a `probe` signal, six rounds per invocation
 * (`PROBE_TIMING`), and publishes `DrController` `ProbeSuccess` per region at high resolution.
 */

/** The regions to probe and their URLs: every `probe` signal's region, from `DR_RESOURCES.probeUrls`. */
export function probeTargets({ config, resources }: Pick<Settings, 'config' | 'resources'>): Record<Region, string> {
  const regions = [...new Set(config.signals.filter((signal) => signal.kind === 'probe').map((signal) => signal.region))];
  const missing = regions.filter((region) => !resources.probeUrls?.[region]);
  if (missing.length > 0) {
    throw new ConfigurationError(`DR_RESOURCES.probeUrls: no entry for ${missing.join(', ')}; add the regional /health URL of each region with a probe signal`);
  }
  return Object.fromEntries(regions.map((region) => [region, resources.probeUrls![region]!]));
}

/** Real time: `Date.now`, `setTimeout` and `AbortSignal.timeout`. */
export const systemClock: ProbeClock = {
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  timeout: (ms) => AbortSignal.timeout(ms),
};

function lambdaDeps(): ProbeDeps {
  return once('prober', () => {
    const { region } = settings();
    // One attempt per round, bounded: a late datapoint is worth less than the next round's.
    const client = new CloudWatchClient({
      region,
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 1_000, requestTimeout: PROBE_TIMING.publishTimeoutSeconds * 1000, throwOnRequestTimeout: true },
    });
    return {
      fetch: (url, init) => fetch(url, init),
      clock: systemClock,
      publish: cloudWatchProbePublisher(client),
      log: (message, extra) => logger.warn(message, extra),
    };
  });
}

/** Summary of one run, logged and returned (visible in the Lambda console's test invocations). */
export function summarize(results: readonly ProbeResult[]): Record<Region, { probes: number; failures: number }> {
  const summary: Record<Region, { probes: number; failures: number }> = {};
  for (const result of results) {
    const entry = (summary[result.region] ??= { probes: 0, failures: 0 });
    entry.probes += 1;
    if (!result.success) entry.failures += 1;
  }
  return summary;
}

export const handler = observed(async () => {
  const results = await runProbes(probeTargets(settings()), lambdaDeps());
  for (const failed of results.filter((result) => !result.success)) logger.warn('probe failed', { ...failed });
  const summary = summarize(results);
  logger.info('probe run', { summary });
  return summary;
});
