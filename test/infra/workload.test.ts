import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { notificationSchema, paymentSchema } from '../../handlers/payments/payment.schema';
import { modelSchemaOf } from '../../infra/workload/payment-api.construct';
import { addPaymentWorkload, type PaymentWorkload } from '../../infra/workload/payment-workload';
import { runCdkNag, runCfnLint, templatePathsOf } from '../support/template-checks';

const PRIMARY = 'us-east-1';
const STANDBY = 'us-east-2';
const REGIONS = [PRIMARY, STANDBY] as const;

let app: App;
let workload: PaymentWorkload;

/** Every resource of `type` in `stack`, as `[logicalId, resource]`. */
function resourcesOf(stack: Stack, type: string): [string, { Properties: Record<string, unknown> }][] {
  return Object.entries(Template.fromStack(stack).findResources(type)) as [string, { Properties: Record<string, unknown> }][];
}

/** Alarm names of `stack`, with the stack's region. */
function alarmsOf(stack: Stack): { alarmName: string; region: string }[] {
  return resourcesOf(stack, 'AWS::CloudWatch::Alarm').map(([, alarm]) => ({ alarmName: alarm.Properties.AlarmName as string, region: stack.region }));
}

/** A stack's resource of `type` whose properties stringify to something containing `text`. */
function resourceMentioning(stack: Stack, type: string, text: string) {
  const found = resourcesOf(stack, type).find(([, resource]) => JSON.stringify(resource).includes(text));
  if (!found) throw new Error(`no ${type} in ${stack.stackName} mentions ${text}`);
  return found;
}

/** The template of `stack`, to assert on (named so lint sees the assertions it makes). */
const assertTemplate = (stack: Stack) => Template.fromStack(stack);

const service = (region: string) => workload.services[region] as Stack;
const data = (region: string) => workload.data[region] as Stack;
const storage = (region: string) => workload.storage[region] as Stack;

beforeAll(() => {
  // cfn-lint (below) runs the schema checks CDK's built-in validation would, much faster.
  app = new App({ builtinCloudFormationValidation: false });
  // CDK announces each esbuild bundling on stderr; keep the test output quiet.
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    workload = addPaymentWorkload(app, { app: 'payments', envName: 'dev', regions: [...REGIONS], domainName: 'payments-dev.example.com' });
    app.synth();
  } finally {
    stderr.mockRestore();
  }
}, 180_000);

afterAll(() => rmSync(app.outdir, { recursive: true, force: true }));

describe('addPaymentWorkload', () => {
  it('creates a dns, data, storage, service and routing stack per role, each named with the env suffix and in its region', () => {
    const names = workload.stacks.map((stack) => `${stack.stackName}@${stack.region}`);

    expect(names).toEqual([
      'payments-dev-dns@us-east-1',
      'payments-dev-us-east-1-data@us-east-1',
      'payments-dev-us-east-2-data@us-east-2',
      'payments-dev-us-east-2-storage@us-east-2',
      'payments-dev-us-east-1-storage@us-east-1',
      'payments-dev-us-east-1-service@us-east-1',
      'payments-dev-us-east-2-service@us-east-2',
      'payments-dev-routing@us-east-1',
    ]);
  });

  it('deploys the primary database before the standby, the standby bucket before the primary, and routing after every service', () => {
    const dependsOn = (stack: Stack) => stack.dependencies.map((dependency) => dependency.stackName);

    expect(dependsOn(data(STANDBY))).toContain('payments-dev-us-east-1-data');
    expect(dependsOn(storage(PRIMARY))).toContain('payments-dev-us-east-2-storage');
    expect(dependsOn(service(STANDBY))).toEqual(
      expect.arrayContaining(['payments-dev-us-east-2-data', 'payments-dev-us-east-2-storage', 'payments-dev-us-east-1-data', 'payments-dev-dns']),
    );
    expect(dependsOn(workload.routing)).toEqual(expect.arrayContaining(['payments-dev-us-east-1-service', 'payments-dev-us-east-2-service']));
  });
});

