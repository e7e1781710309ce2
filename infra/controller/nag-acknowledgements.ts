import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * A resolved CloudFormation value spelt the way cdk-nag spells it in finding ids: `Ref` as
 * `<Name>`, `Fn::GetAtt` as `<LogicalId.Attribute>`, `Fn::Join` joined, `${…}` as `<…>`.
 */
function nagSpelling(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const node = (value ?? {}) as Record<string, unknown>;
  if (node['Fn::Join']) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(nagSpelling).join(separator);
  }
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${nagSpelling(resource)}.${nagSpelling(attribute)}>`;
  }
  if (node['Fn::Sub'] !== undefined) return nagSpelling(node['Fn::Sub']);
  if (node.Ref !== undefined) return `<${nagSpelling(node.Ref)}>`;
  return JSON.stringify(value);
}

/**
 * Acknowledge cdk-nag's AwsSolutions-IAM5 ("wildcard permission") finding for each of these policy
 * resources on `scope` (usually the role), with the reason. cdk-nag 3 matches acknowledgements by
 * exact finding id, `AwsSolutions-IAM5[Resource::<the resource as cdk-nag spells it>]`; the id is
 * derived here from the very value the policy uses, so it stays right whether the account is known
 * (`123456789012`) or a token (`<AWS::AccountId>`), and for ARNs of resources in the stack
 * (`<LogicalId.Arn>:*`).
 *
 * @see https://github.com/cdklabs/cdk-nag/blob/main/MIGRATION.md
 */
export function acknowledgeWildcardResources(scope: IConstruct, resources: readonly string[], reason: string): void {
  const stack = Stack.of(scope);
  for (const resource of resources) {
    Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${nagSpelling(stack.resolve(resource))}]`, reason });
  }
}
