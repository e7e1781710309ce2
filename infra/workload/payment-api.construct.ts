import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import * as z from 'zod';
import { notificationSchema, paymentSchema } from '../../handlers/payments/payment.schema';
import type { PaymentFunctionName } from './payment-functions.construct';

/** Stage of every regional API; the health check probes `/<stage>/health`. */
export const API_STAGE = 'prod';

/**
 * Stage-wide throttling: steady-state requests per second and burst.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
 */
export const API_THROTTLE = { rateLimit: 10_000, burstLimit: 5_000 } as const;

/** Props of {@link PaymentApi}. */
export interface PaymentApiProps {
  /** Physical-name prefix of this region's resources, e.g. `payments-dev-us-east-1`. */
  readonly namePrefix: string;
  readonly functions: Readonly<Record<PaymentFunctionName, lambda.IFunction>>;
  /** Public name every region serves, e.g. `api.payments-dev.example.com` (the weighted records' name). */
  readonly domainName: string;
  /** Hosted zone of `domainName`, for the certificate's DNS validation. */
  readonly hostedZone: route53.IHostedZone;
  /** Removal policy of the access-log group. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * What API Gateway requires of the `Authorization` header before it invokes the authorizer: the
 * bearer scheme and a compact JWS. A request without it is answered 401 by API Gateway alone.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/configure-api-gateway-lambda-authorization.html
 */
export const AUTHORIZATION_HEADER_PATTERN = '^Bearer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$';

/** How long API Gateway reuses an authorizer decision for the same token. */
export const AUTHORIZER_CACHE_SECONDS = 300;

/**
 * An API Gateway model schema (JSON Schema draft 4) generated from the handler's own zod schema,
 * so API Gateway and the function can never disagree on what a valid body is: lengths, patterns,
 * enums and `additionalProperties: false` reach the model. Rules JSON Schema cannot express (the
 * currency's decimals, the configured maximum, SNS's character set) stay in the function.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html
 */
export function modelSchemaOf(schema: z.ZodType): apigateway.JsonSchema {
  const { $schema: _draft, ...rest } = z.toJSONSchema(schema, { target: 'draft-4', io: 'input' });
  // JSON Schema draft 4 is exactly what JsonSchema models; only its enums are nominal types.
  return { schema: apigateway.JsonSchemaVersion.DRAFT4, ...(rest as unknown as apigateway.JsonSchema) };
}

/**
 * One region's REST API (regional endpoint, stage `prod`):
 *
 * - `POST /payment/validate|process|notify`, authorized by the Lambda TOKEN authorizer (`Authorization:
 *   Bearer <API token>`, one token valid in every region; see `handlers/payments/api-token.ts`),
 *   each with a request model carrying every limit JSON Schema can express (lengths, patterns,
 *   enums, no unknown fields) and a validator (`process` also requires the `Idempotency-Key`
 *   header). Validation failures answer 400 with API Gateway's list of what is wrong. IAM (SigV4)
 *   is not used: its signature's credential scope names the region, so a request signed for one
 *   region is refused by the other behind the same name, and the API Gateway developer guide
 *   documents SigV4 for IAM authorization of REST APIs but not the multi-Region SigV4a (undocumented
 *   behaviour is nothing a failover should depend on).
 * - `GET /health`, unauthenticated (Route 53 health checkers cannot sign requests): 200 only when
 *   the region can serve (database reachable, not fenced).
 * - Stage throttling 10,000 rps / burst 5,000, JSON access logs, execution logs at ERROR.
 * - The custom domain `domainName` (regional, TLS 1.2, ACM certificate validated in the hosted
 *   zone), the alias target of this region's weighted record.
 * - A regional WAF web ACL with the AWS common and known-bad-inputs rule groups.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html (IAM authorization signs with SigV4)
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html (SigV4 and SigV4a)
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-regional-api-custom-domain-create.html
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html
 */
export class PaymentApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly accessLogs: logs.LogGroup;
  readonly authorizer: apigateway.TokenAuthorizer;

