import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import type { Region } from '../../domain/config';
import { controllerNames } from '../controller/controller-names';
import { awsCustomResourceExecution } from './aws-custom-resource';
import { ReplicationBack } from './documents-bucket.construct';
import { DATABASE_PORT } from './network.construct';
import { PaymentApi } from './payment-api.construct';
import { PaymentFunctions } from './payment-functions.construct';
import { RegionalAlarms, workloadAlarmTopic } from './workload-alarms.construct';
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
  /** The Aurora global database's writer endpoint (from the primary data stack). */
  readonly globalWriterEndpoint: string;
  /**
   * Topic (in this stack's region) the region's alarms notify on ALARM and on OK.
   * @default - a topic `<app>-<envName>-<region>-alarms`, encrypted with a key CloudWatch may use; subscribe to it
   */
  readonly alarmTopic?: sns.ITopic;
}

/** The parameters the DR controller owns after their first deployment. */
export const CONTROLLER_OWNED_PARAMETERS = ['active-region', 'fenced'] as const satisfies readonly WorkloadParameterKey[];
export type ControllerOwnedParameter = (typeof CONTROLLER_OWNED_PARAMETERS)[number];

/**
 * A region's serving tier and its observability: the payment functions and topic, the REST API,
 * the region's SSM parameters, its alarms (notifying an encrypted topic of this region) and its dashboard.
 *
 * Parameters under `/<app>/<envName>`, in every region: `active-region` (the primary region at
 * first), `fenced` (`false`), `db/endpoint` (the Aurora global writer endpoint: where applications
 * write), `db/reader-endpoint` (this region's reader endpoint: what `/health` probes), `api/url`
 * (this region's own stage URL), `table/sessions`, `table/payments`, `bucket/documents`.
 *
 * `active-region` and `fenced` belong to the DR controller, which rewrites them during a failover.
 * So they are not `AWS::SSM::Parameter` resources, whose value CloudFormation would put back on the
 * next deploy of this stack (a failed-over region would silently become standby again): a custom
 * resource creates each once with `PutParameter Overwrite=false` (an existing parameter is left as
 * it is), has no update call, and is retained on delete. The name is the same as before, so the
 * controller and the payment functions find them as they always did.
 *
 * Outputs `RegionalApiUrl` (this region's own stage, `https://<id>.execute-api.<region>.amazonaws.com/prod/`,
 * bypassing the shared DNS name) for probers, also readable as {@link WorkloadServiceStack.regionalApiUrl}.
 *
 * `crossRegionReferences` is on: the certificate needs the hosted zone id from us-east-1, and the
 * routing stack (us-east-1) needs this API's id and custom-domain alias target. Those values have
 * no deterministic name, so CDK carries them in SSM parameters; as with any cross-region reference,
 * a replacement of the API must first be removed from the routing stack.
 *
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-hierarchies.html
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html (Overwrite, ParameterAlreadyExists)
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.custom_resources.AwsCustomResource.html
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.StackProps.html#crossregionreferences
 */
export class WorkloadServiceStack extends Stack {
  readonly functions: PaymentFunctions;
  readonly api: PaymentApi;
  readonly alarms: RegionalAlarms;
  /** The topic the region's alarms notify. */
  readonly alarmTopic: sns.ITopic;
  readonly dashboard: WorkloadDashboard;
  /** The parameters this stack manages (every key but the controller-owned ones). */
  readonly parameters: Readonly<Record<Exclude<WorkloadParameterKey, ControllerOwnedParameter>, ssm.StringParameter>>;
  /** The custom resources that create the controller-owned parameters once. */
  readonly controllerOwnedParameters: Readonly<Record<ControllerOwnedParameter, cr.AwsCustomResource>>;
  /** Standby regions only: the documents bucket's replication back into the primary bucket. */
  readonly replicationBack?: ReplicationBack;
  /** This region's own stage URL (`https://<id>.execute-api.<region>.<suffix>/prod/`), for probers. */
  readonly regionalApiUrl: string;

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
    const controllerOwned = (key: ControllerOwnedParameter, initialValue: string, description: string) => {
      const parameterName = config.parameterName(key);
      return new cr.AwsCustomResource(this, `ControllerOwned-${key}`, {
        ...awsCustomResourceExecution(this),
        resourceType: 'Custom::ControllerOwnedParameter',
        onCreate: {
          service: 'SSM',
          action: 'putParameter',
          parameters: { Name: parameterName, Value: initialValue, Type: 'String', Tier: 'Standard', Overwrite: false, Description: description },
          physicalResourceId: cr.PhysicalResourceId.of(parameterName),
          ignoreErrorCodesMatching: 'ParameterAlreadyExists',
        },
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [this.formatArn({ service: 'ssm', resource: 'parameter', resourceName: parameterName.slice(1) })] }),
        installLatestAwsSdk: false,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    };
    this.controllerOwnedParameters = {
      'active-region': controllerOwned('active-region', config.primaryRegion, 'region that takes writes; owned by the DR controller after creation'),
      fenced: controllerOwned('fenced', 'false', '"true" while a failover fences this region; owned by the DR controller after creation'),
    };
    const importParameter = (key: ControllerOwnedParameter) => ssm.StringParameter.fromStringParameterName(this, `Imported-${key}`, config.parameterName(key));
    const activeRegion = importParameter('active-region');
    const fenced = importParameter('fenced');
    const paymentsTable = dynamodb.TableV2.fromTableAttributes(this, 'Payments', { tableName: config.paymentsTableName });

