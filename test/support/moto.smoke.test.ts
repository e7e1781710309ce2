import { SSMClient, PutParameterCommand, GetParameterCommand } from '@aws-sdk/client-ssm';
import { startMoto, motoClientConfig, type Moto } from './moto';

describe('moto harness', () => {
  let moto: Moto;
  beforeAll(async () => { moto = await startMoto(); });
  afterAll(async () => { await moto.stop(); });

  it('serves SSM over real HTTP on a free 127.0.0.1 port', async () => {
    const ssm = new SSMClient(motoClientConfig(moto));
    await ssm.send(new PutParameterCommand({ Name: '/smoke', Value: 'v', Type: 'String' }));
    const got = await ssm.send(new GetParameterCommand({ Name: '/smoke' }));
    expect(got.Parameter?.Value).toBe('v');
    ssm.destroy();
  });
});
