import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { Construct } from 'constructs';
import type { Region } from '../../domain/config';

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
 * Replication (a replication role and one rule per destination); both sides must be versioned.
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
