import { PROBE_TIMING, PROBER_FUNCTION_TIMEOUT_SECONDS, probeOnce, runProbes, type ProbeClock, type ProbeFetch, type ProbeResult } from '../../../handlers/prober/probe-loop';

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const URLS = {
  'us-east-1': 'https://use1api.execute-api.us-east-1.amazonaws.com/prod/health',
  'us-east-2': 'https://use2api.execute-api.us-east-2.amazonaws.com/prod/health',
};

/** A clock whose time moves only when every pending promise is stuck waiting on one of its timers. */
class VirtualClock implements ProbeClock {
  private time = T0;
  private timers: { at: number; seq: number; fire: () => void }[] = [];
  private seq = 0;

  now = () => this.time;
  sleep = (ms: number) => new Promise<void>((resolve) => this.after(ms, resolve));
  timeout = (ms: number) => {
    const controller = new AbortController();
    this.after(ms, () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')));
    return controller.signal;
  };

  after(ms: number, fire: () => void): void {
    this.timers.push({ at: this.time + ms, seq: this.seq++, fire });
  }

  /** Run `work` to completion, advancing time from timer to timer whenever nothing else can progress. */
  async run<T>(work: Promise<T>): Promise<T> {
    let outcome: { value: T } | { error: unknown } | undefined;
    work.then(
      (value) => (outcome = { value }),
      (error: unknown) => (outcome = { error }),
    );
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (outcome) {
        if ('error' in outcome) throw outcome.error;
        return outcome.value;
      }
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) throw new Error('deadlock: the work waits on nothing the clock controls');
      this.time = Math.max(this.time, next.at);
      next.fire();
    }
  }
}

type Behaviour = { answerAfterMs: number; status: number } | 'hang' | 'refuse';

/** A fetch whose endpoints behave as told; `hang` ignores even the abort signal. */
function fakeFetch(clock: VirtualClock, behaviour: (url: string) => Behaviour): ProbeFetch & jest.Mock {
  return jest.fn((url: string, init: { signal: AbortSignal }) => {
    const b = behaviour(url);
    if (b === 'hang') return new Promise(() => undefined);
    if (b === 'refuse') return Promise.reject(new TypeError('fetch failed: connect ECONNREFUSED'));
    return new Promise((resolve, reject) => {
      clock.after(b.answerAfterMs, () => resolve({ ok: b.status >= 200 && b.status < 300, status: b.status, body: null }));
      init.signal.addEventListener('abort', () => reject(init.signal.reason as Error));
    });
  }) as ProbeFetch & jest.Mock;
}

const healthy: Behaviour = { answerAfterMs: 120, status: 200 };

/** A publisher that records when (virtual time) each round was published. */
function recordingPublisher(clock: VirtualClock, behave: () => Promise<void> = async () => undefined) {
  const rounds: { publishedAt: number; results: readonly ProbeResult[] }[] = [];
  const publish = jest.fn(async (results: readonly ProbeResult[]) => {
    rounds.push({ publishedAt: clock.now(), results });
    await behave();
  });
  return { rounds, publish };
}

