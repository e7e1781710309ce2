import { TransientAdapterError } from '../../adapters/errors';
import type { SignalConfig } from '../../domain/config';
import { SimulatedClock } from '../../local/simulated-clock';
import { DrillCloudWatch, DrillWakeUps, Hangs, RegionConditions } from '../../local/simulated-world';
import { callWorstSeconds, stepSpec } from '../../handlers/steps/step-registry';

const T0 = Date.UTC(2026, 10, 26, 3, 0, 0);
const signals: SignalConfig[] = [
  { alarmName: 'p-us-east-1-api-5xx', region: 'us-east-1', kind: 'alarm', critical: true },
  { alarmName: 'p-us-east-1-probe', region: 'us-east-1', kind: 'probe', critical: true },
  { alarmName: 'p-us-east-1-heartbeat', region: 'us-east-1', kind: 'heartbeat', critical: true },
];

function arrange() {
  const clock = new SimulatedClock(T0);
  const conditions = new RegionConditions();
  const hangs = new Hangs(clock, conditions, { seconds: 2, source: 'decide deadline' });
  return { clock, conditions, hangs, cloudWatch: new DrillCloudWatch(signals, 'us-east-2', hangs, T0) };
}

describe("the drill's simulated world", () => {
  it('reads alarm states where each alarm lives: a workload alarm in its region, a probe alarm in the controller region', async () => {
    const { cloudWatch } = arrange();
    cloudWatch.set(signals[1]!, 'ALARM', T0 + 43_000);

    expect(await cloudWatch.read('us-east-1', ['p-us-east-1-api-5xx', 'p-us-east-1-probe'])).toEqual([{ alarmName: 'p-us-east-1-api-5xx', state: 'OK', at: T0 }]);
    expect(await cloudWatch.read('us-east-2', ['p-us-east-1-probe'])).toEqual([{ alarmName: 'p-us-east-1-probe', state: 'ALARM', at: T0 + 43_000 }]);
    expect(() => cloudWatch.set(signals[2]!, 'ALARM', T0)).toThrow(/heartbeat signal: it has no CloudWatch alarm/);
  });

  it('makes DescribeAlarms in a dark region cost the decide deadline on the simulated clock, then fail as a timeout', async () => {
    const { cloudWatch, conditions, clock } = arrange();
    conditions.blackout('us-east-1');

    await expect(cloudWatch.read('us-east-1', ['p-us-east-1-api-5xx'])).rejects.toThrow(TransientAdapterError);
    expect(clock.now()).toBe(T0 + 2_000);
    expect(await cloudWatch.read('us-east-2', ['p-us-east-1-probe'])).toHaveLength(1);
  });

  it("makes a step's call into a dark region hang for that step's client deadline × attempts", async () => {
    const { hangs, conditions, clock } = arrange();
    conditions.blackout('us-east-1');

    const call = hangs.during('shift-traffic', () => hangs.call('route53', 'us-east-1', 'Route 53 ChangeResourceRecordSets', async () => 'answered'));

    await expect(call).rejects.toThrow(/no answer within 9.6 s \(step registry shift-traffic.call/);
    expect(clock.now() - T0).toBe(callWorstSeconds(stepSpec('shift-traffic').call) * 1000);
    expect(hangs.log).toEqual([expect.objectContaining({ step: 'shift-traffic', region: 'us-east-1', seconds: 9.6 })]);
  });

  it('stops heartbeats of a dark or silenced region, and restores them on recovery', () => {
    const { conditions } = arrange();
    conditions.silenceHeartbeats('us-east-2');
    conditions.blackout('us-east-1');

    expect([conditions.heartbeats('us-east-1'), conditions.heartbeats('us-east-2')]).toEqual([false, false]);
    conditions.restore('us-east-1');
    expect(conditions.heartbeats('us-east-1')).toBe(true);
  });

  it('delivers a wake-up when its SQS delay (whole seconds, rounded up) ends, once however often it is asked for', async () => {
    const wakeUps = new DrillWakeUps('us-east-2', '123456789012');

    await wakeUps.schedule('payments', T0 + 29_500, T0);
    await wakeUps.schedule('payments', T0 + 29_500, T0);

    expect(wakeUps.next()).toBe(T0 + 30_000);
    expect(wakeUps.due(T0 + 29_999)).toEqual([]);
    expect(wakeUps.due(T0 + 30_000)).toEqual([expect.objectContaining({ 'detail-type': 'DR Wake-up', detail: { app: 'payments', wakeAt: T0 + 29_500 } })]);
    expect(wakeUps.next()).toBeUndefined();
  });
});