    this.functions = new PaymentFunctions(this, 'Functions', {
      namePrefix,
      entryDir: config.lambdaEntryDir,
      parameterPrefix: config.parameterPrefix,
      metricsNamespace: config.prefix,
      paymentsTable,
      maxPaymentAmount: config.maxPaymentAmount,
      activeRegionParameter: activeRegion,
      fencedParameter: fenced,
      databaseEndpoint: cluster.clusterReadEndpoint.hostname,
      databasePort: DATABASE_PORT,
      tokenSecretName: config.apiTokenSecretName,
      tokenAudience: config.apiRecordName,
      vpc: data.network.vpc,
      appSecurityGroup: data.network.appSecurityGroup,
      removalPolicy: config.removalPolicy,
    });
    // The functions read the parameters from their first request: create them first.
    for (const resource of Object.values(this.controllerOwnedParameters)) this.functions.node.addDependency(resource);

    this.api = new PaymentApi(this, 'Api', {
      namePrefix,
      functions: this.functions.functions,
      domainName: config.apiRecordName,
      hostedZone: props.hostedZone,
      removalPolicy: config.removalPolicy,
    });

    this.regionalApiUrl = this.api.api.url;
    new CfnOutput(this, 'RegionalApiUrl', {
      value: this.regionalApiUrl,
      description: `the ${region} payment API's own stage URL (not the shared name): probe <url>health`,
    });

    this.parameters = {
      'db/endpoint': parameter('db/endpoint', props.globalWriterEndpoint, 'Aurora global writer endpoint: applications write here; it follows promotion'),
      'db/reader-endpoint': parameter('db/reader-endpoint', cluster.clusterReadEndpoint.hostname, `reader endpoint of the ${region} Aurora cluster (active on a secondary too)`),
      'api/url': parameter('api/url', this.regionalApiUrl, `URL of the ${region} payment API stage`),
      'table/sessions': parameter('table/sessions', config.sessionsTableName, 'DynamoDB global table of sessions'),
      'table/payments': parameter('table/payments', config.paymentsTableName, 'DynamoDB multi-Region strongly consistent table of payments'),
      'bucket/documents': parameter('bucket/documents', props.documentsBucketName, `documents bucket in ${region}`),
    };

    if (region !== config.primaryRegion) {
      this.replicationBack = new ReplicationBack(this, 'DocumentsReplicationBack', {
        sourceBucketName: props.documentsBucketName,
        destination: { region: config.primaryRegion, bucketName: config.documentsBucketName(config.primaryRegion, this.account) },
      });
    }

    const { functionNames } = this.functions;
    const naming = { app: config.app, envName: config.envName, regions: config.regions };
    this.alarmTopic = workloadAlarmTopic(this, `${namePrefix}-alarms`, props.alarmTopic);
    this.alarms = new RegionalAlarms(this, 'Alarms', {
      naming,
      region,
      topic: this.alarmTopic,
      apiName: this.api.api.restApiName,
      functionNames,
      clusterIdentifier: config.clusterIdentifier(region),
      replicationLagThreshold: Duration.seconds(config.rpoBudgetSeconds),
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
