import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { badRequest, fieldErrors, jsonResponse, notificationSchema, readJsonBody, unexpectedError } from './payment.schema';
import { logger, metrics, once, requireEnv } from './payments-runtime';

export interface NotifyDeps {
  readonly topicArn: string;
  readonly sns: SNSClient;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * POST /payment/notify: publishes a payment notification to the topic. The message is the body's
 * `message`; `channel` (`email` unless given), `userId` and `transactionId` travel as String
 * message attributes, so subscriptions can filter on them. 202 with the SNS `MessageId`, or 400
 * naming every bad field.
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html
 */
export async function fn(event: APIGatewayProxyEvent, deps: NotifyDeps): Promise<APIGatewayProxyResult> {
  try {
    const body = readJsonBody(event);
    if (!body.ok) return badRequest([body.error]);
    const parsed = notificationSchema.safeParse(body.value);
    if (!parsed.success) return badRequest(fieldErrors(parsed.error, 'body', 'body'));
    const { transactionId, userId, channel, message } = parsed.data;

    const result = await deps.sns.send(
      new PublishCommand({
        TopicArn: deps.topicArn,
        Message: message,
        MessageAttributes: {
          channel: { DataType: 'String', StringValue: channel },
          userId: { DataType: 'String', StringValue: userId },
          transactionId: { DataType: 'String', StringValue: transactionId },
        },
      }),
    );
    deps.logger.info('notification published', { transactionId, channel, messageId: result.MessageId });
    deps.metrics.addMetric('NotificationPublished', MetricUnit.Count, 1);
    return jsonResponse(202, { messageId: result.MessageId, transactionId, channel });
  } catch (error) {
    return unexpectedError(deps.logger, error, event);
  }
}

const runtimeDeps = once((): NotifyDeps => ({ topicArn: requireEnv('TOPIC_ARN'), sns: new SNSClient({}), logger, metrics }));

export const handler = middy((event: APIGatewayProxyEvent) => fn(event, runtimeDeps()))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
