import { PutMetricDataCommand, StandardUnit, type CloudWatchClient, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { PROBE_METRIC, type ProbeResult } from './probe-loop';

/**
 * One round's results as CloudWatch datapoints: `ProbeSuccess` 1 or 0 per region, dimension
 * `Region` only, timestamped at the round's start, stored at high resolution (1 s) so alarms can
 * evaluate 10 s periods.
 *
 * PutMetricData rather than embedded metric format: EMF (Powertools `MetricResolution.High`) would
 * work too, but adds Powertools' `service` dimension to every metric and reaches CloudWatch only
 * after CloudWatch Logs has extracted it, asynchronously; a probe alarm on 10 s periods wants the
 * datapoint stored, with exactly the dimensions its alarm names, when the call returns.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html (StorageResolution 1 = high resolution)
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/publishingMetrics.html#high-resolution-metrics
 */
export function probeDatums(results: readonly ProbeResult[]): MetricDatum[] {
  return results.map((result) => ({
    MetricName: PROBE_METRIC.metricName,
    Dimensions: [{ Name: PROBE_METRIC.regionDimension, Value: result.region }],
    Timestamp: new Date(result.at),
    Value: result.success ? 1 : 0,
    Unit: StandardUnit.Count,
    StorageResolution: 1,
  }));
}

/** A publisher for {@link runProbes}: one PutMetricData call per round (every region at once). */
export function cloudWatchProbePublisher(client: CloudWatchClient): (results: readonly ProbeResult[]) => Promise<void> {
  return async (results) => {
    if (results.length === 0) return;
    await client.send(new PutMetricDataCommand({ Namespace: PROBE_METRIC.namespace, MetricData: probeDatums(results) }));
  };
}
