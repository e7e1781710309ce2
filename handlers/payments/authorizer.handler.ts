import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { verifyApiToken } from './api-token';
import { once, requireEnv, SSM_CLIENT_DEADLINES } from './payments-runtime';
import { MetricUnit, observability, observed, type Observability } from '../runtime/observability';

export interface AuthorizerDeps extends Observability {
  /** The API's public name every Region serves (`TOKEN_AUDIENCE`, e.g. `api.payments-dev.example.com`). */
  readonly audience: string;
  /** Name of the Secrets Manager secret holding the signing key (`TOKEN_SECRET_ID`), replicated to every Region. */
  readonly secretId: string;
  readonly ssm: SSMProvider;
  /** Epoch milliseconds. */
  readonly now: () => number;
}

/** How long the signing key is reused before it is read again, in seconds. */
export const KEY_MAX_AGE_SECONDS = 300;

/** The bearer scheme API Gateway's identity validation expression admits; the token follows it. */
const BEARER = /^Bearer ([A-Za-z0-9_.-]+)$/;

/**
 * Parameter Store name of a Secrets Manager secret: `GetParameter` with decryption on it returns the
 * secret's value, so the function needs only the SSM client (the Secrets Manager client is not in
 * this project's dependencies). The secret is a multi-Region secret, so each Region reads its own
 * replica, with the same value.
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/integration-ps-secretsmanager.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html
 */
export function secretReferenceName(secretId: string): string {
  return `/aws/reference/secretsmanager/${secretId}`;
}

/** `arn:…:<apiId>/<stage>/*`: every method of the stage, so a cached policy fits each of them. */
function stageWildcard(methodArn: string): string {
  const [prefix = '', stage = '*'] = methodArn.split('/');
  return `${prefix}/${stage}/*`;
}

function policy(principalId: string, effect: 'Allow' | 'Deny', resource: string, context?: Record<string, string>): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
    ...(context && { context }),
  };
}

/**
 * Lambda TOKEN authorizer of the payment methods: allows a request whose `Authorization: Bearer
 * <token>` carries an API token ({@link verifyApiToken}) for this API's public name, signed with the
 * key every Region shares. The same token works in every Regional stage behind the one name.
 *
 * A bad token gets an explicit Deny (API Gateway answers 403) rather than a thrown error: a
 * thrown error is a function error, which would let anyone with a bad token drive this Region's
 * Lambda-error alarm and so the DR controller. A key that cannot be read *is* thrown: the Region
 * cannot authorize anyone, API Gateway answers 500 and the Region's alarms see it. The policy
 * covers the whole stage and carries `clientId` (the token's `sub`) in the context.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
 */
export async function fn(event: APIGatewayTokenAuthorizerEvent, deps: AuthorizerDeps): Promise<APIGatewayAuthorizerResult> {
  const token = BEARER.exec(event.authorizationToken ?? '')?.[1] ?? '';
  const key = await deps.ssm.get(secretReferenceName(deps.secretId), { decrypt: true, maxAge: KEY_MAX_AGE_SECONDS });
  if (typeof key !== 'string' || key.length === 0) throw new Error(`the API token key ${deps.secretId} is empty or missing`);
  const check = verifyApiToken(token, key, deps.audience, Math.floor(deps.now() / 1000));
  if (!check.ok) {
    deps.logger.info('token refused', { reason: check.reason });
    deps.metrics.addMetric('TokenRefused', MetricUnit.Count, 1);
    return policy('anonymous', 'Deny', stageWildcard(event.methodArn));
  }
  deps.metrics.addMetric('TokenAccepted', MetricUnit.Count, 1);
  return policy(check.claims.sub, 'Allow', stageWildcard(event.methodArn), { clientId: check.claims.sub });
}

const runtimeDeps = once(
  (): AuthorizerDeps => ({
    audience: requireEnv('TOKEN_AUDIENCE'),
    secretId: requireEnv('TOKEN_SECRET_ID'),
    ssm: new SSMProvider({ awsSdkV3Client: new SSMClient(SSM_CLIENT_DEADLINES) }),
    ...observability,
    now: Date.now,
  }),
);

export const handler = observed((event: APIGatewayTokenAuthorizerEvent) => fn(event, runtimeDeps()));
