import { join } from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';

/** The payment functions, by the name of their entry file (`<name>.handler.ts`). */
export const PAYMENT_FUNCTIONS = ['validate-payment', 'process-payment', 'notify', 'health', 'authorizer'] as const;
export type PaymentFunctionName = (typeof PAYMENT_FUNCTIONS)[number];

/**
 * The newest Node.js runtime CDK 2.276 offers.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 */
export const PAYMENT_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** The repository root: its lockfile is what esbuild bundles against. */
const PROJECT_ROOT = join(__dirname, '..', '..');

/**
 * esbuild settings of every payment function (`bench/handlers.bench.ts` bundles with exactly
 * these): local bundling (no Docker) into one minified CommonJS file for Node.js 24, ES modules
 * preferred (`mainFields: ['module', 'main']`) so unused code is tree-shaken, warnings only.
 *
 * The AWS SDK v3 (`@aws-sdk/*` and the `@smithy/*` packages it is built on) is not bundled: each
 * function uses the copy the Node.js runtime provides. Bundled, the SDK's shared core (about
 * 300 KB minified) put every function with an SDK client at 433 to 557 KB, over the 300 KB budget.
 * Trade-off: Lambda picks and updates the runtime's SDK version, so it is not the version the
 * tests ran against (package-lock.json) and an SDK fix or API newer than the runtime's copy
 * arrives only when Lambda updates it; and init resolves the SDK's files instead of reading one
 * file (the bench measures init against its 150 ms budget and labels the bundles "SDK from runtime").
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html (runtime-included SDK versions)
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-package.html#nodejs-package-searchpath
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_lambda_nodejs-readme.html#externals
 */
export const PAYMENT_BUNDLING: nodejs.BundlingOptions = {
  // Only @aws-sdk/* comes from the runtime (documented there); the one @smithy package our own
  // code imports (error classification, adapters/errors.ts) is small and bundled.
  externalModules: ['@aws-sdk/*'],
  minify: true,
  mainFields: ['module', 'main'],
  target: 'node24',
  logLevel: nodejs.LogLevel.WARNING,
};

