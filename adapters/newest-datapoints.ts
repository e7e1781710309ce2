import { GetMetricDataCommand, type GetMetricDataCommandOutput } from '@aws-sdk/client-cloudwatch';

/** One metric series whose newest `Maximum` datapoint an adapter reads. */
export interface MaximumSeries {
  /** The query's `Id` (lower-case letter first); the datapoint is found by it. */
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly periodSeconds: number;
}

/**
 * GetMetricData for the `Maximum` of each series over the `lookbackMs` before `end`, newest
 * datapoint first (`ScanBy: TimestampDescending`), so {@link newestDatapoint} is the first value.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 */
export function newestDatapointsQuery(end: number, lookbackMs: number, series: readonly MaximumSeries[]): GetMetricDataCommand {
  return new GetMetricDataCommand({
    StartTime: new Date(end - lookbackMs),
    EndTime: new Date(end),
    ScanBy: 'TimestampDescending',
    MetricDataQueries: series.map(({ id, namespace, metricName, dimensions, periodSeconds }) => ({
      Id: id,
      ReturnData: true,
      MetricStat: {
        Metric: { Namespace: namespace, MetricName: metricName, Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })) },
        Period: periodSeconds,
        Stat: 'Maximum',
      },
    })),
  });
}

/** The newest datapoint of query `id`: its value and the start of its period (epoch ms), or undefined when it has none. */
export function newestDatapoint(output: GetMetricDataCommandOutput, id: string): { readonly value: number; readonly at: number | undefined } | undefined {
  const result = output.MetricDataResults?.find((r) => r.Id === id);
  const value = result?.Values?.[0];
  return value === undefined ? undefined : { value, at: result?.Timestamps?.[0]?.getTime() };
}
