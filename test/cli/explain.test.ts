import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { explain, loadConfigFile } from '../../cli/explain.command';
import { parseConfig } from '../../edge/config.schema';

const root = join(__dirname, '..', '..');
/** A CloudWatch alarm state change line; `stamp` is the payload's own state.timestamp (default: the envelope time). */
const alarmLine = (alarmName: string, value: 'ALARM' | 'OK', time: string, stamp = time, region = 'us-east-1') =>
  JSON.stringify({
    version: '0',
    id: `${alarmName}-${value}-${time}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '123456789012',
    time,
    region,
    resources: [`arn:aws:cloudwatch:${region}:123456789012:alarm:${alarmName}`],
    detail: { alarmName, state: { value, timestamp: stamp }, previousState: { value: value === 'ALARM' ? 'OK' : 'ALARM' } },
  });

const tickAt = (time: string) => JSON.stringify({ version: '0', id: `tick-${time}`, 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time, region: 'us-east-2', resources: [], detail: {} });

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

  it('replays a blackout: nothing from us-east-1 but its probe failing, and the wake-up at the heartbeat window plus sustain starts the failover', () => {
    const lines = explain(config, readFileSync(join(root, 'examples', 'region-blackout.jsonl'), 'utf8'));
    const probe = lines.find((l) => l.reason.startsWith('payments-us-east-1-probe'))!;
    // The last heartbeat from us-east-1 came at 04:01:00: window 90 s, sustain 30 s.
    expect(probe).toMatchObject({ action: 'none', wakeAt: '2026-11-26T04:03:00.000Z' });
    const start = lines.find((l) => l.action === 'start-failover')!;
    expect(start).toMatchObject({ time: '2026-11-26T04:03:00.000Z', target: 'us-east-2', generation: 1, phase: 'failing-over' });
    expect(start.reason).toMatch(/^wake-up for 2026-11-26T04:03:00.000Z; us-east-1 is down: 2 of 5 critical signals in ALARM for ≥ 30 s \(payments-us-east-1-probe, payments-us-east-1-heartbeat/);
    expect(lines.filter((l) => l.action === 'start-failover')).toHaveLength(1);
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

  it('keeps the delivery clock on the envelope time: a payload stamped in the future neither jumps the clock nor counts', () => {
    const lines = explain(
      config,
      [
        tickAt('2026-11-26T02:00:00Z'),
        alarmLine('payments-us-east-1-api-5xx', 'ALARM', '2026-11-26T02:00:10Z', '2026-11-26T09:00:00Z'),
        alarmLine('payments-us-east-1-api-5xx', 'OK', '2026-11-26T02:00:20Z'),
      ].join('\n'),
    );
    expect(lines.map((l) => l.time)).toEqual(['2026-11-26T02:00:00.000Z', '2026-11-26T02:00:10.000Z', '2026-11-26T02:00:20.000Z']);
    expect(lines[1]).toMatchObject({ action: 'rejected', reason: expect.stringMatching(/^time: signal-changed .* more than the 300 s skew allowed/) });
    // The real change after it is not "stale".
    expect(lines[2]!.reason).toMatch(/payments-us-east-1-api-5xx \(us-east-1, alarm\) is OK/);
  });

  it("ignores an alarm named like a signal but raised in another region, naming the mismatch", () => {
    const lines = explain(config, [alarmLine('payments-us-east-1-api-5xx', 'ALARM', '2026-11-26T02:00:00Z', undefined, 'eu-west-1')].join('\n'));
    expect(lines[0]).toMatchObject({ action: 'ignored', reason: expect.stringMatching(/raised in region eu-west-1, but the alarm alarm of this signal lives in us-east-1/) });
  });

  it('judges late-delivered evidence at the time it describes, as the controller does: a blip replayed after a later tick starts nothing', () => {
    const tickLine = (time: string) => JSON.stringify({ version: '0', id: `tick-${time}`, 'detail-type': 'Scheduled Event', source: 'aws.events', account: '1', time, region: 'us-east-2', resources: [], detail: {} });
    const lines = explain(
      config,
      [
        tickLine('2026-11-26T02:20:00Z'),
        alarmLine('payments-us-east-1-api-5xx', 'ALARM', '2026-11-26T02:00:00Z'),
        alarmLine('payments-us-east-1-health-check', 'ALARM', '2026-11-26T02:00:00Z'),
        alarmLine('payments-us-east-1-api-5xx', 'OK', '2026-11-26T02:00:30Z'),
        alarmLine('payments-us-east-1-health-check', 'OK', '2026-11-26T02:00:30Z'),
        tickLine('2026-11-26T02:21:00Z'),
      ].join('\n'),
    );
    expect(lines.map((l) => l.action)).toEqual(['none', 'none', 'none', 'none', 'none', 'none']);
    expect(lines[2]).toMatchObject({ time: '2026-11-26T02:20:00.000Z', evaluatedAt: '2026-11-26T02:00:00.000Z', wakeAt: '2026-11-26T02:00:30.000Z' });
    expect(lines[2]!.reason).toMatch(/not down yet.*judged at 2026-11-26T02:00:00.000Z, the time it describes \(delivered 1200 s later\)/);
    expect(lines[5]!.reason).toMatch(/us-east-1 healthy/);
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
