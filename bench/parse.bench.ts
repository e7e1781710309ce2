import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decide, initialState } from '../domain/decide';
import type { DomainEvent } from '../domain/events';
import { parseEvent } from '../edge/event.parser';
import { benchConfig, realisticStream } from './stream';

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '..', 'test', 'fixtures', 'aws', name), 'utf8'));
const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** The raw EventBridge JSON AWS would deliver for a domain event (fixture shapes, fields changed). */
function toRaw(e: DomainEvent, alarm: Record<string, unknown>, sfn: Record<string, unknown>): string {
  switch (e.type) {
    case 'signal-changed': {
      const a = structuredClone(alarm) as { id: string; time: string; detail: { alarmName: string; state: { value: string; timestamp: string } } };
      a.id = e.eventId;
      a.time = isoSeconds(e.at);
      a.detail.alarmName = e.alarmName;
      a.detail.state.value = e.state;
      a.detail.state.timestamp = new Date(e.at).toISOString().replace('Z', '+0000');
      return JSON.stringify(a);
    }
    case 'tick':
      return JSON.stringify({ version: '0', id: e.eventId, 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time: isoSeconds(e.at), region: 'us-east-2', resources: [], detail: {} });
    case 'override':
      return JSON.stringify({ version: '0', id: e.eventId, 'detail-type': 'DR Override', source: 'dr.operator', account: '123456789012', time: isoSeconds(e.at), region: 'us-east-2', resources: [], detail: { action: e.action, requestId: e.requestId, operator: e.operator, reason: e.reason } });
    case 'workflow-ended': {
      const s = structuredClone(sfn) as { id: string; time: string; detail: { name: string; status: string; stopDate: number } };
      s.id = e.eventId;
      s.time = isoSeconds(e.at);
      s.detail.name = e.executionName;
      s.detail.status = e.status;
      s.detail.stopDate = e.at;
      return JSON.stringify(s);
    }
    case 'heartbeat':
      return JSON.stringify({ version: '0', id: e.eventId, 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time: isoSeconds(e.at), region: e.region, resources: [`arn:aws:events:${e.region}:123456789012:rule/payments-dev-${e.region}-heartbeat`], detail: {} });
    case 'workflow-started':
    case 'action-failed':
      throw new Error(`bench: a ${e.type} event is made by the decide path itself and never arrives on the queue; the stream must not hold one`);
    case 'readiness-evaluated':
      throw new Error(`bench: the benchmark stream holds no readiness results (${e.eventId})`);
  }
}

export interface ParseBench {
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly rejected: number;
}

/** JSON.parse + parseEvent + decide over real-format payloads, as the decide handler does per record. */
export function runParseBench(count = 200_000): ParseBench {
  const alarm = fixture('cw_alarm_state_change__single_metric__OK_to_ALARM.json');
  const sfn = fixture('sfn_execution_status_change__SUCCEEDED.json');
  const raws = realisticStream(count).map((e) => toRaw(e, alarm, sfn));
  const run = () => {
    let state = initialState(benchConfig);
    let now = 0;
    let rejected = 0;
    for (const raw of raws) {
      const parsed = parseEvent(JSON.parse(raw));
      if (!parsed.ok) {
        rejected++;
        continue;
      }
      now = Math.max(now, parsed.event.at);
      state = decide(state, parsed.event, benchConfig, now).state;
    }
    return rejected;
  };
  run(); // warm up
  const start = performance.now();
  const rejected = run();
  return { events: raws.length, eventsPerSecond: raws.length / ((performance.now() - start) / 1000), rejected };
}
