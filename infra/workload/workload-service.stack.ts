import { Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import type { Region } from '../../domain/config';
import { controllerNames } from '../controller/controller-names';
import { DATABASE_PORT } from './network.construct';
import { PaymentApi } from './payment-api.construct';
import { PaymentFunctions } from './payment-functions.construct';
import { RegionalAlarms } from './workload-alarms.construct';
import type { WorkloadDataStack } from './workload-data.stack';
import { WorkloadDashboard } from './workload-dashboard.construct';
import type { WorkloadConfig, WorkloadParameterKey } from './workload-props';

/** Props of {@link WorkloadServiceStack}. */
export interface WorkloadServiceStackProps extends StackProps {
  readonly config: WorkloadConfig;
  readonly region: Region;
  /** The same region's data stack (network, database). */
  readonly data: WorkloadDataStack;
  /** The workload's hosted zone (in the us-east-1 DNS stack). */
  readonly hostedZone: route53.IHostedZone;
  /** Name of this region's documents bucket (in the storage stack). */
  readonly documentsBucketName: string;
}

/**
 * A region's serving tier and its observability: the payment functions and topic, the REST API,
 * the region's SSM parameters, its alarms and its dashboard.
 *
 * Parameters under `/<app>/<envName>`, in every region: `active-region` (the primary region at
 * first), `fenced` (`false`), `db/endpoint`, `api/url`, `table/sessions`, `bucket/documents`. The
 * DR controller rewrites `active-region` and `fenced` in every region during a failover;
 * CloudFormation only writes them again if their value in the template changes.
 *
 * `crossRegionReferences` is on: the certificate needs the hosted zone id from us-east-1, and the
 * routing stack (us-east-1) needs this API's id and custom-domain alias target. Those values have
 * no deterministic name, so CDK carries them in SSM parameters; as with any cross-region reference,
 * a replacement of the API must first be removed from the routing stack.
 *
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-hierarchies.html
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.StackProps.html#crossregionreferences
 */
export class WorkloadServiceStack extends Stack {
  readonly functions: PaymentFunctions;
  readonly api: PaymentApi;
  readonly alarms: RegionalAlarms;
  readonly dashboard: WorkloadDashboard;
  readonly parameters: Readonly<Record<WorkloadParameterKey, ssm.StringParameter>>;

  constructor(scope: Construct, id: string, props: WorkloadServiceStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const { config, region, data } = props;
    const namePrefix = config.regionPrefix(region);
    const cluster = data.database.cluster;

    const parameter = (key: WorkloadParameterKey, value: string, description: string) =>
      new ssm.StringParameter(this, `Parameter-${key.replace('/', '-')}`, {
        parameterName: config.parameterName(key),
        stringValue: value,
        description,
        tier: ssm.ParameterTier.STANDARD,
      });
    const activeRegion = parameter('active-region', config.primaryRegion, 'region that takes writes; the DR controller moves it on failover');
    const fenced = parameter('fenced', 'false', '"true" while a failover fences this region: it refuses writes and reports unhealthy');

    this.functions = new PaymentFunctions(this, 'Functions', {
      namePrefix,
      entryDir: config.lambdaEntryDir,
      parameterPrefix: config.parameterPrefix,
      metricsNamespace: config.prefix,
      sessionsTable: dynamodb.TableV2.fromTableAttributes(this, 'Sessions', { tableName: config.sessionsTableName }),
      activeRegionParameter: activeRegion,
      fencedParameter: fenced,
      databaseEndpoint: cluster.clusterEndpoint.hostname,
      databasePort: DATABASE_PORT,
      vpc: data.network.vpc,
      appSecurityGroup: data.network.appSecurityGroup,
      removalPolicy: config.removalPolicy,
    });

    this.api = new PaymentApi(this, 'Api', {
      namePrefix,
      functions: this.functions.functions,
      domainName: config.apiRecordName,
      hostedZone: props.hostedZone,
      removalPolicy: config.removalPolicy,
    });

    this.parameters = {
      'active-region': activeRegion,
      fenced,
      'db/endpoint': parameter('db/endpoint', cluster.clusterEndpoint.hostname, `endpoint of the ${region} Aurora cluster (writer once promoted)`),
      'api/url': parameter('api/url', this.api.api.url, `URL of the ${region} payment API stage`),
      'table/sessions': parameter('table/sessions', config.sessionsTableName, 'DynamoDB global table of sessions and payments'),
      'bucket/documents': parameter('bucket/documents', props.documentsBucketName, `documents bucket in ${region}`),
    };

    const { functionNames } = this.functions;
    const naming = { app: config.app, envName: config.envName, regions: config.regions };
    this.alarms = new RegionalAlarms(this, 'Alarms', {
      naming,
      region,
      apiName: this.api.api.restApiName,
      functionNames,
      clusterIdentifier: config.clusterIdentifier(region),
    });

    const controller = controllerNames(config.app, config.envName);
    this.dashboard = new WorkloadDashboard(this, 'Dashboard', {
      dashboardName: namePrefix,
      apiName: this.api.api.restApiName,
      functionNames,
      clusterIdentifier: config.clusterIdentifier(region),
      sessionsTableName: config.sessionsTableName,
      alarms: this.alarms.alarms,
      controller: {
        region: config.controllerRegion,
        queueName: controller.queueName,
        deadLetterQueueName: controller.deadLetterQueueName,
        stateMachineName: controller.stateMachineName,
      },
    });
  }
}
