import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { GetParametersCommand, SSMClient, type GetParametersCommandInput } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { fn, type ProcessPaymentDeps } from '../../../handlers/payments/process-payment.handler';
import { apiEvent, bodyOf, quietObservability } from './payments-fixtures';
import { ReplicatedPaymentsTable, type Member, type ReplicaRegion } from './replicated-payments-table.twin';

/**
 * A client retry across a failover, against a model of the two table replicas (and the witness).
 * The first attempt is taken in us-east-1; its response may be lost; us-east-1 (and perhaps the
 * witness) then fails before replication catches up; the controller fences us-east-1 and makes
 * us-east-2 active; the client retries the same payment with the same key in us-east-2, and maybe
 * again after failback. The invariant: exactly one charge, or a clear refusal (503), never two.
 */
const PREFIX = '/payments/dev';
const KEY = '7d4c1f0e-1111-4222-8333-444455556666';
const payment = { amount: '250.00', currency: 'USD', method: 'card', userId: 'u-1' };

interface World {
  readonly table: ReplicatedPaymentsTable;
  readonly parameters: Record<ReplicaRegion, Record<string, string>>;
  clock: number;
  ids: number;
}

function newWorld(mode: 'eventual' | 'strong'): World {
  return {
    table: new ReplicatedPaymentsTable(mode),
    parameters: {
      'us-east-1': { [`${PREFIX}/active-region`]: 'us-east-1', [`${PREFIX}/fenced`]: 'false' },
      'us-east-2': { [`${PREFIX}/active-region`]: 'us-east-1', [`${PREFIX}/fenced`]: 'false' },
    },
    clock: Date.UTC(2026, 10, 26, 12, 0, 0),
    ids: 0,
  };
}

/** A fresh container of `region`, reading that region's parameters (as they are at each call) and table replica. */
function containerIn(world: World, region: ReplicaRegion): ProcessPaymentDeps {
  const ssmClient = new SSMClient({ region });
  mockClient(ssmClient)
    .on(GetParametersCommand)
    .callsFake((input: GetParametersCommandInput) => {
      const values = world.parameters[region];
      const names = input.Names ?? [];
      return { Parameters: names.filter((name) => name in values).map((name) => ({ Name: name, Value: values[name], Type: 'String' })), InvalidParameters: [] };
    });
  return {
    region,
    parameterPrefix: PREFIX,
    tableName: 'payments-dev-payments',
    maxAmount: 1_000_000,
    ssm: new SSMProvider({ awsSdkV3Client: ssmClient }),
    documentClient: world.table.clientIn(region),
    ...quietObservability(),
    now: () => world.clock,
    newTransactionId: () => `00000000-0000-4000-8000-${String(++world.ids).padStart(12, '0')}`,
  };
}

function pay(world: World, region: ReplicaRegion) {
  world.clock += 1000;
  return fn(apiEvent({ path: '/payment/process', body: JSON.stringify(payment), headers: { 'Idempotency-Key': KEY } }), containerIn(world, region));
}

/** The controller's failover: fence the old region, make the new one active everywhere it can reach. */
function failOver(world: World, to: ReplicaRegion): void {
  for (const region of ['us-east-1', 'us-east-2'] as const) {
    world.parameters[region][`${PREFIX}/active-region`] = to;
    world.parameters[region][`${PREFIX}/fenced`] = String(region !== to);
  }
}

describe('a payment retried across a failover', () => {
  it('is charged twice by an eventually consistent (MREC) table: the defect this design removes', async () => {
    const world = newWorld('eventual');
    const first = await pay(world, 'us-east-1');
    world.table.setDown('us-east-1', true);
    failOver(world, 'us-east-2');

    const retry = await pay(world, 'us-east-2');

    expect([first.statusCode, retry.statusCode]).toEqual([200, 200]);
    expect(bodyOf(retry).transactionId).not.toBe(bodyOf(first).transactionId);
    expect(world.table.transactionIdsOf(KEY).size).toBe(2);
  });

  it('is replayed with the original transaction by the strongly consistent (MRSC) table, although us-east-2 never received the write', async () => {
    const world = newWorld('strong');
    world.table.partner = ['witness'];
    const first = await pay(world, 'us-east-1');
    world.table.setDown('us-east-1', true);
    failOver(world, 'us-east-2');

    const retry = await pay(world, 'us-east-2');

    expect(retry.statusCode).toBe(200);
    expect(retry.headers).toMatchObject({ 'Idempotent-Replayed': 'true' });
    expect(bodyOf(retry).transactionId).toBe(bodyOf(first).transactionId);
    expect(world.table.transactionIdsOf(KEY)).toEqual(new Set([bodyOf(first).transactionId]));
  });

  it('is refused with 503 and Retry-After, not charged, while us-east-2 can reach neither us-east-1 nor the witness', async () => {
    const world = newWorld('strong');
    world.table.partner = ['witness'];
    await pay(world, 'us-east-1');
    world.table.setDown('us-east-1', true);
    world.table.setDown('witness', true);
    failOver(world, 'us-east-2');

    const retry = await pay(world, 'us-east-2');

    expect(retry.statusCode).toBe(503);
    expect(retry.headers).toMatchObject({ 'Retry-After': '30' });
    expect(world.table.transactionIdsOf(KEY).size).toBe(1);
  });

  /** One scenario: where the first write lands, what fails, what replicates, how the client retries. */
  const scenario = fc.record({
    partner: fc.constantFrom<readonly Member[]>(['witness', 'us-east-2'], ['us-east-2', 'witness']),
    firstAttempt: fc.boolean(),
    replicateBeforeOutage: fc.boolean(),
    witnessDown: fc.boolean(),
    primaryDown: fc.boolean(),
    retries: fc.array(fc.record({ region: fc.constantFrom<ReplicaRegion>('us-east-1', 'us-east-2'), replicateFirst: fc.boolean(), heal: fc.boolean() }), {
      minLength: 1,
      maxLength: 4,
    }),
  });

  const exactlyOnce = (mode: 'eventual' | 'strong') =>
    fc.asyncProperty(scenario, async (s) => {
      const world = newWorld(mode);
      world.table.partner = s.partner;
      const answers = [];
      if (s.firstAttempt) answers.push(await pay(world, 'us-east-1'));
      if (s.replicateBeforeOutage) world.table.replicate();
      world.table.setDown('us-east-1', s.primaryDown);
      world.table.setDown('witness', s.witnessDown);
      failOver(world, 'us-east-2');
      for (const retry of s.retries) {
        if (retry.heal) {
          world.table.setDown('us-east-1', false);
          world.table.setDown('witness', false);
        }
        if (retry.replicateFirst) world.table.replicate();
        answers.push(await pay(world, retry.region));
      }

      const charged = new Set(answers.filter((answer) => answer.statusCode === 200).map((answer) => bodyOf(answer).transactionId));
      const onlyChargesOrClearRefusals = answers.every((answer) => answer.statusCode === 200 || answer.statusCode === 503);
      return onlyChargesOrClearRefusals && charged.size <= 1 && world.table.transactionIdsOf(KEY).size <= 1;
    });

  it('is charged at most once, or refused with 503, in every failover the model can produce (MRSC)', async () => {
    await fc.assert(exactlyOnce('strong'), { numRuns: 200 });
  });

  it('finds a double charge among those same failovers when the table is eventually consistent (the property can fail)', async () => {
    await expect(fc.assert(exactlyOnce('eventual'), { numRuns: 500 })).rejects.toThrow();
  });
});
