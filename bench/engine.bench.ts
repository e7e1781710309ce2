import { performance } from 'node:perf_hooks';
import { decide, initialState } from '../domain/decide';
import type { DomainEvent } from '../domain/events';
import type { ControllerState } from '../domain/state';
import { benchConfig, realisticStream } from './stream';

export interface EngineBench {
  readonly eventsPerSecond: number;
  readonly nsPerEvent: Record<string, number>;
  readonly flatness: number;
  readonly stateBytesAfterMillion: number;
  readonly actions: Record<string, number>;
}

function replay(events: readonly DomainEvent[], n: number): ControllerState {
  let state = initialState(benchConfig);
  let now = 0;
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    now = e.at > now ? e.at : now;
    state = decide(state, e, benchConfig, now).state;
  }
  return state;
}

/** Median ns/event of replaying the first `n` events, repeated until ≥ 300 ms per sample. */
function nsPerEvent(events: readonly DomainEvent[], n: number): number {
  const samples: number[] = [];
  for (let s = 0; s < 5; s++) {
    let reps = 0;
    const start = performance.now();
    do {
      replay(events, n);
      reps++;
    } while (performance.now() - start < 300);
    samples.push(((performance.now() - start) * 1e6) / (reps * n));
  }
  samples.sort((a, b) => a - b);
  return samples[2]!;
}

export function runEngineBench(): EngineBench {
  const events = realisticStream(1_000_000);
  replay(events, 200_000); // warm up the JIT
  const nsPerEventBySize: Record<string, number> = {};
  for (const n of [1e3, 1e4, 1e5, 1e6]) nsPerEventBySize[String(n)] = nsPerEvent(events, n);

  const start = performance.now();
  const state = replay(events, events.length);
  const seconds = (performance.now() - start) / 1000;

  const actions: Record<string, number> = {};
  let s = initialState(benchConfig);
  let now = 0;
  for (const e of events) {
    now = Math.max(now, e.at);
    const out = decide(s, e, benchConfig, now);
    s = out.state;
    actions[out.decisions[0].action] = (actions[out.decisions[0].action] ?? 0) + 1;
  }
  return {
    eventsPerSecond: events.length / seconds,
    nsPerEvent: nsPerEventBySize,
    flatness: nsPerEventBySize['1000000']! / nsPerEventBySize['1000']!,
    stateBytesAfterMillion: Buffer.byteLength(JSON.stringify(state)),
    actions,
  };
}
