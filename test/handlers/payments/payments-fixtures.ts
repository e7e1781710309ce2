import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetParametersCommand, type GetParametersCommandInput, type SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/** A REST API (v1 payload) Lambda proxy event, shaped as API Gateway documents it. */
export function apiEvent(init: {
  readonly method?: string;
  readonly path?: string;
  readonly body?: string | null;
  readonly headers?: Record<string, string>;
  readonly isBase64Encoded?: boolean;
}): APIGatewayProxyEvent {
  const method = init.method ?? 'POST';
  const path = init.path ?? '/payment/validate';
  const headers = { 'Content-Type': 'application/json', ...init.headers };
  return {
    resource: path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: init.body === undefined ? null : init.body,
    isBase64Encoded: init.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '192.0.2.1',
        user: null,
        userAgent: 'jest',
        userArn: null,
      },
      path: `/prod${path}`,
      stage: 'prod',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: 1_700_000_000_000,
      resourceId: 'res123',
      resourcePath: path,
    },
  };
}

/** A Lambda context for invoking the middy-wrapped `handler`. */
export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: '8f5e2a1c-0000-4000-8000-000000000001',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/26/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Silent logger and disabled metrics for injected dependencies (see test/setup-env.ts). */
export function quietObservability(): { logger: Logger; metrics: Metrics } {
  return { logger: new Logger({ logLevel: 'SILENT' }), metrics: new Metrics({ namespace: 'test' }) };
}

/**
 * Answer `GetParameters` the way Parameter Store does: found names in `Parameters`, the others
 * in `InvalidParameters`.
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html
 */
export function answerGetParameters(ssm: AwsClientStub<SSMClient>, values: Record<string, string>): void {
  ssm.on(GetParametersCommand).callsFake((input: GetParametersCommandInput) => {
    const names = input.Names ?? [];
    return {
      Parameters: names
        .filter((name) => name in values)
        .map((name) => ({
          Name: name,
          Type: 'String',
          Value: values[name],
          Version: 1,
          DataType: 'text',
          ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name}`,
        })),
      InvalidParameters: names.filter((name) => !(name in values)),
    };
  });
}

/** The parsed JSON body of a proxy response. */
export function bodyOf(result: APIGatewayProxyResult): Record<string, unknown> {
  return JSON.parse(result.body) as Record<string, unknown>;
}

/** The `field` of every entry of a 400 response's `errors`. */
export function fieldsOf(result: APIGatewayProxyResult): string[] {
  return (bodyOf(result).errors as { field: string }[]).map((e) => e.field);
}
