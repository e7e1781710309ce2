import { Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { Region } from '../../domain/config';
import { AuroraGlobalDatabase } from './aurora-global-database.construct';
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
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_dynamodb.TableV2.html
 */
export class WorkloadDataStack extends Stack {
  readonly network: Network;
  readonly database: AuroraGlobalDatabase;
  /** Only in the primary region's stack. */
  readonly sessionsTable?: dynamodb.TableV2;

  /**
   * The region's first three AZs, resolved at deploy time (`Fn::GetAZs`). Overridden so that a
   * stack with an explicit account never asks for an AZ context lookup: synth stays offline.
   * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.Stack.html#availabilityzones
   */
  override get availabilityZones(): string[] {
    return [0, 1, 2].map((index) => Fn.select(index, Fn.getAzs()));
  }

  constructor(scope: Construct, id: string, props: WorkloadDataStackProps) {
    super(scope, id, props);
    const { config, region } = props;
    const primary = region === config.primaryRegion;
    const namePrefix = config.regionPrefix(region);

    this.network = new Network(this, 'Network', {
      namePrefix,
      removalPolicy: config.removalPolicy,
    });

    this.database = new AuroraGlobalDatabase(this, 'Database', {
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
        billing: dynamodb.Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: !config.destroyable,
        removalPolicy: config.removalPolicy,
        replicas: config.standbyRegions.map((replicaRegion) => ({ region: replicaRegion })),
      });
    }
  }
}
