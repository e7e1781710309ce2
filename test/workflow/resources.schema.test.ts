import { missingRegions, parseResources } from '../../edge/resources.schema';
import { RESOURCES } from './workflow-fixtures';

describe('parseResources', () => {
  it('accepts the resources as JSON text or as an object', () => {
    expect(parseResources(JSON.stringify(RESOURCES))).toEqual({ ok: true, resources: RESOURCES });
    expect(parseResources({ ...RESOURCES, stateMachineArn: 'arn:aws:states:us-east-2:123456789012:stateMachine:payments-test-failover' })).toMatchObject({ ok: true });
  });

  it('names every bad field and how to fix it', () => {
    const result = parseResources({
      ...RESOURCES,
      stateTbleName: 'typo',
      parameterPrefix: 'payments/test/',
      database: { globalClusterIdentifier: 'payments', clusterArns: { 'us-east-1': 'arn:aws:rds:us-east-2:123456789012:cluster:payments-use2', 'US East': 'x' } },
      traffic: { ...RESOURCES.traffic, recordType: 'MX', healthCheckIds: {} },
    });

    expect(result).toEqual({
      ok: false,
      errors: [
        "DR_RESOURCES.parameterPrefix: expected an SSM parameter path that starts with '/' and does not end with one, got 'payments/test/'; write e.g. /payments/prod",
        "DR_RESOURCES.database.clusterArns.US East: is not a region code; key the map by region codes such as 'us-east-1', each mapped to that region's Aurora DB cluster ARN",
        "DR_RESOURCES.traffic.recordType: expected one of 'A', 'AAAA', 'CNAME', got 'MX'; use the type of the weighted records",
        "DR_RESOURCES.traffic.healthCheckIds: is empty; map every region code to the id of the health check that probes that region's endpoint",
        'DR_RESOURCES.stateTbleName: unknown key (keys are case-sensitive); remove it or use one of stateTableName, controllerBusName, controllerRegion, stateMachineArn, deadLetterQueueUrl, wakeUpQueueUrl, probeUrls, parameterPrefix, database, traffic',
      ],
    });
  });

  it('refuses a cluster ARN filed under another region', () => {
    const result = parseResources({ ...RESOURCES, database: { ...RESOURCES.database, clusterArns: { 'us-east-1': RESOURCES.database.clusterArns['us-east-2'] } } });

    expect(result).toEqual({ ok: false, errors: ['DR_RESOURCES.database.clusterArns.us-east-1: is a cluster in us-east-2; use the ARN of the cluster in us-east-1'] });
  });

  it('reports text that is not JSON', () => {
    expect(parseResources('{"stateTableName":')).toEqual({ ok: false, errors: [expect.stringMatching(/^DR_RESOURCES: not valid JSON \(.*\); set it to the JSON object the controller stack writes$/)] });
  });
});

describe('probeUrls and wakeUpQueueUrl', () => {
  const probeUrls = {
    'us-east-1': 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/health',
    'us-east-2': 'https://f6g7h8i9j0.execute-api.us-east-2.amazonaws.com/prod/health',
  };
  const wakeUpQueueUrl = 'https://sqs.us-east-2.amazonaws.com/123456789012/payments-test-wakeups';

  it('are optional, and accepted when given', () => {
    expect(parseResources({ ...RESOURCES, probeUrls, wakeUpQueueUrl })).toEqual({ ok: true, resources: { ...RESOURCES, probeUrls, wakeUpQueueUrl } });
  });

  it('refuse a probe URL that is not https, or keyed by something other than a region', () => {
    const result = parseResources({ ...RESOURCES, probeUrls: { 'us-east-1': 'http://api.example.com/health', 'US East 2': probeUrls['us-east-2'] }, wakeUpQueueUrl: 'payments-test-wakeups' });
    expect(result).toEqual({
      ok: false,
      errors: [
        "DR_RESOURCES.wakeUpQueueUrl: expected the controller's wake-up queue URL, got 'payments-test-wakeups'; use https://sqs.<region>.amazonaws.com/<account>/<app>-<env>-wakeups",
        "DR_RESOURCES.probeUrls.us-east-1: expected an https URL, got 'http://api.example.com/health'; use the region's own API endpoint, e.g. https://<api-id>.execute-api.<region>.amazonaws.com/prod/health",
        "DR_RESOURCES.probeUrls.US East 2: is not a region code; key the map by region codes such as 'us-east-1', each mapped to the https URL of that region's regional health endpoint (not the shared DNS name)",
      ],
    });
  });
});

describe('missingRegions', () => {
  it('lists each per-region map that lacks a configured region', () => {
    expect(missingRegions(RESOURCES, ['us-east-1', 'us-east-2'])).toEqual([]);
    expect(missingRegions(RESOURCES, ['eu-west-1'])).toEqual([
      'DR_RESOURCES.database.clusterArns: no entry for eu-west-1; add the ARN of its Aurora DB cluster',
      'DR_RESOURCES.traffic.setIdentifiers: no entry for eu-west-1; add the SetIdentifier of its weighted record',
      'DR_RESOURCES.traffic.healthCheckIds: no entry for eu-west-1; add the id of the health check on its endpoint',
    ]);
  });
});
