/**
 * The names of the readiness checks, apart from their rules (`domain/readiness.ts`): events carry
 * them, and the rules read ports that carry events, so the names stand alone to keep the imports acyclic.
 */

/** Every check, in the order they are reported. */
export const READINESS_CHECKS = [
  'global-cluster-member',
  'replication-lag',
  'engine-version',
  'endpoint',
  'weighted-records',
  'health-check',
  'parameters',
  'workflow',
  'step-permissions',
  'controller-health',
] as const;

export type ReadinessCheckName = (typeof READINESS_CHECKS)[number];
