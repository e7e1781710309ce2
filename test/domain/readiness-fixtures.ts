import type { ReadinessExpectations } from '../../domain/readiness';

/** The readiness tests' world: us-east-1 active, us-east-2 the one target, judged at NOW. */
export const NOW = Date.parse('2026-11-30T12:00:00Z');
export const ACTIVE = 'us-east-1';
export const TARGET = 'us-east-2';
export const ARN = (r: string) => `arn:aws:rds:${r}:123456789012:cluster:app-${r}`;

/** What the readiness checks expect of that world: two regions, two steps, a 5 s RPO budget. */
export const expected: ReadinessExpectations = {
  regions: [ACTIVE, TARGET],
  active: ACTIVE,
  rpoBudgetSeconds: 5,
  healthCheckIds: { [ACTIVE]: 'hc-1', [TARGET]: 'hc-2' },
  probedRegions: [ACTIVE, TARGET],
  maxProbeAgeSeconds: 300,
  steps: ['preflight', 'shift-traffic'],
};