describe('runProbes', () => {
  it('probes every region six times a minute, rounds starting every 10 s from the invocation, and publishes each round', async () => {
    const clock = new VirtualClock();
    const fetch = fakeFetch(clock, () => healthy);
    const { rounds, publish } = recordingPublisher(clock);

    const results = await clock.run(runProbes(URLS, { fetch, clock, publish }));

    expect(rounds.map((round) => round.results.map((r) => r.at - T0))).toEqual([0, 10, 20, 30, 40, 50].map((s) => [s * 1000, s * 1000]));
    expect(results).toHaveLength(12);
    expect(results.every((r) => r.success && r.status === 200)).toBe(true);
    expect(fetch.mock.calls.map(([url, init]) => [url, (init as { method: string }).method])).toEqual(
      Array.from({ length: 6 }, () => [[URLS['us-east-1'], 'GET'], [URLS['us-east-2'], 'GET']]).flat(),
    );
  });

  it('counts a hung endpoint as failed at the 3 s deadline, even when the call ignores its abort signal', async () => {
    const clock = new VirtualClock();
    const fetch = fakeFetch(clock, (url) => (url === URLS['us-east-1'] ? 'hang' : healthy));
    const { rounds, publish } = recordingPublisher(clock);

    await clock.run(runProbes(URLS, { fetch, clock, publish }));

    expect(rounds).toHaveLength(6);
    for (const [k, round] of rounds.entries()) {
      expect(round.publishedAt - T0).toBe(k * 10_000 + 3_000);
      expect(round.results).toEqual([
        { region: 'us-east-1', at: T0 + k * 10_000, success: false, error: 'no answer within 3000 ms', durationMs: 3_000 },
        { region: 'us-east-2', at: T0 + k * 10_000, success: true, status: 200, durationMs: 120 },
      ]);
    }
  });

  it('fails a probe that answers after its timeout, and passes one that answers just before', async () => {
    const clock = new VirtualClock();
    const fetch = fakeFetch(clock, (url) => (url === URLS['us-east-1'] ? { answerAfterMs: 3_100, status: 200 } : { answerAfterMs: 2_900, status: 200 }));

    const [late, inTime] = await clock.run(
      Promise.all([probeOnce('us-east-1', URLS['us-east-1'], T0, { fetch, clock }, 3_000), probeOnce('us-east-2', URLS['us-east-2'], T0, { fetch, clock }, 3_000)]),
    );

    expect(late).toEqual({ region: 'us-east-1', at: T0, success: false, error: 'no answer within 3000 ms', durationMs: 3_000 });
    expect(inTime).toEqual({ region: 'us-east-2', at: T0, success: true, status: 200, durationMs: 2_900 });
  });

  it('fails a probe answered with a 5xx or whose connection is refused, naming why', async () => {
    const clock = new VirtualClock();
    const fetch = fakeFetch(clock, (url) => (url === URLS['us-east-1'] ? { answerAfterMs: 50, status: 503 } : 'refuse'));

    const results = await clock.run(
      Promise.all(Object.entries(URLS).map(([region, url]) => probeOnce(region, url, T0, { fetch, clock }, 3_000))),
    );

    expect(results).toEqual([
      { region: 'us-east-1', at: T0, success: false, status: 503, durationMs: 50 },
      { region: 'us-east-2', at: T0, success: false, error: 'TypeError: fetch failed: connect ECONNREFUSED', durationMs: 0 },
    ]);
  });

  it('ends within its run budget, under the function timeout, when every endpoint and CloudWatch hang', async () => {
    const clock = new VirtualClock();
    const fetch = fakeFetch(clock, () => 'hang');
    const log = jest.fn();
    const { rounds, publish } = recordingPublisher(clock, () => new Promise(() => undefined));

    await clock.run(runProbes(URLS, { fetch, clock, publish, log }));

    const elapsedSeconds = (clock.now() - T0) / 1000;
    expect(rounds).toHaveLength(6);
    expect(elapsedSeconds).toBe(55);
    expect(elapsedSeconds).toBeLessThanOrEqual(PROBE_TIMING.runSeconds);
    expect(PROBE_TIMING.runSeconds).toBeLessThan(PROBER_FUNCTION_TIMEOUT_SECONDS);
    expect(log).toHaveBeenCalledWith('probe results not published in time', { round: 5, timeoutSeconds: 2 });
  });

  it('keeps probing when a publication fails: one lost datapoint, not a lost minute', async () => {
    const clock = new VirtualClock();
    const fetch = fakeFetch(clock, () => healthy);
    const log = jest.fn();
    let calls = 0;
    const { rounds, publish } = recordingPublisher(clock, async () => {
      calls += 1;
      if (calls === 1) throw new Error('Throttling: Rate exceeded');
    });

    await clock.run(runProbes(URLS, { fetch, clock, publish, log }));

    expect(rounds).toHaveLength(6);
    expect(log).toHaveBeenCalledWith('probe results not published', { round: 0, error: 'Throttling: Rate exceeded' });
  });

  it('starts no round it could not finish: a shorter budget runs fewer rounds', async () => {
    const clock = new VirtualClock();
    const { rounds, publish } = recordingPublisher(clock);

    await clock.run(runProbes(URLS, { fetch: fakeFetch(clock, () => healthy), clock, publish }, { ...PROBE_TIMING, runSeconds: 24 }));

    expect(rounds.map((round) => round.results[0]!.at - T0)).toEqual([0, 10_000]);
  });
});
