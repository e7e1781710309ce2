import fc from 'fast-check';
import type { ControllerConfig } from '../../domain/config';
import { DEFAULT_POLICY } from '../../domain/config';
import { decide, initialState } from '../../domain/decide';
import type { Decision } from '../../domain/decision';
import { failoverRequestOf } from '../../domain/decision';
import type { DomainEvent, Override } from '../../domain/events';
import {
  MAX_ALARM_NAME_CHARS,
  MAX_EVENT_ID_CHARS,
  MAX_EVENT_SKEW_SECONDS,
  MAX_OPERATOR_CHARS,
  MAX_OVERRIDE_AGE_SECONDS,
  MAX_OVERRIDE_REASON_CHARS,
  MAX_RECENT_OVERRIDES,
  MAX_REGIONS,
  MAX_REQUEST_ID_CHARS,
  MAX_SIGNALS,
} from '../../domain/limits';
import type { ControllerState } from '../../domain/state';
import { eventArb, inFlightNamed, scenarioArb } from './arbitraries';
import { T0 } from './fixtures';

/**
 * Trust boundaries of the engine (ARCHITECTURE.md "Trust boundaries"), as properties over arbitrarily long
 * event sequences: an override is applied at most once, ever; dry run decides what live decides; the
 * clock never goes back; and the state, a decision and a failover request stay under the AWS limits
 * even when every input field is as long as the edge allows.
 */
const numRuns = Number(process.env.TRUST_RUNS ?? 10_000);

/** What "applied" means for an override: anything but a duplicate (ignored) or a refusal (rejected). */
const applied = (d: Decision) => d.action !== 'ignored' && d.action !== 'rejected';

