import { DeleteFunctionCommand } from '@aws-sdk/client-lambda';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { DeleteHealthCheckCommand } from '@aws-sdk/client-route-53';
import { AwsReadinessWorld } from '../../adapters/readiness/aws-readiness-world.adapter';
import { evaluateReadiness, type ReadinessCheckName } from '../../domain/readiness';
import { readinessExpectations, readinessWorldOptions } from '../../handlers/readiness/readiness-setup';
import { startMoto, type Moto } from '../support/moto';
import { arrangeMotoController, CONTROLLER, PRIMARY, putProbe, SECONDARY, setWeights, type MotoController } from './readiness-moto';

/**
 * The AWS readiness world over the wire on moto_server: every read but IAM's policy simulator
 * (moto has no SimulatePrincipalPolicy; the IAM twin stands in, see readiness.twin.test.ts and
 * the IamPermissionSimulator's own test). Each drift is made with the real API, as a person would.
 */
describe('AwsReadinessWorld on moto_server', () => {
  let moto: Moto;
  let c: MotoController;
  const now = Date.now();

  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    c = await arrangeMotoController(moto, now);
  });
  afterEach(() => c.destroy());

  const evaluate = async () => {
    const world = new AwsReadinessWorld(readinessWorldOptions(c.config, c.resources, c.targets, c.clients, c.permissions, () => now));
    const observations = await world.observe();
    const [target] = evaluateReadiness(observations, readinessExpectations(c.config, c.resources, PRIMARY)).targets;
    return { observations, target: target!, check: (name: ReadinessCheckName) => target!.checks.find((x) => x.check === name)! };
  };

  it('reads every part of a healthy controller and finds the standby ready', async () => {
    const { observations, target } = await evaluate();

    expect(target.checks.filter((x) => !x.passed)).toEqual([]);
    expect(target).toMatchObject({ target: SECONDARY, ready: true });
    expect(observations.database).toEqual({
      ok: true,
      value: {
        engineVersion: '16.4',
        members: expect.arrayContaining([
          expect.objectContaining({ region: PRIMARY, isWriter: true, engineVersion: '16.4' }),
          expect.objectContaining({ region: SECONDARY, isWriter: false, engineVersion: '16.4' }),
        ]),
      },
    });
    expect(observations.lagSeconds[SECONDARY]).toEqual({ ok: true, value: 0.8 });
    expect(observations.probes[SECONDARY]).toEqual({ ok: true, value: { latest: { success: true, at: expect.any(Number) } } });
    expect(observations.workflow.ok && observations.workflow.value.steps.every((s) => s.exists && s.roleArn === c.roles[s.step])).toBe(true);
    expect(observations.plumbing).toEqual({
      ok: true,
      value: {
        queue: { name: 'payments-dev-controller.fifo', exists: true, visibleMessages: 0 },
        deadLetterQueue: { name: 'payments-dev-controller-dlq.fifo', exists: true, visibleMessages: 0 },
        table: { name: 'payments-dev-controller-state', exists: true, status: 'ACTIVE' },
      },
    });
  });

  it('fails weighted-records when a record was edited by hand', async () => {
    await setWeights(c.clients.route53, c.resources.traffic.hostedZoneId, c.resources.traffic.recordName, c.resources.traffic.healthCheckIds, { [PRIMARY]: 100, [SECONDARY]: 20 });

    const { target, check } = await evaluate();

    expect(target.failing).toEqual(['weighted-records']);
    expect(check('weighted-records').detail).toContain("us-east-2's record (us-east-2) has weight 20, expected 0");
  });

  it('fails health-check when the target\'s health check was deleted', async () => {
    await c.clients.route53.send(new DeleteHealthCheckCommand({ HealthCheckId: c.resources.traffic.healthCheckIds[SECONDARY] }));

    const { check } = await evaluate();

    expect(check('health-check')).toMatchObject({ passed: false, detail: expect.stringContaining('does not exist') });
  });

  it('fails parameters when a region names another active region', async () => {
    await c.clients.ssm(SECONDARY).send(new PutParameterCommand({ Name: '/payments/dev/active-region', Value: SECONDARY, Type: 'String', Overwrite: true }));

    const { target, check } = await evaluate();

    expect(target.failing).toEqual(['parameters']);
    expect(check('parameters').detail).toBe('us-east-2 says active-region us-east-2, expected us-east-1');
  });

  it('fails endpoint when the prober\'s newest result for the target is a failure', async () => {
    await putProbe(c.clients.cloudWatch(CONTROLLER), [SECONDARY], false, now - 5_000);

    const { check } = await evaluate();

    expect(check('endpoint')).toMatchObject({ passed: false, detail: expect.stringContaining("us-east-2's regional endpoint did not answer") });
  });

  it('fails workflow, and step-permissions for that step, when a step function was deleted', async () => {
    await c.clients.lambda.send(new DeleteFunctionCommand({ FunctionName: c.targets.stepFunctions['shift-traffic'] }));

    const { target, check } = await evaluate();

    expect(target.failing).toEqual(['workflow', 'step-permissions']);
    expect(check('workflow').detail).toContain('the shift-traffic function does not exist');
    expect(check('step-permissions').detail).toContain('shift-traffic: route53:ListResourceRecordSets');
    expect(check('step-permissions').detail).toContain('not-simulated');
  });

  it('fails step-permissions when a step\'s permission was removed (IAM simulated by the twin: moto has no SimulatePrincipalPolicy)', async () => {
    c.permissions.revoke(c.roles['promote-database']!, 'rds:FailoverGlobalCluster');

    const { target, check } = await evaluate();

    expect(target.failing).toEqual(['step-permissions']);
    expect(check('step-permissions').detail).toMatch(/^promote-database: rds:FailoverGlobalCluster on arn:aws:rds::123456789012:global-cluster:payments-global implicitDeny/);
  });

  it('fails controller-health when the dead-letter queue holds a message', async () => {
    await c.clients.sqs.send(new SendMessageCommand({ QueueUrl: c.targets.deadLetterQueueUrl, MessageBody: '{}', MessageGroupId: 'payments', MessageDeduplicationId: 'd1' }));

    const { check } = await evaluate();

    expect(check('controller-health').detail).toContain('holds 1 message(s)');
  });

  it('reports an unreachable region as unread parts, never throwing', async () => {
    const world = new AwsReadinessWorld({
      ...readinessWorldOptions(c.config, c.resources, c.targets, c.clients, c.permissions, () => now),
      clients: { ...c.clients, ssm: (region) => (region === PRIMARY ? unreachableSsm : c.clients.ssm(region)) },
    });

    const observations = await world.observe();

    expect(observations.parameters[PRIMARY]).toEqual({ ok: false, error: expect.stringContaining('ECONNREFUSED') });
    expect(observations.parameters[SECONDARY]).toEqual({ ok: true, value: { activeRegion: PRIMARY, fenced: false } });
  });
});

const unreachableSsm = {
  send: async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  },
} as never;