describe('network', () => {
  it.each(REGIONS)('spreads public, private-with-egress and isolated subnets over three AZs in %s, with flow logs', (region) => {
    const template = assertTemplate(data(region));

    for (const type of ['Public', 'Private', 'Isolated']) {
      expect(Object.keys(template.findResources('AWS::EC2::Subnet', { Properties: { Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-type', Value: type }]) } }))).toHaveLength(3);
    }
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: `com.amazonaws.${region}.ssm`, PrivateDnsEnabled: true });
  });

  it('lets only the app tier reach the database on 5432 and the SSM endpoint on 443, and opens nothing to the internet', () => {
    const template = assertTemplate(data(PRIMARY));
    const groupId = (name: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(`^Network${name}SecurityGroup`), 'GroupId'] });

    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: groupId('Database'), SourceSecurityGroupId: groupId('App'), FromPort: 5432, ToPort: 5432 });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: groupId('Endpoint'), SourceSecurityGroupId: groupId('App'), FromPort: 443, ToPort: 443 });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { GroupId: groupId('App'), DestinationSecurityGroupId: groupId('Database'), FromPort: 5432 });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { GroupId: groupId('App'), DestinationSecurityGroupId: groupId('Endpoint'), FromPort: 443 });
    const groups = Object.values(template.findResources('AWS::EC2::SecurityGroup')).map((group) => group.Properties);
    const rules = [
      ...groups.flatMap((group) => [...(group.SecurityGroupIngress ?? []), ...(group.SecurityGroupEgress ?? [])]),
      ...['AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress'].flatMap((type) => Object.values(template.findResources(type)).map((rule) => rule.Properties)),
    ];
    expect(groups).toHaveLength(3);
    expect(rules.filter((rule) => rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0')).toEqual([]);
  });
});

