import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { Region } from '../../domain/config';
import { awsCustomResourceExecution } from './aws-custom-resource';
import { DATABASE_PORT } from './network.construct';

/**
 * Aurora PostgreSQL version of every member. 16.6 and later keep secondary-region readers
 * serving through cross-region disruptions.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-secondary-availability.html
 */
export const AURORA_POSTGRES_VERSION = rds.AuroraPostgresEngineVersion.VER_16_6;

/** Retention of the exported PostgreSQL logs. */
export const POSTGRES_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;

/** Props of {@link AuroraGlobalCluster}. */
export interface AuroraGlobalClusterProps {
  /**
   * `primary` creates the global cluster and its writer cluster; `secondary` attaches a read-only
   * cluster to the global cluster named `globalClusterIdentifier` (deployed first, in the primary region).
   */
  readonly role: 'primary' | 'secondary';
  /** Identifier of the global cluster; deterministic, because CDK cannot pass tokens across regions. */
  readonly globalClusterIdentifier: string;
  /** Identifier of this region's member cluster. */
  readonly clusterIdentifier: string;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  /** Name of the master-credentials secret (primary only; secondaries share the primary's users). */
  readonly secretName: string;
  /** Regions the master secret is replicated to, so they can administer the database after a failover. */
  readonly secretReplicaRegions: readonly Region[];
  /** `DESTROY` also turns off deletion protection (test environments). */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * One region's member of an Aurora PostgreSQL Global Database, encrypted, in the isolated subnets,
 * with 7-day backups, IAM authentication and PostgreSQL logs exported to CloudWatch Logs.
 *
 * The primary creates an empty `AWS::RDS::GlobalCluster` and joins it as its first (writer)
 * cluster; a secondary joins the same global cluster by its identifier. Secondaries must not set
 * master credentials (Aurora rejects them: they come from the primary), so the generated secret and
 * `MasterUsername`/`MasterUserPassword` are removed from the secondary's template. The primary's
 * credentials live in Secrets Manager (nothing in the template) and are replicated to the standby
 * regions.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-globalcluster.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-getting-started.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html
 */
export class AuroraGlobalCluster extends Construct {
  readonly cluster: rds.DatabaseCluster;
  /** Present only in the primary region. */
  readonly globalCluster?: rds.CfnGlobalCluster;
  /**
   * The global database's writer endpoint (primary region only): a DNS name Aurora keeps pointing
   * at the writer of whichever cluster is primary, so applications write through it without a
   * connection-string change after a switchover or failover. `AWS::RDS::GlobalCluster` returns it
   * only as the object attribute `GlobalEndpoint` (no string `GlobalEndpoint.Address` to `GetAtt`,
   * as cfn-lint's schema confirms), and its name carries an id Aurora generates
   * (`<id>.global-<random>.global.rds.amazonaws.com`), so it cannot be derived: a custom resource
   * reads `GlobalClusters[0].Endpoint` from `DescribeGlobalClusters` once the writer cluster exists.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-globalcluster.html#aws-resource-rds-globalcluster-return-values
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalCluster.html (Endpoint)
   */
  readonly globalWriterEndpoint?: string;
  /**
   * The PostgreSQL log group Aurora exports to, created here with a retention so the logs do not
   * accumulate forever (Aurora would otherwise create it with "never expire").
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html
   */
  readonly postgresLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AuroraGlobalClusterProps) {
    super(scope, id);
    const destroyable = props.removalPolicy === RemovalPolicy.DESTROY;
    const engine = rds.DatabaseClusterEngine.auroraPostgres({ version: AURORA_POSTGRES_VERSION });

    if (props.role === 'primary') {
      this.globalCluster = new rds.CfnGlobalCluster(this, 'GlobalCluster', {
        globalClusterIdentifier: props.globalClusterIdentifier,
        engine: 'aurora-postgresql',
        engineVersion: AURORA_POSTGRES_VERSION.auroraPostgresFullVersion,
        storageEncrypted: true,
        deletionProtection: !destroyable,
      });
      this.globalCluster.applyRemovalPolicy(destroyable ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN);
    }

    this.postgresLogGroup = new logs.LogGroup(this, 'PostgresLogs', {
      logGroupName: `/aws/rds/cluster/${props.clusterIdentifier}/postgresql`,
      retention: POSTGRES_LOG_RETENTION,
      removalPolicy: props.removalPolicy,
    });

    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine,
      clusterIdentifier: props.clusterIdentifier,
      credentials:
        props.role === 'primary'
          ? rds.Credentials.fromGeneratedSecret('postgres', {
              secretName: props.secretName,
              replicaRegions: props.secretReplicaRegions.map((region) => ({ region })),
            })
          : undefined,
      defaultDatabaseName: props.role === 'primary' ? 'payments' : undefined,
      writer: rds.ClusterInstance.serverlessV2('writer'),
      readers: [rds.ClusterInstance.serverlessV2('reader', { scaleWithWriter: true })],
      serverlessV2MinCapacity: 0.5,
      serverlessV2MaxCapacity: 8,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [props.securityGroup],
      port: DATABASE_PORT,
      storageEncrypted: true,
      iamAuthentication: true,
      backup: { retention: Duration.days(7), preferredWindow: '03:00-04:00' },
      preferredMaintenanceWindow: 'sun:04:30-sun:05:30',
      cloudwatchLogsExports: ['postgresql'],
      copyTagsToSnapshot: true,
      deletionProtection: !destroyable,
      removalPolicy: props.removalPolicy,
    });

    // The log group must exist before the cluster starts exporting, or Aurora creates its own.
    this.cluster.node.addDependency(this.postgresLogGroup);
    // The master secret follows the cluster's removal policy: a retained cluster whose secret was
    // deleted with the stack could only be reached again by resetting its password.
    // (`cluster.secret` is the attachment; the generated secret itself is the `Secret` child.)
    const generatedSecret = this.cluster.node.tryFindChild('Secret');
    if (generatedSecret instanceof secretsmanager.Secret) generatedSecret.applyRemovalPolicy(props.removalPolicy);

    const cfnCluster = this.cluster.node.defaultChild as rds.CfnDBCluster;
    if (this.globalCluster) {
      const describe = {
        service: 'RDS',
        action: 'describeGlobalClusters',
        parameters: { GlobalClusterIdentifier: props.globalClusterIdentifier },
        physicalResourceId: cr.PhysicalResourceId.of(`${props.globalClusterIdentifier}-writer-endpoint`),
        outputPaths: ['GlobalClusters.0.Endpoint'],
      };
      const endpoint = new cr.AwsCustomResource(this, 'GlobalWriterEndpoint', {
        ...awsCustomResourceExecution(this),
        resourceType: 'Custom::GlobalWriterEndpoint',
        onCreate: describe,
        onUpdate: describe,
        policy: cr.AwsCustomResourcePolicy.fromStatements([
          new iam.PolicyStatement({
            actions: ['rds:DescribeGlobalClusters'],
            resources: [Stack.of(this).formatArn({ service: 'rds', region: '', resource: 'global-cluster', resourceName: props.globalClusterIdentifier, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
          }),
        ]),
        installLatestAwsSdk: false,
      });
      endpoint.node.addDependency(this.cluster);
      this.globalWriterEndpoint = endpoint.getResponseField('GlobalClusters.0.Endpoint');
      cfnCluster.globalClusterIdentifier = this.globalCluster.ref;
      Validations.of(this.cluster).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The master secret is break-glass only (the workload never logs in with it). Single-user rotation ' +
          'targets the writer endpoint stored in the secret, which a global-database failover moves to another ' +
          'region, so a rotation Lambda pinned here would fail after every failover; rotate via the runbook instead.',
      });
    } else {
      cfnCluster.globalClusterIdentifier = props.globalClusterIdentifier;
      cfnCluster.addPropertyDeletionOverride('MasterUsername');
      cfnCluster.addPropertyDeletionOverride('MasterUserPassword');
      this.cluster.node.tryRemoveChild('Secret');
    }
    if (destroyable) {
      Validations.of(this.cluster).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason: 'removalPolicy DESTROY was chosen for a disposable test environment, which must be deletable; every other removal policy keeps deletion protection on.',
      });
    }
    Validations.of(this.cluster).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason:
        'PostgreSQL keeps its default port 5432: the database is in isolated subnets and its security group ' +
        'admits only the app tier, so a non-default port would add no protection.',
    });
  }
}
