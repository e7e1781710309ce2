import { SimulatePrincipalPolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { toAdapterError } from '../errors';
import type { PermissionSimulator, SimulatedDecision, SimulatedPermission } from './permission-simulator';

const DECISIONS: ReadonlySet<string> = new Set<SimulatedDecision>(['allowed', 'explicitDeny', 'implicitDeny']);
const decisionOf = (value: string | undefined): SimulatedDecision => (value !== undefined && DECISIONS.has(value) ? (value as SimulatedDecision) : 'implicitDeny');

/**
 * {@link PermissionSimulator} on IAM `SimulatePrincipalPolicy`: the role's identity policies,
 * permissions boundary and the organization's SCPs, for each action on each resource, following
 * `Marker` pages. One `EvaluationResult` comes back per action; the decision per resource is in
 * its `ResourceSpecificResults` (the top-level `EvalDecision` is the most restrictive across them),
 * used when a resource has no result of its own.
 *
 * Not on moto: moto 5.2 has no SimulatePrincipalPolicy; tests use `InMemoryPermissionSimulator` (in-memory-permission-simulator.twin.ts).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html
 */
export class IamPermissionSimulator implements PermissionSimulator {
  constructor(private readonly client: IAMClient) {}

  async simulate(principalArn: string, actions: readonly string[], resources: readonly string[]): Promise<readonly SimulatedPermission[]> {
    const out: SimulatedPermission[] = [];
    let marker: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new SimulatePrincipalPolicyCommand({ PolicySourceArn: principalArn, ActionNames: [...actions], ResourceArns: [...resources], ...(marker ? { Marker: marker } : {}) }),
        );
      } catch (error) {
        throw toAdapterError(error, `iam SimulatePrincipalPolicy for ${principalArn}`);
      }
      for (const result of page.EvaluationResults ?? []) {
        const action = result.EvalActionName ?? '';
        for (const resource of resources) {
          const specific = result.ResourceSpecificResults?.find((r) => r.EvalResourceName === resource);
          out.push({ action, resource, decision: decisionOf(specific?.EvalResourceDecision ?? result.EvalDecision) });
        }
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return out;
  }
}
