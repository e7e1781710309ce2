import { GetParametersCommand, InternalServerError, PutParameterCommand, SSMClient, SSMServiceException, TooManyUpdates } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { PermanentAdapterError, TransientAdapterError } from '../../adapters/errors';
import { SsmConfigStore } from '../../adapters/config-store/ssm-config-store.adapter';

const PREFIX = '/payments/dev';
const ACTIVE = `${PREFIX}/active-region`;
const FENCED = `${PREFIX}/fenced`;

const ssm = new SSMClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const ssmMock = mockClient(ssm);

function aStore() {
  const asked: string[] = [];
  const store = new SsmConfigStore({
    clientFor: (region) => {
      asked.push(region);
      return ssm;
    },
    parameterPrefix: PREFIX,
  });
  return { store, asked };
}

const meta = { $metadata: { httpStatusCode: 400 } };
const throttled = () => new SSMServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', ...meta });
const accessDenied = () =>
  new SSMServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'User is not authorized to perform: ssm:GetParameters', ...meta });

beforeEach(() => ssmMock.reset());

describe('SsmConfigStore (SDK mocked)', () => {
  it('reads both parameters with one GetParameters and leaves the ones listed as InvalidParameters absent', async () => {
    ssmMock.on(GetParametersCommand).resolves({ Parameters: [{ Name: FENCED, Value: 'true', Type: 'String', Version: 3 }], InvalidParameters: [ACTIVE] });
    const { store } = aStore();

    await expect(store.read('us-east-2')).resolves.toStrictEqual({ fenced: true });
    expect(ssmMock).toHaveReceivedCommandTimes(GetParametersCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(GetParametersCommand, { Names: [ACTIVE, FENCED] });
  });

  it('puts only the differing value, as a String with Overwrite', async () => {
    ssmMock.on(GetParametersCommand).resolves({
      Parameters: [
        { Name: ACTIVE, Value: 'us-east-1', Type: 'String', Version: 1 },
        { Name: FENCED, Value: 'false', Type: 'String', Version: 1 },
      ],
    });
    ssmMock.on(PutParameterCommand).resolves({ Version: 2 });
    const { store } = aStore();

    await expect(store.write('us-east-1', { activeRegion: 'us-east-2', fenced: false })).resolves.toEqual({ changed: ['activeRegion'] });

    expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(PutParameterCommand, { Name: ACTIVE, Value: 'us-east-2', Type: 'String', Overwrite: true });
  });

  it('issues no PutParameter when every value is already there', async () => {
    ssmMock.on(GetParametersCommand).resolves({ Parameters: [{ Name: FENCED, Value: 'true', Type: 'String', Version: 5 }], InvalidParameters: [ACTIVE] });
    const { store } = aStore();

    await expect(store.write('us-east-1', { fenced: true })).resolves.toEqual({ changed: [] });
    expect(ssmMock).not.toHaveReceivedCommand(PutParameterCommand);
  });

  it('asks clientFor once per region and reuses the client', async () => {
    ssmMock.on(GetParametersCommand).resolves({ Parameters: [] });
    const { store, asked } = aStore();

    await store.read('us-east-1');
    await store.read('us-east-2');
    await store.read('us-east-1');

    expect(asked).toEqual(['us-east-1', 'us-east-2']);
  });

  it('reports throttling as a TransientAdapterError with the SDK error as cause, and the next call succeeds', async () => {
    const sdkError = throttled();
    ssmMock.on(GetParametersCommand).rejectsOnce(sdkError).resolves({ Parameters: [{ Name: ACTIVE, Value: 'us-east-2', Type: 'String', Version: 1 }] });
    const { store } = aStore();

    const error = await store.read('us-east-1').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientAdapterError);
    expect((error as Error).cause).toBe(sdkError);
    expect((error as Error).message).toMatch(/ssm GetParameters .* in us-east-1/);
    await expect(store.read('us-east-1')).resolves.toStrictEqual({ activeRegion: 'us-east-2' });
  });

  it.each([
    ['a 5xx InternalServerError on GetParameters', 'TransientAdapterError', TransientAdapterError, () => new InternalServerError({ message: 'boom', $metadata: { httpStatusCode: 500 } }), 'get'],
    ['TooManyUpdates on PutParameter', 'TransientAdapterError', TransientAdapterError, () => new TooManyUpdates({ message: 'There are concurrent updates', ...meta }), 'put'],
    ['AccessDeniedException on GetParameters', 'PermanentAdapterError', PermanentAdapterError, accessDenied, 'get'],
    ['AccessDeniedException on PutParameter', 'PermanentAdapterError', PermanentAdapterError, accessDenied, 'put'],
  ] as const)('maps %s to a %s, keeping the cause', async (_case, _name, errorClass, makeError, failing) => {
    const sdkError = makeError();
    if (failing === 'get') ssmMock.on(GetParametersCommand).rejects(sdkError);
    else ssmMock.on(GetParametersCommand).resolves({ Parameters: [] }).on(PutParameterCommand).rejects(sdkError);
    const { store } = aStore();

    const error = await store.write('us-east-1', { fenced: true }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(errorClass);
    expect((error as Error).cause).toBe(sdkError);
  });

  it.each([['payments/dev'], ['/payments/dev/'], ['/payments dev'], ['']])('refuses to build with parameterPrefix %p, saying what a valid one looks like', (prefix) => {
    expect(() => new SsmConfigStore({ clientFor: () => ssm, parameterPrefix: prefix })).toThrow(/parameterPrefix .* leading "\/"/);
  });

  it('refuses a fenced value that is not a boolean before calling SSM', async () => {
    const { store } = aStore();

    await expect(store.write('us-east-1', { fenced: 'yes' as unknown as boolean })).rejects.toThrow(/fenced must be true or false/);
    expect(ssmMock).not.toHaveReceivedCommand(GetParametersCommand);
  });
});
