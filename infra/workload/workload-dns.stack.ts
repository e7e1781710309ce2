import { Stack, type StackProps } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import type { WorkloadConfig } from './workload-props';

/** Props of {@link WorkloadDnsStack}. */
export interface WorkloadDnsStackProps extends StackProps {
  readonly config: WorkloadConfig;
}

/**
 * The workload's public hosted zone, deployed first: each region's API certificate is validated in
 * it, and the routing stack puts the weighted records in it. Route 53 is global; the stack lives in
 * us-east-1 next to the routing stack.
 *
 * `crossRegionReferences` is on because the zone id is a token every standby region's certificate
 * needs and a CloudFormation export cannot cross regions; CDK passes it through SSM parameters
 * instead. (Names that can be derived, such as the global cluster id or bucket names, are derived
 * rather than passed.)
 *
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.StackProps.html#crossregionreferences
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/AboutHZWorkingWith.html
 */
export class WorkloadDnsStack extends Stack {
  readonly hostedZone: route53.PublicHostedZone;

  constructor(scope: Construct, id: string, props: WorkloadDnsStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    this.hostedZone = new route53.PublicHostedZone(this, 'HostedZone', {
      zoneName: props.config.domainName,
      comment: `${props.config.prefix}: payment API records shifted by the DR controller`,
    });
    this.hostedZone.applyRemovalPolicy(props.config.removalPolicy);
  }
}