/** Props of {@link PaymentFunctions}. */
export interface PaymentFunctionsProps {
  /** Physical-name prefix of this region's resources, e.g. `payments-dev-us-east-1`. */
  readonly namePrefix: string;
  /** Folder of the `<name>.handler.ts` entry files. */
  readonly entryDir: string;
  /** `/<app>/<envName>`, read by the functions as `PARAMETER_PREFIX`. */
  readonly parameterPrefix: string;
  /** CloudWatch namespace of the functions' own metrics (Powertools). */
  readonly metricsNamespace: string;
  /** This region's replica of the payments table (multi-Region strongly consistent). */
  readonly paymentsTable: dynamodb.ITableV2;
  /** Largest amount of one payment, in major units (`MAX_PAYMENT_AMOUNT`). */
  readonly maxPaymentAmount: number;
  /** `<prefix>/active-region` and `<prefix>/fenced` in this region. */
  readonly activeRegionParameter: ssm.IStringParameter;
  readonly fencedParameter: ssm.IStringParameter;
  /** Database host `/health` probes over TCP: this region's cluster *reader* endpoint. */
  readonly databaseEndpoint: string;
  /** Name of the API token key secret (this region's replica is read by the authorizer). */
  readonly tokenSecretName: string;
  /** The audience every API token must carry: the public API name, the same in every region. */
  readonly tokenAudience: string;
  readonly databasePort: number;
  /** VPC and security group of `/health`, which must reach the database security group. */
  readonly vpc: ec2.IVpc;
  readonly appSecurityGroup: ec2.ISecurityGroup;
  /** Removal policy of the log groups. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The payment Lambda functions of one region (code in `handlers/payments/`), each with its own log
 * group and its own least-privilege role (no AWS managed policy: each role writes only its own log
 * group), plus the notifications topic `notify` publishes to:
 *
 * - `validate-payment`: no AWS access.
 * - `process-payment`: reads `active-region`/`fenced` (refuses writes unless active and not fenced),
 *   puts and gets items in this region's payments replica.
 * - `notify`: publishes to the topic.
 * - `health`: in the private subnets with the app security group, reads `fenced` through the SSM
 *   endpoint and opens a TCP connection to the database's reader endpoint.
 * - `authorizer`: reads the API token key (this region's replica of the secret) through Parameter
 *   Store's Secrets Manager reference.
 *
 * Bundled locally by esbuild for arm64 with {@link PAYMENT_BUNDLING}: minified, ES modules
 * preferred, the AWS SDK v3 taken from the Lambda runtime.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_lambda_nodejs-readme.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
 */
export class PaymentFunctions extends Construct {
  readonly functions: Readonly<Record<PaymentFunctionName, nodejs.NodejsFunction>>;
  /** Physical function names (`<namePrefix>-<name>`), literal strings for alarms and dashboards. */
  readonly functionNames: Readonly<Record<PaymentFunctionName, string>>;
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: PaymentFunctionsProps) {
    super(scope, id);
    this.functionNames = Object.fromEntries(PAYMENT_FUNCTIONS.map((name) => [name, `${props.namePrefix}-${name}`])) as Record<
      PaymentFunctionName,
      string
    >;

    this.topic = new sns.Topic(this, 'Notifications', {
      topicName: `${props.namePrefix}-notifications`,
      enforceSSL: true,
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });

    const make = (name: PaymentFunctionName, extra: Partial<nodejs.NodejsFunctionProps>, environment: Record<string, string> = {}) => {
      const functionName = this.functionNames[name];
      // Its own role, without AWSLambdaBasicExecutionRole (log writes on every log group): it may
      // write only its own log group; each grant below adds what the function calls.
      const logGroup = new logs.LogGroup(this, `${name}-logs`, {
        logGroupName: `/aws/lambda/${functionName}`,
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: props.removalPolicy,
      });
      const role = new iam.Role(this, `${name}-role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `${functionName}: writes its own log group, calls only what it is granted`,
      });
      logGroup.grantWrite(role);
      const fn = new nodejs.NodejsFunction(this, name, {
        functionName,
        entry: join(props.entryDir, `${name}.handler.ts`),
        // Explicit, so synthesis works from any working directory.
        projectRoot: PROJECT_ROOT,
        depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
        handler: 'handler',
        runtime: PAYMENT_RUNTIME,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 512,
        timeout: Duration.seconds(10),
        role,
        logGroup,
        environment: {
          POWERTOOLS_SERVICE_NAME: name,
          POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
          PARAMETER_PREFIX: props.parameterPrefix,
          ...environment,
        },
        bundling: PAYMENT_BUNDLING,
        ...extra,
      });
      return fn;
    };

    const health = make(
      'health',
      {
        timeout: Duration.seconds(5),
        vpc: props.vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        securityGroups: [props.appSecurityGroup],
      },
      { DB_READER_ENDPOINT: props.databaseEndpoint, DB_PORT: String(props.databasePort) },
    );
    // What Lambda needs to manage the network interfaces of an in-VPC function: the EC2 half of
    // AWSLambdaVPCAccessExecutionRole, without its log writes on every log group.
    // DescribeNetworkInterfaces works only on "*"; Lambda creates the interfaces with generated ids.
    // https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
    // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html
    health.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );
    Validations.of(health.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Lambda manages the network interfaces of an in-VPC function with the execution role: ec2:DescribeNetworkInterfaces works only on "*" and the interfaces get generated ids (the EC2 statement of AWSLambdaVPCAccessExecutionRole, without its log writes).',
    });

    const maxPaymentAmount = { MAX_PAYMENT_AMOUNT: String(props.maxPaymentAmount) };
    const authorizer = make('authorizer', { timeout: Duration.seconds(5) }, { TOKEN_SECRET_ID: props.tokenSecretName, TOKEN_AUDIENCE: props.tokenAudience });
    this.functions = {
      'validate-payment': make('validate-payment', {}, maxPaymentAmount),
      'process-payment': make('process-payment', {}, { PAYMENTS_TABLE: props.paymentsTable.tableName, ...maxPaymentAmount }),
      notify: make('notify', {}, { TOPIC_ARN: this.topic.topicArn }),
      health,
      authorizer,
    };

    const processPayment = this.functions['process-payment'];
    props.activeRegionParameter.grantRead(processPayment);
    props.fencedParameter.grantRead(processPayment);
    props.paymentsTable.grant(processPayment, 'dynamodb:PutItem', 'dynamodb:GetItem');
    this.topic.grantPublish(this.functions.notify);
    props.fencedParameter.grantRead(health);

    // GetParameter on the Secrets Manager reference needs both the parameter-side and the
    // secret-side permission; the replica's ARN ends in the same random suffix, hence `-??????`.
    // https://docs.aws.amazon.com/systems-manager/latest/userguide/integration-ps-secretsmanager.html
    const stack = Stack.of(this);
    authorizer.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `aws/reference/secretsmanager/${props.tokenSecretName}` })],
      }),
    );
    const secretArn = stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${props.tokenSecretName}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    authorizer.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] }));
    Validations.of(authorizer).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${stack.region}:<AWS::AccountId>:secret:${props.tokenSecretName}-??????]`,
      reason: 'Secrets Manager appends six random characters to a secret ARN; the wildcard stands for exactly that suffix of the one key secret.',
    });
  }
}
