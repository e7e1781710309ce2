import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { signApiToken, type ApiTokenClaims } from '../../../handlers/payments/api-token';
import { fn, secretReferenceName, type AuthorizerDeps } from '../../../handlers/payments/authorizer.handler';
import { quietObservability } from './payments-fixtures';

const KEY = 'k'.repeat(64);
const AUDIENCE = 'api.payments-dev.example.com';
const NOW_MS = Date.UTC(2026, 10, 26, 12, 0, 0);
const NOW = NOW_MS / 1000;
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/payment/process';
const claims: ApiTokenClaims = { sub: 'merchant-42', aud: AUDIENCE, exp: NOW + 3600, iat: NOW };

const ssm = mockClient(SSMClient);

function deps(): AuthorizerDeps {
  return {
    audience: AUDIENCE,
    secretId: 'payments-dev/api/token-key',
    ssm: new SSMProvider({ awsSdkV3Client: new SSMClient({ region: 'us-east-1' }) }),
    now: () => NOW_MS,
    ...quietObservability(),
  };
}

function authorize(authorizationToken: string) {
  const event: APIGatewayTokenAuthorizerEvent = { type: 'TOKEN', authorizationToken, methodArn: METHOD_ARN };
  return fn(event, deps());
}

const effectOf = (result: Awaited<ReturnType<typeof fn>>) => (result.policyDocument.Statement[0] as { Effect: string }).Effect;

beforeEach(() => {
  ssm.reset();
  // GetParameter on the Secrets Manager reference answers with the secret's value.
  ssm.on(GetParameterCommand, { Name: secretReferenceName('payments-dev/api/token-key'), WithDecryption: true }).resolves({
    Parameter: { Name: secretReferenceName('payments-dev/api/token-key'), Type: 'SecureString', Value: KEY, Version: 1 },
  });
});

describe('authorizer handler', () => {
  it('allows a valid token for the whole stage and passes the client id on', async () => {
    const result = await authorize(`Bearer ${signApiToken(claims, KEY)}`);

    expect(result).toEqual({
      principalId: 'merchant-42',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*' }],
      },
      context: { clientId: 'merchant-42' },
    });
  });

  it.each<[string, () => string]>([
    ['signed with another key', () => signApiToken(claims, 'another-key')],
    ['for another audience (a regional host)', () => signApiToken({ ...claims, aud: 'abc123.execute-api.us-east-1.amazonaws.com' }, KEY)],
    ['expired beyond the clock skew', () => signApiToken({ ...claims, exp: NOW - 61 }, KEY)],
    ['not valid yet', () => signApiToken({ ...claims, nbf: NOW + 120 }, KEY)],
    ['unsigned (alg none)', () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.AA`],
    ['tampered', () => signApiToken(claims, KEY).replace(/\.([^.]+)\./, `.${Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url')}.`)],
    ['not a JWS', () => 'hello'],
  ])('denies a token %s, without a function error', async (_case, token) => {
    const result = await authorize(`Bearer ${token()}`);

    expect(effectOf(result)).toBe('Deny');
    expect(result.principalId).toBe('anonymous');
  });

  it('denies a header without the bearer scheme', async () => {
    expect(effectOf(await authorize(signApiToken(claims, KEY)))).toBe('Deny');
  });

  it('fails (API Gateway answers 500, the region looks unhealthy) when the key cannot be read', async () => {
    ssm.reset();
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));

    await expect(authorize(`Bearer ${signApiToken(claims, KEY)}`)).rejects.toThrow();
  });
});
