import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { apiMethod, badRequest, fieldErrors, jsonResponse, notificationSchema, readJsonBody } from './payment.schema';
import { once, requireEnv } from './payments-runtime';
import { MetricUnit, observability, observed, type Observability } from '../runtime/observability';

export interface NotifyDeps extends Observability {
  readonly topicArn: string;
  readonly sns: SNSClient;
}

/**
 * POST /payment/notify: publishes a payment notification to the topic. The message is the body's
 * `message`; `channel` (`email` unless given), `userId` and `transactionId` travel as String
 * message attributes, so subscriptions can filter on them. 202 with the SNS `MessageId`, or 400
 * naming every bad field. Everything SNS would refuse as a bad parameter (empty attribute values,
 * characters outside SNS's set, messages over the SMS length) is refused here with a 400 first,
 * so an SNS `InvalidParameter` can only mean a deployment fault (500).
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html
 */
export const fn = apiMethod(async (event, deps: NotifyDeps): Promise<APIGatewayProxyResult> => {
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
});

const runtimeDeps = once((): NotifyDeps => ({ topicArn: requireEnv('TOPIC_ARN'), sns: new SNSClient({}), ...observability }));

export const handler = observed((event: APIGatewayProxyEvent) => fn(event, runtimeDeps()));
