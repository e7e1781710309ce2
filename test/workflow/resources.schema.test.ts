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
        'DR_RESOURCES.stateTbleName: unknown key (keys are case-sensitive); remove it or use one of stateTableName, controllerBusName, controllerRegion, stateMachineArn, deadLetterQueueUrl, parameterPrefix, database, traffic',
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
