import fc from 'fast-check';
import type { ControllerConfig, Policy } from '../../domain/config';
import type { AlarmState, DomainEvent, OverrideAction, WorkflowStatus } from '../../domain/events';
import { READINESS_CHECKS } from '../../domain/readiness';
import { referenceConfig, T0, testConfig } from './fixtures';

export const alarmStates: readonly AlarmState[] = ['ALARM', 'OK', 'INSUFFICIENT_DATA'];
export const overrideActions: readonly OverrideAction[] = ['failover', 'failback', 'freeze', 'unfreeze', 'abort', 'acknowledge'];
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
  heartbeatWindowSeconds: fc.constantFrom(60, 90, 180),
}).map((p) => ({ ...p, minKinds: Math.min(p.minKinds, p.quorum) }));

/** Two or three regions, with the alarms and health checks of `testConfig`, and half the time a probe and a heartbeat each. */
export const configArb: fc.Arbitrary<ControllerConfig> = fc
  .tuple(policyArb, fc.constantFrom(['us-east-1', 'us-east-2'], ['us-east-1', 'us-east-2', 'us-west-2']), fc.boolean())
  .map(([policy, regions, deployed]) => (deployed ? referenceConfig(policy, regions) : testConfig(policy, regions)));

/**
 * Stands for "the execution in flight" in generated workflow events: {@link inFlightNamed} swaps in
 * its real name (which depends on when it started) at replay time, so the events can match it.
 */
export const IN_FLIGHT = '@in-flight';

/** `event` with {@link IN_FLIGHT} replaced by the name of the execution in flight (or left as is). */
export function inFlightNamed(event: DomainEvent, state: { readonly inFlight?: { readonly executionName: string } }): DomainEvent {
  if (!('executionName' in event) || event.executionName !== IN_FLIGHT || state.inFlight === undefined) return event;
  return { ...event, executionName: state.inFlight.executionName };
}

/** Any event the engine can be given for `config`, at a time within `spanMs` after `T0`. */
export function eventArb(config: ControllerConfig, spanMs = 4 * 3600_000): fc.Arbitrary<DomainEvent> {
  const alarmNames = [...config.signals.map((s) => s.alarmName), 'unconfigured-alarm'];
  const at = fc.integer({ min: T0, max: T0 + spanMs });
  const id = fc.string({ minLength: 1, maxLength: 8 });
  const executionName = fc.constantFrom(IN_FLIGHT, IN_FLIGHT, `${config.app}-failover-g1-${T0 / 1000}`);
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record(
        { type: fc.constant('signal-changed' as const), eventId: id, alarmName: fc.constantFrom(...alarmNames), state: fc.constantFrom(...alarmStates), previousState: fc.constantFrom(...alarmStates), at },
        { requiredKeys: ['type', 'eventId', 'alarmName', 'state', 'at'] },
      ),
    },
    { weight: 3, arbitrary: fc.record({ type: fc.constant('tick' as const), eventId: id, at, wake: fc.boolean() }, { requiredKeys: ['type', 'eventId', 'at'] }) },
    { weight: 3, arbitrary: fc.record({ type: fc.constant('heartbeat' as const), eventId: id, region: fc.constantFrom(...config.regions, 'eu-west-9'), at }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('workflow-started' as const), eventId: id, executionName, at }) },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant('action-failed' as const),
        eventId: id,
        action: fc.constantFrom('start' as const, 'stop' as const),
        executionName,
        permanent: fc.boolean(),
        reason: fc.constant('AccessDeniedException'),
        at,
      }),
    },
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
      weight: 1,
      arbitrary: fc
        .record(
          {
            type: fc.constant('readiness-evaluated' as const),
            eventId: id,
            app: fc.constantFrom(config.app, config.app, 'other-app'),
            target: fc.constantFrom(...config.regions, 'eu-west-9'),
            active: fc.constantFrom(...config.regions),
            evaluatedAt: at,
            at,
            failing: fc.subarray([...READINESS_CHECKS]),
          },
          { requiredKeys: ['type', 'eventId', 'app', 'target', 'active', 'evaluatedAt', 'at', 'failing'] },
        )
        .map((e) => ({ ...e, ready: e.failing.length === 0 })),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constant('workflow-ended' as const),
        eventId: id,
        executionName,
        status: fc.constantFrom(...workflowStatuses),
        at,
        via: fc.constantFrom('event' as const, 'reconcile' as const),
      }),
    },
  );
}

/** A config with a stream of events in increasing time, over four hours (or `spanMs`). */
export function scenarioOver(spanMs: number, maxLength = 60) {
  return configArb.chain((config) =>
    fc.record({ config: fc.constant(config), events: fc.array(eventArb(config, spanMs), { maxLength }) }).map(({ config, events }) => ({
      config,
      events: [...events].sort((a, b) => a.at - b.at),
    })),
  );
}

export const scenarioArb = scenarioOver(4 * 3600_000);
