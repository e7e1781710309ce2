import { createServer, type Server } from 'node:net';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { fn, type HealthDeps } from '../../../handlers/payments/health.handler';
import { freePort } from '../../support/moto';
import { apiEvent, answerGetParameters, bodyOf, quietObservability } from './payments-fixtures';

const PREFIX = '/dr/payments';
const ssm = mockClient(SSMClient);
let database: Server;
let databasePort: number;

beforeAll(async () => {
  database = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => database.listen(0, '127.0.0.1', resolve));
  const address = database.address();
  if (address === null || typeof address === 'string') throw new Error('the test database server has no TCP address');
  databasePort = address.port;
});

afterAll(async () => {
  await new Promise((resolve) => database.close(resolve));
});

beforeEach(() => {
  ssm.reset();
});

function deps(overrides: Partial<HealthDeps> = {}): HealthDeps {
  return {
    region: 'us-east-2',
    parameterPrefix: PREFIX,
    ssm: new SSMProvider({ awsSdkV3Client: new SSMClient({ region: 'us-east-2' }) }),
    dbEndpoint: '127.0.0.1',
    dbPort: databasePort,
    connectTimeoutMs: 1000,
    now: Date.now,
    ...quietObservability(),
    ...overrides,
  };
}

const healthEvent = apiEvent({ method: 'GET', path: '/health' });

describe('health handler', () => {
  it('answers 200 for a standby region whose database accepts connections and that is not fenced', async () => {
    answerGetParameters(ssm, { [`${PREFIX}/fenced`]: 'false', [`${PREFIX}/active-region`]: 'us-east-1' });

    const result = await fn(healthEvent, deps());

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ status: 'ok', region: 'us-east-2', checks: { database: 'ok', fenced: false } });
  });

  it('answers 200 when the fenced parameter does not exist', async () => {
    answerGetParameters(ssm, {});

    const result = await fn(healthEvent, deps());

    expect(result.statusCode).toBe(200);
  });

  it('answers 503 naming the database when nothing listens on its port', async () => {
    answerGetParameters(ssm, { [`${PREFIX}/fenced`]: 'false' });
    const closedPort = await freePort();

    const result = await fn(healthEvent, deps({ dbPort: closedPort }));

    expect(result.statusCode).toBe(503);
    expect(bodyOf(result)).toEqual({
      status: 'unhealthy',
      region: 'us-east-2',
      checks: { database: 'unreachable', fenced: false },
      failed: ['database: ECONNREFUSED'],
    });
  });

  it('answers 503 naming the fence when the region is fenced', async () => {
    answerGetParameters(ssm, { [`${PREFIX}/fenced`]: 'true' });

    const result = await fn(healthEvent, deps());

    expect(result.statusCode).toBe(503);
    expect(bodyOf(result)).toMatchObject({ checks: { database: 'ok', fenced: true }, failed: ['fenced: region is fenced for failover'] });
  });

  it('reads the reader endpoint from Parameter Store when DB_READER_ENDPOINT is not set', async () => {
    answerGetParameters(ssm, { [`${PREFIX}/fenced`]: 'false', [`${PREFIX}/db/reader-endpoint`]: '127.0.0.1' });

    const result = await fn(healthEvent, deps({ dbEndpoint: undefined }));

    expect(result.statusCode).toBe(200);
    expect(ssm).toHaveReceivedCommandWith(GetParametersCommand, { Names: [`${PREFIX}/fenced`, `${PREFIX}/db/reader-endpoint`] });
  });

  it('asks Parameter Store only for the fence when DB_READER_ENDPOINT is set', async () => {
    answerGetParameters(ssm, { [`${PREFIX}/fenced`]: 'false' });

    await fn(healthEvent, deps());

    expect(ssm).toHaveReceivedCommandWith(GetParametersCommand, { Names: [`${PREFIX}/fenced`] });
  });

  it('answers 503 when no database endpoint is configured anywhere', async () => {
    answerGetParameters(ssm, { [`${PREFIX}/fenced`]: 'false' });

    const result = await fn(healthEvent, deps({ dbEndpoint: undefined }));

    expect(result.statusCode).toBe(503);
    expect(bodyOf(result)).toMatchObject({ checks: { database: 'unknown', fenced: false }, failed: ['database: endpoint not configured'] });
  });

  it('answers 503 when Parameter Store cannot be read, still probing the database', async () => {
    ssm.on(GetParametersCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));

    const result = await fn(healthEvent, deps());

    expect(result.statusCode).toBe(503);
    expect(bodyOf(result)).toMatchObject({ checks: { database: 'ok', fenced: 'unknown' }, failed: ['fenced: cannot read the region parameters'] });
  });
});