  constructor(scope: Construct, id: string, props: PaymentApiProps) {
    super(scope, id);
    const apiName = `${props.namePrefix}-api`;

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      logGroupName: `/${props.namePrefix}/api-access`,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.removalPolicy,
    });

    const certificate = new acm.Certificate(this, 'Certificate', {
      domainName: props.domainName,
      validation: acm.CertificateValidation.fromDns(props.hostedZone),
    });

    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: apiName,
      description: `payment API in ${props.namePrefix}`,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: props.removalPolicy,
      deployOptions: {
        stageName: API_STAGE,
        throttlingRateLimit: API_THROTTLE.rateLimit,
        throttlingBurstLimit: API_THROTTLE.burstLimit,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        metricsEnabled: true,
      },
      domainName: {
        domainName: props.domainName,
        certificate,
        endpointType: apigateway.EndpointType.REGIONAL,
        securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
      },
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'AWS managed policy of the account-level role API Gateway uses to write execution logs; kept so AWS maintains it.',
    });

    this.api.addGatewayResponse('BadRequestBody', {
      type: apigateway.ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      templates: { 'application/json': '{"message":"invalid request body: $context.error.validationErrorString"}' },
    });
    this.api.addGatewayResponse('BadRequestParameters', {
      type: apigateway.ResponseType.BAD_REQUEST_PARAMETERS,
      statusCode: '400',
      templates: { 'application/json': '{"message":"invalid request: $context.error.validationErrorString"}' },
    });

    const bodyValidator = this.api.addRequestValidator('BodyValidator', { validateRequestBody: true });
    const bodyAndHeadersValidator = this.api.addRequestValidator('BodyAndHeadersValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const paymentModel = this.api.addModel('PaymentModel', { contentType: 'application/json', modelName: 'Payment', schema: modelSchemaOf(paymentSchema) });
    const notificationModel = this.api.addModel('NotificationModel', {
      contentType: 'application/json',
      modelName: 'Notification',
      schema: modelSchemaOf(notificationSchema),
    });

    this.authorizer = new apigateway.TokenAuthorizer(this, 'TokenAuthorizer', {
      authorizerName: `${apiName}-token`,
      handler: props.functions.authorizer,
      identitySource: apigateway.IdentitySource.header('Authorization'),
      validationRegex: AUTHORIZATION_HEADER_PATTERN,
      resultsCacheTtl: Duration.seconds(AUTHORIZER_CACHE_SECONDS),
    });

    const payment = this.api.root.addResource('payment');
    const post = (path: string, fn: lambda.IFunction, options: apigateway.MethodOptions) =>
      payment.addResource(path).addMethod('POST', new apigateway.LambdaIntegration(fn), {
        authorizationType: apigateway.AuthorizationType.CUSTOM,
        authorizer: this.authorizer,
        ...options,
      });
    post('validate', props.functions['validate-payment'], { requestModels: { 'application/json': paymentModel }, requestValidator: bodyValidator });
    post('process', props.functions['process-payment'], {
      requestModels: { 'application/json': paymentModel },
      requestParameters: { 'method.request.header.Idempotency-Key': true },
      requestValidator: bodyAndHeadersValidator,
    });
    post('notify', props.functions.notify, { requestModels: { 'application/json': notificationModel }, requestValidator: bodyValidator });

    const health = this.api.root.addResource('health').addMethod('GET', new apigateway.LambdaIntegration(props.functions.health), {
      authorizationType: apigateway.AuthorizationType.NONE,
    });
    for (const rule of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
      Validations.of(health).acknowledge({
        id: rule,
        reason: 'GET /health is probed by Route 53 health checkers, which cannot sign or authenticate requests; it returns only readiness.',
      });
    }
    for (const method of this.api.methods.filter((candidate) => candidate !== health)) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'The payment methods use a Lambda token authorizer: callers are backend services holding an API token valid in every region; ' +
          'a Cognito user pool is regional and would be one more thing the failed region takes down.',
      });
    }

    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: apiName,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: apiName, sampledRequestsEnabled: true },
      rules: ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'].map((name, priority) => ({
        name,
        priority,
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
        visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `${apiName}-${name}`, sampledRequestsEnabled: true },
      })),
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: webAcl.attrArn });
  }
}
