import { TransientAdapterError } from '../../../adapters/errors';
import type { Policy } from '../../../domain/config';
import { preflight } from '../../../handlers/steps/preflight.handler';
import { createWorld, failoverRequest, PRIMARY, STANDBY, type WorldOptions } from '../../workflow/workflow-fixtures';

function decide(options: WorldOptions & { allowDataLoss?: boolean; planned?: true } = {}) {
  const world = createWorld(options);
  const policy: Policy = world.config.policy;
  const request = failoverRequest({ allowDataLoss: options.allowDataLoss ?? false, ...(options.planned && { mode: 'manual' as const, planned: true as const }) });
  return { world, run: () => preflight(request, { database: world.database, traffic: world.traffic, policy }) };
}

describe('preflight', () => {
  it('chooses a switchover when the old writer is healthy and lag is within budget', async () => {
    const { run } = decide({ primaryHealth: 'healthy', lagSeconds: 5 });

    await expect(run()).resolves.toEqual({
      mode: 'switchover',
      targetAlreadyWriter: false,
      oldWriterReachable: true,
      lagSeconds: 5,
      rpoBudgetSeconds: 5,
      reason: `old writer in ${PRIMARY} reachable and lag 5 s <= budget 5 s: switchover, no data loss`,
    });
  });

  it('chooses a failover allowed by policy when the old writer is down and lag is within budget', async () => {
    const { run } = decide({ primaryHealth: 'unhealthy', lagSeconds: 2 });

    await expect(run()).resolves.toMatchObject({ mode: 'failover', dataLossAllowedBy: 'policy', oldWriterReachable: false, lagSeconds: 2 });
  });

  it('chooses a failover allowed by the operator whatever the lag', async () => {
    const { run } = decide({ primaryHealth: 'unhealthy', lagSeconds: undefined, allowDataLoss: true });

    await expect(run()).resolves.toMatchObject({ mode: 'failover', dataLossAllowedBy: 'operator' });
  });

  it('chooses a failover when policy is always, even with the old writer reachable but lagging', async () => {
    const { run } = decide({ primaryHealth: 'healthy', lagSeconds: 60, policy: { dataLoss: 'always' } });

    await expect(run()).resolves.toMatchObject({ mode: 'failover', dataLossAllowedBy: 'policy', oldWriterReachable: true });
  });

  it.each([
    [{ primaryHealth: 'unhealthy', lagSeconds: 12 }, /^data loss not permitted: lag 12 s > budget 5 s; old writer in us-east-1 not reachable/],
    [{ primaryHealth: 'unhealthy', lagSeconds: undefined }, /^data loss not permitted: lag unknown, budget 5 s;/],
    [{ primaryHealth: 'healthy', lagSeconds: 9 }, /^data loss not permitted: lag 9 s > budget 5 s; old writer in us-east-1 reachable but lag 9 s is not within budget/],
    [{ primaryHealth: 'unhealthy', lagSeconds: 1, policy: { dataLoss: 'never' } }, /^data loss not permitted: policy dataLoss=never \(lag 1 s, budget 5 s\)/],
  ] as const)('refuses data loss (%j) with the lag and the budget in the reason', async (options, reason) => {
    const { run } = decide(options as WorldOptions);

    await expect(run()).rejects.toMatchObject({ name: 'DataLossNotPermitted', message: expect.stringMatching(reason) });
  });

  describe('a planned request (failback)', () => {
    it('is a switchover when the old writer is reachable and in sync', async () => {
      const { run } = decide({ planned: true, primaryHealth: 'healthy', lagSeconds: 1 });

      await expect(run()).resolves.toMatchObject({ mode: 'switchover', oldWriterReachable: true, lagSeconds: 1 });
    });

    it.each([
      ['the old writer is unreachable, even with the operator and the policy allowing data loss', { primaryHealth: 'unhealthy', lagSeconds: 1, allowDataLoss: true, policy: { dataLoss: 'always' } }, /old writer in us-east-1 not reachable/],
      ['the lag is over the budget', { primaryHealth: 'healthy', lagSeconds: 9, policy: { dataLoss: 'always' } }, /lag 9 s is not within budget 5 s/],
      ['the lag is unknown', { primaryHealth: 'healthy', lagSeconds: undefined, allowDataLoss: true }, /lag unknown/],
    ] as const)('never fails over with data loss: refused when %s', async (_what, options, reason) => {
      const { run } = decide({ ...(options as WorldOptions & { allowDataLoss?: boolean }), planned: true });

      await expect(run()).rejects.toMatchObject({ name: 'DataLossNotPermitted', message: expect.stringMatching(/^planned move to us-east-2 needs a switchover \(RPO 0\)/) });
      await expect(run()).rejects.toMatchObject({ message: expect.stringMatching(reason) });
      await expect(run()).rejects.toMatchObject({ message: expect.stringMatching(/a planned move never fails over with data loss/) });
    });
  });

  it('treats a lag datapoint older than 60 s as unknown lag, and so refuses data loss under within-rpo-budget', async () => {
    const { world, run } = decide({ primaryHealth: 'unhealthy', lagSeconds: 1 });
    world.database.setReplicationLag(STANDBY, 1, 61);

    await expect(run()).rejects.toMatchObject({ name: 'DataLossNotPermitted', message: expect.stringMatching(/^data loss not permitted: lag unknown, budget 5 s;/) });
  });

  it('uses a lag datapoint up to 60 s old', async () => {
    const { world, run } = decide({ primaryHealth: 'unhealthy', lagSeconds: 1 });
    world.database.setReplicationLag(STANDBY, 1, 60);

    await expect(run()).resolves.toMatchObject({ mode: 'failover', lagSeconds: 1, dataLossAllowedBy: 'policy' });
  });

  it('reads the lag and the old region\'s health side by side, not one after the other', async () => {
    const { world } = decide({ primaryHealth: 'unhealthy', lagSeconds: 1 });
    const started: string[] = [];
    // Neither read answers until both have started: read one after the other, the second never starts.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const traffic = {
      ...world.traffic,
      shiftTo: world.traffic.shiftTo.bind(world.traffic),
      activeRegion: world.traffic.activeRegion.bind(world.traffic),
      healthOf: async (region: string) => {
        started.push('health');
        await gate;
        return world.traffic.healthOf(region);
      },
    };
    const database = {
      status: world.database.status.bind(world.database),
      promote: world.database.promote.bind(world.database),
      replicationLagSeconds: async (region: string) => {
        started.push('lag');
        await gate;
        return world.database.replicationLagSeconds(region);
      },
    };

    const result = preflight(failoverRequest(), { database, traffic, policy: world.config.policy });
    await new Promise((resolve) => setImmediate(resolve));
    const startedBeforeAnyAnswer = [...started].sort();
    release();

    expect(startedBeforeAnyAnswer).toEqual(['health', 'lag']);
    await expect(result).resolves.toMatchObject({ mode: 'failover' });
  });

  it('treats an unreadable health check as an unreachable old writer instead of failing', async () => {
    const { world, run } = decide({ primaryHealth: 'healthy', lagSeconds: 1 });
    world.traffic.failNext(1, new TransientAdapterError('route53 GetHealthCheckStatus failed transiently'));

    await expect(run()).resolves.toMatchObject({ mode: 'failover', oldWriterReachable: false, reason: expect.stringContaining('endpoint unknown') });
  });

  it('needs no promotion when the target is already the writer', async () => {
    const { world, run } = decide({ primaryHealth: 'unhealthy', lagSeconds: undefined });
    await world.database.promote(STANDBY, 'failover');
    await world.database.status();
    await world.database.status();

    await expect(run()).resolves.toMatchObject({ targetAlreadyWriter: true, mode: 'switchover' });
  });

  it('refuses a target whose cluster is pending-resync', async () => {
    const { world, run } = decide();
    world.database.setSynchronizationStatus(STANDBY, 'pending-resync');

    await expect(run()).rejects.toMatchObject({ name: 'TargetNotReady', message: expect.stringContaining('pending-resync') });
  });

  it('accepts a target whose SynchronizationStatus AWS left out', async () => {
    const { world, run } = decide();
    world.database.setSynchronizationStatus(STANDBY, undefined);

    await expect(run()).resolves.toMatchObject({ mode: 'switchover' });
  });

  it('refuses a target region without a cluster in the global database', async () => {
    const world = createWorld();

    const result = preflight(failoverRequest({ target: 'eu-west-1' }), { database: world.database, traffic: world.traffic, policy: world.config.policy });

    await expect(result).rejects.toMatchObject({ name: 'TargetNotReady', message: expect.stringContaining('eu-west-1 has no cluster') });
  });
});
