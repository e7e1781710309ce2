import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53Traffic } from '../../adapters/traffic/route53-traffic.adapter';
import type { Traffic } from '../../domain/ports/traffic.port';
import { clientConfig, once, settings } from './settings-root';

/**
 * The workload's weighted records, built once per container. Route 53 is a global service whose
 * API endpoint is signed for us-east-1, whatever region the caller runs in.
 *
 * @see https://docs.aws.amazon.com/general/latest/gr/r53.html
 */
export function traffic(): Traffic {
  return once('traffic', () => {
    const { traffic: ids } = settings().resources;
    return new Route53Traffic({
      client: new Route53Client(clientConfig('us-east-1', 'adapterRetries')),
      hostedZoneId: ids.hostedZoneId,
      recordName: ids.recordName,
      recordType: ids.recordType,
      setIdentifiers: ids.setIdentifiers,
      healthCheckIds: ids.healthCheckIds,
    });
  });
}