describe('decide: trust boundaries (properties)', () => {
  it(`applies every override request at most once, ever, however its deliveries repeat and the clock moves (${numRuns} runs)`, () => {
    const config: ControllerConfig = { ...initialConfig(), policy: { ...DEFAULT_POLICY, quorum: 1, minKinds: 1 } };
    // A pool of published overrides (some sharing a request id: a retried publish), delivered again
    // and again, in any order, with the clock moving by seconds to an hour between deliveries. Each
    // publication applies at most once; a retried publish while its id is remembered is a duplicate.
    const published = fc.array(
      fc.record({
        requestId: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
        action: fc.constantFrom<Override['action']>('failover', 'freeze', 'unfreeze', 'abort', 'acknowledge'),
        publishedAt: fc.integer({ min: 0, max: 7200 }),
      }),
      { minLength: 1, maxLength: 8 },
    );
    const scenario = published.chain((pool) =>
      fc.tuple(fc.constant(pool), fc.array(fc.tuple(fc.nat({ max: pool.length - 1 }), fc.integer({ min: 0, max: 3600 })), { minLength: 1, maxLength: 120 })),
    );
    fc.assert(
      fc.property(scenario, ([pool, deliveries]) => {
        let state = initialState(config);
        let now = T0;
        const appliedIds = new Map<string, number>();
        const accepted = new Map<string, number>();
        for (const [index, step] of deliveries) {
          now += step * 1000;
          const p = pool[index]!;
          const event: Override = { type: 'override', eventId: `e${index}`, action: p.action, requestId: p.requestId, operator: 'op', reason: 'r', at: T0 + p.publishedAt * 1000 };
          const out = decide(state, event, config, now);
          state = out.state;
          const [d] = out.decisions;
          // One publication: a request id at a publish time (EventBridge redelivers it unchanged).
          const publication = `${p.requestId}@${p.publishedAt}`;
          if (applied(d)) appliedIds.set(publication, (appliedIds.get(publication) ?? 0) + 1);
          // A retried publish of an accepted request id, while it is remembered, is a duplicate.
          const acceptedAt = accepted.get(p.requestId);
          const remembered = acceptedAt !== undefined && now <= acceptedAt + (MAX_OVERRIDE_AGE_SECONDS + MAX_EVENT_SKEW_SECONDS) * 1000;
          expect(remembered && applied(d)).toBe(false);
          if (applied(d)) accepted.set(p.requestId, now);
          // Only overrides within their age are applied, and the memory stays bounded.
          expect(applied(d) && now - event.at > MAX_OVERRIDE_AGE_SECONDS * 1000).toBe(false);
          expect(state.recentRequests.length).toBeLessThanOrEqual(MAX_RECENT_OVERRIDES);
          expect(state.recentRequestTimes ?? []).toHaveLength(state.recentRequests.length);
        }
        for (const count of appliedIds.values()) expect(count).toBe(1);
      }),
      { numRuns },
    );
  });

  it('rejects overrides beyond the cap with a reason, rather than forgetting an id early', () => {
    const config = initialConfig();
    let state = initialState(config);
    const decisions: Decision[] = [];
    for (let i = 0; i <= MAX_RECENT_OVERRIDES; i++) {
      const out = decide(state, { type: 'override', eventId: `e${i}`, action: 'unfreeze', requestId: `r${i}`, operator: 'op', reason: 'r', at: T0 + i }, config, T0 + i);
      state = out.state;
      decisions.push(out.decisions[0]);
    }
    expect(decisions.slice(0, MAX_RECENT_OVERRIDES).every(applied)).toBe(true);
    expect(decisions[MAX_RECENT_OVERRIDES]).toMatchObject({ action: 'rejected', reason: expect.stringMatching(/64 overrides accepted in the last 1200 s \(max 64/) });
    // The first is still recognised, so a redelivery of it is a duplicate, not a second application.
    const again = decide(state, { type: 'override', eventId: 'again', action: 'unfreeze', requestId: 'r0', operator: 'op', reason: 'r', at: T0 }, config, T0 + 100);
    expect(again.decisions[0].action).toBe('ignored');
  });

  it(`decides in dry run exactly what live decides (same actions, targets, generations) when the live workflow never runs (${numRuns} runs)`, () => {
    fc.assert(
      fc.property(scenarioArb, ({ config, events }) => {
        // Nothing executed: no workflow report ever arrives, and no operator aborts (which ends a
        // live failover only once the workflow reports it, but clears a would-be one at once).
        const stream = events.filter((e) => e.type !== 'workflow-ended' && e.type !== 'workflow-started' && e.type !== 'action-failed' && !(e.type === 'override' && e.action === 'abort'));
        const live = { ...config, policy: { ...config.policy, dryRun: false } };
        const dry = { ...config, policy: { ...config.policy, dryRun: true } };
        let liveState = initialState(live);
        let dryState = initialState(dry);
        let now = 0;
        for (const e of stream) {
          now = Math.max(now, e.at);
          const l = decide(liveState, e, live, now);
          const d = decide(dryState, e, dry, now);
          liveState = l.state;
          dryState = d.state;
          const [ld] = l.decisions;
          const [dd] = d.decisions;
          expect(dd.action).toBe(ld.action);
          expect('target' in dd ? dd.target : undefined).toBe('target' in ld ? ld.target : undefined);
          expect('generation' in dd ? dd.generation : undefined).toBe('generation' in ld ? ld.generation : undefined);
          expect(dd.action === 'start-failover' && !dd.dryRun).toBe(false);
          // Nothing runs in a dry run, and its reasons never claim a failover happened.
          expect(dryState.inFlight).toBeUndefined();
          expect(dryState.active).toBe(dry.initialActive);
          expect(dd.reason).not.toMatch(/after failover g\d+ from/);
        }
      }),
      { numRuns },
    );
  });

  it(`never lets the clock go backwards, and never records a time beyond it (${numRuns} runs)`, () => {
    fc.assert(
      fc.property(
        scenarioArb.chain((sc) => fc.tuple(fc.constant(sc), fc.array(fc.integer({ min: -3_600_000, max: 3_600_000 }), { minLength: sc.events.length, maxLength: sc.events.length }))),
        ([{ config, events }, jitters]) => {
          let state = initialState(config);
          let clock = Number.NEGATIVE_INFINITY;
          events.forEach((generated, i) => {
            const e = inFlightNamed(generated, state);
            // The delivery clock handed in jumps around, backwards included.
            const out = decide(state, e, config, e.at + jitters[i]!);
            const [d] = out.decisions;
            // Never earlier than any decision that changed the state.
            expect(d.at).toBeGreaterThanOrEqual(clock);
            if (out.state !== state) clock = Math.max(clock, d.at);
            for (const rec of Object.values(out.state.signals)) expect(rec.lastAt).toBeLessThanOrEqual(out.state.clock ?? d.at);
            for (const t of Object.values(out.state.heartbeats ?? {})) expect(t).toBeLessThanOrEqual(out.state.clock ?? d.at);
            const tooFar = ['signal-changed', 'heartbeat', 'override'].includes(e.type) && e.at > d.at + MAX_EVENT_SKEW_SECONDS * 1000;
            expect({ action: tooFar ? d.action : 'rejected', signals: tooFar ? out.state.signals : state.signals }).toEqual({ action: 'rejected', signals: state.signals });
            state = out.state;
          });
        },
      ),
      { numRuns },
    );
  });

  it(`keeps the state under DynamoDB's 400 KB, a decision under EventBridge's 256 KB and a request under Step Functions' 256 KB, with every field at its maximum (${numRuns} runs)`, () => {
    const ITEM_LIMIT = 400 * 1024;
    const ENTRY_LIMIT = 256 * 1024;
    // Worst-case characters for UTF-8 size: three bytes per UTF-16 unit (BMP), or a pair taking four.
    const wide = (n: number, seed: string) => seed.repeat(Math.ceil(n / seed.length)).slice(0, n);
    const config = worstConfig();
    const event = eventArb(config, 6 * 3600_000).map((e): DomainEvent => {
      if (e.type === 'override') {
        return {
          ...e,
          eventId: wide(MAX_EVENT_ID_CHARS, '€'),
          requestId: `${e.requestId}${wide(MAX_REQUEST_ID_CHARS - e.requestId.length, '€')}`,
          operator: wide(MAX_OPERATOR_CHARS, '€'),
          reason: wide(MAX_OVERRIDE_REASON_CHARS, '€'),
          target: e.target === 'eu-west-9' ? e.target : config.regions[1]!,
        };
      }
      if (e.type === 'action-failed') return { ...e, reason: wide(50_000, '\u0001') };
      if (e.type === 'workflow-ended') return { ...e, detail: wide(500, '\u0001') };
      return { ...e, eventId: wide(MAX_EVENT_ID_CHARS, '€') };
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 80 }), (generated) => {
        let state: ControllerState = initialState(config);
        let now = 0;
        for (const g of [...generated].sort((a, b) => a.at - b.at)) {
          const e = inFlightNamed(g, state);
          now = Math.max(now, e.at);
          const out = decide(state, e, config, now);
          state = out.state;
          const [d] = out.decisions;
          expect(Buffer.byteLength(JSON.stringify(state))).toBeLessThan(ITEM_LIMIT - 10 * 1024);
          expect(Buffer.byteLength(JSON.stringify(d))).toBeLessThan(ENTRY_LIMIT - 10 * 1024);
          const flight = state.inFlight ?? state.wouldBe;
          expect(flight ? Buffer.byteLength(JSON.stringify(failoverRequestOf(config.app, flight))) : 0).toBeLessThan(ENTRY_LIMIT - 10 * 1024);
        }
      }),
      { numRuns },
    );
  });

  it('keeps the largest state the limits allow under 400 KB: every signal, heartbeat, override id, freeze, halt and failover at its maximum', () => {
    const config = worstConfig();
    const big = (n: number) => '€'.repeat(n);
    const failover = { generation: 1, executionName: 'x'.repeat(80), from: config.regions[0]!, target: config.regions[1]!, mode: 'manual' as const, allowDataLoss: true, requestedBy: big(MAX_OPERATOR_CHARS), reason: big(2000), startedAt: T0, detectedAt: T0 };
    const state: ControllerState = {
      ...initialState(config),
      phase: 'failing-over',
      generation: 1,
      inFlight: { ...failover, confirmedAt: T0, actionFailures: 4, abortRequested: true },
      frozen: { operator: big(MAX_OPERATOR_CHARS), reason: big(MAX_OVERRIDE_REASON_CHARS), until: T0 },
      halted: { generation: 1, executionName: 'x'.repeat(80), status: 'START_FAILED', reason: big(2000), at: T0, from: config.regions[0]!, target: config.regions[1]! },
      wouldBe: failover,
      cooldownUntil: T0,
      autoFailovers: Array.from({ length: 10 }, () => T0),
      signals: Object.fromEntries(config.signals.map((s) => [s.alarmName, { state: 'INSUFFICIENT_DATA' as const, since: T0, lastAt: T0 }])),
      recentRequests: Array.from({ length: MAX_RECENT_OVERRIDES }, () => big(MAX_REQUEST_ID_CHARS)),
      recentRequestTimes: Array.from({ length: MAX_RECENT_OVERRIDES }, () => T0),
      heartbeats: Object.fromEntries(config.regions.map((r) => [r, T0])),
      lastFailover: { generation: 1, from: config.regions[0]!, target: config.regions[1]!, completedAt: T0, recoverySeconds: 1e9 },
      clock: T0,
    };
    expect(Buffer.byteLength(JSON.stringify(state))).toBeLessThan(400 * 1024 - 10 * 1024);
  });
});

