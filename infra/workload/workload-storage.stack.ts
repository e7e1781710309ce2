import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Region } from '../../domain/config';
import { DocumentsBucket } from './documents-bucket.construct';
import type { WorkloadConfig } from './workload-props';

/** Props of {@link WorkloadStorageStack}. */
export interface WorkloadStorageStackProps extends StackProps {
  readonly config: WorkloadConfig;
  readonly region: Region;
}

/**
 * A region's documents bucket. Its own stack because the deployment order is the reverse of the
 * database's: S3 replication needs every destination bucket to exist (versioned) before the
 * primary's replication rules are put, so the standby storage stacks deploy first, while the
 * standby data stacks deploy after the primary's (its global cluster must exist). The primary
 * names its destinations by their deterministic names (app, env, account, region).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-how-setup.html
 */
export class WorkloadStorageStack extends Stack {
  readonly documents: DocumentsBucket;

  constructor(scope: Construct, id: string, props: WorkloadStorageStackProps) {
    super(scope, id, props);
    const { config, region } = props;
    const primary = region === config.primaryRegion;
    this.documents = new DocumentsBucket(this, 'Documents', {
      bucketName: config.documentsBucketName(region, this.account),
      replicateTo: primary
        ? config.standbyRegions.map((standby) => ({ region: standby, bucketName: config.documentsBucketName(standby, this.account) }))
        : undefined,
      removalPolicy: config.removalPolicy,
    });
  }
}
