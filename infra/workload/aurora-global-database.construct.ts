import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { Region } from '../../domain/config';
import { DATABASE_PORT } from './network.construct';

/**
 * Aurora PostgreSQL version of every member. 16.6 and later keep secondary-region readers
 * serving through cross-region disruptions.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-secondary-availability.html
 */
export const AURORA_POSTGRES_VERSION = rds.AuroraPostgresEngineVersion.VER_16_6;

/** Props of {@link AuroraGlobalDatabase}. */
export interface AuroraGlobalDatabaseProps {
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
export class AuroraGlobalDatabase extends Construct {
  readonly cluster: rds.DatabaseCluster;
  /** Present only in the primary region. */
  readonly globalCluster?: rds.CfnGlobalCluster;

  constructor(scope: Construct, id: string, props: AuroraGlobalDatabaseProps) {
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

    const cfnCluster = this.cluster.node.defaultChild as rds.CfnDBCluster;
    if (this.globalCluster) {
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
