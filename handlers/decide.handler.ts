import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Decision } from '../domain/decision';
import { decideRecord, type DecideDeps } from './decide/decide-record';
import { publisher } from './runtime/publisher-root';
import { settings } from './runtime/settings-root';
import { workflow } from './runtime/workflow-root';
import { deadLetters } from './runtime/dead-letters-root';
import { logger, metrics, MetricUnit, observed } from './runtime/observability';
import { stateStore } from './runtime/state-store-root';

/** One metric per decision, by action, plus the failover lifecycle counters the dashboard plots. */
export function countDecision(decision: Decision): void {
  const byAction = metrics.singleMetric();
  byAction.addDimension('action', decision.action);
  byAction.addMetric('Decisions', MetricUnit.Count, 1);
  if (decision.action === 'start-failover' && !decision.dryRun) metrics.addMetric('FailoversStarted', MetricUnit.Count, 1);
  if (decision.action === 'completed') metrics.addMetric('FailoversCompleted', MetricUnit.Count, 1);
  if (decision.action === 'halted') metrics.addMetric('FailoversHalted', MetricUnit.Count, 1);
}

/** The decide path's dependencies in Lambda: built once per container by the composition root. */
function lambdaDeps(): DecideDeps {
  return {
    config: settings().config,
    stateStore: stateStore(),
    workflow: workflow(),
    publisher: publisher(),
    deadLetters: deadLetters(),
    now: Date.now,
    log: {
      info: (message, extra) => logger.info(message, { ...extra }),
      warn: (message, extra) => logger.warn(message, { ...extra }),
      error: (message, extra) => logger.error(message, { ...extra }),
    },
    observe: countDecision,
  };
}

/**
 * Process one SQS FIFO batch from the controller queue (message group = app), record by record
 * in order. A record that throws (state store unreachable, workflow throttled) is reported in
 * `batchItemFailures` together with every later record of the batch, so SQS redelivers them in
 * order; the records before it are done. Unparseable records never throw: they go to the
 * dead-letter queue with their reason (see {@link decideRecord}).
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/batch/#fifo-queues
 */
export async function processBatch(event: SQSEvent, context: Context, deps: DecideDeps): Promise<SQSBatchResponse> {
  const processor = new SqsFifoPartialProcessorAsync();
  return processPartialResponse(event, (record: SQSRecord) => decideRecord(record.body, record.messageId, deps), processor, { context });
}

export const handler = observed((event: SQSEvent, context: Context) => processBatch(event, context, lambdaDeps()));
