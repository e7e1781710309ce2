import type { ControllerState } from '../../domain/state';
import type { Decision } from '../../domain/decision';

/** A minimal valid state: every optional field absent. */
export function aControllerState(app: string, overrides: Partial<ControllerState> = {}): ControllerState {
  return { app, active: 'us-east-1', phase: 'steady', generation: 0, autoFailovers: [], signals: {}, recentRequests: [], ...overrides };
}

/** A state with every optional field present. */
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
    },
    frozen: { until: 1_700_003_600_000, operator: 'alice', reason: 'game day' },
    halted: { generation: 2, executionName: `${app}-failover-g2`, status: 'FAILED', reason: 'promote DB timed out', at: 1_699_999_000_000 },
    cooldownUntil: 1_700_003_660_000,
    autoFailovers: [1_699_990_000_000, 1_700_000_060_000],
    signals: {
      'payments-5xx-use1': { state: 'ALARM', since: 1_700_000_000_000, lastAt: 1_700_000_030_000 },
      'payments-health-use1': { state: 'INSUFFICIENT_DATA', since: 1_699_000_000_000, lastAt: 1_699_000_000_000 },
    },
    recentRequests: ['req-1', 'req-2'],
    lastFailover: { generation: 1, from: 'us-east-2', target: 'us-east-1', completedAt: 1_690_000_000_000, recoverySeconds: 312 },
  };
}

/** A decision record at `at` for event `eventId`. */
export function aDecision(app: string, at: number, eventId = `evt-${at}`, overrides: Partial<Decision> = {}): Decision {
  return { app, eventId, at, reason: `nothing to do at ${at}`, active: 'us-east-1', phase: 'steady', action: 'none', ...overrides } as Decision;
}
