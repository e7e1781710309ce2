import type { PermissionSimulator, SimulatedDecision, SimulatedPermission } from './permission-simulator';

/** `*` matches any run of characters, like IAM's wildcards in resource ARNs and action names (case-insensitive actions). */
function matches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, ignoreCase ? 'i' : '').test(value);
}

interface Grant {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

/**
 * The twin of IAM's policy simulator: each principal's statements (Allow/Deny, actions, resources
 * with `*` wildcards); no statement is an implicit deny and a Deny wins, as in IAM's evaluation
 * logic. Conditions, boundaries and SCPs are not modelled.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export class InMemoryPermissionSimulator implements PermissionSimulator {
  private readonly grants = new Map<string, Grant[]>();

  /** Add an Allow statement to `principalArn`'s policies. */
  allow(principalArn: string, actions: readonly string[], resources: readonly string[]): void {
    this.statements(principalArn).push({ effect: 'Allow', actions, resources });
  }

  /** Add an explicit Deny statement. */
  deny(principalArn: string, actions: readonly string[], resources: readonly string[]): void {
    this.statements(principalArn).push({ effect: 'Deny', actions, resources });
  }

  /** Remove `action` from every Allow statement of `principalArn` (a permission removed by hand). */
  revoke(principalArn: string, action: string): void {
    const kept = this.statements(principalArn).map((g) => (g.effect === 'Allow' ? { ...g, actions: g.actions.filter((a) => a.toLowerCase() !== action.toLowerCase()) } : g));
    this.grants.set(principalArn, kept);
  }

  async simulate(principalArn: string, actions: readonly string[], resources: readonly string[]): Promise<readonly SimulatedPermission[]> {
    const statements = this.grants.get(principalArn) ?? [];
    return actions.flatMap((action) =>
      resources.map((resource) => {
        const applicable = statements.filter((g) => g.actions.some((a) => matches(a, action, true)) && g.resources.some((r) => matches(r, resource, false)));
        const decision: SimulatedDecision = applicable.some((g) => g.effect === 'Deny') ? 'explicitDeny' : applicable.length > 0 ? 'allowed' : 'implicitDeny';
        return { action, resource, decision };
      }),
    );
  }

  private statements(principalArn: string): Grant[] {
    let list = this.grants.get(principalArn);
    if (!list) {
      list = [];
      this.grants.set(principalArn, list);
    }
    return list;
  }
}