describe('aurora global database', () => {
  it('creates an encrypted aurora-postgresql global cluster in the primary region and joins it as the writer cluster', () => {
    const template = assertTemplate(data(PRIMARY));

    template.hasResourceProperties('AWS::RDS::GlobalCluster', {
      GlobalClusterIdentifier: 'payments-dev-global',
      Engine: 'aurora-postgresql',
      StorageEncrypted: true,
      DeletionProtection: true,
    });
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      DBClusterIdentifier: 'payments-dev-us-east-1',
      GlobalClusterIdentifier: { Ref: Match.stringLikeRegexp('^DatabaseGlobalCluster') },
      StorageEncrypted: true,
      BackupRetentionPeriod: 7,
      DeletionProtection: true,
      EnableIAMDatabaseAuthentication: true,
      MasterUsername: 'postgres',
      MasterUserPassword: { 'Fn::Join': ['', Match.arrayWith(['{{resolve:secretsmanager:', ':SecretString:password::}}'])] },
    });
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
  });

  it('keeps the master credentials in Secrets Manager, replicated to the standby region, never in the template', () => {
    const template = assertTemplate(data(PRIMARY));

    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'payments-dev/aurora/master',
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password' }),
      ReplicaRegions: [{ Region: STANDBY }],
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/"MasterUserPassword":"/);
  });

  it('retains the master secret with the retained cluster', () => {
    assertTemplate(data(PRIMARY)).hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ Name: 'payments-dev/aurora/master' }),
    });
  });

  it.each(REGIONS)('exports PostgreSQL logs in %s to a log group it creates first, with a 90-day retention', (region) => {
    const template = assertTemplate(data(region));
    const [logGroupId] = resourceMentioning(data(region), 'AWS::Logs::LogGroup', `/aws/rds/cluster/payments-dev-${region}/postgresql`);

    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/aws/rds/cluster/payments-dev-${region}/postgresql`, RetentionInDays: 90 });
    template.hasResource('AWS::RDS::DBCluster', { DependsOn: Match.arrayWith([logGroupId]), Properties: Match.objectLike({ EnableCloudwatchLogsExports: ['postgresql'] }) });
  });

  it('reads the global writer endpoint from DescribeGlobalClusters once the writer cluster exists', () => {
    const [, endpoint] = resourceMentioning(data(PRIMARY), 'Custom::GlobalWriterEndpoint', 'describeGlobalClusters');

    expect(String(endpoint.Properties.Create)).toContain('"outputPaths":["GlobalClusters.0.Endpoint"]');
    expect(String(endpoint.Properties.Create)).toContain('"GlobalClusterIdentifier":"payments-dev-global"');
  });

  it('attaches the standby cluster to the global cluster by name, without credentials of its own', () => {
    const template = assertTemplate(data(STANDBY));

    template.hasResourceProperties('AWS::RDS::DBCluster', {
      DBClusterIdentifier: 'payments-dev-us-east-2',
      GlobalClusterIdentifier: 'payments-dev-global',
      StorageEncrypted: true,
      MasterUsername: Match.absent(),
      MasterUserPassword: Match.absent(),
    });
    template.resourceCountIs('AWS::RDS::GlobalCluster', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  it.each(REGIONS)('places the %s cluster in the isolated subnets', (region) => {
    assertTemplate(data(region)).hasResourceProperties('AWS::RDS::DBSubnetGroup', {
      SubnetIds: Match.arrayEquals([0, 1, 2].map(() => ({ Ref: Match.stringLikeRegexp('^NetworkVpcisolatedSubnet') }))),
    });
  });
});

describe('sessions table', () => {
  it('is an on-demand global table keyed by sessionId and timestamp, with a userId index and PITR in both regions', () => {
    const template = assertTemplate(data(PRIMARY));

    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'payments-dev-sessions',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'sessionId', KeyType: 'HASH' },
        { AttributeName: 'timestamp', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'userId-index', KeySchema: Match.arrayWith([{ AttributeName: 'userId', KeyType: 'HASH' }]) })],
    });
    const [[, table]] = resourcesOf(data(PRIMARY), 'AWS::DynamoDB::GlobalTable') as [[string, { Properties: { Replicas: unknown[] } }]];
    expect(table.Properties.Replicas).toEqual(
      expect.arrayContaining(
        REGIONS.map((region) => expect.objectContaining({ Region: region, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })),
      ),
    );
    assertTemplate(data(STANDBY)).resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
  });
});

describe('payments table', () => {
  it('is a multi-Region strongly consistent global table keyed by idempotencyKey, with a witness in us-west-2 and PITR in both regions', () => {
    const [, table] = resourceMentioning(data(PRIMARY), 'AWS::DynamoDB::GlobalTable', 'payments-dev-payments');

    expect(table.Properties).toMatchObject({
      TableName: 'payments-dev-payments',
      MultiRegionConsistency: 'STRONG',
      GlobalTableWitnesses: [{ Region: 'us-west-2' }],
      KeySchema: [{ AttributeName: 'idempotencyKey', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
    expect(table.Properties.TimeToLiveSpecification).toBeUndefined();
    expect(table.Properties.LocalSecondaryIndexes).toBeUndefined();
    expect(table.Properties.Replicas).toEqual(
      expect.arrayContaining(REGIONS.map((region) => expect.objectContaining({ Region: region, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }))),
    );
  });

  it('keeps the API token key in one secret replicated to the standby region', () => {
    assertTemplate(data(PRIMARY)).hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ Name: 'payments-dev/api/token-key', ReplicaRegions: [{ Region: STANDBY }] }),
    });
  });
});

describe('documents buckets', () => {
  it.each(REGIONS)('are versioned, encrypted, TLS-only and move versions to Glacier after 90 days in %s', (region) => {
    const template = assertTemplate(storage(region));
    const glacier = [{ StorageClass: 'GLACIER', TransitionInDays: 90 }];

    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: { 'Fn::Join': ['', ['payments-dev-documents-', { Ref: 'AWS::AccountId' }, `-${region}`]] },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [Match.objectLike({ Transitions: glacier, NoncurrentVersionTransitions: glacier, Status: 'Enabled' })] },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'documents/' }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('replicates the primary bucket into the standby bucket with a replication role', () => {
    const [, bucket] = resourceMentioning(storage(PRIMARY), 'AWS::S3::Bucket', 'ReplicationConfiguration');

    expect(bucket.Properties.ReplicationConfiguration).toEqual({
      Role: { 'Fn::GetAtt': [expect.stringMatching(/^DocumentsBucketReplicationRole/), 'Arn'] },
      Rules: [
        expect.objectContaining({
          Id: 'replicate-to-us-east-2',
          Status: 'Enabled',
          DeleteMarkerReplication: { Status: 'Enabled' },
          SourceSelectionCriteria: { ReplicaModifications: { Status: 'Enabled' } },
          Destination: { Bucket: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::payments-dev-documents-', { Ref: 'AWS::AccountId' }, '-us-east-2']] } },
        }),
      ],
    });
    expect(JSON.stringify(assertTemplate(storage(STANDBY)).toJSON())).not.toContain('ReplicationConfiguration');
  });

  it('replicates the standby bucket back into the primary bucket, with replica modification sync, once both exist', () => {
    const [, replication] = resourceMentioning(service(STANDBY), 'Custom::BucketReplication', 'putBucketReplication');
    const create = JSON.stringify(replication.Properties.Create);
    const update = JSON.stringify(replication.Properties.Update);

    expect(create).toContain('\\"Bucket\\":\\"payments-dev-documents-');
    expect(create).toContain('-us-east-2\\"');
    expect(create).toContain(':s3:::payments-dev-documents-');
    expect(create).toContain('-us-east-1\\"}');
    expect(create).toContain('\\"ReplicaModifications\\":{\\"Status\\":\\"Enabled\\"}');
    expect(create).toContain('\\"DeleteMarkerReplication\\":{\\"Status\\":\\"Enabled\\"}');
    expect(update).toBe(create);
    expect(JSON.stringify(replication.Properties.Delete)).toContain('deleteBucketReplication');
    expect(service(STANDBY).dependencies.map((dependency) => dependency.stackName)).toContain('payments-dev-us-east-1-storage');
    assertTemplate(service(PRIMARY)).resourceCountIs('Custom::BucketReplication', 0);
  });
});

describe('payment functions', () => {
  it.each(REGIONS)('deploys validate-payment, process-payment, notify, health and the authorizer on the newest Node.js runtime in %s', (region) => {
    const template = assertTemplate(service(region));

    for (const name of ['validate-payment', 'process-payment', 'notify', 'health', 'authorizer']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `payments-dev-${region}-${name}`,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Environment: { Variables: Match.objectLike({ PARAMETER_PREFIX: '/payments/dev', POWERTOOLS_SERVICE_NAME: name }) },
      });
    }
  });

  it('bundles each handler with esbuild into one index.js that takes the AWS SDK from the Lambda runtime', () => {
    const payments = resourcesOf(service(PRIMARY), 'AWS::Lambda::Function').filter(([, fn]) => String(fn.Properties.FunctionName).startsWith('payments-dev-'));
    const bundles = payments.map(([, fn]) => {
      const key = (fn.Properties.Code as { S3Key: string }).S3Key;
      return { name: fn.Properties.FunctionName, code: readFileSync(join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.js'), 'utf8') };
    });
    const codeOf = (name: string) => bundles.find((bundle) => bundle.name === `payments-dev-us-east-1-${name}`)?.code ?? '';

    expect(bundles).toHaveLength(5);
    expect(codeOf('process-payment')).toContain('require("@aws-sdk/client-dynamodb")');
    expect(codeOf('process-payment')).not.toContain('DynamoDB_20120810');
    expect(codeOf('notify')).toContain('require("@aws-sdk/client-sns")');
    expect(codeOf('health')).toContain('require("@aws-sdk/client-ssm")');
  });

  it('gives process-payment the payments table and the maximum amount, notify the topic, and health the reader endpoint inside the VPC', () => {
    const template = assertTemplate(service(STANDBY));

    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'payments-dev-us-east-2-process-payment',
      Environment: { Variables: Match.objectLike({ PAYMENTS_TABLE: 'payments-dev-payments', MAX_PAYMENT_AMOUNT: '1000000' }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'payments-dev-us-east-2-validate-payment',
      Environment: { Variables: Match.objectLike({ MAX_PAYMENT_AMOUNT: '1000000' }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'payments-dev-us-east-2-notify',
      Environment: { Variables: Match.objectLike({ TOPIC_ARN: { Ref: Match.stringLikeRegexp('^FunctionsNotifications') } }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'payments-dev-us-east-2-health',
      Environment: { Variables: Match.objectLike({ DB_READER_ENDPOINT: { 'Fn::ImportValue': Match.stringLikeRegexp('ReadEndpointAddress') }, DB_PORT: '5432' }) },
      VpcConfig: { SecurityGroupIds: [Match.anyValue()], SubnetIds: Match.arrayEquals([Match.anyValue(), Match.anyValue(), Match.anyValue()]) },
    });
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'payments-dev-us-east-2-notifications', KmsMasterKeyId: Match.anyValue() });
  });

  it('lets process-payment put and get items only in its own region\'s table replica and read the write-gate parameters', () => {
    const [, policy] = resourceMentioning(service(STANDBY), 'AWS::IAM::Policy', 'dynamodb:');
    const statements = JSON.stringify(policy.Properties.PolicyDocument);

    expect(statements).toContain('"Action":["dynamodb:PutItem","dynamodb:GetItem"]');
    expect(statements).toContain(':dynamodb:us-east-2:');
    expect(statements).toContain(':table/payments-dev-payments"');
    expect(statements).toContain(':parameter/payments/dev/active-region"');
    expect(statements).toContain(':parameter/payments/dev/fenced"');
  });
});

describe('payment api', () => {
  it.each(REGIONS)('throttles the prod stage at 10,000 rps with a 5,000 burst and writes JSON access logs in %s', (region) => {
    assertTemplate(service(region)).hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 10000, ThrottlingBurstLimit: 5000, LoggingLevel: 'ERROR', MetricsEnabled: true })],
    });
  });

  it('validates each POST /payment/* body against a model generated from the handler schema, and requires Idempotency-Key on process', () => {
    const template = assertTemplate(service(PRIMARY));
    const models = Object.values(template.findResources('AWS::ApiGateway::Model')).map((model) => model.Properties);

    expect(models).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Name: 'Payment', Schema: expect.objectContaining({ required: ['amount', 'currency', 'method', 'userId'] }) }),
        expect.objectContaining({ Name: 'Notification', Schema: expect.objectContaining({ required: ['transactionId', 'userId', 'message'] }) }),
      ]),
    );
    expect(modelSchemaOf(paymentSchema)).toMatchObject({ schema: 'http://json-schema.org/draft-04/schema#', type: 'object' });
    expect(modelSchemaOf(notificationSchema).properties).toHaveProperty('message', { type: 'string', minLength: 1, maxLength: 1600 });
    template.resourcePropertiesCountIs(
      'AWS::ApiGateway::Method',
      {
        HttpMethod: 'POST',
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: Match.stringLikeRegexp('^ApiTokenAuthorizer') },
        RequestValidatorId: Match.anyValue(),
        RequestModels: { 'application/json': Match.anyValue() },
      },
      3,
    );
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestParameters: { 'method.request.header.Idempotency-Key': true },
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
  });

  it('carries every limit JSON Schema can express in the request models: lengths, patterns, enums and no unknown fields', () => {
    const template = assertTemplate(service(PRIMARY));
    const schemaOf = (name: string) =>
      (Object.values(template.findResources('AWS::ApiGateway::Model')).find((model) => model.Properties.Name === name)?.Properties.Schema ?? {}) as {
        properties: Record<string, Record<string, unknown>>;
        additionalProperties: unknown;
      };
    const payment = schemaOf('Payment');
    const notification = schemaOf('Notification');

    expect(payment.additionalProperties).toBe(false);
    expect(payment.properties.amount).toEqual({ type: 'string', maxLength: 15, pattern: '^(0|[1-9][0-9]{0,11})(\\.[0-9]{1,2})?$' });
    expect(payment.properties.userId).toEqual({ type: 'string', minLength: 1, maxLength: 128, pattern: '^[!-~]*$' });
    expect(payment.properties.currency).toMatchObject({ type: 'string', enum: expect.arrayContaining(['USD', 'JPY']) });
    expect(notification.additionalProperties).toBe(false);
    expect(notification.properties.message).toEqual({ type: 'string', minLength: 1, maxLength: 1600 });
    expect(notification.properties.userId).toMatchObject({ maxLength: 128 });
  });

  it.each(REGIONS)('authorizes payment methods in %s with the token authorizer, reading the one replicated key for the one public name', (region) => {
    const template = assertTemplate(service(region));

    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      IdentityValidationExpression: '^Bearer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
      AuthorizerResultTtlInSeconds: 300,
      AuthorizerUri: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: `payments-dev-${region}-authorizer`,
      Environment: { Variables: Match.objectLike({ TOKEN_SECRET_ID: 'payments-dev/api/token-key', TOKEN_AUDIENCE: 'api.payments-dev.example.com' }) },
    });
    const [, policy] = resourceMentioning(service(region), 'AWS::IAM::Policy', 'secretsmanager:GetSecretValue');
    const statements = JSON.stringify(policy.Properties.PolicyDocument);
    expect(statements).toContain(`:secretsmanager:${region}:`);
    expect(statements).toContain(':secret:payments-dev/api/token-key-??????');
    expect(statements).toContain(':parameter/aws/reference/secretsmanager/payments-dev/api/token-key');
  });

  it('outputs each region\'s own stage URL for probers, and exposes it on the workload', () => {
    for (const region of REGIONS) {
      const outputs = assertTemplate(service(region)).findOutputs('RegionalApiUrl');
      expect(JSON.stringify(Object.values(outputs)[0]?.Value)).toContain(`.execute-api.${region}.`);
      expect(workload.regionalApiUrls[region]).toBe(workload.services[region]?.regionalApiUrl);
    }
  });

  it('serves GET /health without authorization from the health function', () => {
    const template = assertTemplate(service(PRIMARY));
    const [healthResource] = resourceMentioning(service(PRIMARY), 'AWS::ApiGateway::Resource', '"PathPart":"health"');

    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'NONE',
      ResourceId: { Ref: healthResource },
      Integration: Match.objectLike({ Type: 'AWS_PROXY', Uri: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Functionshealth'), 'Arn'] }])] }) }),
    });
  });

  it.each(REGIONS)('publishes api.<domain> as a regional TLS 1.2 custom domain with a DNS-validated certificate, behind WAF, in %s', (region) => {
    const template = assertTemplate(service(region));

    template.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'api.payments-dev.example.com', ValidationMethod: 'DNS' });
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'api.payments-dev.example.com',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL', Name: `payments-dev-${region}-api` });
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });
});

describe('parameters', () => {
  it.each(REGIONS)('publishes db/endpoint, db/reader-endpoint, api/url, the tables and bucket/documents under /payments/dev in %s', (region) => {
    const template = assertTemplate(service(region));
    const parameters = Object.fromEntries(
      Object.values(template.findResources('AWS::SSM::Parameter')).map((parameter) => [parameter.Properties.Name, parameter.Properties.Value]),
    );

    expect(Object.keys(parameters).sort()).toEqual(
      ['api/url', 'bucket/documents', 'db/endpoint', 'db/reader-endpoint', 'table/payments', 'table/sessions'].map((key) => `/payments/dev/${key}`),
    );
    expect(JSON.stringify(parameters['/payments/dev/db/endpoint'])).toMatch(/DatabaseGlobalWriterEndpoint[0-9A-F]+GlobalClusters0Endpoint/);
    expect(JSON.stringify(parameters['/payments/dev/db/reader-endpoint'])).toContain('ReadEndpoint');
    expect(parameters['/payments/dev/table/payments']).toBe('payments-dev-payments');
    expect(parameters['/payments/dev/table/sessions']).toBe('payments-dev-sessions');
    expect(JSON.stringify(parameters['/payments/dev/bucket/documents'])).toContain(`-${region}`);
    expect(JSON.stringify(parameters['/payments/dev/api/url'])).toContain(`.execute-api.${region}.`);
  });
});

describe('controller-owned parameters', () => {
  it.each(REGIONS)('creates active-region and fenced once in %s, with Overwrite=false, no update call and retained on delete', (region) => {
    const template = assertTemplate(service(region));
    const owned = Object.values(template.findResources('Custom::ControllerOwnedParameter'));

    expect(owned).toHaveLength(2);
    for (const [key, value] of [['active-region', PRIMARY], ['fenced', 'false']] as const) {
      const resource = owned.find((candidate) => JSON.stringify(candidate.Properties.Create).includes(`/payments/dev/${key}`));
      expect(resource).toBeDefined();
      const create = JSON.parse(String(resource?.Properties.Create)) as { action: string; parameters: Record<string, unknown>; ignoreErrorCodesMatching: string };
      expect(create).toMatchObject({ action: 'putParameter', parameters: { Name: `/payments/dev/${key}`, Value: value, Overwrite: false }, ignoreErrorCodesMatching: 'ParameterAlreadyExists' });
      expect(resource?.Properties.Update).toBeUndefined();
      expect(resource?.Properties.Delete).toBeUndefined();
      expect(resource?.DeletionPolicy).toBe('Retain');
    }
  });

  it('never lets CloudFormation own their value: no AWS::SSM::Parameter carries active-region or fenced, in any stack', () => {
    const names = workload.stacks.flatMap((stack) => resourcesOf(stack, 'AWS::SSM::Parameter').map(([, parameter]) => String(parameter.Properties.Name)));

    expect(names.filter((name) => /\/(active-region|fenced)$/.test(name))).toEqual([]);
  });

  it('keeps the value a later deploy would write out of the template: a changed initial value changes only the create call', () => {
    const changedApp = new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
    const changed = addPaymentWorkload(changedApp, { app: 'payments', envName: 'dev', regions: [STANDBY, PRIMARY], domainName: 'payments-dev.example.com', paymentsWitnessRegion: 'us-west-2' });
    const owned = Object.values(Template.fromStack(changed.services[PRIMARY] as Stack).findResources('Custom::ControllerOwnedParameter'));
    const activeRegion = owned.find((candidate) => JSON.stringify(candidate.Properties.Create).includes('/active-region'));

    expect(JSON.parse(String(activeRegion?.Properties.Create)).parameters.Value).toBe(STANDBY);
    // With no Update call, CloudFormation's update of this resource puts nothing: the controller's value stays.
    expect(activeRegion?.Properties.Update).toBeUndefined();
  });
});

describe('alarms and controller signals', () => {
  const allAlarms = () => workload.stacks.flatMap(alarmsOf);

  it('creates every signal\'s alarm where the controller will hear it: regional alarms in their region, health-check alarms in us-east-1', () => {
    const alarms = allAlarms();

    for (const signal of workload.signals) {
      const home = signal.kind === 'health-check' ? 'us-east-1' : signal.region;
      expect(alarms).toContainEqual({ alarmName: signal.alarmName, region: home });
    }
  });

  it('lists every workload alarm as a signal, named <app>-<env>-<region>-<what>', () => {
    const alarmNames = allAlarms().map((alarm) => alarm.alarmName).sort();

    expect(workload.signals.map((signal) => signal.alarmName).sort()).toEqual(alarmNames);
    expect(alarmNames).toEqual(
      expect.arrayContaining([
        'payments-dev-us-east-1-api-5xx',
        'payments-dev-us-east-1-lambda-errors-process-payment',
        'payments-dev-us-east-1-health-check',
        'payments-dev-us-east-2-health-check',
        'payments-dev-us-east-2-replication-lag',
      ]),
    );
  });

  it('marks API 5xx, Lambda errors and health checks critical and replication lag not critical', () => {
    const byName = Object.fromEntries(workload.signals.map((signal) => [signal.alarmName, signal]));

    expect(byName['payments-dev-us-east-2-api-5xx']).toEqual({ alarmName: 'payments-dev-us-east-2-api-5xx', region: STANDBY, kind: 'alarm', critical: true });
    expect(byName['payments-dev-us-east-2-lambda-errors-health']).toMatchObject({ kind: 'alarm', critical: true });
    expect(byName['payments-dev-us-east-2-health-check']).toMatchObject({ region: STANDBY, kind: 'health-check', critical: true });
    expect(byName['payments-dev-us-east-2-replication-lag']).toMatchObject({ region: STANDBY, kind: 'alarm', critical: false });
    expect(workload.signals).toHaveLength(REGIONS.length * 8);
  });

  it('alarms on the API 5xx rate, the Lambda error rate and replication lag above the 5 s RPO budget', () => {
    const template = assertTemplate(service(STANDBY));

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'payments-dev-us-east-2-api-5xx',
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Statistic: 'Average',
      Dimensions: [{ Name: 'ApiName', Value: 'payments-dev-us-east-2-api' }],
      Threshold: 0.05,
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'payments-dev-us-east-2-lambda-errors-notify',
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(invocations > 0, 100 * errors / invocations, 0)' })]),
      Threshold: 5,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'payments-dev-us-east-2-replication-lag',
      Namespace: 'AWS/RDS',
      MetricName: 'AuroraGlobalDBReplicationLag',
      Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'payments-dev-us-east-2' }],
      Threshold: 5000,
    });
  });
});

describe('routing', () => {
  it('runs in us-east-1 with the hosted zone from the dns stack', () => {
    expect(workload.routing.region).toBe('us-east-1');
    assertTemplate(workload.dns).hasResourceProperties('AWS::Route53::HostedZone', { Name: 'payments-dev.example.com.' });
  });

  it.each(REGIONS)('probes %s over HTTPS on its own execute-api host at /prod/health every 10 s, unhealthy after 3 failures', (region) => {
    assertTemplate(workload.routing).hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({
        Type: 'HTTPS',
        Port: 443,
        ResourcePath: '/prod/health',
        EnableSNI: true,
        FullyQualifiedDomainName: { 'Fn::Join': ['', [Match.anyValue(), `.execute-api.${region}.`, { Ref: 'AWS::URLSuffix' }]] },
        RequestInterval: 10,
        FailureThreshold: 3,
      }),
      HealthCheckTags: Match.arrayWith([{ Key: 'Name', Value: `payments-dev-${region}-health` }]),
    });
  });

  it('weights api.<domain> 100 to the primary and 0 to the standby, one CNAME per region (TTL 30 s) with its health check attached', () => {
    const template = assertTemplate(workload.routing);

    for (const [region, weight] of [[PRIMARY, 100], [STANDBY, 0]] as const) {
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'api.payments-dev.example.com.',
        Type: 'CNAME',
        TTL: '30',
        SetIdentifier: region,
        Weight: weight,
        HealthCheckId: { Ref: Match.stringLikeRegexp(`^HealthCheck${region.replace(/-/g, '')}`) },
        ResourceRecords: [Match.anyValue()],
      });
    }
  });

  it('alarms on each health check\'s HealthCheckStatus, named after the region it probes', () => {
    assertTemplate(workload.routing).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'payments-dev-us-east-2-health-check',
      Namespace: 'AWS/Route53',
      MetricName: 'HealthCheckStatus',
      Statistic: 'Minimum',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      Dimensions: [{ Name: 'HealthCheckId', Value: { Ref: Match.stringLikeRegexp('^HealthCheckuseast2') } }],
    });
  });

  it('reads the standby API through a cross-region reference and the primary API through a stack export', () => {
    const routing = JSON.stringify(assertTemplate(workload.routing).toJSON());

    expect(routing).toContain('Custom::CrossRegionExportReader');
    expect(routing).toContain('/cdk/exports/payments-dev-routing/paymentsdevuseast2service');
    expect(routing).toContain('"Fn::ImportValue":"payments-dev-us-east-1-service:');
  });
});

describe('dashboards', () => {
  it.each(REGIONS)('show database, API, Lambda, DynamoDB and replication panels plus the controller panel in %s', (region) => {
    const [, dashboard] = resourceMentioning(service(region), 'AWS::CloudWatch::Dashboard', 'DashboardBody');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);

    expect(dashboard.Properties.DashboardName).toBe(`payments-dev-${region}`);
    for (const title of ['Database connections', 'Replication lag (ms)', 'API latency (ms)', 'Lambda invocations', 'DynamoDB capacity (sessions)']) {
      expect(body).toContain(title);
    }
    expect(body).toContain('AuroraGlobalDBReplicationLag');
    expect(body).toContain('ConsumedWriteCapacityUnits');
    expect(body).toContain('Namespace=\\\\\\"DrController\\\\\\" MetricName=\\\\\\"Decisions\\\\\\"');
    for (const metric of ['FailoversStarted', 'FailoversCompleted', 'FailoversHalted', 'ExecutionsStarted', 'ExecutionsFailed']) {
      expect(body).toContain(metric);
    }
    expect(body).toContain('payments-dev-controller.fifo');
    expect(body).toContain('payments-dev-controller-dlq.fifo');
    expect(body).toContain(':states:us-east-2:');
    expect(body).toContain(':stateMachine:payments-dev-failover');
  });
});

describe('alarm actions', () => {
  /** The topic each stack with alarms notifies (the stacks exist once beforeAll has run). */
  const TOPICS: [string, () => Stack][] = [
    ...REGIONS.map((region): [string, () => Stack] => [`payments-dev-${region}-alarms`, () => service(region)]),
    ['payments-dev-routing-alarms', () => workload.routing],
  ];

  it('gives every workload alarm (api-5xx, lambda-errors-*, replication-lag, health-check) an action on ALARM and on OK', () => {
    const withoutAction = workload.stacks.flatMap((stack) =>
      resourcesOf(stack, 'AWS::CloudWatch::Alarm')
        .filter(([, alarm]) => !(alarm.Properties.AlarmActions as unknown[] | undefined)?.length || !(alarm.Properties.OKActions as unknown[] | undefined)?.length)
        .map(([, alarm]) => alarm.Properties.AlarmName),
    );

    expect(workload.stacks.flatMap(alarmsOf).length).toBeGreaterThanOrEqual(2 * 7 + 2);
    expect(withoutAction).toEqual([]);
  });

  it.each(TOPICS)(
    'notifies %s, a TLS-only topic of the alarms’ own stack and region, encrypted with a rotated key CloudWatch may use',
    (topicName, stackOf) => {
      const stack = stackOf();
      const template = assertTemplate(stack);
      const [[topicId, topic]] = resourcesOf(stack, 'AWS::SNS::Topic').filter(([, t]) => t.Properties.TopicName === topicName) as [[string, { Properties: Record<string, unknown> }]];
      for (const [, alarm] of resourcesOf(stack, 'AWS::CloudWatch::Alarm')) {
        expect([alarm.Properties.AlarmName, alarm.Properties.AlarmActions, alarm.Properties.OKActions]).toEqual([alarm.Properties.AlarmName, [{ Ref: topicId }], [{ Ref: topicId }]]);
      }
      const keyId = (topic.Properties.KmsMasterKeyId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
      const [, key] = resourcesOf(stack, 'AWS::KMS::Key').find(([id]) => id === keyId)!;
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(JSON.stringify(key.Properties.KeyPolicy)).toContain('"Service":"cloudwatch.amazonaws.com"');
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topicId }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    },
  );
});

describe('execution roles', () => {
  const statementsOf = (stack: Stack) =>
    resourcesOf(stack, 'AWS::IAM::Policy').flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement);

  it('attach no AWS managed policy to the payment functions or the custom-resource function (AWSLambdaBasicExecutionRole writes every log group)', () => {
    const ours = workload.stacks.flatMap((stack) =>
      resourcesOf(stack, 'AWS::IAM::Role')
        .filter(([id]) => /^Functions|^AwsCustomResourceExecution/.test(id))
        .map(([id, role]) => [id, role.Properties.ManagedPolicyArns] as const),
    );

    expect(ours.length).toBeGreaterThanOrEqual(2 * 5 + 2);
    expect(ours.filter(([, managed]) => managed !== undefined)).toEqual([]);
  });

  it('let each payment function and the custom-resource function write only their own log group', () => {
    for (const stack of [service(PRIMARY), service(STANDBY), data(PRIMARY)]) {
      const functions = resourcesOf(stack, 'AWS::Lambda::Function').filter(([, fn]) => {
        const role = (fn.Properties.Role as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt']?.[0] ?? '';
        return /^Functions|^AwsCustomResourceExecution/.test(role);
      });
      expect(functions.length).toBeGreaterThan(0);
      for (const [id, fn] of functions) {
        const logGroupId = (fn.Properties.LoggingConfig as { LogGroup?: { Ref: string } } | undefined)?.LogGroup?.Ref;
        const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
        const logStatements = resourcesOf(stack, 'AWS::IAM::Policy')
          .filter(([, policy]) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
          .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement)
          .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('logs:')));
        expect([id, logStatements]).toEqual([id, [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } }]]);
      }
    }
    const wide = workload.stacks.flatMap(statementsOf).filter(
      (statement) => [statement.Action].flat().some((action) => action === 'logs:*' || action === '*') || ([statement.Action].flat().some((a) => a.startsWith('logs:')) && [statement.Resource].flat().includes('*')),
    );
    expect(wide).toEqual([]);
  });
});

describe('template checks', () => {
  it('leaves no cdk-nag AwsSolutions finding unacknowledged', () => {
    expect(runCdkNag(app)).toEqual([]);
  });

  it('gives every cdk-nag acknowledgement a reason', () => {
    const visit = (node: IConstruct): { id: string; reason: string }[] => [
      ...node.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ id, reason }))),
      ...node.node.children.flatMap(visit),
    ];
    const acknowledgements = visit(app).filter(({ id }) => id.includes('AwsSolutions'));

    expect(acknowledgements.length).toBeGreaterThan(0);
    expect(acknowledgements.filter(({ reason }) => reason.trim().length < 40)).toEqual([]);
  });

  it('passes cfn-lint', () => {
    expect(runCfnLint(templatePathsOf(app), { regions: [...REGIONS] })).toEqual([]);
  });
});
