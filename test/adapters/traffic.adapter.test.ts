import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHealthCheckStatusCommand,
  ListResourceRecordSetsCommand,
  PriorRequestNotComplete,
  Route53Client,
  Route53ServiceException,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { PermanentAdapterError, TransientAdapterError } from '../../adapters/errors';
import { Route53Traffic, type Route53TrafficOptions } from '../../adapters/traffic/route53-traffic.adapter';

/**
 * Records and responses copied verbatim from the Route 53 API model's examples
 * (/work/shared/fixtures/aws/api_example__route53_change_resource_record_sets__weighted{,_alias}__*.json),
 * as ListResourceRecordSets would return them. Variations change only the fields they name.
 */
const WEIGHTED_RECORDS: ResourceRecordSet[] = [
  {
    HealthCheckId: 'abcdef11-2222-3333-4444-555555fedcba',
    Name: 'example.com',
    ResourceRecords: [{ Value: '192.0.2.44' }],
    SetIdentifier: 'Seattle data center',
    TTL: 60,
    Type: 'A',
    Weight: 100,
  },
  {
    HealthCheckId: 'abcdef66-7777-8888-9999-000000fedcba',
    Name: 'example.com',
    ResourceRecords: [{ Value: '192.0.2.45' }],
    SetIdentifier: 'Portland data center',
    TTL: 60,
    Type: 'A',
    Weight: 200,
  },
];
const WEIGHTED_ALIAS_RECORDS: ResourceRecordSet[] = [
  {
    AliasTarget: { DNSName: 'example-com-123456789.us-east-2.elb.amazonaws.com ', EvaluateTargetHealth: true, HostedZoneId: 'Z3AADJGX6KTTL2' },
    Name: 'example.com',
    SetIdentifier: 'Ohio region',
    Type: 'A',
    Weight: 100,
  },
  {
    AliasTarget: { DNSName: 'example-com-987654321.us-west-2.elb.amazonaws.com ', EvaluateTargetHealth: true, HostedZoneId: 'Z1H1FL5HABSF5' },
    Name: 'example.com',
    SetIdentifier: 'Oregon region',
    Type: 'A',
    Weight: 200,
  },
];
const CHANGE_PENDING = { ChangeInfo: { Comment: 'Web servers for example.com', Id: '/change/C2682N5HXP0BZ4', Status: 'PENDING' as const, SubmittedAt: new Date('2017-02-10T01:36:41.958Z') } };
const CHANGE_INSYNC = { ChangeInfo: { ...CHANGE_PENDING.ChangeInfo, Status: 'INSYNC' as const } };

const ZONE = 'Z3M3LMPEXAMPLE';
const DATA_CENTERS = { 'us-west-1': 'Seattle data center', 'us-west-2': 'Portland data center' };
const ALIAS_REGIONS = { 'us-east-2': 'Ohio region', 'us-west-2': 'Oregon region' };

/** Status texts as moto renders them; the adapter only relies on the `Success` prefix. */
const observation = (ok: boolean) => ({
  Region: 'us-east-1' as const,
  IPAddress: '192.0.2.44',
  StatusReport: { Status: ok ? 'Success: HTTP Status Code: 200. Resolved IP: 192.0.2.44. OK' : 'Failure: Connection timed out.', CheckedTime: new Date('2017-02-10T01:36:41Z') },
});

const throttling = () => new Route53ServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
const priorRequest = () => new PriorRequestNotComplete({ $metadata: { httpStatusCode: 400 }, message: 'The request was rejected because Route 53 was still processing a prior request.' });

