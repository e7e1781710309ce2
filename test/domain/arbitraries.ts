import fc from 'fast-check';
import type { ControllerConfig, Policy } from '../../domain/config';
import type { AlarmState, DomainEvent, OverrideAction, WorkflowStatus } from '../../domain/events';
import { T0, testConfig } from './fixtures';

export const alarmStates: readonly AlarmState[] = ['ALARM', 'OK', 'INSUFFICIENT_DATA'];
export const overrideActions: readonly OverrideAction[] = ['failover', 'freeze', 'unfreeze', 'abort', 'acknowledge'];
export const workflowStatuses: readonly WorkflowStatus[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

/** Policies small enough that cooldowns, caps and windows all come into play within a run. */
export const policyArb: fc.Arbitrary<Partial<Policy>> = fc.record({
  quorum: fc.integer({ min: 1, max: 3 }),
  minKinds: fc.integer({ min: 1, max: 2 }),
  sustainSeconds: fc.constantFrom(0, 30, 60, 120),
  cooldownSeconds: fc.constantFrom(0, 300, 3600),
  maxAutoFailovers: fc.integer({ min: 1, max: 3 }),
  windowSeconds: fc.constantFrom(600, 3600, 86400),
  autoFailback: fc.boolean(),
  dryRun: fc.boolean(),
}).map((p) => ({ ...p, minKinds: Math.min(p.minKinds, p.quorum) }));

export const configArb: fc.Arbitrary<ControllerConfig> = fc
  .tuple(policyArb, fc.constantFrom(['us-east-1', 'us-east-2'], ['us-east-1', 'us-east-2', 'us-west-2']))
  .map(([policy, regions]) => testConfig(policy, regions));

/** Any event the engine can be given for `config`, at a time near `T0 + offset`. */
export function eventArb(config: ControllerConfig): fc.Arbitrary<DomainEvent> {
  const alarmNames = [...config.signals.map((s) => s.alarmName), 'unconfigured-alarm'];
  const at = fc.integer({ min: T0, max: T0 + 4 * 3600_000 });
  const id = fc.string({ minLength: 1, maxLength: 8 });
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ type: fc.constant('signal-changed' as const), eventId: id, alarmName: fc.constantFrom(...alarmNames), state: fc.constantFrom(...alarmStates), at }) },
    { weight: 3, arbitrary: fc.record({ type: fc.constant('tick' as const), eventId: id, at }) },
    {
      weight: 2,
      arbitrary: fc.record(
        {
          type: fc.constant('override' as const),
          eventId: id,
          action: fc.constantFrom(...overrideActions),
          requestId: fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5', 'r6'),
          operator: fc.constant('alice'),
          reason: fc.constant('test'),
          at,
          target: fc.constantFrom(...config.regions, 'eu-west-9'),
          allowDataLoss: fc.boolean(),
          force: fc.boolean(),
          until: at,
        },
        { requiredKeys: ['type', 'eventId', 'action', 'requestId', 'operator', 'reason', 'at'] },
      ),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constant('workflow-ended' as const),
        eventId: id,
        executionName: fc.integer({ min: 1, max: 4 }).map((g) => `${config.app}-failover-g${g}`),
        status: fc.constantFrom(...workflowStatuses),
        at,
      }),
    },
  );
}

/** A config with a stream of events in roughly increasing time. */
export const scenarioArb = configArb.chain((config) =>
  fc.record({ config: fc.constant(config), events: fc.array(eventArb(config), { maxLength: 60 }) }).map(({ config, events }) => ({
    config,
    events: [...events].sort((a, b) => a.at - b.at),
  })),
);
