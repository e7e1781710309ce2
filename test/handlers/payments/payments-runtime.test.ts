import { dbPort, DEFAULT_DB_PORT, once, parameterPrefix, requireEnv } from '../../../handlers/payments/payments-runtime';

describe('payments-runtime', () => {
  it('builds a memoized value once and reuses it', () => {
    const make = jest.fn(() => ({ client: 'built' }));
    const client = once(make);

    const [first, second] = [client(), client()];

    expect(first).toBe(second);
    expect(make).toHaveBeenCalledTimes(1);
  });

  it('names a missing environment variable', () => {
    expect(() => requireEnv('SESSIONS_TABLE', {})).toThrow('environment variable SESSIONS_TABLE is not set');
  });

  it('strips the trailing slash of PARAMETER_PREFIX', () => {
    expect(parameterPrefix({ PARAMETER_PREFIX: '/dr/payments/' })).toBe('/dr/payments');
  });

  it('refuses a PARAMETER_PREFIX that is not a Parameter Store path', () => {
    expect(() => parameterPrefix({ PARAMETER_PREFIX: 'dr/payments' })).toThrow('PARAMETER_PREFIX must start with "/"');
  });

  it('uses the Aurora PostgreSQL port when DB_PORT is not set', () => {
    expect(dbPort({})).toBe(DEFAULT_DB_PORT);
  });

  it.each(['0', '65536', 'postgres', '54.32'])('refuses DB_PORT=%p naming the valid range', (value) => {
    expect(() => dbPort({ DB_PORT: value })).toThrow('DB_PORT must be a TCP port number from 1 to 65535');
  });
});