function initialConfig(): ControllerConfig {
  return {
    app: 'payments',
    regions: ['us-east-1', 'us-east-2'],
    initialActive: 'us-east-1',
    signals: ['us-east-1', 'us-east-2'].flatMap((region) => [
      { alarmName: `${region}-api-5xx`, region, kind: 'alarm' as const, critical: true },
      { alarmName: `${region}-health`, region, kind: 'health-check' as const, critical: true },
    ]),
    policy: DEFAULT_POLICY,
  };
}

/** The largest configuration the schema accepts: MAX_REGIONS regions, MAX_SIGNALS signals with 255-character names, a 40-character app. */
function worstConfig(): ControllerConfig {
  const regions = Array.from({ length: MAX_REGIONS }, (_, i) => `us-westlongname-${i + 1}`);
  const per = Math.floor(MAX_SIGNALS / regions.length);
  const kinds = ['alarm', 'health-check', 'probe', 'heartbeat'] as const;
  return {
    app: 'a'.repeat(40),
    regions,
    initialActive: regions[0]!,
    signals: regions.flatMap((region, r) =>
      Array.from({ length: per }, (_, i) => {
        const kind = i === 0 ? 'heartbeat' : kinds[i % 3]!;
        const name = `${r}-${i}-`;
        return { alarmName: `${name}${'€'.repeat(MAX_ALARM_NAME_CHARS - name.length)}`, region, kind, critical: true };
      }),
    ),
    policy: { ...DEFAULT_POLICY, quorum: 2, minKinds: 1, sustainSeconds: 0, cooldownSeconds: 0, maxAutoFailovers: 10, windowSeconds: 600, autoFailback: true },
  };
}
