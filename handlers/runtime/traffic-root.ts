import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53Traffic } from '../../adapters/traffic/route53-traffic.adapter';
import type { Traffic } from '../../domain/ports/traffic.port';
import type { Resources } from '../../edge/resources.schema';
import { ROUTE53_INSYNC_WAIT_SECONDS, sdkDeadlineConfig, type CallDeadline } from '../steps/step-registry';
import { clientOn, once, settings, type AdapterTuning, type AwsTarget } from './settings-root';

/**
 * The workload's weighted records, with the calling step's deadline. Route 53 is a global service
 * whose API endpoint is signed for us-east-1, whatever region the caller runs in: its control plane
 * may be the region being left, so every call is bounded by `call` (deadline × attempts, the
 * adapter retrying with its backoff).
 *
 * @see https://docs.aws.amazon.com/general/latest/gr/r53.html
 */
export function trafficAdapter(call: CallDeadline, ids: Resources['traffic'], aws: AwsTarget = {}, tuning: AdapterTuning = {}): Traffic {
  return new Route53Traffic({
    client: clientOn(aws, sdkDeadlineConfig('us-east-1', call), (c) => new Route53Client(c)),
    hostedZoneId: ids.hostedZoneId,
    recordName: ids.recordName,
    recordType: ids.recordType,
    setIdentifiers: ids.setIdentifiers,
    healthCheckIds: ids.healthCheckIds,
    maxAttempts: call.attempts,
    baseDelayMs: call.backoffMs,
    maxWaitSeconds: ROUTE53_INSYNC_WAIT_SECONDS,
    ...tuning,
  });
}

/** The traffic port for one step of this function, built once per container. */
export function traffic(call: CallDeadline): Traffic {
  const key = `${call.connectTimeoutMs}/${call.requestTimeoutMs}/${call.attempts}`;
  return once(`traffic:${key}`, () => trafficAdapter(call, settings().resources.traffic));
}
