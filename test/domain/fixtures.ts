import type { ControllerConfig, Policy } from '../../domain/config';
import { DEFAULT_POLICY } from '../../domain/config';
import type { AlarmState, Override, SignalChanged, Tick, WorkflowEnded } from '../../domain/events';

/** The reference two-region app: per region one alarm, one more alarm and one health check. */
export function testConfig(policy: Partial<Policy> = {}, regions: readonly string[] = ['us-east-1', 'us-east-2']): ControllerConfig {
  return {
    app: 'payments',
    regions,
    initialActive: regions[0]!,
    signals: regions.flatMap((region) => [
      { alarmName: `${region}-api-5xx`, region, kind: 'alarm' as const, critical: true },
      { alarmName: `${region}-lambda-errors`, region, kind: 'alarm' as const, critical: true },
      { alarmName: `${region}-health`, region, kind: 'health-check' as const, critical: true },
      { alarmName: `${region}-replication-lag`, region, kind: 'alarm' as const, critical: false },
    ]),
    policy: { ...DEFAULT_POLICY, ...policy },
  };
}

export const T0 = Date.UTC(2026, 10, 26, 3, 0, 0);
export const sec = (n: number) => n * 1000;

let seq = 0;
const nextId = () => `evt-${++seq}`;

export function alarm(alarmName: string, state: AlarmState, at: number): SignalChanged {
  return { type: 'signal-changed', eventId: nextId(), alarmName, state, at };
}

export function tick(at: number): Tick {
  return { type: 'tick', eventId: nextId(), at };
}

export function override(action: Override['action'], at: number, extra: Partial<Override> = {}): Override {
  return { type: 'override', eventId: nextId(), action, requestId: `req-${nextId()}`, operator: 'alice', reason: 'drill', at, ...extra };
}

export function workflowEnded(executionName: string, status: WorkflowEnded['status'], at: number, extra: Partial<WorkflowEnded> = {}): WorkflowEnded {
  return { type: 'workflow-ended', eventId: nextId(), executionName, status, at, ...extra };
}
