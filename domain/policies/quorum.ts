import type { Policy, SignalKind } from '../config';

/**
 * The region-down rule, in one place: a region is down when at least `quorum` of its critical
 * signals, of at least `minKinds` distinct kinds, have been in ALARM for `sustainSeconds`. The
 * engine (`domain/decide.ts`) judges regions with it, and the configuration schema
 * (`edge/config.schema.ts`) checks with it that every region *can* be judged down. Pure.
 */

export type QuorumPolicy = Pick<Policy, 'quorum' | 'minKinds'>;

/** Whether these signals (by kind) make a quorum: enough of them, of enough distinct kinds. */
export function meetsQuorum(kinds: readonly SignalKind[], policy: QuorumPolicy): boolean {
  return kinds.length >= policy.quorum && new Set(kinds).size >= policy.minKinds;
}

/** Whether a signal in ALARM since `since` has held it for the sustain period at `at`. */
export function isSustained(since: number, at: number, sustainSeconds: number): boolean {
  return since <= at - sustainSeconds * 1000;
}

/**
 * The earliest instant at which the quorum holds, given for each signal the instant from which it
 * counts (for the engine: the end of its sustain period) and its kind; undefined when these
 * signals never make a quorum. The set of counting signals only grows with time, so the first
 * prefix (in time order) that meets the quorum gives the instant.
 */
export function quorumFrom(timeline: readonly { readonly from: number; readonly kind: SignalKind }[], policy: QuorumPolicy): number | undefined {
  const sorted = [...timeline].sort((a, b) => a.from - b.from);
  const kinds: SignalKind[] = [];
  for (const { from, kind } of sorted) {
    kinds.push(kind);
    if (meetsQuorum(kinds, policy)) return from;
  }
  return undefined;
}

/**
 * Why a region with these critical signals (by kind) could never be judged down, or undefined when
 * it can: even with all of them in ALARM the quorum would not hold.
 */
export function quorumUnreachable(criticalKinds: readonly SignalKind[], policy: QuorumPolicy): string | undefined {
  if (meetsQuorum(criticalKinds, policy)) return undefined;
  const kinds = [...new Set(criticalKinds)];
  return `${criticalKinds.length} critical signal(s) of ${kinds.length} kind(s) [${kinds.join(', ')}] but policy.quorum is ${policy.quorum} and policy.minKinds is ${policy.minKinds}`;
}
