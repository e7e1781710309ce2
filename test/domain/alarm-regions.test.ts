import { alarmOriginMismatch, alarmRegionOf, HEALTH_CHECK_ALARM_REGION } from '../../domain/alarm-regions';
import type { SignalConfig } from '../../domain/config';
import * as infra from '../../infra/controller/alarm-regions';

const signal = (kind: SignalConfig['kind']): SignalConfig => ({ alarmName: `payments-us-west-2-${kind}`, region: 'us-west-2', kind, critical: true });

describe('alarm regions (where each signal evidence lives)', () => {
  it.each<[SignalConfig['kind'], string | undefined, string | undefined]>([
    ['alarm', 'us-east-2', 'us-west-2'],
    ['health-check', 'us-east-2', HEALTH_CHECK_ALARM_REGION],
    ['probe', 'us-east-2', 'us-east-2'],
    ['probe', undefined, undefined],
    ['heartbeat', 'us-east-2', undefined],
  ])('puts a %s alarm (controller in %s) in %s', (kind, controllerRegion, expected) => {
    expect(alarmRegionOf(signal(kind), controllerRegion)).toBe(expected);
  });

  it('is the very rule the infrastructure routes alarm events with', () => {
    expect(infra.alarmRegionOf).toBe(alarmRegionOf);
    expect(infra.HEALTH_CHECK_ALARM_REGION).toBe(HEALTH_CHECK_ALARM_REGION);
  });

  it('names every mismatch between an alarm ARN and its signal, and none when they agree', () => {
    const config = { account: '111122223333', controllerRegion: 'us-east-2' };
    expect(alarmOriginMismatch(signal('alarm'), { region: 'us-west-2', account: '111122223333' }, config)).toBeUndefined();
    expect(alarmOriginMismatch(signal('alarm'), { region: 'eu-west-1', account: '999999999999' }, config)).toBe(
      "raised in region eu-west-1, but the alarm alarm of this signal lives in us-west-2; raised in account 999999999999, not the controller's account 111122223333",
    );
    expect(alarmOriginMismatch(signal('probe'), { region: 'eu-west-1', account: '999999999999' }, {})).toBeUndefined();
  });
});
