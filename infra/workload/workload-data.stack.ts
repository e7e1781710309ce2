import { Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { Region } from '../../domain/config';
import { AuroraGlobalCluster } from './aurora-global-cluster.construct';
import { Network } from './network.construct';
import type { WorkloadConfig } from './workload-props';

/** Props of {@link WorkloadDataStack}. */
export interface WorkloadDataStackProps extends StackProps {
  readonly config: WorkloadConfig;
  /** The stack's region; the primary region's stack also owns the global cluster and table. */
  readonly region: Region;
}

/**
 * A region's stateful core: the network and the region's Aurora global database member. The
 * primary region's stack also creates the global cluster and the DynamoDB global table with a
 * replica in every standby region. Standby stacks are deployed after the primary's and reach the
 * global cluster and table by their deterministic names, not by cross-region references.
 *
 * The sessions table: partition key `sessionId` (string), sort key `timestamp` (number, epoch ms),
 * GSI `userId-index` (`userId`, `timestamp`), on-demand, point-in-time recovery on every replica.
 * The payments table: partition key `idempotencyKey`, multi-Region strong consistency (MRSC) with
 * a witness Region, on-demand, point-in-time recovery. The API token key: a Secrets Manager secret
 * replicated to every standby Region.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_dynamodb.TableV2.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html#V2globaltables_HowItWorks.consistency-modes-mrsc
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html
 */
export class WorkloadDataStack extends Stack {
  readonly network: Network;
  readonly database: AuroraGlobalCluster;
  /** Only in the primary region's stack. */
  readonly sessionsTable?: dynamodb.TableV2;
  /** The payments (idempotency) table, multi-Region strongly consistent; only in the primary region's stack. */
  readonly paymentsTable?: dynamodb.TableV2;
  /** The API token signing key, replicated to every standby region; only in the primary region's stack. */
  readonly apiTokenSecret?: secretsmanager.Secret;

  /**
   * The region's first three AZs, resolved at deploy time (`Fn::GetAZs`). Overridden so that a
   * stack with an explicit account never asks for an AZ context lookup: synth stays offline.
   * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.Stack.html#availabilityzones
   */
  override get availabilityZones(): string[] {
    return [0, 1, 2].map((index) => Fn.select(index, Fn.getAzs()));
  }

  constructor(scope: Construct, id: string, props: WorkloadDataStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const { config, region } = props;
    const primary = region === config.primaryRegion;
    const namePrefix = config.regionPrefix(region);

    this.network = new Network(this, 'Network', {
      namePrefix,
      removalPolicy: config.removalPolicy,
    });

    this.database = new AuroraGlobalCluster(this, 'Database', {
      role: primary ? 'primary' : 'secondary',
      globalClusterIdentifier: config.globalClusterIdentifier,
      clusterIdentifier: config.clusterIdentifier(region),
      vpc: this.network.vpc,
      securityGroup: this.network.databaseSecurityGroup,
      secretName: `${config.prefix}/aurora/master`,
      secretReplicaRegions: config.standbyRegions,
      removalPolicy: config.removalPolicy,
    });

    if (primary) {
      // Both tables: on demand, point-in-time recovery, a replica in every standby region.
      const globalTable = {
        billing: dynamodb.Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: !config.destroyable,
        removalPolicy: config.removalPolicy,
        replicas: config.standbyRegions.map((replicaRegion) => ({ region: replicaRegion })),
      } satisfies Partial<dynamodb.TablePropsV2>;
      this.sessionsTable = new dynamodb.TableV2(this, 'Sessions', {
        tableName: config.sessionsTableName,
        partitionKey: { name: 'sessionId', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'timestamp', type: dynamodb.AttributeType.NUMBER },
        globalSecondaryIndexes: [
          {
            indexName: 'userId-index',
            partitionKey: { name: 'userId', type: dynamodb.AttributeType.STRING },
            sortKey: { name: 'timestamp', type: dynamodb.AttributeType.NUMBER },
          },
        ],
        ...globalTable,
      });

      // Payments need what MREC cannot give: a retry in another Region must see the first attempt
      // even when the Region that took it is gone before replicating. MRSC acknowledges a write only
      // once it is durable in a second Region, and its strongly consistent reads and conditional
      // checks see every acknowledged write from any Region. Its limits shape the table: created
      // empty in STRONG mode (the mode cannot change), exactly three Regions of one set (two
      // replicas + a witness, or three replicas), and no TTL, LSIs or transactions, so the table
      // holds one item per payment keyed by the idempotency key and nothing else.
      this.paymentsTable = new dynamodb.TableV2(this, 'Payments', {
        tableName: config.paymentsTableName,
        partitionKey: { name: 'idempotencyKey', type: dynamodb.AttributeType.STRING },
        multiRegionConsistency: dynamodb.MultiRegionConsistency.STRONG,
        ...(config.paymentsWitnessRegion !== undefined && { witnessRegion: config.paymentsWitnessRegion }),
        ...globalTable,
      });

      this.apiTokenSecret = new secretsmanager.Secret(this, 'ApiTokenKey', {
        secretName: config.apiTokenSecretName,
        description: `HMAC-SHA256 key of the ${config.prefix} payment API tokens; the same value in every region`,
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
        replicaRegions: config.standbyRegions.map((replicaRegion) => ({ region: replicaRegion })),
        removalPolicy: config.removalPolicy,
      });
      Validations.of(this.apiTokenSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The API token key signs every client credential; rotating it invalidates every issued token, so it is rotated by the ' +
          'operator runbook together with re-issuing tokens, not by a rotation Lambda.',
      });
    }
  }
}
