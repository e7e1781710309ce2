import { Metrics } from '@aws-lambda-powertools/metrics';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Context } from 'aws-lambda';
import { InMemoryDeadLetters } from '../../adapters/dead-letters/in-memory-dead-letters.twin';
import { InMemoryPublisher } from '../../adapters/publisher/in-memory-publisher.twin';
import { InMemoryStateStore } from '../../adapters/state-store/in-memory-state-store.twin';
import { InMemoryWorkflow } from '../../adapters/workflow/in-memory-workflow.twin';
import type { Decision } from '../../domain/decision';
import type { DecidePathMetric, DecideDeps } from '../../handlers/decide/decide-record';
import { DECIDE_METRICS, processBatch } from '../../handlers/decide.handler';
import { metrics } from '../../handlers/runtime/observability';
import { ControllerAlarms } from '../../infra/controller/controller-alarms.construct';
import { testConfig } from '../domain/fixtures';
import { tickEvent } from './raw-events';

/**
 * What reaches CloudWatch from the decide Lambda: the embedded-metric-format blobs Powertools
 * writes to the log (one per `publishStoredMetrics`, which `observed` calls after each invocation,
 * and one per single metric). CloudWatch turns each metric of a blob into one series per
 * dimension set of the blob; an alarm sees a series only when namespace, name and the exact set of
 * dimensions (names and values) match.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension
 */
type Emf = ReturnType<Metrics['serializeMetrics']>;

/** One CloudWatch series: namespace, metric name, dimensions as `name=value` sorted. */
interface Series {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: readonly string[];
}

const key = (series: Series) => `${series.namespace}/${series.name}{${series.dimensions.join(',')}}`;

function seriesOf(blobs: readonly Emf[]): Series[] {
  return blobs.flatMap((blob) =>
    blob._aws.CloudWatchMetrics.flatMap(({ Namespace, Dimensions, Metrics: defined }) =>
      Dimensions.flatMap((set) =>
        defined.map((metric) => ({
          namespace: Namespace,
          name: metric.Name,
          dimensions: set.map((dimension) => `${dimension}=${String((blob as Record<string, unknown>)[dimension])}`).sort(),
        })),
      ),
    ),
  );
}

/** The series every `DrController` alarm of the controller watches, from the synthesized template. */
function alarmedSeries(): Series[] {
  const stack = new Stack(new App(), 'Alarms', { env: { region: 'us-east-2' } });
  new ControllerAlarms(stack, 'Alarms', { prefix: 'payments-dev', silenceMinutes: 5, runTimeoutSeconds: 3600 });
  return Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))
    .map((alarm) => (alarm as { Properties: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: string }[] } }).Properties)
    .filter((alarm) => alarm.Namespace === 'DrController')
    .map((alarm) => ({
      namespace: alarm.Namespace,
      name: alarm.MetricName,
      dimensions: (alarm.Dimensions ?? []).map((dimension) => `${dimension.Name}=${dimension.Value}`).sort(),
    }));
}

const DECIDE_PATH_METRICS: readonly DecidePathMetric[] = ['Ticks', 'ReconcileFailures', 'FailoverInFlightSeconds', 'StateUnreadable', 'DeadLetterFailures', 'Halted'];
const T = Date.UTC(2026, 10, 26, 3, 0, 0);

function decision(action: Decision['action']): Decision {
  return { app: 'payments', eventId: `e-${action}`, at: T, reason: 'test', active: 'us-east-1', phase: 'steady', action } as Decision;
}

describe('decide handler metrics reach the controller alarms', () => {
  let blobs: Emf[];

  beforeEach(() => {
    blobs = [];
    const publish = Metrics.prototype.publishStoredMetrics;
    // Capture each blob as Powertools would print it (printing is off in tests), then publish as usual.
    jest.spyOn(Metrics.prototype, 'publishStoredMetrics').mockImplementation(function (this: Metrics) {
      if (this.hasStoredMetrics()) blobs.push(this.serializeMetrics());
      return publish.call(this);
    });
  });

  afterEach(() => {
    metrics.clearMetrics();
    jest.restoreAllMocks();
  });

  it('emits every metric a DrController alarm watches with exactly that alarm’s namespace, name and dimensions', () => {
    for (const action of ['none', 'start-failover', 'halted', 'completed'] as const) DECIDE_METRICS.observe(decision(action));
    for (const name of DECIDE_PATH_METRICS) DECIDE_METRICS.metric(name, 1);
    metrics.publishStoredMetrics();

    const emitted = new Set(seriesOf(blobs).map(key));
    const watched = alarmedSeries();
    expect(watched.map((series) => series.name).sort()).toEqual(
      ['Decisions', 'DeadLetterFailures', 'FailoverInFlightSeconds', 'Halted', 'ReconcileFailures', 'StateUnreadable', 'Ticks'].sort(),
    );
    expect(watched.map(key).filter((series) => !emitted.has(series))).toEqual([]);
  });

  it('counts each decision once in the service-only Decisions series the no-decisions alarm watches, and once more by action', () => {
    DECIDE_METRICS.observe(decision('none'));
    DECIDE_METRICS.observe(decision('ignored'));
    metrics.publishStoredMetrics();

    const series = seriesOf(blobs).filter((s) => s.name === 'Decisions').map(key).sort();
    expect(series).toEqual([
      'DrController/Decisions{action=ignored,service=dr-controller}',
      'DrController/Decisions{action=none,service=dr-controller}',
      'DrController/Decisions{service=dr-controller}',
    ]);
    const serviceOnly = blobs.find((blob) => blob._aws.CloudWatchMetrics[0]!.Dimensions.every((set) => set.join() === 'service'));
    expect((serviceOnly as Record<string, unknown>).Decisions).toEqual([1, 1]);
  });

  it('keeps the action dimension on Decisions alone, so no alarmed metric is split by it', () => {
    DECIDE_METRICS.observe(decision('halted'));
    DECIDE_METRICS.metric('Ticks', 1);
    metrics.publishStoredMetrics();

    const withAction = seriesOf(blobs).filter((s) => s.dimensions.some((d) => d.startsWith('action=')));
    expect(withAction.map((s) => s.name)).toEqual(['Decisions']);
  });

  it('reaches CloudWatch from the production decide path: a tick counts a Tick and a Decision in the service-only series', async () => {
    const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const deps: DecideDeps = {
      config: testConfig(),
      stateStore: new InMemoryStateStore(),
      workflow: new InMemoryWorkflow(),
      publisher: new InMemoryPublisher(),
      deadLetters: new InMemoryDeadLetters(),
      now: () => T + 1000,
      log: quiet,
      sleep: async () => undefined,
      ...DECIDE_METRICS,
    };
    const record = {
      messageId: 'm-1',
      receiptHandle: 'rh-1',
      body: JSON.stringify(tickEvent(T)),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(T),
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: String(T),
        SequenceNumber: '18800000000000000001',
        MessageGroupId: 'payments',
        MessageDeduplicationId: 'dedup-1',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-2:123456789012:payments-dev-controller.fifo',
      awsRegion: 'us-east-2',
    };

    await processBatch({ Records: [record] }, { functionName: 'decide', awsRequestId: 'req-1' } as Context, deps);
    metrics.publishStoredMetrics(); // what `observed` does after the invocation

    const emitted = seriesOf(blobs).map(key);
    expect(emitted).toEqual(expect.arrayContaining(['DrController/Ticks{service=dr-controller}', 'DrController/Decisions{service=dr-controller}']));
  });
});
