import { APP_PARAMETER_KEYS, parameterName } from '../../adapters/config-store/app-parameters.codec';
import type { ControllerConfig } from '../../domain/config';
import type { Resources } from '../../edge/resources.schema';
import type { FailoverStep } from '../steps/step-registry';

/** Actions one step calls on some resources (one IAM policy statement's worth). */
export interface StepPermission {
  readonly step: FailoverStep;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

/** `arn:<partition>:<service>:<region>:<account>:…` → partition and account. */
export function arnAccount(arn: string): { partition: string; account: string } {
  const [, partition, , , account] = arn.split(':');
  if (!partition || !account) throw new Error(`"${arn}" is not an ARN with a partition and an account`);
  return { partition, account };
}

/**
 * What each failover step calls, on which resources: the permissions readiness simulates with the
 * step's role. They are exactly what `FailoverWorkflow.grantStepPermissions`
 * (infra/controller/failover-workflow.construct.ts) grants; `test/infra/readiness.construct.test.ts`
 * holds the two to each other, so a step that gains a call without a grant here fails the build.
 * GetChange takes a change id Route 53 makes up per batch, so it is simulated on a sample change.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
export function stepPermissions(config: ControllerConfig, resources: Resources, partition: string, account: string): StepPermission[] {
  const { database, traffic, parameterPrefix, stateTableName, controllerBusName, controllerRegion } = resources;
  const globalClusterArn = `arn:${partition}:rds::${account}:global-cluster:${database.globalClusterIdentifier}`;
  const clusterArns = Object.values(database.clusterArns);
  const healthCheckArns = Object.values(traffic.healthCheckIds).map((id) => `arn:${partition}:route53:::healthcheck/${id}`);
  const hostedZoneArn = `arn:${partition}:route53:::hostedzone/${traffic.hostedZoneId.replace(/^\/?hostedzone\//, '')}`;
  const parameterArns = config.regions.flatMap((region) =>
    APP_PARAMETER_KEYS.map((key) => `arn:${partition}:ssm:${region}:${account}:parameter${parameterName(parameterPrefix, key)}`),
  );
  const busArn = `arn:${partition}:events:${controllerRegion}:${account}:event-bus/${controllerBusName}`;
  const tableArn = `arn:${partition}:dynamodb:${controllerRegion}:${account}:table/${stateTableName}`;
  const p = (step: FailoverStep, actions: string[], on: string[]): StepPermission => ({ step, actions, resources: on });
  return [
    p('preflight', ['rds:DescribeGlobalClusters'], [globalClusterArn]),
    p('preflight', ['rds:DescribeDBClusters'], clusterArns),
    p('preflight', ['cloudwatch:GetMetricData'], ['*']),
    p('preflight', ['route53:GetHealthCheckStatus'], healthCheckArns),
    p('promote-database', ['rds:DescribeGlobalClusters', 'rds:DescribeDBClusters', 'rds:SwitchoverGlobalCluster', 'rds:FailoverGlobalCluster'], [globalClusterArn, ...clusterArns]),
    p('check-writer', ['rds:DescribeGlobalClusters'], [globalClusterArn]),
    p('check-writer', ['rds:DescribeDBClusters'], clusterArns),
    p('shift-traffic', ['route53:ListResourceRecordSets', 'route53:ChangeResourceRecordSets'], [hostedZoneArn]),
    p('shift-traffic', ['route53:GetChange'], [`arn:${partition}:route53:::change/*`]),
    p('update-config', ['ssm:GetParameters', 'ssm:PutParameter'], parameterArns),
    p('fence-old-region', ['ssm:GetParameters', 'ssm:PutParameter'], parameterArns),
    p('verify-recovery', ['dynamodb:GetItem'], [tableArn]),
    p('verify-recovery', ['route53:GetHealthCheckStatus'], healthCheckArns),
    p('announce', ['events:PutEvents'], [busArn]),
    p('report-halt', ['events:PutEvents'], [busArn]),
  ];
}
