import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DomainEvent } from '../../domain/events';
import { parseConfig } from '../../edge/config.schema';
import { parseEvent } from '../../edge/event.parser';

const EXAMPLES = resolve(__dirname, '../../examples');

function readExample(name: string): string {
  return readFileSync(resolve(EXAMPLES, name), 'utf8');
}

function tryJson(line: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(line) };
  } catch {
    return { ok: false };
  }
}

describe('examples/config.json', () => {
  it('is a valid config for payments in us-east-1 and us-east-2 with five signals of four kinds per region, under the reference policy', () => {
    // Act
    const result = parseConfig(JSON.parse(readExample('config.json')));

    // Assert
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config.regions).toEqual(['us-east-1', 'us-east-2']);
    expect(result.config.signals.map(({ alarmName, kind }) => [alarmName, kind])).toEqual(
      ['us-east-1', 'us-east-2'].flatMap((region) => [
        [`payments-${region}-api-5xx`, 'alarm'],
        [`payments-${region}-lambda-errors`, 'alarm'],
        [`payments-${region}-health-check`, 'health-check'],
        [`payments-${region}-probe`, 'probe'],
        [`payments-${region}-heartbeat`, 'heartbeat'],
      ]),
    );
    expect(result.config.policy).toMatchObject({ quorum: 2, minKinds: 2, sustainSeconds: 30, heartbeatWindowSeconds: 90 });
  });
});

describe('examples/region-outage.jsonl', () => {
  const lines = readExample('region-outage.jsonl').trimEnd().split('\n');
  const parsedLines = lines.map(tryJson);
  const events = parsedLines.flatMap((line) => (line.ok ? [parseEvent(line.value)] : []));
  const domainEvents: DomainEvent[] = events.flatMap((result) => (result.ok ? [result.event] : []));
  const config = parseConfig(JSON.parse(readExample('config.json')));

  it('has exactly one line that is not JSON', () => {
    // Act
    const malformed = parsedLines.filter((line) => !line.ok);

    // Assert
    expect(malformed).toHaveLength(1);
  });

  it('holds only events the parser accepts, besides the malformed line', () => {
    // Act
    const rejected = events.filter((result) => !result.ok);

    // Assert
    expect(rejected).toEqual([]);
  });

  it('tells the night in order: a flapping alarm, ticks, the outage, minute ticks, the failover ending, a freeze', () => {
    // Act
    const story = domainEvents.map((event) => (event.type === 'signal-changed' ? `${event.alarmName}=${event.state}` : event.type));

    // Assert
    expect(story).toEqual([
      'tick',
      'payments-us-east-1-lambda-errors=ALARM',
      'tick',
      'payments-us-east-1-lambda-errors=OK',
      'payments-us-east-1-lambda-errors=OK',
      'tick',
      'payments-us-east-1-api-5xx=ALARM',
      'payments-us-east-1-health-check=ALARM',
      'tick',
      'payments-us-east-1-health-check=ALARM',
      'tick',
      'tick',
      'payments-us-east-1-lambda-errors=ALARM',
      'workflow-ended',
      'override',
    ]);
  });

  it('repeats exactly one alarm event, as at-least-once delivery does', () => {
    // Act
    const ids = domainEvents.map((event) => event.eventId);
    const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);

    // Assert
    expect(repeated).toHaveLength(1);
    expect(domainEvents.filter((event) => event.eventId === repeated[0]).map((event) => event.type)).toEqual(['signal-changed', 'signal-changed']);
  });

  it('moves forward in time except for the repeat and one late, older alarm event', () => {
    // Act
    const seen = new Set<string>();
    const backwards: DomainEvent[] = [];
    let latest = 0;
    for (const event of domainEvents) {
      if (seen.has(event.eventId)) continue;
      seen.add(event.eventId);
      if (event.at < latest) backwards.push(event);
      latest = Math.max(latest, event.at);
    }

    // Assert
    expect(backwards).toEqual([expect.objectContaining({ type: 'signal-changed', alarmName: 'payments-us-east-1-lambda-errors', state: 'ALARM' })]);
  });

  it('ticks every minute for three minutes while us-east-1 is down', () => {
    // Act
    const outageStart = domainEvents.find((event) => event.type === 'signal-changed' && event.alarmName === 'payments-us-east-1-api-5xx')?.at ?? Number.NaN;
    const ticks = domainEvents.filter((event) => event.type === 'tick' && event.at > outageStart).map((event) => event.at - outageStart);

    // Assert
    expect(ticks).toHaveLength(3);
    expect(ticks.slice(1).map((tick, index) => tick - (ticks[index] ?? Number.NaN))).toEqual([60_000, 60_000]);
  });

  it('names only alarms that examples/config.json configures', () => {
    // Arrange
    const configured = config.ok ? config.config.signals.map((signal) => signal.alarmName) : [];

    // Act
    const named = domainEvents.flatMap((event) => (event.type === 'signal-changed' ? [event.alarmName] : []));

    // Assert
    expect(configured).toEqual(expect.arrayContaining([...new Set(named)]));
  });

  it('ends the failover payments-failover-g1-1795660380 (started by the 02:33 tick) successfully with its measured recovery, then freezes', () => {
    // Act
    const [workflow, override] = domainEvents.slice(-2);

    // Assert
    expect(workflow).toEqual(expect.objectContaining({ type: 'workflow-ended', executionName: 'payments-failover-g1-1795660380', status: 'SUCCEEDED', recoverySeconds: 596 }));
    expect(override).toEqual(expect.objectContaining({ type: 'override', action: 'freeze', until: Date.UTC(2026, 10, 26, 8) }));
  });
});

