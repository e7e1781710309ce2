import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { addPaymentWorkload, type PaymentWorkload, type PaymentWorkloadProps } from '../../infra/workload/payment-workload';
import { resolveWorkloadProps } from '../../infra/workload/workload-props';
import { runCdkNag, runCfnLint, templatePathsOf } from '../support/template-checks';

const VALID: PaymentWorkloadProps = { app: 'payments', envName: 'dev', regions: ['us-east-1', 'us-east-2'], domainName: 'payments-dev.example.com' };

describe('resolveWorkloadProps', () => {
  it('derives every shared name from app and envName and applies the documented defaults', () => {
    const config = resolveWorkloadProps(VALID);

    expect(config).toMatchObject({
      prefix: 'payments-dev',
      primaryRegion: 'us-east-1',
      standbyRegions: ['us-east-2'],
      controllerRegion: 'us-east-2',
      removalPolicy: RemovalPolicy.RETAIN,
      destroyable: false,
      parameterPrefix: '/payments/dev',
      globalClusterIdentifier: 'payments-dev-global',
      sessionsTableName: 'payments-dev-sessions',
      apiRecordName: 'api.payments-dev.example.com',
      paymentsTableName: 'payments-dev-payments',
      paymentsWitnessRegion: 'us-west-2',
      maxPaymentAmount: 1_000_000,
      apiTokenSecretName: 'payments-dev/api/token-key',
    });
    expect(config.parameterName('active-region')).toBe('/payments/dev/active-region');
    expect(config.documentsBucketName('us-east-2', '123456789012')).toBe('payments-dev-documents-123456789012-us-east-2');
    expect(existsSync(join(config.lambdaEntryDir, 'process-payment.handler.ts'))).toBe(true);
  });

  it.each([
    [{ envName: 'Dev' }, "envName must be 1-8 lowercase letters or digits starting with a letter (e.g. 'dev'), got 'Dev'"],
    [{ app: 'pay_ments' }, "app must be 1-12 lowercase letters or digits starting with a letter (e.g. 'payments'), got 'pay_ments'"],
    [{ regions: ['us-east-1'] }, 'regions must list at least two regions, primary first'],
    [{ regions: ['us-east-1', 'us-east-1'] }, 'regions must not repeat a region, got [us-east-1, us-east-1]'],
    [{ regions: ['us-east-1', 'mars-1'] }, "regions has 'mars-1', which is not a region name like 'us-east-1'"],
    [{ account: '1234' }, "account must be a 12-digit AWS account id or left out, got '1234'"],
    [{ domainName: 'Example.com.' }, "domainName must be a lowercase DNS name without a trailing dot (e.g. 'payments-dev.example.com'), got 'Example.com.'"],
    [{ controllerRegion: 'east' }, "controllerRegion must be a region name like 'us-east-2', got 'east'"],
    [{ regions: ['us-east-1', 'eu-west-1'] }, 'regions must all be in one DynamoDB multi-Region strong consistency Region set'],
    [{ paymentsWitnessRegion: 'us-east-2' }, "paymentsWitnessRegion must be a US Region other than [us-east-1, us-east-2] (us-east-1, us-east-2, us-west-2), got 'us-east-2'"],
    [{ maxPaymentAmount: 0.5 }, 'maxPaymentAmount must be a whole number of major units from 1 to 999999999999, got 0.5'],
  ] as const)('refuses %j with a message naming the field and the fix', (override, message) => {
    expect(() => resolveWorkloadProps({ ...VALID, ...override })).toThrow(message);
  });

  it('lists every problem at once', () => {
    expect(() => resolveWorkloadProps({ ...VALID, envName: '', domainName: '' })).toThrow(/envName must be[\s\S]*\n- domainName must be/);
  });
});

describe('addPaymentWorkload for a destroyable three-region environment in a named account', () => {
  // Three regions of one MRSC Region set: the payments table has three replicas and no witness.
  const REGIONS = ['us-west-2', 'us-east-1', 'us-east-2'];
  let app: App;
  let workload: PaymentWorkload;
  /** The template of `stack`, to assert on (named so lint sees the assertions it makes). */
  const assertTemplate = (stack: Stack | undefined) => Template.fromStack(stack as Stack);

  beforeAll(() => {
    // No esbuild bundling and no built-in validation: this suite is about wiring; workload.test.ts bundles.
    app = new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
    workload = addPaymentWorkload(app, {
      app: 'shop',
      envName: 'test1',
      regions: REGIONS,
      account: '123456789012',
      domainName: 'shop-test1.example.org',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    app.synth();
  }, 180_000);

  afterAll(() => rmSync(app.outdir, { recursive: true, force: true }));

  it('puts the primary in the first region, routing in us-east-1 and the controller panel in the first standby, with no context lookup', () => {
    expect(workload.stacks.map((stack) => `${stack.stackName}@${stack.region}@${stack.account}`)).toContain('shop-test1-routing@us-east-1@123456789012');
    expect(app.synth().manifest.missing ?? []).toEqual([]);
    assertTemplate(workload.data['us-west-2']).resourceCountIs('AWS::RDS::GlobalCluster', 1);
    assertTemplate(workload.data['us-east-1']).hasResourceProperties('AWS::RDS::DBCluster', { GlobalClusterIdentifier: 'shop-test1-global' });
    expect(JSON.stringify(assertTemplate(workload.services['us-east-2']).toJSON())).toContain(':states:us-east-1:123456789012:stateMachine:shop-test1-failover');
  });

  it('replicates the table and the documents bucket into every standby region', () => {
    const primaryStorage = JSON.stringify(assertTemplate(workload.storage['us-west-2']).toJSON());

    expect(primaryStorage).toContain('"Id":"replicate-to-us-east-1"');
    expect(primaryStorage).toContain('"Id":"replicate-to-us-east-2"');
    expect(primaryStorage).toContain('shop-test1-documents-123456789012-us-east-2');
    assertTemplate(workload.data['us-west-2']).hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: Match.arrayWith([Match.objectLike({ Region: 'us-east-2', DeletionProtectionEnabled: false })]),
    });
    assertTemplate(workload.data['us-west-2']).hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'shop-test1-payments',
      MultiRegionConsistency: 'STRONG',
      GlobalTableWitnesses: Match.absent(),
      Replicas: Match.arrayWith([...REGIONS].sort().map((region) => Match.objectLike({ Region: region }))),
    });
    expect(workload.signals.filter((signal) => signal.kind === 'health-check').map((signal) => signal.region)).toEqual(REGIONS);
  });

  it('weights only the primary region 100', () => {
    const weights = Object.values(assertTemplate(workload.routing).findResources('AWS::Route53::RecordSet')).map((record) => [
      record.Properties.SetIdentifier,
      record.Properties.Weight,
    ]);

    expect(weights).toEqual([
      ['us-west-2', 100],
      ['us-east-1', 0],
      ['us-east-2', 0],
    ]);
  });

  it('turns off deletion protection and deletes data and emptied buckets with the stacks', () => {
    const primaryData = assertTemplate(workload.data['us-west-2']);

    primaryData.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ DeletionProtection: false }) });
    primaryData.hasResource('AWS::RDS::GlobalCluster', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ DeletionProtection: false }) });
    primaryData.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
    assertTemplate(workload.storage['us-east-2']).resourceCountIs('Custom::S3AutoDeleteObjects', 2);
  });

  it('leaves no cdk-nag finding unacknowledged and passes cfn-lint', () => {
    expect(runCdkNag(app)).toEqual([]);
    expect(runCfnLint(templatePathsOf(app), { regions: REGIONS })).toEqual([]);
  });
});
