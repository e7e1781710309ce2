import type { Region } from '../domain/config';
import type { RawEvent } from './aws-events';
import { controllerQueueArn, type DrillPlan, type PlannedRule } from './plan';

/**
 * EventBridge's routing, as the local AWS needs it where moto falls short (no schedule rules, a
 * cross-region bus target that re-stamps the envelope) and for the in-memory bus: pattern
 * matching, rules, targets and the cross-region hop, over the SYNTHESIZED rules of the plan.
 */

/** The region and name of the event bus `arn` names, when it is one in another region than `from`. */
export function crossRegionBus(arn: string, from: Region): { readonly region: Region; readonly name: string } | undefined {
  const bus = /^arn:aws:events:([^:]+):\d{12}:event-bus\/(.+)$/.exec(arn);
  return bus && bus[1] !== from ? { region: bus[1]!, name: bus[2]! } : undefined;
}

/**
 * Whether `event` matches an EventBridge event pattern. Covers what the controller's rules use:
 * exact matching of literal values (a field matches when its value, or one element of it, is in
 * the pattern's list) and nested objects. A content filter (`prefix`, `anything-but`, …) is an
 * error: the in-memory bus would silently get it wrong.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
 */
export function matchesPattern(pattern: Readonly<Record<string, unknown>>, event: unknown): boolean {
  return Object.entries(pattern).every(([key, wanted]) => {
    const value = typeof event === 'object' && event !== null ? (event as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(wanted)) {
      const filter = wanted.find((w) => typeof w === 'object' && w !== null);
      if (filter !== undefined) throw new Error(`event pattern field ${key}: content filter ${JSON.stringify(filter)} is not supported in memory; run the drill on moto`);
      return (Array.isArray(value) ? value : [value]).some((v) => wanted.includes(v));
    }
    if (typeof wanted === 'object' && wanted !== null) return matchesPattern(wanted as Record<string, unknown>, value);
    throw new Error(`event pattern field ${key}: ${JSON.stringify(wanted)} is neither a list of values nor an object`);
  });
}

/**
 * Route `event`, put on `busName` in `region`, through the synthesized rules as EventBridge does:
 * every rule of that bus whose pattern matches sends it to each of its targets; a target that is an
 * event bus (the cross-region forwarding) routes it again there, and the controller queue receives
 * it through `enqueue`. The event keeps its envelope (region, time, resources), as a cross-region
 * bus target keeps it in AWS. Returns how many copies reached the controller queue.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html
 */
export async function routeOnBus(plan: DrillPlan, region: Region, busName: string, event: RawEvent, enqueue: (event: RawEvent) => Promise<void>): Promise<number> {
  let delivered = 0;
  const rules = plan.rules.filter((r) => r.region === region && r.busName === busName && r.eventPattern !== undefined);
  for (const rule of rules) {
    if (matchesPattern(rule.eventPattern ?? {}, event)) delivered += await sendToTargets(plan, rule, event, enqueue);
  }
  return delivered;
}

/**
 * What EventBridge does when a schedule rule fires: its `Scheduled Event` goes to each target.
 * moto fires no schedule rules, and its cross-region bus targets re-stamp the event's region, time
 * and resources, which name the heartbeat's origin: so the drill fires them itself, through the
 * synthesized targets and patterns, on both backends.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html
 */
export async function fireScheduledRule(plan: DrillPlan, rule: PlannedRule, event: RawEvent, enqueue: (event: RawEvent) => Promise<void>): Promise<number> {
  if (rule.scheduleExpression === undefined) throw new Error(`rule ${rule.name} in ${rule.region} has no schedule expression; only schedule rules fire on their own`);
  return sendToTargets(plan, rule, event, enqueue);
}

async function sendToTargets(plan: DrillPlan, rule: PlannedRule, event: RawEvent, enqueue: (event: RawEvent) => Promise<void>): Promise<number> {
  let delivered = 0;
  for (const target of rule.targets) {
    const bus = /^arn:aws:events:([^:]+):\d{12}:event-bus\/(.+)$/.exec(target.arn);
    if (bus) delivered += await routeOnBus(plan, bus[1]!, bus[2]!, event, enqueue);
    else if (target.arn === controllerQueueArn(plan)) {
      await enqueue(event);
      delivered += 1;
    }
  }
  return delivered;
}