describe('examples/region-blackout.jsonl', () => {
  const events = readExample('region-blackout.jsonl').trimEnd().split('\n').map((line) => parseEvent(JSON.parse(line)));
  const domainEvents: DomainEvent[] = events.flatMap((result) => (result.ok ? [result.event] : []));
  const config = parseConfig(JSON.parse(readExample('config.json')));

  it('holds only events the parser accepts', () => {
    // Act
    const rejected = events.filter((result) => !result.ok);

    // Assert
    expect(rejected).toEqual([]);
  });

  it('tells a blackout: heartbeats from both regions, then none from us-east-1, its probe alarming, and one wake-up', () => {
    // Act
    const story = domainEvents.map((event) =>
      event.type === 'signal-changed' ? `${event.alarmName}=${event.state}` : event.type === 'heartbeat' ? `heartbeat ${event.region}` : event.type === 'tick' && event.wake ? 'wake-up' : event.type,
    );

    // Assert
    expect(story).toEqual([
      'tick',
      'heartbeat us-east-1',
      'heartbeat us-east-2',
      'tick',
      'heartbeat us-east-1',
      'heartbeat us-east-2',
      'payments-us-east-1-probe=ALARM',
      'tick',
      'heartbeat us-east-2',
      'wake-up',
      'tick',
      'heartbeat us-east-2',
      'tick',
      'heartbeat us-east-2',
    ]);
  });

  it('wakes up exactly when the last us-east-1 heartbeat plus the 90 s window and the 30 s sustain have passed', () => {
    // Arrange
    const lastHeartbeat = Math.max(...domainEvents.flatMap((event) => (event.type === 'heartbeat' && event.region === 'us-east-1' ? [event.at] : [])));

    // Act
    const wake = domainEvents.find((event) => event.type === 'tick' && event.wake === true);

    // Assert
    expect(wake?.at).toBe(lastHeartbeat + 90_000 + 30_000);
  });

  it('names only signals that examples/config.json configures', () => {
    // Arrange
    const configured = config.ok ? config.config.signals.map((signal) => signal.alarmName) : [];

    // Act
    const named = domainEvents.flatMap((event) => (event.type === 'signal-changed' ? [event.alarmName] : []));

    // Assert
    expect(configured).toEqual(expect.arrayContaining(named));
  });
});

describe('examples/operator-override.json', () => {
  it('is a DR Override event the parser accepts', () => {
    // Act
    const result = parseEvent(JSON.parse(readExample('operator-override.json')));

    // Assert
    expect(result).toEqual({ ok: true, event: expect.objectContaining({ type: 'override', action: 'failover', target: 'us-east-2' }) });
  });
});
