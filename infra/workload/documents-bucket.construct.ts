import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { Construct } from 'constructs';
import type { Region } from '../../domain/config';
import { awsCustomResourceExecution } from './aws-custom-resource';

/** A bucket the documents bucket replicates into: its deterministic name and its region. */
export interface ReplicaDestination {
  readonly bucketName: string;
  readonly region: Region;
}

/** Props of {@link DocumentsBucket}. */
export interface DocumentsBucketProps {
  /** Globally unique name, including account and region, so other regions can name it too. */
  readonly bucketName: string;
  /**
   * Buckets in other regions to replicate every new object version and delete marker into.
   * Each must already exist, versioned (its stack is deployed first).
   * @default - no replication (a replica bucket)
   */
  readonly replicateTo?: readonly ReplicaDestination[];
  /** `DESTROY` also empties the buckets on stack deletion (test environments). */
  readonly removalPolicy: RemovalPolicy;
}

/** Days after which object versions move to S3 Glacier Flexible Retrieval. */
export const GLACIER_AFTER_DAYS = 90;

/**
 * The payment documents bucket of one region: versioned, SSE-S3 encrypted, TLS-only, public access
 * blocked, server access logs to a sibling bucket, current and noncurrent versions to Glacier after
 * 90 days. In the primary region it replicates to each standby's bucket with S3 Cross-Region
 * Replication (a replication role and one rule per destination, replica modification sync on);
 * both sides must be versioned. Each standby replicates back into the primary with
 * {@link ReplicationBack}, so documents written in a standby after a failover are in the primary
 * when traffic fails back.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-how-setup.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html
 */
export class DocumentsBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: DocumentsBucketProps) {
    super(scope, id);
    // Grant log delivery with a bucket policy, not the LogDeliveryWrite ACL: ACLs stay disabled
    // (BucketOwnerEnforced). Set here so it holds whatever feature flags the app sets.
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const destroyable = props.removalPolicy === RemovalPolicy.DESTROY;
    const common = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroyable,
    };

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      ...common,
      bucketName: `${props.bucketName}-logs`,
      lifecycleRules: [{ id: 'expire-after-365-days', expiration: Duration.days(365) }],
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket itself; logging its own access would log every log delivery, in a loop.',
    });

    const replicateTo = props.replicateTo ?? [];
    const destinations = replicateTo.map((destination) => ({
      region: destination.region,
      bucket: s3.Bucket.fromBucketAttributes(this, `Replica-${destination.region}`, { bucketName: destination.bucketName, region: destination.region }),
    }));
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...common,
      bucketName: props.bucketName,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'documents/',
      lifecycleRules: [
        {
          id: `glacier-after-${GLACIER_AFTER_DAYS}-days`,
          transitions: [{ storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(GLACIER_AFTER_DAYS) }],
          noncurrentVersionTransitions: [{ storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(GLACIER_AFTER_DAYS) }],
        },
      ],
      replicationRules:
        destinations.length > 0
          ? destinations.map(({ region, bucket }, index) => ({
              id: `replicate-to-${region}`,
              priority: index,
              deleteMarkerReplication: true,
              // Replica modification sync: changes made to replicas in a standby (after a
              // failover) flow back here too, alongside the standby's own replication rule.
              replicaModifications: true,
              filter: {},
              destination: bucket,
            }))
          : undefined,
    });

    // The replication role reads every object version of the source and writes replicas into each
    // destination: object-level actions need `<bucket-arn>/*`, there is no narrower resource.
    for (const objects of [this.bucket, ...destinations.map(({ bucket }) => bucket)].map((bucket) => bucket.arnForObjects('*'))) {
      Validations.of(this.bucket).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(this).resolve(objects))}]`,
        reason: 'S3 replication reads and writes object versions, so its role needs every object of the source and destination buckets (bucket-arn/*), as AWS documents.',
      });
    }
  }
}

/** Props of {@link ReplicationBack}. */
export interface ReplicationBackProps {
  /** The standby bucket that replicates (in this stack's region; created by its storage stack). */
  readonly sourceBucketName: string;
  /** The primary region's bucket it replicates into. */
  readonly destination: ReplicaDestination;
}

/**
 * Two-way replication's second half: the standby bucket replicates every new object version,
 * delete marker and replica modification into the primary bucket.
 *
 * It cannot be a property of the standby's `AWS::S3::Bucket`: S3 refuses a replication rule whose
 * destination bucket does not exist, and the primary bucket is created after the standby's (its
 * own rules point at the standby). So the rule is put by a custom resource (`PutBucketReplication`
 * on create and update, `DeleteBucketReplication` on delete) in a stack deployed after both
 * buckets exist, with its own replication role.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-for-metadata-changes.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-walkthrough-2.html (two-way replication)
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketReplication.html
 */
export class ReplicationBack extends Construct {
  readonly role: iam.Role;
  readonly resource: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: ReplicationBackProps) {
    super(scope, id);
    const source = s3.Bucket.fromBucketName(this, 'Source', props.sourceBucketName);
    const destination = s3.Bucket.fromBucketAttributes(this, 'Destination', { bucketName: props.destination.bucketName, region: props.destination.region });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
      description: `replicates ${props.sourceBucketName} back into ${props.destination.bucketName}`,
    });
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [source.bucketArn] }));
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
        resources: [source.arnForObjects('*')],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], resources: [destination.arnForObjects('*')] }),
    );

    const rule = {
      ID: `replicate-to-${props.destination.region}`,
      Priority: 0,
      Status: 'Enabled',
      Filter: {},
      DeleteMarkerReplication: { Status: 'Enabled' },
      SourceSelectionCriteria: { ReplicaModifications: { Status: 'Enabled' } },
      Destination: { Bucket: destination.bucketArn },
    };
    const put = {
      service: 'S3',
      action: 'putBucketReplication',
      parameters: { Bucket: props.sourceBucketName, ReplicationConfiguration: { Role: this.role.roleArn, Rules: [rule] } },
      physicalResourceId: cr.PhysicalResourceId.of(`${props.sourceBucketName}-replication`),
    };
    this.resource = new cr.AwsCustomResource(this, 'Resource', {
      ...awsCustomResourceExecution(this),
      resourceType: 'Custom::BucketReplication',
      onCreate: put,
      onUpdate: put,
      onDelete: { service: 'S3', action: 'deleteBucketReplication', parameters: { Bucket: props.sourceBucketName } },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['s3:PutReplicationConfiguration', 's3:GetReplicationConfiguration'], resources: [source.bucketArn] }),
        new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [this.role.roleArn] }),
      ]),
      installLatestAwsSdk: false,
    });

    for (const objects of [source, destination].map((bucket) => bucket.arnForObjects('*'))) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(this).resolve(objects))}]`,
        reason: 'S3 replication reads and writes object versions, so its role needs every object of the source and destination buckets (bucket-arn/*), as AWS documents.',
      });
    }
  }
}
