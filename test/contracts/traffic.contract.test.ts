import {
  ChangeResourceRecordSetsCommand,
  CreateHealthCheckCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { InMemoryTraffic } from '../../adapters/traffic/in-memory-traffic.twin';
import { Route53Traffic } from '../../adapters/traffic/route53-traffic.adapter';
import { motoClientConfig, startMoto, type Moto } from '../support/moto';
import { trafficContract } from './traffic.contract';

const PRIMARY = 'us-east-1';
const SECONDARY = 'us-east-2';
const UNKNOWN = 'eu-west-1';

trafficContract('InMemoryTraffic twin', async () => ({
  traffic: new InMemoryTraffic({ weights: { [PRIMARY]: 100, [SECONDARY]: 0 }, health: { [PRIMARY]: 'healthy', [SECONDARY]: 'healthy' } }),
  primary: PRIMARY,
  secondary: SECONDARY,
  unknown: UNKNOWN,
}));

describe('Route53Traffic over the wire', () => {
  let moto: Moto;
  let route53: Route53Client;
  let zones = 0;
  beforeAll(async () => {
    moto = await startMoto();
    route53 = new Route53Client(motoClientConfig(moto));
  });
  afterAll(async () => {
    route53.destroy();
    await moto.stop();
  });

  /** A fresh zone with the app's weighted A records (primary 100, secondary 0), each with a health check. */
  async function arrangeZone() {
    const n = ++zones;
    const zone = await route53.send(new CreateHostedZoneCommand({ Name: `zone${n}.example.com`, CallerReference: `zone-${n}` }));
    const hostedZoneId = zone.HostedZone?.Id ?? '';
    const recordName = `api.zone${n}.example.com`;
    const healthCheckIds: Record<string, string> = {};
    for (const region of [PRIMARY, SECONDARY]) {
      const check = await route53.send(
        new CreateHealthCheckCommand({
          CallerReference: `hc-${n}-${region}`,
          HealthCheckConfig: { Type: 'HTTPS', FullyQualifiedDomainName: `${region}.${recordName}`, Port: 443, ResourcePath: '/health' },
        }),
      );
      healthCheckIds[region] = check.HealthCheck?.Id ?? '';
    }
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: hostedZoneId,
        ChangeBatch: {
          Changes: [
            [PRIMARY, 100, '192.0.2.44'] as const,
            [SECONDARY, 0, '192.0.2.45'] as const,
          ].map(([region, weight, ip]) => ({
            Action: 'CREATE' as const,
            ResourceRecordSet: {
              Name: recordName,
              Type: 'A' as const,
              SetIdentifier: region,
              Weight: weight,
              TTL: 60,
              ResourceRecords: [{ Value: ip }],
              HealthCheckId: healthCheckIds[region],
            },
          })),
        },
      }),
    );
    return { hostedZoneId, recordName, healthCheckIds };
  }

  trafficContract('Route53Traffic SDK adapter on moto_server', async () => {
    const { hostedZoneId, recordName, healthCheckIds } = await arrangeZone();
    return {
      traffic: new Route53Traffic({ client: route53, hostedZoneId, recordName, healthCheckIds, sleep: async () => {} }),
      primary: PRIMARY,
      secondary: SECONDARY,
      unknown: UNKNOWN,
    };
  });

  it('[Route53Traffic SDK adapter on moto_server] keeps each record\'s TTL, value and HealthCheckId when it shifts', async () => {
    const { hostedZoneId, recordName, healthCheckIds } = await arrangeZone();
    const traffic = new Route53Traffic({ client: route53, hostedZoneId, recordName, healthCheckIds, sleep: async () => {} });

    await traffic.shiftTo(SECONDARY);

    const listed = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: hostedZoneId, StartRecordName: recordName, StartRecordType: 'A' }));
    const records = (listed.ResourceRecordSets ?? []).filter((r) => r.SetIdentifier !== undefined);
    expect(records.map(({ SetIdentifier, Weight, TTL, ResourceRecords, HealthCheckId }) => ({ SetIdentifier, Weight, TTL, ResourceRecords, HealthCheckId }))).toEqual([
      { SetIdentifier: PRIMARY, Weight: 0, TTL: 60, ResourceRecords: [{ Value: '192.0.2.44' }], HealthCheckId: healthCheckIds[PRIMARY] },
      { SetIdentifier: SECONDARY, Weight: 100, TTL: 60, ResourceRecords: [{ Value: '192.0.2.45' }], HealthCheckId: healthCheckIds[SECONDARY] },
    ]);
  });
});
