import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { ControllerConfig } from '../../../domain/config';
import { PROBE_METRIC } from '../../../handlers/prober/probe-loop';
import { cloudWatchProbePublisher, probeDatums } from '../../../handlers/prober/probe-metrics';
import { probeTargets, summarize } from '../../../handlers/prober/prober.handler';
import { ConfigurationError } from '../../../handlers/runtime/settings-root';
import { RESOURCES } from '../../workflow/workflow-fixtures';

const AT = Date.UTC(2026, 11, 1, 12, 0, 10);
const URLS = { 'us-east-1': 'https://use1api.execute-api.us-east-1.amazonaws.com/prod/health', 'us-east-2': 'https://use2api.execute-api.us-east-2.amazonaws.com/prod/health' };

function configWith(signals: ControllerConfig['signals']): ControllerConfig {
  return { app: 'payments', regions: ['us-east-1', 'us-east-2'], initialActive: 'us-east-1', signals } as unknown as ControllerConfig;
}

describe('probeDatums', () => {
  it('publishes ProbeSuccess 1 or 0 per region, dimension Region only, at high resolution, timestamped at the round start', () => {
    expect(
      probeDatums([
        { region: 'us-east-1', at: AT, success: false, error: 'no answer within 3000 ms', durationMs: 3000 },
        { region: 'us-east-2', at: AT, success: true, status: 200, durationMs: 80 },
      ]),
    ).toEqual([
      { MetricName: 'ProbeSuccess', Dimensions: [{ Name: 'Region', Value: 'us-east-1' }], Timestamp: new Date(AT), Value: 0, Unit: 'Count', StorageResolution: 1 },
      { MetricName: 'ProbeSuccess', Dimensions: [{ Name: 'Region', Value: 'us-east-2' }], Timestamp: new Date(AT), Value: 1, Unit: 'Count', StorageResolution: 1 },
    ]);
  });

  it('sends one PutMetricData per round to the DrController namespace', async () => {
    const send = jest.fn(async () => ({}));
    await cloudWatchProbePublisher({ send } as never)([{ region: 'us-east-1', at: AT, success: true, status: 200, durationMs: 5 }]);
    expect(send).toHaveBeenCalledTimes(1);
    const [command] = send.mock.calls[0] as unknown as [PutMetricDataCommand];
    expect(command).toBeInstanceOf(PutMetricDataCommand);
    expect(command.input).toEqual({ Namespace: PROBE_METRIC.namespace, MetricData: [expect.objectContaining({ MetricName: 'ProbeSuccess', Value: 1 })] });
  });
});

describe('probeTargets', () => {
  it('probes exactly the regions that have a probe signal, at their regional URL', () => {
    const config = configWith([
      { alarmName: 'payments-dev-us-east-1-probe', region: 'us-east-1', kind: 'probe', critical: true },
      { alarmName: 'payments-dev-us-east-2-api-5xx', region: 'us-east-2', kind: 'alarm', critical: true },
    ]);
    expect(probeTargets({ config, resources: { ...RESOURCES, probeUrls: URLS } })).toEqual({ 'us-east-1': URLS['us-east-1'] });
  });

  it('refuses to start when a region with a probe signal has no URL', () => {
    const config = configWith([{ alarmName: 'payments-dev-us-east-2-probe', region: 'us-east-2', kind: 'probe', critical: true }]);
    expect(() => probeTargets({ config, resources: { ...RESOURCES, probeUrls: { 'us-east-1': URLS['us-east-1'] } } })).toThrow(
      new ConfigurationError('DR_RESOURCES.probeUrls: no entry for us-east-2; add the regional /health URL of each region with a probe signal'),
    );
  });
});

describe('summarize', () => {
  it('counts probes and failures per region', () => {
    expect(
      summarize([
        { region: 'us-east-1', at: AT, success: false, durationMs: 3000 },
        { region: 'us-east-1', at: AT + 10_000, success: true, durationMs: 10 },
        { region: 'us-east-2', at: AT, success: true, durationMs: 10 },
      ]),
    ).toEqual({ 'us-east-1': { probes: 2, failures: 1 }, 'us-east-2': { probes: 1, failures: 0 } });
  });
});
