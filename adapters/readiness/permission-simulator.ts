/** IAM's decision for one action on one resource. */
export type SimulatedDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export interface SimulatedPermission {
  readonly action: string;
  readonly resource: string;
  readonly decision: SimulatedDecision;
}

/** Whether a principal's policies allow actions on resources (IAM's policy simulator in AWS). */
export interface PermissionSimulator {
  simulate(principalArn: string, actions: readonly string[], resources: readonly string[]): Promise<readonly SimulatedPermission[]>;
}
