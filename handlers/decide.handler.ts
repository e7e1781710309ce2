import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Decision } from '../domain/decision';
import { decideRecord, type DecideDeps, type DecidePathMetric } from './decide/decide-record';
import { alarmStates } from './runtime/alarm-states-root';
import { wakeUps } from './runtime/wake-ups-root';
import { publisher } from './runtime/publisher-root';
import { settings } from './runtime/settings-root';
import { workflow } from './runtime/workflow-root';
import { deadLetters } from './runtime/dead-letters-root';
import { logger, metrics, MetricUnit, observed } from './runtime/observability';
import { stateStore } from './runtime/state-store-root';
import { configStore } from './runtime/config-store-root';
import { activeRegionFromConfigStore } from './decide/safe-mode';
import type { CallDeadline } from './steps/step-registry';

/** Deadline of one region's parameter read when an acknowledge rebuilds an unreadable state. */
const OBSERVE_CALL: CallDeadline = { connectTimeoutMs: 1_000, requestTimeoutMs: 2_000, attempts: 2, backoffMs: 200 };

/**
 * Every decision counts twice as `Decisions`: once with only Powertools' default `service`
 * dimension, the series the `<prefix>-controller-no-decisions` alarm watches (CloudWatch matches
 * an alarm's metric by its exact dimension set, so the `service`+`action` series alone would leave
 * that alarm breaching on missing data forever), and once by `action` (a single-metric blob of its
 * own, so the extra dimension reaches no other metric) for the dashboard. The failover lifecycle
 * counters (`FailoversStarted`, `FailoversCompleted`, `FailoversHalted`: the last one pages) carry
 * only the `service` dimension too.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension (a metric is its name and its exact dimension set)
 * @see https://docs.aws.amazon.com/powertools/typescript/latest/features/metrics/#single-metric
 */
export function countDecision(decision: Decision): void {
  metrics.addMetric('Decisions', MetricUnit.Count, 1);
  const byAction = metrics.singleMetric();
  byAction.addDimension('action', decision.action);
  byAction.addMetric('Decisions', MetricUnit.Count, 1);
  if (decision.action === 'start-failover' && !decision.dryRun) metrics.addMetric('FailoversStarted', MetricUnit.Count, 1);
  if (decision.action === 'completed') metrics.addMetric('FailoversCompleted', MetricUnit.Count, 1);
  if (decision.action === 'halted') metrics.addMetric('FailoversHalted', MetricUnit.Count, 1);
}

const METRIC_UNITS: Readonly<Record<DecidePathMetric, (typeof MetricUnit)[keyof typeof MetricUnit]>> = {
  Ticks: MetricUnit.Count,
  ReconcileFailures: MetricUnit.Count,
  FailoverInFlightSeconds: MetricUnit.Seconds,
  StateUnreadable: MetricUnit.Count,
  DeadLetterFailures: MetricUnit.Count,
  Halted: MetricUnit.Count,
};

/**
 * The decide path's own metrics, which the controller's alarms watch: `Ticks` (one per tick:
 * missing data means the schedule stopped), `ReconcileFailures` (a region's alarms or the
 * execution could not be read), `FailoverInFlightSeconds` (age of the failover in flight, per
 * tick), `StateUnreadable` (one per event decided in safe mode: the stored state is corrupt or
 * inconsistent and automatic action stopped until an operator acknowledges), `DeadLetterFailures`
 * (a rejected record the dead-letter queue refused: it is only in the logs).
 */
export function countDecidePath(name: DecidePathMetric, value: number): void {
  metrics.addMetric(name, METRIC_UNITS[name], value);
}

/**
 * How the decide path's measurements reach CloudWatch in Lambda: `observe` and `metric` of
 * {@link DecideDeps}. Every metric goes to the shared Powertools instance (namespace
 * `DrController`, default dimension `service` = `dr-controller`, flushed as EMF after each
 * invocation by `observed`), so each carries exactly the dimensions the controller's alarms
 * (`infra/controller/controller-alarms.construct.ts`) watch.
 */
export const DECIDE_METRICS: Required<Pick<DecideDeps, 'observe' | 'metric'>> = { observe: countDecision, metric: countDecidePath };

/** The decide path's dependencies in Lambda: built once per container by the composition root. */
function lambdaDeps(): DecideDeps {
  const { config, resources } = settings();
  const wake = wakeUps();
  return {
    config,
    stateStore: stateStore(),
    workflow: workflow(),
    publisher: publisher(),
    deadLetters: deadLetters(),
    alarmStates: alarmStates(),
    ...(wake ? { wakeUps: wake } : {}),
    controllerRegion: resources.controllerRegion,
    // Needs ssm:GetParameters on the app's parameters in every region (as the operator role has).
    observeActiveRegion: () => activeRegionFromConfigStore(configStore(OBSERVE_CALL), config),
    now: Date.now,
    log: {
      info: (message, extra) => logger.info(message, { ...extra }),
      warn: (message, extra) => logger.warn(message, { ...extra }),
      error: (message, extra) => logger.error(message, { ...extra }),
    },
    ...DECIDE_METRICS,
  };
}

/**
 * Process one SQS FIFO batch from the controller queue (message group = app), record by record
 * in order. Only a transient failure makes a record throw (state store unreachable after the
 * in-handler retries, compare-and-set lost too often); every other problem is dead-lettered with
 * its reason and the record acknowledged (see {@link decideRecord}), so no record can fail on
 * every delivery. A record that throws is reported in `batchItemFailures` together with every
 * later record of its message group (SQS FIFO redelivers a group in order, so the records behind
 * it must not be decided first); the records before it are done, and with `skipGroupOnError`
 * another group's records go on. A batch whose records all fail is reported the same way, as
 * every record in `batchItemFailures`, rather than as a thrown error: Lambda retries those records
 * either way, and the invocation does not count as a function error.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/batch/#fifo-queues
 */
export async function processBatch(event: SQSEvent, context: Context, deps: DecideDeps): Promise<SQSBatchResponse> {
  const processor = new SqsFifoPartialProcessorAsync();
  return processPartialResponse(event, (record: SQSRecord) => decideRecord(record.body, record.messageId, deps), processor, {
    context,
    skipGroupOnError: true,
    throwOnFullBatchFailure: false,
  });
}

export const handler = observed((event: SQSEvent, context: Context) => processBatch(event, context, lambdaDeps()));
