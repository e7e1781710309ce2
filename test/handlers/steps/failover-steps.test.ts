import { PermanentAdapterError, TransientAdapterError } from '../../../adapters/errors';
import { InMemoryStateStore } from '../../../adapters/state-store/in-memory-state-store.twin';
import { announce } from '../../../handlers/steps/announce.handler';
import { checkWriter } from '../../../handlers/steps/check-writer.handler';
import { parseFailoverState, type FailoverState } from '../../../handlers/steps/failover-state';
import { causeMessage, reportHalt } from '../../../handlers/steps/report-halt.handler';
import { updateConfig } from '../../../handlers/steps/update-config.handler';
import { verifyRecovery } from '../../../handlers/steps/verify-recovery.handler';
import { controllerState, createWorld, failoverRequest, NOW, PRIMARY, STANDBY } from '../../workflow/workflow-fixtures';

const PREFLIGHT = { mode: 'switchover', targetAlreadyWriter: false, oldWriterReachable: true, rpoBudgetSeconds: 5, reason: 'test' } as const;

describe('update-config', () => {
  it('publishes the new active region everywhere and lifts the fence in the target', async () => {
    const world = createWorld();
    world.configStore.seed(STANDBY, { fenced: true });

    const result = await updateConfig(failoverRequest(), { configStore: world.configStore, regions: world.config.regions });

    expect(result).toEqual({ changed: { [PRIMARY]: ['activeRegion'], [STANDBY]: ['activeRegion', 'fenced'] }, skipped: [] });
    expect(world.configStore.raw(STANDBY)).toEqual({ activeRegion: STANDBY, fenced: 'false' });
  });

  it('skips the old region when it cannot be written', async () => {
    const world = createWorld();
    world.configStore.setReachable(PRIMARY, false);

    const result = await updateConfig(failoverRequest(), { configStore: world.configStore, regions: world.config.regions });

    expect(result.changed).toEqual({ [STANDBY]: ['activeRegion'] });
    expect(result.skipped).toEqual([{ region: PRIMARY, reason: expect.stringContaining('TransientAdapterError: ssm write in us-east-1') }]);
  });

  it('fails when a region other than the old one cannot be written', async () => {
    const world = createWorld();
    world.configStore.failNext(1, new PermanentAdapterError('ssm PutParameter denied'), { region: STANDBY });

    const result = updateConfig(failoverRequest(), { configStore: world.configStore, regions: world.config.regions });

    await expect(result).rejects.toThrow('ssm PutParameter denied');
  });
});

describe('verify-recovery', () => {
  function verify(world = createWorld(), state: FailoverState = failoverRequest()) {
    return verifyRecovery(state, { stateStore: world.stateStore, traffic: world.traffic, signals: world.config.signals, now: () => NOW });
  }

  it('verifies the target and measures recovery from the first alarm', async () => {
    await expect(verify()).resolves.toEqual({
      verified: true,
      attempt: 1,
      reason: `${STANDBY} recovered: no signal in ALARM, endpoint healthy`,
      recoverySeconds: 210,
      elapsedSeconds: 210,
      alarming: [],
      targetHealth: 'healthy',
    });
  });

  it('measures from the request when no alarm time is known', async () => {
    const { detectedAt: _dropped, ...request } = failoverRequest();

    await expect(verify(createWorld(), request)).resolves.toMatchObject({ verified: true, recoverySeconds: 150 });
  });

  it('is not verified while a target signal is in ALARM or its endpoint is unhealthy, and counts the polls', async () => {
    const world = createWorld();
    world.stateStore.seed('payments', controllerState(world.config, STANDBY));
    world.traffic.setHealth(STANDBY, 'unhealthy');
    const state: FailoverState = { ...failoverRequest(), verify: { verified: false, attempt: 2, reason: 'earlier poll' } };

    const result = await verify(world, state);

    expect(result).toMatchObject({ verified: false, attempt: 3, targetHealth: 'unhealthy', alarming: [`${STANDBY}-api-5xx`, `${STANDBY}-lambda-errors`, `${STANDBY}-health`, `${STANDBY}-replication-lag`] });
    expect(result.reason).toContain(`endpoint in ${STANDBY} unhealthy`);
    expect(result).not.toHaveProperty('recoverySeconds');
  });

  it('accepts an unknown endpoint health (Route 53 unreachable)', async () => {
    const world = createWorld();
    world.traffic.failNext(1, new TransientAdapterError('route53 unreachable'));

    await expect(verify(world)).resolves.toMatchObject({ verified: true, targetHealth: 'unknown' });
  });

  it('is not verified without stored controller state', async () => {
    const world = { ...createWorld(), stateStore: new InMemoryStateStore() };

    await expect(verify(world)).resolves.toMatchObject({ verified: false, reason: expect.stringContaining('no controller state stored for payments') });
  });
});

