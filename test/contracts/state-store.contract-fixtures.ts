import type { ControllerState } from '../../domain/state';
import type { Decision } from '../../domain/decision';

/** A minimal valid state: every optional field absent. */
export function aControllerState(app: string, overrides: Partial<ControllerState> = {}): ControllerState {
  return { app, active: 'us-east-1', phase: 'steady', generation: 0, autoFailovers: [], signals: {}, recentRequests: [], ...overrides };
}

/**
 * A failover in flight with every optional field it may have present (all but `halted`: a state
 * is halted exactly when its phase is, see {@link aHaltedControllerState}).
 */
export function aFullControllerState(app: string): ControllerState {
  return {
    app,
    active: 'us-east-1',
    phase: 'failing-over',
    generation: 3,
    inFlight: {
      generation: 3,
      executionName: `${app}-failover-g3`,
      from: 'us-east-1',
      target: 'us-east-2',
      mode: 'auto',
      allowDataLoss: false,
      requestedBy: 'controller',
      reason: 'us-east-1 down: 2 signals of 2 kinds in ALARM for 60 s',
      startedAt: 1_700_000_060_000,
      detectedAt: 1_700_000_000_000,
      abortRequested: true,
      confirmedAt: 1_700_000_061_000,
      actionFailures: 1,
    },
    frozen: { until: 1_700_003_600_000, operator: 'alice', reason: 'game day' },
    cooldownUntil: 1_700_003_660_000,
    autoFailovers: [1_699_990_000_000, 1_700_000_060_000],
    signals: {
      'payments-5xx-use1': { state: 'ALARM', since: 1_700_000_000_000, lastAt: 1_700_000_030_000 },
      'payments-health-use1': { state: 'INSUFFICIENT_DATA', since: 1_699_000_000_000, lastAt: 1_699_000_000_000 },
    },
    recentRequests: ['req-1', 'req-2'],
    heartbeats: { 'us-east-1': 1_700_000_000_000, 'us-east-2': 1_700_000_030_000 },
    lastFailover: { generation: 1, from: 'us-east-2', target: 'us-east-1', completedAt: 1_690_000_000_000, recoverySeconds: 312 },
  };
}

/** A decision record at `at` for event `eventId`. */
export function aDecision(app: string, at: number, eventId = `evt-${at}`, overrides: Partial<Decision> = {}): Decision {
  return { app, eventId, at, reason: `nothing to do at ${at}`, active: 'us-east-1', phase: 'steady', action: 'none', ...overrides } as Decision;
}

/** A controller halted after a failed failover, with the halt record and every field a halted state may have. */
export function aHaltedControllerState(app: string): ControllerState {
  const { inFlight: _inFlight, ...rest } = aFullControllerState(app);
  return {
    ...rest,
    phase: 'halted',
    halted: { generation: 3, executionName: `${app}-failover-g3`, status: 'FAILED', reason: 'promote DB timed out', at: 1_700_000_200_000 },
  };
}
