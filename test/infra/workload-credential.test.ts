import { rmSync } from 'node:fs';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { signApiToken } from '../../handlers/payments/api-token';
import { fn, secretReferenceName } from '../../handlers/payments/authorizer.handler';
import { addPaymentWorkload, type PaymentWorkload } from '../../infra/workload/payment-workload';
import { quietObservability } from '../handlers/payments/payments-fixtures';

/**
 * One client credential in both regions, from the synthesized stacks: each region's authorizer is
 * run with exactly the configuration its template gives it (environment, identity validation), each
 * reading its own region's replica of the key secret, and both must accept the same token.
 */
const REGIONS = ['us-east-1', 'us-east-2'] as const;
const REPLICATED_KEY = 'Zx'.repeat(32);
const NOW_MS = Date.UTC(2026, 10, 26, 12, 0, 0);

let app: App;
let workload: PaymentWorkload;

beforeAll(() => {
  app = new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
  workload = addPaymentWorkload(app, { app: 'payments', envName: 'dev', regions: [...REGIONS], domainName: 'payments-dev.example.com' });
  app.synth();
}, 180_000);

afterAll(() => rmSync(app.outdir, { recursive: true, force: true }));

interface RegionalAuthorizer {
  readonly environment: Record<string, string>;
  readonly identitySource: string;
  readonly validationExpression: string;
}

function authorizerOf(region: string): RegionalAuthorizer {
  const template = Template.fromStack(workload.services[region] as Stack);
  const functions = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: `payments-dev-${region}-authorizer` } }));
  const [authorizer] = Object.values(template.findResources('AWS::ApiGateway::Authorizer'));
  return {
    environment: (functions[0]?.Properties.Environment as { Variables: Record<string, string> }).Variables,
    identitySource: String(authorizer?.Properties.IdentitySource),
    validationExpression: String(authorizer?.Properties.IdentityValidationExpression),
  };
}

describe('one client credential, both regional stages', () => {
  it('is accepted by the authorizer of each region as its template configures it, reading that region\'s replica of the key', async () => {
    const token = signApiToken({ sub: 'merchant-42', aud: 'api.payments-dev.example.com', exp: NOW_MS / 1000 + 3600 }, REPLICATED_KEY);
    const header = `Bearer ${token}`;

    for (const region of REGIONS) {
      const { environment, identitySource, validationExpression } = authorizerOf(region);
      const regionalClient = new SSMClient({ region });
      // Secrets Manager replication gives every region the primary's value under the same name.
      mockClient(regionalClient)
        .on(GetParameterCommand, { Name: secretReferenceName(environment.TOKEN_SECRET_ID as string), WithDecryption: true })
        .resolves({ Parameter: { Name: secretReferenceName(environment.TOKEN_SECRET_ID as string), Type: 'SecureString', Value: REPLICATED_KEY } });

      const result = await fn(
        { type: 'TOKEN', authorizationToken: header, methodArn: `arn:aws:execute-api:${region}:123456789012:api${region.slice(-1)}/prod/POST/payment/process` },
        {
          audience: environment.TOKEN_AUDIENCE as string,
          secretId: environment.TOKEN_SECRET_ID as string,
          ssm: new SSMProvider({ awsSdkV3Client: regionalClient }),
          now: () => NOW_MS,
          ...quietObservability(),
        },
      );

      expect(identitySource).toBe('method.request.header.Authorization');
      expect(header).toMatch(new RegExp(validationExpression));
      expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow', Resource: `arn:aws:execute-api:${region}:123456789012:api${region.slice(-1)}/prod/*` });
    }
  });

  it('configures both regions identically, with nothing regional in what a token must match', () => {
    const [primary, standby] = REGIONS.map(authorizerOf);

    expect(primary?.environment.TOKEN_AUDIENCE).toBe('api.payments-dev.example.com');
    expect(standby?.environment.TOKEN_AUDIENCE).toBe(primary?.environment.TOKEN_AUDIENCE);
    expect(standby?.environment.TOKEN_SECRET_ID).toBe(primary?.environment.TOKEN_SECRET_ID);
    expect(standby?.validationExpression).toBe(primary?.validationExpression);
  });

  it('keeps the key in one secret, replicated to the standby region under the name both authorizers read', () => {
    const secrets = Object.values(Template.fromStack(workload.data['us-east-1'] as Stack).findResources('AWS::SecretsManager::Secret'));
    const key = secrets.find((secret) => secret.Properties.Name === authorizerOf('us-east-1').environment.TOKEN_SECRET_ID);

    expect(key?.Properties.ReplicaRegions).toEqual([{ Region: 'us-east-2' }]);
  });
});
