import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { handler as fenceOldRegion } from '../../../handlers/steps/fence-old-region.handler';
import { loadSettings } from '../../../handlers/runtime/settings-root';
import { workflow } from '../../../handlers/runtime/workflow-root';
import { testConfig } from '../../domain/fixtures';
import { motoClientConfig, motoCredentials, startMoto, type Moto } from '../../support/moto';
import { failoverRequest, PRIMARY, RESOURCES, STANDBY } from '../../workflow/workflow-fixtures';

/**
 * A step's Lambda entry point as Lambda calls it: middy + Powertools around the step, the
 * composition root building the SSM adapter from DR_CONFIG/DR_RESOURCES/AWS_REGION, over the wire
 * to moto (`AWS_ENDPOINT_URL` points every SDK client there).
 */

const context = { functionName: 'fence-old-region', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

let moto: Moto;
const savedEnv = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: motoCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: motoCredentials.secretAccessKey,
    AWS_REGION: STANDBY,
    DR_CONFIG: JSON.stringify(testConfig()),
    DR_RESOURCES: JSON.stringify(RESOURCES),
  });
});

afterAll(async () => {
  process.env = savedEnv;
  await moto.stop();
});

async function fencedParameter(region: string): Promise<string | undefined> {
  const ssm = new SSMClient(motoClientConfig(moto, region));
  const { Parameters = [] } = await ssm.send(new GetParametersCommand({ Names: [`${RESOURCES.parameterPrefix}/fenced`] }));
  return Parameters[0]?.Value;
}

describe('fence-old-region Lambda handler', () => {
  it('fences the old region through SSM, and changes nothing the second time', async () => {
    const first = await fenceOldRegion(failoverRequest(), context);
    const second = await fenceOldRegion(failoverRequest(), context);

    expect(first).toEqual({ fenced: true, changed: ['fenced'] });
    expect(second).toEqual({ fenced: true, changed: [] });
    expect(await fencedParameter(PRIMARY)).toBe('true');
    expect(await fencedParameter(STANDBY)).toBeUndefined();
  });

  it('rejects a state that is not a failover request with InvalidWorkflowInput', async () => {
    await expect(fenceOldRegion({ app: 'payments' }, context)).rejects.toMatchObject({ name: 'InvalidWorkflowInput' });
  });
});

describe('composition root', () => {
  it('refuses to build the workflow port without the state machine ARN', () => {
    expect(() => workflow()).toThrow(expect.objectContaining({ name: 'ConfigurationError', message: expect.stringContaining('DR_RESOURCES.stateMachineArn: not set') }));
  });
});

describe('loadSettings', () => {
  it('lists every problem of the environment with its fix', () => {
    const env = { DR_CONFIG: '{"app":"payments"', DR_RESOURCES: JSON.stringify({ ...RESOURCES, traffic: { ...RESOURCES.traffic, recordType: 'MX' } }) };

    expect(() => loadSettings(env)).toThrow(
      expect.objectContaining({
        name: 'ConfigurationError',
        message: expect.stringMatching(/DR_CONFIG: not valid JSON[\s\S]*DR_RESOURCES\.traffic\.recordType: expected one of 'A', 'AAAA', 'CNAME'[\s\S]*AWS_REGION: not set/),
      }),
    );
  });

  it('requires resources for every configured region', () => {
    const env = { DR_CONFIG: JSON.stringify(testConfig({}, [PRIMARY, STANDBY, 'eu-west-1'])), DR_RESOURCES: JSON.stringify(RESOURCES), AWS_REGION: STANDBY };

    expect(() => loadSettings(env)).toThrow('DR_RESOURCES.database.clusterArns: no entry for eu-west-1; add the ARN of its Aurora DB cluster');
  });

  it('returns the validated configuration, resources and region', () => {
    const settings = loadSettings({ DR_CONFIG: JSON.stringify(testConfig()), DR_RESOURCES: JSON.stringify(RESOURCES), AWS_REGION: STANDBY });

    expect(settings).toEqual({ config: testConfig(), resources: RESOURCES, region: STANDBY });
  });
});