describe('check-writer', () => {
  it('reports the target as writer once it is the writer and its cluster is available, counting the polls', async () => {
    const world = createWorld({ promotionPolls: 1 });
    await world.database.promote(STANDBY, 'switchover');

    const first = await checkWriter(failoverRequest(), { database: world.database });
    const second = await checkWriter({ ...failoverRequest(), writer: first }, { database: world.database });

    expect(first).toEqual({ isWriter: false, writerRegion: PRIMARY, status: 'switching-over', clusterStatus: 'available', attempt: 1 });
    expect(second).toEqual({ isWriter: true, writerRegion: STANDBY, status: 'available', clusterStatus: 'available', attempt: 2 });
  });

  it('is done although Aurora still reports the promotion in progress (FailoverState lingering while the old region is dark)', async () => {
    const world = createWorld({ promotionPolls: 0 });
    world.database.setPromotionLingers(true);
    await world.database.promote(STANDBY, 'failover');

    const result = await checkWriter(failoverRequest(), { database: world.database });

    expect(result).toEqual({ isWriter: true, writerRegion: STANDBY, status: 'failing-over', clusterStatus: 'available', attempt: 1 });
  });

  it('is not done while the target is writer but its own cluster is not available yet', async () => {
    const world = createWorld({ promotionPolls: 0 });
    await world.database.promote(STANDBY, 'failover');
    world.database.setClusterStatus(STANDBY, 'modifying');

    await expect(checkWriter(failoverRequest(), { database: world.database })).resolves.toMatchObject({ isWriter: false, writerRegion: STANDBY, clusterStatus: 'modifying' });
  });

  it('falls back to the global view (no promotion in progress) when the target cluster\'s status is unknown', async () => {
    const status = { writerRegion: STANDBY, members: [{ region: STANDBY, clusterArn: 'arn', isWriter: true }] };
    const database = (promotionInProgress: boolean) => ({
      status: async () => ({ ...status, status: promotionInProgress ? 'failing-over' : 'available', promotionInProgress }),
      replicationLagSeconds: async () => undefined,
      promote: async () => ({ type: 'already-writer' as const }),
    });

    await expect(checkWriter(failoverRequest(), { database: database(true) })).resolves.toMatchObject({ isWriter: false });
    await expect(checkWriter(failoverRequest(), { database: database(false) })).resolves.toMatchObject({ isWriter: true });
  });
});

describe('announce', () => {
  it('returns the summary even when the notice cannot be published', async () => {
    const world = createWorld();
    world.publisher.failNext(10, new PermanentAdapterError('bus gone'));

    const summary = await announce({ ...failoverRequest(), preflight: PREFLIGHT }, { publisher: world.publisher });

    expect(summary).toMatchObject({ announced: false, announceError: 'PermanentAdapterError: bus gone', verified: false, verifyReason: 'recovery was not verified' });
  });
});

describe('report-halt', () => {
  it('names the failed step and the steps done, with the message from the Lambda error document', async () => {
    const world = createWorld();
    const cause = JSON.stringify({ errorType: 'PermanentAdapterError', errorMessage: 'rds FailoverGlobalCluster denied', trace: ['at x'] });
    const state: FailoverState = { ...failoverRequest(), preflight: PREFLIGHT, fence: { fenced: true }, error: { Error: 'PermanentAdapterError', Cause: cause } };

    const result = await reportHalt(state, { publisher: world.publisher });

    expect(result).toEqual({ Error: 'PermanentAdapterError', Cause: 'promote-database: rds FailoverGlobalCluster denied' });
    expect(world.publisher.published).toEqual([
      {
        detailType: 'DR Failover Halted',
        detail: {
          app: 'payments',
          generation: 3,
          executionName: failoverRequest().executionName,
          from: PRIMARY,
          target: STANDBY,
          error: 'PermanentAdapterError',
          cause: 'promote-database: rds FailoverGlobalCluster denied',
          failedStep: 'promote-database',
          stepsDone: ['preflight', 'fence-old-region'],
        },
      },
    ]);
  });

  it.each([
    [{ Error: 'States.Timeout' }, 'States.Timeout'],
    [{ Error: 'States.Timeout', Cause: '' }, 'States.Timeout'],
    [{ Error: 'WriterNotPromoted', Cause: 'target us-east-2 is not the writer after 40 polls' }, 'target us-east-2 is not the writer after 40 polls'],
    [{ Error: 'Lambda.Unknown', Cause: '{"not":"a lambda error"}' }, '{"not":"a lambda error"}'],
  ])('reads the message of %j as %j', (caught, message) => {
    expect(causeMessage(caught)).toBe(message);
  });
});

describe('parseFailoverState', () => {
  it('rejects a state that is not a failover request, naming the fields', () => {
    expect(() => parseFailoverState({ app: 'payments', generation: -1 })).toThrow(
      expect.objectContaining({ name: 'InvalidWorkflowInput', message: expect.stringMatching(/generation: .*executionName: /) }),
    );
  });
});
