import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { explain, loadConfigFile } from '../../cli/explain.command';
import { parseConfig } from '../../edge/config.schema';

const root = join(__dirname, '..', '..');
const fixture = (name: string) => readFileSync(join(root, 'test', 'fixtures', 'aws', name), 'utf8');
const oneLine = (json: string) => JSON.stringify(JSON.parse(json));

function drctl(...args: string[]) {
  return spawnSync(process.execPath, [join(root, 'bin', 'drctl.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });
}

describe('drctl explain', () => {
  const config = loadConfigFile(join(root, 'examples', 'config.json'));

  it('replays the example night: a false alarm, a sustained outage, a failover and a freeze', () => {
    const lines = explain(config, readFileSync(join(root, 'examples', 'region-outage.jsonl'), 'utf8'));
    const actions = lines.map((l) => l.action);
    expect(actions.filter((a) => a === 'start-failover')).toHaveLength(1);
    const start = lines.find((l) => l.action === 'start-failover')!;
    expect(start).toMatchObject({ target: 'us-east-2', generation: 1, dryRun: false, phase: 'failing-over' });
    expect(actions).toEqual(expect.arrayContaining(['ignored', 'rejected', 'completed', 'freeze']));
    expect(lines[lines.length - 1]).toMatchObject({ active: 'us-east-2' });
    for (const l of lines) expect(l.reason.length).toBeGreaterThan(0);
  });

  it('numbers inputs by 0-based line and keeps going after a bad line', () => {
    const lines = explain(config, ['not json', '', '{"id":"x"}', oneLine(fixture('cw_alarm_state_change__single_metric__OK_to_ALARM.json'))].join('\n'));
    expect(lines.map((l) => [l.input, l.action])).toEqual([
      [0, 'rejected'],
      [2, 'rejected'],
      [3, 'ignored'],
    ]);
    expect(lines[2]!.reason).toMatch(/ServerCpuTooHigh is not a configured signal/);
  });

  it('decides on the AWS-documented alarm payloads, composite alarms included', () => {
    const docs = parseConfig({
      app: 'docs',
      regions: ['us-east-1', 'us-east-2'],
      initialActive: 'us-east-1',
      signals: [
        { alarmName: 'ServerCpuTooHigh', region: 'us-east-1', kind: 'alarm' },
        { alarmName: 'ServiceAggregatedAlarm', region: 'us-east-1', kind: 'health-check' },
        { alarmName: 'e2-a', region: 'us-east-2', kind: 'alarm' },
        { alarmName: 'e2-h', region: 'us-east-2', kind: 'health-check' },
      ],
      policy: { sustainSeconds: 0 },
    });
    if (!docs.ok) throw new Error(docs.errors.join('; '));
    const single = JSON.parse(fixture('cw_alarm_state_change__single_metric__OK_to_ALARM.json'));
    const composite = JSON.parse(fixture('cw_alarm_state_change__composite_with_suppressor__OK_to_ALARM.json'));
    // Same night for both: move the 2019 single-metric alarm next to the 2022 composite one.
    single.time = composite.time;
    single.detail.state.timestamp = composite.detail.state.timestamp;
    const lines = explain(docs.config, [JSON.stringify(single), JSON.stringify(composite), oneLine(fixture('cw_alarm_configuration_change__metric_update.json'))].join('\n'));
    expect(lines.map((l) => l.action)).toEqual(['none', 'start-failover', 'ignored']);
    expect(lines[1]).toMatchObject({ target: 'us-east-2', generation: 1 });
  });

  it('never lets the clock go backwards', () => {
    const tick = (time: string) => JSON.stringify({ version: '0', id: time, 'detail-type': 'Scheduled Event', source: 'aws.events', account: '1', time, region: 'us-east-1', resources: [], detail: {} });
    const lines = explain(config, [tick('2026-11-26T02:00:00Z'), tick('2026-11-26T01:00:00Z')].join('\n'));
    expect(lines.map((l) => l.time)).toEqual(['2026-11-26T02:00:00.000Z', '2026-11-26T02:00:00.000Z']);
  });

  describe('command line', () => {
    it('prints one JSON object per input with --json and exits 0', () => {
      const r = drctl('explain', '--config', 'examples/config.json', 'examples/region-outage.jsonl', '--json');
      expect(r.status).toBe(0);
      const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(out[0]).toEqual(expect.objectContaining({ input: 0, action: expect.any(String), reason: expect.any(String), active: 'us-east-1', phase: 'steady' }));
    });

    it.each([
      [['explain', '--config', 'missing.json', 'examples/region-outage.jsonl'], /config file missing.json not found/],
      [['explain', '--config', 'examples/config.json', 'missing.jsonl'], /events file missing.jsonl not found/],
      [['explain', '--config', 'examples/region-outage.jsonl', 'examples/region-outage.jsonl'], /is not valid JSON/],
      [['explain', 'examples/region-outage.jsonl'], /--config is required/],
      [['frobnicate'], /unknown command 'frobnicate'/],
    ])('exits non-zero with one line and no stack trace for %j', (args, message) => {
      const r = drctl(...args);
      expect(r.status).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)/m);
    });

    it('names the invalid field of a bad config', () => {
      const bad = join(root, 'test', 'fixtures', 'bad-config.json');
      const r = drctl('explain', '--config', bad, 'examples/region-outage.jsonl');
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/policy\.quorum/);
    });
  });
});
