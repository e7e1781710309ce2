import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { PermanentAdapterError } from '../../adapters/errors';
import { IamPermissionSimulator } from '../../adapters/readiness/iam-permission-simulator.adapter';
import { InMemoryPermissionSimulator } from '../../adapters/readiness/in-memory-permission-simulator.twin';
import { InMemoryReadinessWorld } from '../../adapters/readiness/in-memory-readiness-world.twin';
import { evaluateReadiness, type ReadinessExpectations } from '../../domain/readiness';

const ROLE = 'arn:aws:iam::123456789012:role/shift';
const ZONE = 'arn:aws:route53:::hostedzone/Z1';

describe('InMemoryPermissionSimulator (the IAM twin)', () => {
  it('allows what a statement grants, with wildcards, and nothing else (implicit deny)', async () => {
    const iam = new InMemoryPermissionSimulator();
    iam.allow(ROLE, ['route53:ChangeResourceRecordSets'], [ZONE]);
    iam.allow(ROLE, ['route53:GetChange'], ['arn:aws:route53:::change/*']);

    await expect(iam.simulate(ROLE, ['route53:changeresourcerecordsets', 'route53:DeleteHostedZone'], [ZONE])).resolves.toEqual([
      { action: 'route53:changeresourcerecordsets', resource: ZONE, decision: 'allowed' },
      { action: 'route53:DeleteHostedZone', resource: ZONE, decision: 'implicitDeny' },
    ]);
    await expect(iam.simulate(ROLE, ['route53:GetChange'], ['arn:aws:route53:::change/C123'])).resolves.toEqual([{ action: 'route53:GetChange', resource: 'arn:aws:route53:::change/C123', decision: 'allowed' }]);
  });

  it('lets an explicit deny win over an allow, and a revoked action fall back to implicit deny', async () => {
    const iam = new InMemoryPermissionSimulator();
    iam.allow(ROLE, ['route53:*'], ['*']);
    iam.deny(ROLE, ['route53:ChangeResourceRecordSets'], [ZONE]);
    const other = new InMemoryPermissionSimulator();
    other.allow(ROLE, ['ssm:GetParameters', 'ssm:PutParameter'], ['*']);
    other.revoke(ROLE, 'ssm:PutParameter');

    await expect(iam.simulate(ROLE, ['route53:ChangeResourceRecordSets'], [ZONE])).resolves.toEqual([{ action: 'route53:ChangeResourceRecordSets', resource: ZONE, decision: 'explicitDeny' }]);
    await expect(other.simulate(ROLE, ['ssm:GetParameters', 'ssm:PutParameter'], ['p'])).resolves.toEqual([
      { action: 'ssm:GetParameters', resource: 'p', decision: 'allowed' },
      { action: 'ssm:PutParameter', resource: 'p', decision: 'implicitDeny' },
    ]);
  });
});

describe('IamPermissionSimulator (SimulatePrincipalPolicy, AWS response shapes: moto has none)', () => {
  const iam = mockClient(IAMClient);
  beforeEach(() => iam.reset());

  it('reads each resource\'s own decision from ResourceSpecificResults, following Marker pages', async () => {
    const second = 'arn:aws:route53:::hostedzone/Z2';
    iam
      .on(SimulatePrincipalPolicyCommand, { Marker: undefined })
      .resolves({
        IsTruncated: true,
        Marker: 'm1',
        EvaluationResults: [
          {
            EvalActionName: 'route53:ChangeResourceRecordSets',
            EvalDecision: 'implicitDeny',
            ResourceSpecificResults: [
              { EvalResourceName: ZONE, EvalResourceDecision: 'allowed' },
              { EvalResourceName: second, EvalResourceDecision: 'implicitDeny' },
            ],
          },
        ],
      })
      .on(SimulatePrincipalPolicyCommand, { Marker: 'm1' })
      .resolves({ IsTruncated: false, EvaluationResults: [{ EvalActionName: 'route53:ListResourceRecordSets', EvalDecision: 'explicitDeny' }] });

    const result = await new IamPermissionSimulator(new IAMClient({ region: 'us-east-1' })).simulate(ROLE, ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets'], [ZONE, second]);

    expect(result).toEqual([
      { action: 'route53:ChangeResourceRecordSets', resource: ZONE, decision: 'allowed' },
      { action: 'route53:ChangeResourceRecordSets', resource: second, decision: 'implicitDeny' },
      { action: 'route53:ListResourceRecordSets', resource: ZONE, decision: 'explicitDeny' },
      { action: 'route53:ListResourceRecordSets', resource: second, decision: 'explicitDeny' },
    ]);
    expect(iam.commandCalls(SimulatePrincipalPolicyCommand)[0]!.args[0].input).toEqual({ PolicySourceArn: ROLE, ActionNames: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets'], ResourceArns: [ZONE, second] });
  });

  it('reports an IAM error as an adapter error naming the role', async () => {
    iam.on(SimulatePrincipalPolicyCommand).rejects(Object.assign(new Error('User is not authorized to perform: iam:SimulatePrincipalPolicy'), { name: 'AccessDenied', $fault: 'client' }));

    const error = await new IamPermissionSimulator(new IAMClient({ region: 'us-east-1' })).simulate(ROLE, ['a:b'], ['*']).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PermanentAdapterError);
    expect((error as Error).message).toContain(`iam SimulatePrincipalPolicy for ${ROLE}`);
  });
});

describe('InMemoryReadinessWorld', () => {
  const required = [{ step: 'shift-traffic', actions: ['route53:ChangeResourceRecordSets'], resources: [ZONE] }];
  const expectations: ReadinessExpectations = {
    regions: ['us-east-1', 'us-east-2'],
    active: 'us-east-1',
    rpoBudgetSeconds: 5,
    healthCheckIds: { 'us-east-1': 'hc-us-east-1', 'us-east-2': 'hc-us-east-2' },
    probedRegions: ['us-east-1', 'us-east-2'],
    maxProbeAgeSeconds: 300,
    steps: ['shift-traffic'],
  };
  const twin = () => new InMemoryReadinessWorld({ regions: expectations.regions, active: 'us-east-1', requiredPermissions: required, steps: ['shift-traffic'], now: () => 1_000_000 });
  const failing = async (world: InMemoryReadinessWorld) => evaluateReadiness(await world.observe(), expectations).targets[0]!.failing;

  it('starts as a world where a failover into the standby would work', async () => {
    await expect(failing(twin())).resolves.toEqual([]);
  });

  it('models each drift the drill rehearses: an edited record, a removed permission, a detached member', async () => {
    const edited = twin();
    edited.setRecord('us-east-2', { weight: 30 });
    const revoked = twin();
    revoked.permissionSimulator.revoke(revoked.roleOf('shift-traffic')!, 'route53:ChangeResourceRecordSets');
    const detached = twin();
    detached.setMember('us-east-2', undefined);

    await expect(failing(edited)).resolves.toEqual(['weighted-records']);
    await expect(failing(revoked)).resolves.toEqual(['step-permissions']);
    await expect(failing(detached)).resolves.toEqual(['global-cluster-member', 'engine-version']);
  });

  it('answers nothing from an unreachable region, and a dark region being left does not fail the target\'s parameters', async () => {
    const world = twin();
    world.makeUnreachable('us-east-1');

    const observations = await world.observe();

    expect(observations.parameters['us-east-1']).toEqual({ ok: false, error: 'us-east-1 is unreachable' });
    expect(observations.database.ok).toBe(true);
    await expect(failing(world)).resolves.toEqual([]);
  });
});
