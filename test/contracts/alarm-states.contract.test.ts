import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand, type StateValue } from '@aws-sdk/client-cloudwatch';
import { InMemoryAlarmStates } from '../../adapters/alarm-states/in-memory-alarm-states.twin';
import { CloudWatchAlarmStates } from '../../adapters/alarm-states/cloudwatch-alarm-states.adapter';
import { motoClientConfig, startMoto, type Moto } from '../support/moto';
import { alarmStatesContract } from './alarm-states.contract';

alarmStatesContract('InMemoryAlarmStates twin', async () => {
  const twin = new InMemoryAlarmStates();
  return { alarmStates: twin, setAlarm: async (region, name, state, reason) => twin.set(region, name, state, Date.now(), reason) };
});

describe('CloudWatchAlarmStates over the wire', () => {
  let moto: Moto;
  const clients = new Map<string, CloudWatchClient>();
  const clientFor = (region: string): CloudWatchClient => {
    const existing = clients.get(region);
    if (existing) return existing;
    const client = new CloudWatchClient(motoClientConfig(moto, region));
    clients.set(region, client);
    return client;
  };
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    for (const client of clients.values()) client.destroy();
    await moto.stop();
  });

  alarmStatesContract('CloudWatchAlarmStates SDK adapter on moto_server', async () => {
    await moto.reset();
    return {
      alarmStates: new CloudWatchAlarmStates({ clientFor, deadlineMs: 5_000 }),
      setAlarm: async (region, name, state, reason) => {
        const cw = clientFor(region);
        await cw.send(
          new PutMetricAlarmCommand({
            AlarmName: name,
            Namespace: 'Payments',
            MetricName: 'Errors5xx',
            Statistic: 'Sum',
            Period: 60,
            EvaluationPeriods: 3,
            Threshold: 1,
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          }),
        );
        await cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state as StateValue, StateReason: reason }));
      },
    };
  });
});
