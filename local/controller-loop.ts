import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DecideDeps } from '../handlers/decide/decide-record';
import { processBatch } from '../handlers/decide.handler';
import type { DrillEnvironment, QueueMessage } from './environment';

/**
 * The decide function's event source, run in-process: what Lambda's SQS event source mapping does
 * for the controller queue (batch size 10, ReportBatchItemFailures), against the drill's queue.
 *
 * - poll the queue for up to 10 messages with their system attributes;
 * - hand them to the decide handler's `processBatch` as the SQS event Lambda builds;
 * - delete the messages that are not in `batchItemFailures` (Lambda deletes a successful batch's
 *   messages; the failed ones stay and come back after the visibility timeout).
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
 */
export class ControllerLoop {
  /** Real milliseconds spent in `processBatch`: the controller's own overhead per event. */
  decideMs = 0;
  /** Records the decide handler reported as failed (left on the queue, as Lambda leaves them). */
  readonly failedRecords: { readonly messageId: string; readonly body: string }[] = [];
  private readonly context: Context;

  constructor(
    private readonly env: DrillEnvironment,
    private readonly queueArn: string,
    private readonly deps: DecideDeps,
  ) {
    this.context = lambdaContext(`${env.plan.names.prefix}-decide`, env.plan.controllerRegion, env.plan.account);
  }

  /** Process batches until the queue gives nothing; returns how many messages were processed. */
  async drain(): Promise<number> {
    let processed = 0;
    for (;;) {
      const messages = await this.env.receive();
      if (messages.length === 0) return processed;
      const event: SQSEvent = { Records: messages.map((m) => sqsRecord(m, this.queueArn, this.env.plan.controllerRegion)) };
      const started = performance.now();
      const { batchItemFailures } = await processBatch(event, this.context, this.deps);
      this.decideMs += performance.now() - started;
      const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
      for (const m of messages) if (failed.has(m.messageId)) this.failedRecords.push({ messageId: m.messageId, body: m.body });
      await this.env.remove(messages.filter((m) => !failed.has(m.messageId)));
      processed += messages.length;
    }
  }
}

/**
 * One record of the SQS event Lambda passes to the function.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#example-standard-queue-message-event
 */
export function sqsRecord(message: QueueMessage, queueArn: string, region: string): SQSRecord {
  const a = message.attributes;
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? a.SentTimestamp ?? String(Date.now()),
      ...(a.SequenceNumber !== undefined ? { SequenceNumber: a.SequenceNumber } : {}),
      ...(a.MessageGroupId !== undefined ? { MessageGroupId: a.MessageGroupId } : {}),
      ...(a.MessageDeduplicationId !== undefined ? { MessageDeduplicationId: a.MessageDeduplicationId } : {}),
    },
    messageAttributes: {},
    md5OfBody: message.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * The Lambda context of one in-process invocation of the decide function.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
 */
function lambdaContext(functionName: string, region: string, account: string): Context {
  const unsupported = () => {
    throw new Error('the drill invokes the decide handler with a promise; callback-style completion is not used');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'drctl-drill',
    getRemainingTimeInMillis: () => 30_000,
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
