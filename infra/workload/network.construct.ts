import { Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Props of {@link Network}. */
export interface NetworkProps {
  /** Physical-name prefix of this region's resources, e.g. `payments-dev-us-east-1`. */
  readonly namePrefix: string;
  /** Removal policy of the flow-log group. */
  readonly removalPolicy: RemovalPolicy;
}

/** Aurora PostgreSQL's port; the health Lambda probes it and nothing else reaches the database. */
export const DATABASE_PORT = 5432;

/**
 * One region's network: a VPC over the region's first three availability zones (`Fn::GetAZs` at
 * deploy time, so synth needs no account lookup and works offline) with public,
 * private-with-egress and isolated subnets, VPC flow logs, and one security group per tier that allows only what that tier needs:
 *
 * - `databaseSecurityGroup` (isolated subnets): inbound 5432 from the app tier only, no outbound.
 * - `appSecurityGroup` (in-VPC Lambdas, private subnets): outbound 5432 to the database and 443 to
 *   the SSM endpoint only, no inbound.
 * - `endpointSecurityGroup` (SSM interface endpoint): inbound 443 from the app tier only.
 *
 * The SSM interface endpoint lets `/health` read the `fenced` flag without the NAT gateway, so a
 * lost NAT AZ cannot make a healthy region look unhealthy. One NAT gateway serves the
 * private-with-egress subnets: nothing on the failover path depends on it.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getavailabilityzones.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html
 * @see https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-cwl.html
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly databaseSecurityGroup: ec2.SecurityGroup;
  readonly appSecurityGroup: ec2.SecurityGroup;
  readonly endpointSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      vpcName: `${props.namePrefix}-vpc`,
      ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
      availabilityZones: [0, 1, 2].map((index) => Fn.select(index, Fn.getAzs())),
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      // Nothing uses the default security group; restricting it would add a custom-resource Lambda.
      restrictDefaultSecurityGroup: false,
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(
            new logs.LogGroup(this, 'FlowLogs', {
              logGroupName: `/${props.namePrefix}/vpc-flow-logs`,
              retention: logs.RetentionDays.THREE_MONTHS,
              removalPolicy: props.removalPolicy,
            }),
          ),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });

    this.databaseSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc: this.vpc,
      securityGroupName: `${props.namePrefix}-database`,
      description: 'Aurora PostgreSQL: inbound 5432 from the app tier only',
      allowAllOutbound: false,
    });
    this.appSecurityGroup = new ec2.SecurityGroup(this, 'AppSecurityGroup', {
      vpc: this.vpc,
      securityGroupName: `${props.namePrefix}-app`,
      description: 'In-VPC Lambdas: outbound 5432 to the database and 443 to the SSM endpoint only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      securityGroupName: `${props.namePrefix}-endpoints`,
      description: 'SSM interface endpoint: inbound 443 from the app tier only',
      allowAllOutbound: false,
    });

    this.databaseSecurityGroup.addIngressRule(this.appSecurityGroup, ec2.Port.tcp(DATABASE_PORT), 'app tier to PostgreSQL');
    this.appSecurityGroup.addEgressRule(this.databaseSecurityGroup, ec2.Port.tcp(DATABASE_PORT), 'PostgreSQL');
    this.endpointSecurityGroup.addIngressRule(this.appSecurityGroup, ec2.Port.tcp(443), 'app tier to SSM over HTTPS');
    this.appSecurityGroup.addEgressRule(this.endpointSecurityGroup, ec2.Port.tcp(443), 'SSM endpoint over HTTPS');

    this.vpc.addInterfaceEndpoint('SsmEndpoint', {
      service: ec2.InterfaceVpcEndpointAwsService.SSM,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.endpointSecurityGroup],
      privateDnsEnabled: true,
      open: false,
    });
  }
}
