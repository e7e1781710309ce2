/** IAM's decision for one action on one resource. */
export type SimulatedDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export interface SimulatedPermission {
  readonly action: string;
  readonly resource: string;
  readonly decision: SimulatedDecision;
}

/** Actions a failover step calls on resources (one policy statement's worth): what readiness simulates. */
export interface RequiredPermission {
  readonly step: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

/** Whether a principal's policies allow actions on resources (IAM's policy simulator in AWS). */
export interface PermissionSimulator {
  simulate(principalArn: string, actions: readonly string[], resources: readonly string[]): Promise<readonly SimulatedPermission[]>;
}
