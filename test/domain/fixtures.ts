import type { ControllerConfig, Policy } from '../../domain/config';
import { decide, initialState } from '../../domain/decide';
import type { Decision } from '../../domain/decision';
import type { DomainEvent } from '../../domain/events';
import type { ControllerState } from '../../domain/state';
import { DEFAULT_POLICY } from '../../domain/config';
import { executionNameFor } from '../../domain/decision';
import type { ActionFailed, AlarmState, Heartbeat, Override, ReadinessEvaluated, SignalChanged, Tick, WorkflowEnded, WorkflowStarted } from '../../domain/events';
import type { ReadinessCheckName } from '../../domain/readiness';

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

export function alarm(alarmName: string, state: AlarmState, at: number, extra: Partial<SignalChanged> = {}): SignalChanged {
  return { type: 'signal-changed', eventId: nextId(), alarmName, state, at, ...extra };
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

/** The execution name of generation `generation` of the test app, started at `startedAt`. */
export function nameOf(generation: number, startedAt: number, app = 'payments'): string {
  return executionNameFor(app, generation, startedAt);
}

/**
 * The reference app as it is deployed: per region the alarms and health check of {@link testConfig},
 * plus the prober's alarm (`<region>-probe`) and the region's heartbeat (`<region>-heartbeat`),
 * under the reference policy (quorum 2 of 2 kinds, sustain 30 s, heartbeat window 90 s).
 */
export function referenceConfig(policy: Partial<Policy> = {}, regions: readonly string[] = ['us-east-1', 'us-east-2']): ControllerConfig {
  const base = testConfig({ quorum: 2, minKinds: 2, sustainSeconds: 30, heartbeatWindowSeconds: 90, ...policy }, regions);
  return {
    ...base,
    signals: regions.flatMap((region) => [
      ...base.signals.filter((s) => s.region === region),
      { alarmName: `${region}-probe`, region, kind: 'probe' as const, critical: true },
      { alarmName: `${region}-heartbeat`, region, kind: 'heartbeat' as const, critical: true },
    ]),
  };
}

export function heartbeat(region: string, at: number, extra: Partial<Heartbeat> = {}): Heartbeat {
  return { type: 'heartbeat', eventId: nextId(), region, at, ...extra };
}

export function wake(at: number): Tick {
  return { type: 'tick', eventId: nextId(), at, wake: true };
}

export function workflowStarted(executionName: string, at: number): WorkflowStarted {
  return { type: 'workflow-started', eventId: nextId(), executionName, at };
}

export function actionFailed(executionName: string, at: number, extra: Partial<ActionFailed> = {}): ActionFailed {
  return { type: 'action-failed', eventId: nextId(), action: 'start', executionName, permanent: false, reason: 'ThrottlingException: Rate exceeded', at, ...extra };
}

/** A readiness result for `target`, evaluated at `evaluatedAt` while `active` served (the app's home region by default). */
export function readiness(target: string, evaluatedAt: number, failing: readonly ReadinessCheckName[] = [], extra: Partial<ReadinessEvaluated> = {}): ReadinessEvaluated {
  return { type: 'readiness-evaluated', eventId: nextId(), app: 'payments', target, active: 'us-east-1', evaluatedAt, at: evaluatedAt, ready: failing.length === 0, failing, ...extra };
}

/** Decide `events` in order from `from` (or the initial state), each at `now` or else at its own time. */
export function decideAll(config: ControllerConfig, events: readonly DomainEvent[], from?: ControllerState, now?: number) {
  let state = from ?? initialState(config);
  const decisions: Decision[] = [];
  for (const e of events) {
    const out = decide(state, e, config, now ?? e.at);
    state = out.state;
    decisions.push(...out.decisions);
  }
  return { state, decisions, last: decisions[decisions.length - 1]! };
}

/** us-east-1 (`eastDown`) or us-east-2 (`east2Down`) down in {@link testConfig}: an alarm and the health check in ALARM at `at`. */
export const eastDown = (at: number) => [alarm('us-east-1-api-5xx', 'ALARM', at), alarm('us-east-1-health', 'ALARM', at)];
export const east2Down = (at: number) => [alarm('us-east-2-api-5xx', 'ALARM', at), alarm('us-east-2-health', 'ALARM', at)];