describe('Route53Traffic', () => {
  const route53 = mockClient(Route53Client);
  const sleep = jest.fn(async (_ms: number) => {});
  const client = new Route53Client({ region: 'us-east-1' });
  const traffic = (options: Partial<Route53TrafficOptions> = {}) =>
    new Route53Traffic({ client, hostedZoneId: ZONE, recordName: 'example.com', setIdentifiers: DATA_CENTERS, sleep, ...options });
  const waited = () => sleep.mock.calls.map(([ms]) => ms);

  beforeEach(() => {
    route53.reset();
    sleep.mockClear();
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: WEIGHTED_RECORDS, IsTruncated: false, MaxItems: 300 });
    route53.on(ChangeResourceRecordSetsCommand).resolves(CHANGE_PENDING);
    route53.on(GetChangeCommand).resolves(CHANGE_INSYNC);
  });

  describe('shiftTo', () => {
    it('upserts every record in one batch, target 100 and the others 0, keeping TTL, values and health checks', async () => {
      const result = await traffic().shiftTo('us-west-2');

      expect(result).toEqual({ changed: true });
      expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
      expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input).toEqual({
        HostedZoneId: ZONE,
        ChangeBatch: {
          Comment: 'dr-controller: shift example.com to us-west-2',
          Changes: [
            { Action: 'UPSERT', ResourceRecordSet: { ...WEIGHTED_RECORDS[0], Weight: 0 } },
            { Action: 'UPSERT', ResourceRecordSet: { ...WEIGHTED_RECORDS[1], Weight: 100 } },
          ],
        },
      });
    });

    it('keeps the alias target of weighted alias records', async () => {
      route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: WEIGHTED_ALIAS_RECORDS, IsTruncated: false, MaxItems: 300 });

      await traffic({ setIdentifiers: ALIAS_REGIONS }).shiftTo('us-east-2');

      const changes = route53.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input.ChangeBatch?.Changes;
      expect(changes?.map((c) => c.ResourceRecordSet)).toEqual([
        { ...WEIGHTED_ALIAS_RECORDS[0], Weight: 100 },
        { ...WEIGHTED_ALIAS_RECORDS[1], Weight: 0 },
      ]);
    });

    it('issues no change when the target alone has weight already', async () => {
      route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [WEIGHTED_RECORDS[0] ?? {}, { ...WEIGHTED_RECORDS[1], Weight: 0 }] as ResourceRecordSet[] });

      const result = await traffic().shiftTo('us-west-1');

      expect(result).toEqual({ changed: false });
      expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    });

    it('matches fully qualified names and leaves records of other names, types and SetIdentifiers alone', async () => {
      const stray: ResourceRecordSet[] = [
        { ...WEIGHTED_RECORDS[0], Name: 'www.example.com.' } as ResourceRecordSet,
        { ...WEIGHTED_RECORDS[0], Type: 'AAAA' } as ResourceRecordSet,
        { ...WEIGHTED_RECORDS[0], SetIdentifier: 'Canary' } as ResourceRecordSet,
      ];
      const fqdn = WEIGHTED_RECORDS.map((r) => ({ ...r, Name: 'Example.COM.' }));
      route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [...fqdn, ...stray] });

      await traffic().shiftTo('us-west-1');

      const changes = route53.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input.ChangeBatch?.Changes;
      expect(changes?.map((c) => [c.ResourceRecordSet?.SetIdentifier, c.ResourceRecordSet?.Weight])).toEqual([
        ['Seattle data center', 100],
        ['Portland data center', 0],
      ]);
    });

    it('refuses a region without a record with a PermanentAdapterError naming the region and the record, issuing nothing', async () => {
      const shift = traffic().shiftTo('eu-west-1');

      await expect(shift).rejects.toThrow(PermanentAdapterError);
      await expect(shift).rejects.toThrow(/region eu-west-1 .*example\.com|example\.com.*region eu-west-1/);
      expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    });

    it('polls GetChange with exponential backoff until the change is INSYNC', async () => {
      route53.on(GetChangeCommand).resolvesOnce(CHANGE_PENDING).resolvesOnce(CHANGE_PENDING).resolves(CHANGE_INSYNC);

      await traffic().shiftTo('us-west-2');

      expect(route53).toHaveReceivedCommandTimes(GetChangeCommand, 3);
      expect(route53).toHaveReceivedCommandWith(GetChangeCommand, { Id: '/change/C2682N5HXP0BZ4' });
      expect(waited()).toEqual([1000, 2000, 4000]);
    });

    it('gives up with a TransientAdapterError when the change is still PENDING after maxWaitSeconds', async () => {
      route53.on(GetChangeCommand).resolves(CHANGE_PENDING);

      const shift = traffic({ maxWaitSeconds: 10 }).shiftTo('us-west-2');

      await expect(shift).rejects.toThrow(TransientAdapterError);
      await expect(shift).rejects.toThrow(/still PENDING after 10 s/);
      expect(waited()).toEqual([1000, 2000, 4000, 3000]);
    });

    it('retries PriorRequestNotComplete with backoff, then succeeds', async () => {
      route53.on(ChangeResourceRecordSetsCommand).rejectsOnce(priorRequest()).rejectsOnce(priorRequest()).resolves(CHANGE_INSYNC);

      const result = await traffic().shiftTo('us-west-2');

      expect(result).toEqual({ changed: true });
      expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 3);
      expect(waited()).toEqual([1000, 2000]);
    });

    it('retries throttling, then succeeds', async () => {
      route53.on(ListResourceRecordSetsCommand).rejectsOnce(throttling()).resolves({ ResourceRecordSets: WEIGHTED_RECORDS });

      await expect(traffic().activeRegion()).resolves.toBeUndefined();

      expect(route53).toHaveReceivedCommandTimes(ListResourceRecordSetsCommand, 2);
    });

    it('raises a TransientAdapterError with the cause kept when PriorRequestNotComplete outlasts maxAttempts', async () => {
      const refused = priorRequest();
      route53.on(ChangeResourceRecordSetsCommand).rejects(refused);

      const error = await traffic({ maxAttempts: 3 }).shiftTo('us-west-2').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TransientAdapterError);
      expect((error as Error).cause).toBe(refused);
      expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 3);
    });

    it('raises a TransientAdapterError on a persistent 5xx', async () => {
      const unavailable = new Route53ServiceException({ name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'Service Unavailable' });
      route53.on(ChangeResourceRecordSetsCommand).rejects(unavailable);

      const error = await traffic({ maxAttempts: 2 }).shiftTo('us-west-2').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TransientAdapterError);
      expect((error as Error).cause).toBe(unavailable);
    });

    it('raises a PermanentAdapterError with the cause kept on access denied, without retrying', async () => {
      const denied = new Route53ServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'User is not authorized to perform: route53:ChangeResourceRecordSets',
      });
      route53.on(ChangeResourceRecordSetsCommand).rejects(denied);

      const error = await traffic().shiftTo('us-west-2').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PermanentAdapterError);
      expect((error as Error).cause).toBe(denied);
      expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
      expect(sleep).not.toHaveBeenCalled();
    });
  });

  describe('activeRegion', () => {
    it('is the only region with weight above zero', async () => {
      route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [{ ...WEIGHTED_RECORDS[0], Weight: 0 }, WEIGHTED_RECORDS[1]] as ResourceRecordSet[] });

      await expect(traffic().activeRegion()).resolves.toBe('us-west-2');
    });

    it('is undefined while traffic is split', async () => {
      await expect(traffic().activeRegion()).resolves.toBeUndefined();
    });
  });

  describe('healthOf', () => {
    const checks = { healthCheckIds: { 'us-west-1': 'abcdef11-2222-3333-4444-555555fedcba' } };

    it('is healthy when a majority of checkers report success', async () => {
      route53.on(GetHealthCheckStatusCommand).resolves({ HealthCheckObservations: [true, true, true, false, false].map(observation) });

      await expect(traffic(checks).healthOf('us-west-1')).resolves.toBe('healthy');
      expect(route53).toHaveReceivedCommandWith(GetHealthCheckStatusCommand, { HealthCheckId: 'abcdef11-2222-3333-4444-555555fedcba' });
    });

    it('is unhealthy when half or fewer report success', async () => {
      route53.on(GetHealthCheckStatusCommand).resolves({ HealthCheckObservations: [true, true, false, false].map(observation) });

      await expect(traffic(checks).healthOf('us-west-1')).resolves.toBe('unhealthy');
    });

    it('is unknown when no checker reports', async () => {
      route53.on(GetHealthCheckStatusCommand).resolves({ HealthCheckObservations: [] });

      await expect(traffic(checks).healthOf('us-west-1')).resolves.toBe('unknown');
    });

    it('is unknown without asking Route 53 when the region has no health check', async () => {
      await expect(traffic(checks).healthOf('us-west-2')).resolves.toBe('unknown');
      expect(route53).not.toHaveReceivedCommand(GetHealthCheckStatusCommand);
    });
  });

  describe('options', () => {
    it('refuses a missing hostedZoneId, naming the field', () => {
      expect(() => traffic({ hostedZoneId: '' })).toThrow(/hostedZoneId is required/);
    });

    it('refuses maxAttempts below 1, naming the field', () => {
      expect(() => traffic({ maxAttempts: 0 })).toThrow(/maxAttempts must be an integer >= 1/);
    });
  });
});
