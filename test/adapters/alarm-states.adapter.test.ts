import { createServer, type Server, type Socket } from 'node:net';
import { CloudWatchClient, CloudWatchServiceException, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CloudWatchAlarmStates } from '../../adapters/alarm-states/cloudwatch-alarm-states.adapter';
import { PermanentAdapterError, TransientAdapterError } from '../../adapters/errors';
import { motoCredentials } from '../support/moto';

describe('CloudWatchAlarmStates', () => {
  describe('with a stubbed client', () => {
    const cw = mockClient(CloudWatchClient);
    const adapter = () => new CloudWatchAlarmStates({ clientFor: (region) => new CloudWatchClient({ region }) });
    beforeEach(() => cw.reset());
    afterAll(() => cw.restore());

    it('asks for metric and composite alarms by name and reads both', async () => {
      cw.on(DescribeAlarmsCommand).resolves({
        MetricAlarms: [{ AlarmName: 'payments-use1-probe', StateValue: 'ALARM', StateUpdatedTimestamp: new Date('2026-11-26T03:00:10Z'), StateReason: 'probe failed' }],
        CompositeAlarms: [{ AlarmName: 'payments-use1-down', StateValue: 'OK', StateUpdatedTimestamp: new Date('2026-11-26T02:00:00Z') }],
      });

      const readings = await adapter().read('us-east-1', ['payments-use1-probe', 'payments-use1-down']);

      expect(readings).toEqual([
        { alarmName: 'payments-use1-probe', state: 'ALARM', at: Date.parse('2026-11-26T03:00:10Z'), reason: 'probe failed' },
        { alarmName: 'payments-use1-down', state: 'OK', at: Date.parse('2026-11-26T02:00:00Z') },
      ]);
      expect(cw).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['payments-use1-probe', 'payments-use1-down'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
    });

    it('asks for at most 100 names per call and follows NextToken', async () => {
      const names = Array.from({ length: 150 }, (_, i) => `alarm-${i}`);
      cw.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames: string[]; NextToken?: string }) =>
        input.NextToken === undefined && input.AlarmNames.length === 100
          ? { MetricAlarms: [{ AlarmName: input.AlarmNames[0], StateValue: 'OK', StateUpdatedTimestamp: new Date(0) }], NextToken: 'page-2' }
          : { MetricAlarms: [{ AlarmName: input.AlarmNames.at(-1), StateValue: 'OK', StateUpdatedTimestamp: new Date(0) }] },
      );

      const readings = await adapter().read('us-east-1', names);

      expect(cw.commandCalls(DescribeAlarmsCommand).map((c) => [c.args[0].input.AlarmNames?.length, c.args[0].input.NextToken])).toEqual([
        [100, undefined],
        [100, 'page-2'],
        [50, undefined],
      ]);
      expect(readings.map((r) => r.alarmName)).toEqual(['alarm-0', 'alarm-99', 'alarm-149']);
    });

    it('turns access denied into a PermanentAdapterError naming the call and region', async () => {
      cw.on(DescribeAlarmsCommand).rejects(new CloudWatchServiceException({ name: 'AccessDenied', $fault: 'client', message: 'not authorized', $metadata: { httpStatusCode: 403 } }));

      const error = await adapter().read('eu-west-1', ['a']).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PermanentAdapterError);
      expect((error as Error).message).toMatch(/cloudwatch DescribeAlarms in eu-west-1/);
    });
  });

  describe('against an endpoint that accepts connections and never answers', () => {
    let server: Server;
    let port = 0;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      server = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    it('gives up at its deadline with a TransientAdapterError that says the region may be unreachable', async () => {
      const client = new CloudWatchClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials: motoCredentials, maxAttempts: 1 });
      const adapter = new CloudWatchAlarmStates({ clientFor: () => client, deadlineMs: 300 });
      const started = Date.now();

      const error = await adapter.read('us-east-1', ['payments-use1-probe']).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TransientAdapterError);
      expect((error as Error).message).toMatch(/no answer within the 300 ms deadline/);
      expect(Date.now() - started).toBeLessThan(2_000);
      client.destroy();
    });
  });
});
